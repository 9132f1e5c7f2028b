import Foundation

/// The C harness in `firmware-sim/`: builds a generated model for a target (`build.sh`), runs it on the windows of
/// `pulse_windows.h` (`run.sh`, under QEMU for the Arm targets) and reads back each window's int8 outputs, with
/// the counting plugin's per-kernel instruction counts when asked.
public struct FirmwareHarness: Sendable {
    /// The `firmware-sim` directory.
    public let directory: String

    /// The harness in `directory`.
    /// - Throws: `FirmwareError.file` when `build.sh` or `run.sh` is missing there.
    public init(directory: String) throws {
        for script in ["build.sh", "run.sh"] where !FileManager.default.isExecutableFile(atPath: directory + "/" + script) {
            throw FirmwareError(location: directory, .file("no executable \(script): give the firmware-sim directory of pulse's repository"))
        }
        self.directory = directory
    }

    /// What one run printed, and how long it took.
    public struct Run: Sendable {
        /// The bits of each window's outputs, as printed (one byte per int8 value, four per float).
        public var bits: [[UInt32]]
        /// Wall-clock seconds of the run, emulator included.
        public var seconds: Double

        /// The outputs of an int8 model.
        public var outputs: [[Int8]] { bits.map { $0.map { Int8(truncatingIfNeeded: $0) } } }
        /// The outputs of a float32 model.
        public var floatOutputs: [[Float]] { bits.map { $0.map(Float.init(bitPattern:)) } }
    }

    /// Builds the C files in `generated` for `target` into `build`; returns the ELF's path.
    /// - Throws: `FirmwareError.tool` with the compiler's message (naming the package to install when missing).
    public func build(_ target: FirmwareTarget, generated: String, build: String) throws -> String {
        let result = try Self.execute(directory + "/build.sh", [target.rawValue, generated, build])
        guard result.status == 0 else {
            throw FirmwareError(location: "build.sh \(target.rawValue)", .tool(result.errors.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return build + "/pulse-fw-" + target.rawValue
    }

    /// Runs the ELF built for `target`, whose model gives `outputSize` values of `valueBytes` bytes (1 for int8, 4 for
    /// float32); with `counts`, the counting plugin writes its block counts there.
    /// - Throws: `FirmwareError.tool` when the run faults, exits non-zero or times out (the script's message), or
    ///   prints no complete output.
    public func run(_ target: FirmwareTarget, elf: String, outputSize: Int, valueBytes: Int = 1, counts: String? = nil) throws -> Run {
        let start = Date()
        let result = try Self.execute(directory + "/run.sh", [target.rawValue, elf] + (counts.map { [$0] } ?? []))
        let seconds = Date().timeIntervalSince(start)
        let place = "\(target.rawValue) run of \(elf)"
        guard result.status == 0 else {
            let message = result.errors.trimmingCharacters(in: .whitespacesAndNewlines)
            throw FirmwareError(location: place, .tool("exit status \(result.status)" + (message.isEmpty ? "" : ": " + message)))
        }
        var outputs: [[UInt32]] = []
        var done = false
        let digits = 2 * valueBytes
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields == ["done"] { done = true }
            guard fields.count == 3, fields[0] == "out", Int(fields[1]) == outputs.count else { continue }
            let hex = Array(fields[2].utf8)
            guard hex.count == digits * outputSize else {
                throw FirmwareError(location: place, .tool("window \(outputs.count) printed \(hex.count / digits) outputs, not \(outputSize)"))
            }
            outputs.append(try stride(from: 0, to: hex.count, by: digits).map { offset in
                guard let value = UInt32(String(decoding: hex[offset..<(offset + digits)], as: UTF8.self), radix: 16) else {
                    throw FirmwareError(location: place, .tool("window \(outputs.count) printed \(fields[2].prefix(16))…, not hex"))
                }
                return value
            })
        }
        guard done else { throw FirmwareError(location: place, .tool("the run ended before printing done")) }
        return Run(bits: outputs, seconds: seconds)
    }

    /// The sizes of the ELF's symbols, by name (`nm -S`).
    public func symbolSizes(_ target: FirmwareTarget, elf: String) throws -> [String: (kind: Character, bytes: Int)] {
        let result = try Self.execute("/usr/bin/env", [target.sizeTool, "-S", elf])
        guard result.status == 0 else { throw FirmwareError(location: elf, .tool("\(target.sizeTool): \(result.errors)")) }
        var sizes: [String: (Character, Int)] = [:]
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 4, let bytes = Int(fields[1], radix: 16), let kind = fields[2].first else { continue }
            sizes[String(fields[3])] = (kind, bytes)
        }
        return sizes
    }

    /// The whole image's sections as the toolchain's `size` reports them (harness, start-up and C library included).
    /// - Throws: `FirmwareError.tool` when the tool fails or prints no Berkeley-format line.
    public func imageSizes(_ target: FirmwareTarget, elf: String) throws -> (textBytes: Int, dataBytes: Int, bssBytes: Int) {
        let result = try Self.execute("/usr/bin/env", [target.imageSizeTool, elf])
        let fields = result.output.split(separator: "\n").dropFirst().first?.split(whereSeparator: \.isWhitespace).compactMap { Int($0) } ?? []
        guard result.status == 0, fields.count >= 3 else {
            throw FirmwareError(location: elf, .tool("\(target.imageSizeTool): \(result.errors.isEmpty ? result.output : result.errors)"))
        }
        return (fields[0], fields[1], fields[2])
    }

    /// Runs `executable` with `arguments`; returns its status, standard output and standard error.
    static func execute(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw FirmwareError(location: executable, .tool("cannot start: \(error.localizedDescription)"))
        }
        let errorData = ErrorReader(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData.finish(), as: UTF8.self))
    }
}

/// Reads a pipe on another thread, so that neither pipe fills while the other is read.
private final class ErrorReader: @unchecked Sendable {
    private var data = Data()
    private let group = DispatchGroup()

    init(_ handle: FileHandle) {
        group.enter()
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.group.leave()
        }
    }

    func finish() -> Data {
        group.wait()
        return data
    }
}
