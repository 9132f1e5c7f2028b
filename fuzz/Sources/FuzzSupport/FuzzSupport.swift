import Foundation
import PulseDSP
import PulseSignals

/// Reads typed values from a fuzz input, front to back; past the end every read gives zeros.
public struct FuzzBytes {
    public let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }

    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func uint16() -> UInt16 { UInt16(byte()) | UInt16(byte()) << 8 }

    public mutating func uint32() -> UInt32 { UInt32(uint16()) | UInt32(uint16()) << 16 }

    public mutating func uint64() -> UInt64 { UInt64(uint32()) | UInt64(uint32()) << 32 }

    public mutating func bool() -> Bool { byte() & 1 == 1 }

    public mutating func float() -> Float { Float(bitPattern: uint32()) }

    public mutating func double() -> Double { Double(bitPattern: uint64()) }

    /// One of `choices`, picked by the next byte.
    public mutating func pick<T>(_ choices: [T]) -> T { choices[Int(byte()) % choices.count] }

    /// The rest of the input (and nothing more is read).
    public mutating func rest() -> ArraySlice<UInt8> {
        defer { offset = bytes.count }
        return bytes[min(offset, bytes.count)...]
    }
}

/// Numbers that tend to find edge cases: zero, signs, boundaries of pulse's ranges, non-finite values.
public let interestingDoubles: [Double] = [
    0, -0.0, 1, -1, 0.5, 2, 4, 8, 8.000001, 7.999, 12.5, 25, 32, 50, 64, 100, 125, 128, 250, 256, 1000, 5000, 5001,
    1e6, 1e6 + 1, 0.999999, 1e-9, 1e300, -1e300, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity,
    -.infinity, .nan, Double(Int32.max), Double(Int64.max), 1.0 / 3.0, 2.0000000001, 1e-300, 3.9, 4.1,
]

/// A folder of this process's own for the files a harness writes (on /dev/shm when it can be written).
public enum Scratch {
    public static let folder: String = {
        let base = ProcessInfo.processInfo.environment["PULSE_FUZZ_SCRATCH"]
            ?? (FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        let path = URL(fileURLWithPath: base).appendingPathComponent("pulse-fuzz-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.folder) }
        return path
    }()

    /// Writes `bytes` to `name` in the scratch folder and returns its path.
    @discardableResult
    public static func write<C: Collection>(_ bytes: C, as name: String) -> String where C.Element == UInt8 {
        let path = folder + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    public static func path(_ name: String) -> String { folder + "/" + name }

    public static func remove(_ name: String) { unlink(folder + "/" + name) }
}

/// What a reader's result goes through next in the CLI, kept small enough that one input runs in milliseconds.
public enum Downstream {
    /// The most samples (all channels of both groups) a recording may have to be estimated.
    public static let maximumSamples = 400_000

    /// PULSE_FUZZ_NO_ESTIMATE=1 stops at the reader (to measure or fuzz the reader alone).
    public static let skipEstimate = ProcessInfo.processInfo.environment["PULSE_FUZZ_NO_ESTIMATE"] == "1"

    /// Runs the spectral estimator over `recording`, as `pulse estimate` does, when it is small enough; both
    /// preprocessings. Thrown errors are the reader's and estimator's way to refuse, and are ignored.
    public static func estimateIfSmall(_ recording: Recording) {
        let samples = recording.ppg.channelCount * recording.ppg.sampleCount + recording.acc.channelCount * recording.acc.sampleCount
        guard !skipEstimate, samples <= maximumSamples, recording.windowCount(.standard) <= 2_000 else { return }
        for preprocessing in [Preprocessing.zeroPhase, .causal] {
            let estimates = attempt("estimate (\(preprocessing))") {
                try SpectralEstimator(configuration: .standard, preprocessing: preprocessing).estimate(recording, layout: .standard)
            }
            if let estimates { note("\(estimates.count) windows, \(estimates.filter { $0.bpm != nil }.count) estimated") }
        }
    }
}

/// Options given in a first line `#!key=value key=value flag` of a text input (CSV harnesses).
public struct LineOptions {
    public var values: [String: String] = [:]

    public init() {}

    /// Splits `text` into its options line (when it starts with `#!`) and the rest.
    public static func split(_ text: Substring) -> (LineOptions, Substring) {
        guard text.hasPrefix("#!") else { return (LineOptions(), text) }
        let end = text.firstIndex(where: \.isNewline) ?? text.endIndex
        var options = LineOptions()
        for item in text[text.index(text.startIndex, offsetBy: 2)..<end].split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            options.values[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        let rest = end < text.endIndex ? text[text.index(after: end)...] : text[end...]
        return (options, rest)
    }

    public func double(_ key: String) -> Double? { values[key].flatMap { Double($0) } }
    public func int(_ key: String) -> Int? { values[key].flatMap { Int($0) } }
    public func list(_ key: String) -> [String]? { values[key].map { $0.split(separator: ",").map(String.init) } }
    public func flag(_ key: String) -> Bool { values[key] != nil }
}

/// With PULSE_FUZZ_VERBOSE=1 set, harnesses say on stderr how far each input got (for seeds and triage).
public let verbose = ProcessInfo.processInfo.environment["PULSE_FUZZ_VERBOSE"] == "1"

public func note(_ message: @autoclosure () -> String) {
    if verbose { FileHandle.standardError.write(Data(("fuzz: " + message() + "\n").utf8)) }
}

/// `body`'s result, or nil with the error noted.
public func attempt<T>(_ what: String, _ body: () throws -> T) -> T? {
    do {
        let value = try body()
        note("\(what): ok")
        return value
    } catch {
        note("\(what): \(error)")
        return nil
    }
}
