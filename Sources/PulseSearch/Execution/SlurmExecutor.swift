import Foundation

/// Evaluates candidates as Slurm job arrays. Each batch is cut into tasks of a few candidates (tens of seconds of
/// work each: Slurm starts about one task per CPU per second on a node), written as batch files under
/// `WORKDIR/slurm/BATCH/attempt-N/` (BATCH a hash of the batch's candidate ids), and submitted as one array whose tasks run `pulse search candidates` on a file
/// each. Results land in the work dir (on a shared path), written by the tasks as each candidate finishes.
///
/// Faults: when the array has left the queue, candidates without a result (their task failed, hit its time limit,
/// lost its node or was cancelled) are submitted again, up to `maxAttempts` in all; a candidate still without a
/// result is recorded with status `failed` and the path of its task logs. A driver that is killed and run again
/// finds the batch's folder, waits for an array of the previous driver that is still queued or running, and submits
/// only what has no result.
public struct SlurmExecutor: CandidateExecutor, Sendable {
    /// How jobs are submitted.
    public struct Options: Sendable, Equatable {
        /// The partition (`sbatch --partition`); the cluster's default when nil.
        public var partition: String?
        /// Tasks of one array running at once (`--array=...%N`); unlimited when nil.
        public var maxJobs: Int?
        /// Wall-time limit of each task in minutes (`--time`); the partition's when nil.
        public var timeLimitMinutes: Int?
        /// Candidates per task.
        public var candidatesPerTask = 4
        /// Submissions of a candidate before it is recorded as failed.
        public var maxAttempts = 3
        /// CPUs per task: the search's threads, so that results equal a local run's.
        public var cpusPerTask = 1
        /// Seconds between two looks at the queue.
        public var pollSeconds = 1.0

        /// Default options.
        public init() {}
    }

    /// The command a task runs, without `--batch` and `--out` (which each task adds): `pulse search candidates` with
    /// the search's work dir, model, target and data, as absolute paths.
    public let taskCommand: [String]
    /// How jobs are submitted.
    public let options: Options
    /// The environment of `sbatch`, `squeue` and `scancel` (`SLURM_CONF` names the cluster); this process's by default.
    public let environment: [String: String]

    /// An executor submitting `taskCommand` with `options`.
    public init(taskCommand: [String], options: Options, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.taskCommand = taskCommand
        self.options = options
        self.environment = environment
    }

    public func evaluate(_ candidates: [Candidate], into workDirectory: WorkDirectory, deadline: Date,
                         arrived: (CandidateResult) -> Void) throws {
        let batch = String(FNV1a.hash(Data(candidates.map(\.id).joined(separator: ",").utf8)), radix: 16)
        let folder = workDirectory.path + "/slurm/" + batch
        func pending() -> [Candidate] {
            candidates.filter { !workDirectory.hasResult(of: $0) }
        }
        let missing = Set(pending().map(\.id))
        guard !missing.isEmpty else { return }
        var reported = Set(candidates.map(\.id)).subtracting(missing)
        func reportArrivals() {
            for candidate in candidates where !reported.contains(candidate.id) {
                if let result = workDirectory.result(candidate.id), result.candidate == candidate {
                    reported.insert(candidate.id)
                    arrived(result)
                }
            }
        }
        var attempt = previousAttempts(in: folder)
        if attempt > 0, let job = try previousJob(named: Self.jobName(batch: batch, attempt: attempt), folder: "\(folder)/attempt-\(attempt)") {
            try wait(for: job, reporting: reportArrivals)
        }
        reportArrivals()
        while !pending().isEmpty {
            guard attempt < options.maxAttempts else {
                let lastAttempt = "\(folder)/attempt-\(attempt)"
                for candidate in pending() {
                    var result = CandidateResult(id: candidate.id, candidate: candidate, status: .failed)
                    let log = Self.taskLog(of: candidate, in: lastAttempt)
                    result.error = "no result after \(attempt) Slurm submissions; "
                        + (log.map { "the last task's log \($0.path) ends: \($0.lastLine)" } ?? "task logs in \(folder)")
                    try workDirectory.record(result, model: nil)
                }
                reportArrivals()
                return
            }
            guard Date() < deadline else { return }
            attempt += 1
            let job = try submit(pending(), name: Self.jobName(batch: batch, attempt: attempt), folder: "\(folder)/attempt-\(attempt)")
            try wait(for: job, reporting: reportArrivals)
            reportArrivals()
        }
    }

    /// The number of the last attempt folder in `folder` (0 when there is none).
    private func previousAttempts(in folder: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap { $0.hasPrefix("attempt-") ? Int($0.dropFirst("attempt-".count)) : nil }.max() ?? 0
    }

