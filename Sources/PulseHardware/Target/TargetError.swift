/// A target that cannot be loaded or used: an unknown name, an unreadable file, or a field that is missing, not
/// positive or not finite. `field` is the field's path in the JSON (`memory.sram_bytes`), when one is to blame.
public struct TargetError: Error, Equatable, CustomStringConvertible {
    /// The target's name or file.
    public var target: String
    /// The JSON path of the field at fault, if any.
    public var field: String?
    /// What is wrong.
    public var message: String

    /// An error about `field` of `target`.
    public init(target: String, field: String? = nil, _ message: String) {
        self.target = target
        self.field = field
        self.message = message
    }

    public var description: String {
        if let field { return "target \(target): field \(field): \(message)" }
        return "target \(target): \(message)"
    }
}
