import Foundation
import PulseONNX
import PulseSignals

/// Reading ONNX files from disk.
enum ONNXFile {
    /// The bytes of the ONNX file at `path`, refusing a missing file and one larger than protobuf can hold before
    /// reading it.
    /// - Throws: `RecordingError` naming the file when it is missing or unreadable; `CommandError` when it is too large.
    static func read(_ path: String) throws -> Data {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { throw RecordingError(path: path, .fileNotFound) }
        if let size = attributes[.size] as? Int, size > ONNXImporter.maximumFileBytes {
            throw CommandError("\(path): \(size) bytes exceed protobuf's limit of \(ONNXImporter.maximumFileBytes)")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RecordingError(path: path, .unreadable("the file cannot be read"))
        }
    }
}
