import Foundation
import PulseGraph

/// A tensor whose values are known when the model is read: an initializer, a `Constant` node's value, or what
/// operators on such tensors give. Integer tensors (shapes, axes, pads) keep their exact values.
struct ONNXConstant: Sendable {
    /// The tensor's shape (`[]` for a scalar).
    var shape: [Int]
    /// The values as Float32, row-major.
    var floats: [Float]
    /// The exact values of an integer tensor; `nil` for a floating-point one.
    var integers: [Int64]?
    /// The initializer the tensor is, unchanged; a parameter made from it keeps its name.
    var initializer: String?
    /// Whether the tensor is a trained weight (a parameter of the graph) rather than a constant. Initializers are,
    /// unless pulse wrote them as constants (`ONNXExporter.constantDocumentation`).
    var trainable = true

    /// A Float32 constant.
    init(shape: [Int], floats: [Float], initializer: String? = nil) {
        self.shape = shape
        self.floats = floats
        self.integers = nil
        self.initializer = initializer
    }

    /// An integer constant.
    init(shape: [Int], integers: [Int64]) {
        self.shape = shape
        self.floats = integers.map(Float.init)
        self.integers = integers
        self.initializer = nil
    }

    /// Values of the tensor.
    var count: Int { floats.count }

    /// The values as a tensor.
    var tensor: Tensor { Tensor(shape: shape, scalars: floats) }

    /// The exact integer values: those of an integer tensor, or of a floating-point one whose values are whole.
    var wholeNumbers: [Int64]? {
        if let integers { return integers }
        guard floats.allSatisfy({ $0.isFinite && $0 == $0.rounded() && Swift.abs($0) < 9.0e18 }) else { return nil }
        return floats.map { Int64($0) }
    }

    /// The same values in another shape of the same size (no longer the initializer as stored).
    func reshaped(_ shape: [Int]) -> ONNXConstant {
        var copy = self
        copy.shape = shape
        if shape != self.shape { copy.initializer = nil }
        return copy
    }
}

extension ONNXConstant {
    /// Decodes an initializer or a `Constant` node's tensor (Float32, Float64, Int32 or Int64, stored in the
    /// typed fields or as raw little-endian bytes).
    /// - Parameter location: where the tensor is, for errors (`initializer conv1.weight`).
    /// - Throws: `ONNXError` for a tensor stored in an external file, a negative or oversized dimension, an
    ///   unsupported element type, or a value count that does not match the shape.
    init(_ proto: Onnx_TensorProto, location: String) throws {
        guard proto.dataLocation != .external, proto.externalData.isEmpty else {
            throw ONNXError(location, "the values are stored in an external file; pulse reads only self-contained models")
        }
        guard !proto.hasSegment else { throw ONNXError(location, "segmented tensors are not supported") }
        var shape: [Int] = []
        var count = 1
        for dimension in proto.dims {
            guard dimension >= 0, dimension <= Int64(Graph.maximumExtent) else {
                throw ONNXError(location, "dimension \(dimension) lies outside 0...\(Graph.maximumExtent)")
            }
            shape.append(Int(dimension))
            count *= Int(dimension)
            guard count <= Graph.maximumElements else {
                throw ONNXError(location, "shape \(proto.dims) holds more than \(Graph.maximumElements) values")
            }
        }
        func checkCount(_ stored: Int, _ what: String) throws {
            guard stored == count else {
                throw ONNXError(location, "holds \(stored) \(what) but its shape \(shape) needs \(count)")
            }
        }
        let raw = proto.hasRawData ? [UInt8](proto.rawData) : nil
        func words(_ width: Int) throws -> [UInt64] {
            guard let raw else { return [] }
            guard raw.count == count * width else {
                throw ONNXError(location, "holds \(raw.count) raw bytes but its shape \(shape) needs \(count * width)")
            }
            return (0..<count).map { index in
                (0..<width).reduce(UInt64(0)) { $0 | UInt64(raw[index * width + $1]) << (8 * UInt64($1)) }
            }
        }
        let name = proto.hasName ? proto.name : nil
        switch proto.dataType {
        case ONNXDataType.float:
            if raw != nil {
                self.init(shape: shape, floats: try words(4).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }, initializer: name)
            } else {
                try checkCount(proto.floatData.count, "float_data values")
                self.init(shape: shape, floats: proto.floatData, initializer: name)
            }
        case ONNXDataType.double:
            let values = raw != nil ? try words(8).map { Double(bitPattern: $0) } : proto.doubleData
            try checkCount(values.count, "double values")
            self.init(shape: shape, floats: values.map { Float($0) }, initializer: name)
        case ONNXDataType.int64:
            let values = raw != nil ? try words(8).map { Int64(bitPattern: $0) } : proto.int64Data
            try checkCount(values.count, "int64 values")
            self.init(shape: shape, integers: values)
        case ONNXDataType.int32:
            let values = raw != nil ? try words(4).map { Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: $0))) } : proto.int32Data.map(Int64.init)
            try checkCount(values.count, "int32 values")
            self.init(shape: shape, integers: values)
        default:
            throw ONNXError(location, "element type \(ONNXDataType.name(proto.dataType)) is not supported (FLOAT, DOUBLE, INT32 and INT64 are)")
        }
        trainable = proto.docString != ONNXExporter.constantDocumentation
    }
}
