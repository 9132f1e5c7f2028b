import Foundation
import PulseGraph
import Testing

/// Runs `scripts/onnx-check.py` (onnx's checker, then onnxruntime) with the Python of the venv that
/// `scripts/onnx-env.sh` makes.
///
/// The interpreter is `$PULSE_ONNX_VENV_PYTHON` when set (`.ci/run` sets it; a broken one fails the tests that need
/// it). Otherwise `scripts/onnx-env.sh` is run once, which is fast when the venv holds the pinned versions; when it
/// fails (no network, no `python3-venv`), the tests that need onnxruntime are skipped with a message.
enum ONNXRuntimeChecker {
    /// The package root, found from this file's location.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The venv's Python, or `nil` when none can be had.
    static let python: String? = {
        if let python = ProcessInfo.processInfo.environment["PULSE_ONNX_VENV_PYTHON"], !python.isEmpty { return python }
        guard let result = try? run(packageRoot.appendingPathComponent("scripts/onnx-env.sh").path, []), result.status == 0 else { return nil }
        return result.output.split(separator: "\n").last.map(String.init)
    }()

    /// Whether onnxruntime can be run.
    static var isAvailable: Bool { python != nil }

    /// The trait of tests that need onnxruntime: they are reported as skipped, with what to do, where it is absent.
    static let required = ConditionTrait.enabled(
        if: isAvailable,
        "needs onnx and onnxruntime: set PULSE_ONNX_VENV_PYTHON to the python that scripts/onnx-env.sh prints, or let that script make its venv (it needs network access to PyPI once)")

    /// What one comparison found.
    struct Comparison {
        /// Largest absolute difference between onnxruntime's output and the reference, per output.
        var maxAbsoluteDifference: [Double]
        /// Largest absolute value of each reference.
        var maxAbsoluteReference: [Double]
        /// Whether every output is within the tolerance.
        var passed: Bool
        /// The whole report, for messages.
        var report: String
    }

    /// Runs `model` on `inputs` (one `.npy` file each) in onnxruntime and compares its outputs with `references`.
    static func compare(model: String, inputs: [String], references: [String], tolerance: Double = 1e-4) throws -> Comparison {
        let result = try python(["scripts/onnx-check.py", model, "--input"] + inputs + ["--compare"] + references
            + ["--tolerance", String(tolerance)])
        guard result.status == 0 || result.status == 1,
              let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
              let outputs = object["outputs"] as? [[String: Any]] else {
            throw CheckerError("onnx-check.py failed (status \(result.status)): \(result.error)\(result.output)")
        }
        return Comparison(
            maxAbsoluteDifference: outputs.map { $0["max_abs_difference"] as? Double ?? .infinity },
            maxAbsoluteReference: outputs.map { $0["max_abs_reference"] as? Double ?? 0 },
            passed: object["pass"] as? Bool ?? false, report: result.output)
    }

    /// Runs a script of the repository with the venv's Python from the package root.
    static func python(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        guard let python else { throw CheckerError("no Python with onnxruntime (scripts/onnx-env.sh failed)") }
        return try run(python, arguments)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let errorData = Captured()
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorData.data = error.fileHandleForReading.readDataToEndOfFile()
            finished.signal()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        finished.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData.data, as: UTF8.self))
    }

    /// Bytes read on another thread; the semaphore orders the write before the read.
    private final class Captured: @unchecked Sendable {
        var data = Data()
    }

    /// A checker run that went wrong.
    struct CheckerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