    /// The log of the task of the attempt in `folder` that held `candidate`, and its last line that is not empty:
    /// Slurm's reason for a task it stopped (`CANCELLED ... DUE TO TIME LIMIT`), or the task's own last error.
    static func taskLog(of candidate: Candidate, in folder: String) -> (path: String, lastLine: String)? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasPrefix("task-") && name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)"),
                  let task = try? JSONDecoder().decode([Candidate].self, from: data), task.contains(candidate) else { continue }
            let path = "\(folder)/\(name.dropLast(".json".count)).log"
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let last = text.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            return (path, last.map(String.init) ?? "(empty)")
        }
        return nil
    }

    /// The job name of an attempt, by which a resumed driver finds an array whose id was never recorded (a driver
    /// killed between `sbatch` and writing `job`).
    static func jobName(batch: String, attempt: Int) -> String { "pulse-search-\(batch)-\(attempt)" }

    /// The array of a previous driver's attempt: the id in `folder/job`, else a queued job named `name`.
    private func previousJob(named name: String, folder: String) throws -> String? {
        if let recorded = try? String(contentsOfFile: "\(folder)/job", encoding: .utf8) {
            return recorded.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let queued = try run("squeue", ["--noheader", "--name=\(name)", "--format=%F"])
        return queued.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Writes the batch files and the task script of one attempt into `folder` and submits them as an array named
    /// `name`; returns the job id, which is also written to `folder/job`.
    private func submit(_ candidates: [Candidate], name: String, folder: String) throws -> String {
        let manager = FileManager.default
        do { try manager.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw SlurmError(command: "mkdir", message: "cannot create \(folder): \(error.localizedDescription)")
        }
        let perTask = max(1, options.candidatesPerTask)
        let tasks = stride(from: 0, to: candidates.count, by: perTask).map { Array(candidates[$0..<min($0 + perTask, candidates.count)]) }
        for (number, task) in tasks.enumerated() {
            try WorkDirectory.write(task, to: "\(folder)/task-\(number).json")
        }
        let command = taskCommand.map(Self.quoted).joined(separator: " ")
        let script = """
            #!/bin/sh
            # Written by pulse search: array task N evaluates the candidates of task-N.json into the search's work dir.
            exec \(command) --batch \(Self.quoted(folder))/task-"$SLURM_ARRAY_TASK_ID".json --out \(Self.quoted(folder))/result-"$SLURM_ARRAY_TASK_ID".json --force

            """
        do { try script.write(toFile: "\(folder)/task.sh", atomically: true, encoding: .utf8) } catch {
            throw SlurmError(command: "sbatch", message: "cannot write \(folder)/task.sh: \(error.localizedDescription)")
        }
        var arguments = ["--parsable", "--job-name=\(name)", "--array=0-\(tasks.count - 1)" + (options.maxJobs.map { "%\($0)" } ?? ""),
                         "--cpus-per-task=\(options.cpusPerTask)", "--output=\(folder)/task-%a.log", "--chdir=\(folder)"]
        if let partition = options.partition { arguments.append("--partition=\(partition)") }
        if let minutes = options.timeLimitMinutes { arguments.append("--time=\(minutes)") }
        let output = try run("sbatch", arguments + ["\(folder)/task.sh"])
        guard let job = output.split(separator: "\n").first.map({ String($0.split(separator: ";")[0]) }), !job.isEmpty,
              job.allSatisfy(\.isNumber) else {
            throw SlurmError(command: "sbatch", message: "printed no job id (\(output))")
        }
        do { try job.write(toFile: "\(folder)/job", atomically: true, encoding: .utf8) } catch {
            throw SlurmError(command: "sbatch", message: "cannot record job \(job) in \(folder): \(error.localizedDescription)")
        }
        return job
    }

    /// Returns once no task of array `job` is queued or running, calling `reporting` after each look at the queue.
    private func wait(for job: String, reporting: () -> Void) throws {
        while true {
            let queued: String
            do {
                queued = try run("squeue", ["--noheader", "--jobs=\(job)", "--format=%i %T"])
            } catch let error as SlurmError where error.message.contains("Invalid job id") {
                return
            }
            reporting()
            if queued.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            Thread.sleep(forTimeInterval: options.pollSeconds)
        }
    }

    /// Runs Slurm's `tool` with `arguments`; returns its standard output.
    /// - Throws: `SlurmError` naming the command when it cannot start or exits non-zero, with its standard error.
    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw SlurmError(command: tool, message: "cannot start: \(error.localizedDescription)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SlurmError(command: ([tool] + arguments).joined(separator: " "),
                             message: message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "exit status \(process.terminationStatus)" : message)
        }
        return text
    }

    /// `word` in single quotes for the shell.
    static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// A Slurm command that failed: which, and what it said.
public struct SlurmError: Error, CustomStringConvertible {
    /// The command line.
    public var command: String
    /// Its standard error, or why it could not run.
    public var message: String

    public var description: String { "Slurm: \(command): \(message.trimmingCharacters(in: .whitespacesAndNewlines))" }
}
