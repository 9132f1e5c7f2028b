import Foundation

/// The metadata keys under which an exported model carries what ONNX has no field for, and their encoding.
enum ONNXModelMetadata {
    /// The model's `ModelInput`, as JSON.
    static let inputKey = "pulse.input"
    /// The model's `RateBins`, as JSON.
    static let outputKey = "pulse.output"

    /// `value` as sorted-key JSON text.
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The value stored under `key`, or `nil` when absent.
    /// - Throws: `CommandError` naming the file and key when the text is not a valid `T`.
    static func decode<T: Decodable>(_ type: T.Type, _ key: String, from metadata: [String: String], path: String) throws -> T? {
        guard let text = metadata[key] else { return nil }
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw CommandError("\(path): metadata \(key) is not a valid \(T.self)")
        }
    }
}
