import Foundation

/// Runs the built `pulse` executable and captures what it prints.
struct PulseProcess {
    var status: Int32
    var standardOutput: String
    var standardError: String

    /// The folder that holds the test bundle and the `pulse` executable built with it.
    static let productsDirectory: URL = {
        let bundle = Bundle.main.bundleURL
        return bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
    }()

    /// Runs `pulse` with `arguments`, with `input` on its standard input (an empty one without).
    static func run(_ arguments: [String], input: String? = nil) throws -> PulseProcess {
        try execute(productsDirectory.appendingPathComponent("pulse").path, arguments, input: input)
    }

    /// Runs the program at `path` with `arguments` in `directory` (the current one without), with `input` on its
    /// standard input.
    static func execute(_ path: String, _ arguments: [String], input: String? = nil, in directory: String? = nil) throws -> PulseProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let error = Pipe()
        let standardInput = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = standardInput
        try process.run()
        let writer = standardInput.fileHandleForWriting
        let bytes = Data((input ?? "").utf8)
        DispatchQueue.global().async {
            writer.write(bytes)
            try? writer.close()
        }
        // Both pipes are drained at once, so that neither fills up and blocks the process.
        let errorData = Captured()
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorData.data = error.fileHandleForReading.readDataToEndOfFile()
            finished.signal()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        finished.wait()
        process.waitUntilExit()
        return PulseProcess(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData.data, as: UTF8.self))
    }

    /// Bytes read on another thread; the semaphore orders the write before the read.
    private final class Captured: @unchecked Sendable {
        var data = Data()
    }

    /// Standard output parsed as one JSON object.
    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(standardOutput.utf8))
        guard let dictionary = object as? [String: Any] else { throw CocoaError(.propertyListReadCorrupt) }
        return dictionary
    }
}
