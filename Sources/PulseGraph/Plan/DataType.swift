/// The number format a kernel computes in.
public enum DataType: String, Sendable, Codable, CaseIterable {
    /// IEEE 754 single precision: the executor's format.
    case float32
    /// 8-bit integers with int32 accumulation: the firmware's format.
    case int8

    /// Bytes per value.
    public var bytes: Int {
        switch self {
        case .float32: return 4
        case .int8: return 1
        }
    }
}
