/// The element types of ONNX tensors (`TensorProto.DataType`) that pulse reads or writes.
enum ONNXDataType {
    /// IEEE 754 single precision: every activation and parameter.
    static let float: Int32 = 1
    /// 32-bit signed integers (read as constants only).
    static let int32: Int32 = 6
    /// 64-bit signed integers: shapes, axes, pads and slice bounds.
    static let int64: Int32 = 7
    /// IEEE 754 double precision (read as constants only, rounded to single).
    static let double: Int32 = 11

    /// The ONNX name of a data type, for messages.
    static func name(_ type: Int32) -> String {
        let names: [Int32: String] = [
            0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64", 8: "STRING",
            9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64", 14: "COMPLEX64", 15: "COMPLEX128",
            16: "BFLOAT16", 17: "FLOAT8E4M3FN", 18: "FLOAT8E4M3FNUZ", 19: "FLOAT8E5M2", 20: "FLOAT8E5M2FNUZ", 21: "UINT4",
            22: "INT4", 23: "FLOAT4E2M1",
        ]
        return names[type] ?? "type \(type)"
    }
}
