import Foundation

/// JSON text of plain dictionaries and arrays, keys sorted, non-finite numbers as `null`.
enum JSONText {
    static func encode(_ object: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: sanitise(object), options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private static func sanitise(_ object: Any) -> Any {
        switch object {
        case let value as Double: return value.isFinite ? value : NSNull()
        case let array as [Any]: return array.map(sanitise)
        case let dictionary as [String: Any]: return dictionary.mapValues(sanitise)
        default: return object
        }
    }
}
