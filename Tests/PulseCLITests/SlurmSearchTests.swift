import Foundation
import Testing
import PulseSearch
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

    /// Runs `body` with a temporary folder and the environment of a cluster started in its `cluster` folder, then
    /// stops the cluster and removes the folder; prints why and skips `body` where the cluster cannot start here.
    static func withCluster(_ body: (TemporaryDirectory, [String: String]) throws -> Void) throws {
        if let reason = unavailable {
            print("skipped: \(reason)")
            return
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cluster = directory.path("cluster")
        // munged serves its socket only below folders that everyone may enter.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.url.path)
        let started = try shell([script, "start", cluster, "16917"])
        defer { _ = try? shell([script, "stop", cluster]) }
        try #require(started.contains("SLURM_CONF="), "the cluster did not start: logs in \(cluster)/log")
        try body(directory, ["SLURM_CONF": cluster + "/slurm.conf"])
    }

    /// A task that exits with an error is submitted `maxAttempts` times; a task that outlives its time limit is
    /// stopped by Slurm. Either way the candidate ends as `failed`, its error naming the task's log and its last line,
    /// and a later evaluation of the same batch submits nothing more.
    @Test func failingAndOverrunningTasksEndAsFailedCandidates() throws {
        try Self.withCluster { directory, environment in try Self.failingAndOverrunningTasks(directory, environment) }
    }

    static func failingAndOverrunningTasks(_ directory: TemporaryDirectory, _ environment: [String: String]) throws {
        let settings = SearchSettings(target: "mcu")
        let workDirectory = try WorkDirectory(path: directory.path("work"), settings: settings)

        var options = SlurmExecutor.Options()
        options.maxAttempts = 2
        options.pollSeconds = 0.2
        let failing = SlurmExecutor(taskCommand: ["/bin/sh", "-c", "echo 'no such recording' >&2; exit 3", "task"], options: options,
                                    environment: environment)
        options.maxAttempts = 1
        options.timeLimitMinutes = 1
        let overrunning = SlurmExecutor(taskCommand: ["/bin/sh", "-c", "sleep 600", "task"], options: options, environment: environment)
        let failingCandidates = [Candidate(rewrites: [.grouped(layer: "block1.conv1", groups: 2)]),
                                 Candidate(rewrites: [.grouped(layer: "block1.conv2", groups: 2)])]
        let overrunningCandidate = Candidate(rewrites: [.lowRank(layer: "block2.conv1", rank: 4)])

        // Both run at once (a task each on the node's CPUs): the time limit takes a minute or more to act.
        let overrun = Thread { try? overrunning.evaluate([overrunningCandidate], into: workDirectory, deadline: .distantFuture) { _ in } }
        overrun.start()
        var arrived: [CandidateResult] = []
        try failing.evaluate(failingCandidates, into: workDirectory, deadline: .distantFuture) { arrived.append($0) }
        #expect(arrived.map(\.status) == [.failed, .failed])
        for result in arrived {
            let error = result.error ?? ""
            #expect(error.contains("after 2 Slurm submissions") && error.contains("attempt-2/task-0.log") && error.contains("no such recording"), "\(error)")
        }
        let deadline = Date().addingTimeInterval(300)
        while !workDirectory.hasResult(of: overrunningCandidate) && Date() < deadline { Thread.sleep(forTimeInterval: 1) }
        let stopped = try #require(workDirectory.result(overrunningCandidate.id), "the overrunning task was stopped within 5 min")
        #expect(stopped.status == .failed)
        #expect(stopped.error?.contains("TIME LIMIT") == true, "\(stopped.error ?? "")")

        var again: [CandidateResult] = []
        try failing.evaluate(failingCandidates, into: workDirectory, deadline: .distantFuture) { again.append($0) }
        #expect(again.isEmpty)
        let batches = try FileManager.default.contentsOfDirectory(atPath: directory.path("work/slurm"))
        let attempts = try batches.map { try FileManager.default.contentsOfDirectory(atPath: directory.path("work/slurm/\($0)")).sorted() }
        #expect(attempts.sorted { $0.count < $1.count } == [["attempt-1"], ["attempt-1", "attempt-2"]])
    }

    @Test func slurmSearchSurvivesACancelledTaskAndAKilledDriver() throws {
        try Self.withCluster { directory, environment in try Self.cancelledTaskAndKilledDriver(directory, environment) }
    }

    static func cancelledTaskAndKilledDriver(_ directory: TemporaryDirectory, _ environment: [String: String]) throws {

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
