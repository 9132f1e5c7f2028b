import Foundation
import Testing
import PulseTestSupport

/// A tiny search through a real single-node Slurm cluster (scripts/slurm-cluster.sh), with one array task cancelled
/// and then the driver killed midway, must end with the results of the same search run locally.
@Suite(.serialized) struct SlurmSearchTests {
    static let script = SearchCLITests.repository.appendingPathComponent("scripts/slurm-cluster.sh").path

    /// Why the cluster cannot be started here, if it cannot.
    static var unavailable: String? {
        guard getuid() == 0 else { return "the Slurm test cluster needs root (slurmd); .ci/run runs as root" }
        for tool in ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch"] where !FileManager.default.fileExists(atPath: tool) {
            return "\(tool) is missing: run scripts/install-deps.sh"
        }
        return nil
    }

    static func shell(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    static func results(_ workdir: String) throws -> [String] {
        let report = try SearchCLITests.results(workdir)
        return ((report["results"] as? [[String: Any]]) ?? []).map { "\($0["id"] ?? "") \($0["mae_bpm"] ?? "") \($0["latency_ms"] ?? "")" }
    }

    /// Every batch folder's candidates over all its attempts: how many were submitted more than once.
    static func resubmissions(_ workdir: String) throws -> Int {
        var submissions = 0
        var unique = Set<String>()
        let manager = FileManager.default
        for batch in try manager.contentsOfDirectory(atPath: workdir + "/slurm") {
            for attempt in try manager.contentsOfDirectory(atPath: "\(workdir)/slurm/\(batch)") {
                let folder = "\(workdir)/slurm/\(batch)/\(attempt)"
                for file in try manager.contentsOfDirectory(atPath: folder) where file.hasPrefix("task-") && file.hasSuffix(".json") {
                    let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(file)"))
                    let candidates = try #require(try JSONSerialization.jsonObject(with: data) as? [Any])
                    submissions += candidates.count
                    for candidate in candidates { unique.insert("\(batch) \(candidate)") }
                }
            }
        }
        return submissions - unique.count
    }

    @Test func slurmSearchSurvivesACancelledTaskAndAKilledDriver() throws {
        if let reason = Self.unavailable {
            print("skipped: \(reason)")
            return
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cluster = directory.path("cluster")
        // munged serves its socket only below folders that everyone may enter.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.url.path)
        let started = try Self.shell([Self.script, "start", cluster, "16917"])
        defer { _ = try? Self.shell([Self.script, "stop", cluster]) }
        try #require(started.contains("SLURM_CONF="), "the cluster did not start: logs in \(cluster)/log")
        let environment = ["SLURM_CONF": cluster + "/slurm.conf"]

        let local = try PulseProcess.run(SearchCLITests.arguments(workdir: directory.path("local"), out: directory.path("local.h5")))
        #expect(local.status == 0, "\(local.standardError)")

        let workdir = directory.path("slurm")
        let arguments = SearchCLITests.arguments(workdir: workdir, out: directory.path("slurm.h5"))
            + ["--executor", "slurm", "--candidates-per-task", "1"]
        let driver = Process()
        driver.executableURL = PulseProcess.productsDirectory.appendingPathComponent("pulse")
        driver.arguments = arguments
        driver.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()

        // Cancel a running task of the first array with more than one task (generation 0).
        let deadline = Date().addingTimeInterval(600)
        var cancelled = ""
        while cancelled.isEmpty && Date() < deadline && driver.isRunning {
            let jobs = try Self.shell(["squeue", "--noheader", "--states=RUNNING", "--format=%i"], environment: environment)
                .split(separator: "\n").map(String.init).filter { $0.contains("_") && !$0.hasSuffix("_0") }
            if let task = jobs.first {
                _ = try Self.shell(["scancel", task], environment: environment)
                cancelled = task
            } else {
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        let job = try #require(cancelled.split(separator: "_").first, "a running array task was cancelled")

        // Kill the driver while a later array is in the queue.
        var killed = false
        while !killed && Date() < deadline && driver.isRunning {
            let queued = try Self.shell(["squeue", "--noheader", "--format=%F"], environment: environment)
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            if queued.contains(where: { !$0.isEmpty && $0 != job }) {
                kill(driver.processIdentifier, SIGKILL)
                killed = true
            } else {
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        driver.waitUntilExit()
        #expect(killed, "the driver was killed while an array was queued")
        #expect(!FileManager.default.fileExists(atPath: workdir + "/results.json"))

        let resumed = Process()
        resumed.executableURL = driver.executableURL
        resumed.arguments = arguments
        resumed.environment = driver.environment
        let errors = Pipe()
        resumed.standardError = errors
        resumed.standardOutput = FileHandle.nullDevice
        try resumed.run()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        resumed.waitUntilExit()
        #expect(resumed.terminationStatus == 0, "\(log)")

        #expect(try Self.results(workdir) == Self.results(directory.path("local")))
        #expect(SearchCLITests.front(try SearchCLITests.results(workdir)) == SearchCLITests.front(try SearchCLITests.results(directory.path("local"))))
        let resubmitted = try Self.resubmissions(workdir)
        #expect(resubmitted == 1, "only the cancelled task's candidate is submitted twice, not \(resubmitted)")
    }
}
