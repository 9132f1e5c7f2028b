import Foundation
import PulseGraph

/// An element-wise instruction over arena values and constants, with broadcasting: the output is `[batch] + shape`,
/// and each operand is read through strides that are 0 along its broadcast axes (and along the batch for a
/// constant). The last axis runs in an inner loop.
struct ElementwiseStep: InferenceKernel {
    let primitive: Primitive
    let operands: [InstructionID]
    /// Whether each operand is a parameter or folded constant (else an arena value).
    let isConstant: [Bool]
    let output: InstructionID
    /// Output shape with the batch axis in front (extent 1 here; the tile's batch replaces it).
    let outputShape: [Int]
    /// Each operand's strides in the output's index space.
    let strides: [[Int]]

    init(_ kernel: Kernel, graph: Graph, constants: Set<Int>) {
        let instruction = graph.instructions[kernel.output.index]
        self.primitive = instruction.primitive
        self.operands = instruction.inputs.map(InstructionID.init)
        self.isConstant = instruction.inputs.map { constants.contains($0) }
        self.output = kernel.output
        self.outputShape = [1] + instruction.shape
        let rank = instruction.shape.count
        self.strides = zip(instruction.inputs, isConstant).map { operand, constant in
            let shape = graph.instructions[operand].shape
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            let own = zip(Tensor.strides(padded), padded).map { $1 == 1 ? 0 : $0 }
            return [constant ? 0 : shape.reduce(1, *)] + own
        }
    }

    var scratchElements: Int { 0 }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        let pointers = try zip(operands, isConstant).map { operand, constant -> UnsafePointer<Float> in
            guard constant else { return UnsafePointer(arena.pointer(operand)) }
            guard let values = arena.constant(operand) else { throw GraphError("\(primitive): constant operand \(operand) is missing") }
            return values
        }
        let y = arena.pointer(output)
        var shape = outputShape
        shape[0] = arena.batch
        let total = shape.reduce(1, *)
        if pointers.count == 1 {
            let x = pointers[0]
            switch primitive {
            case .relu: for i in 0..<total { y[i] = max(x[i], 0) }
            case .clip(let lower, let upper): for i in 0..<total { y[i] = min(max(x[i], lower), upper) }
            case .abs: for i in 0..<total { y[i] = Swift.abs(x[i]) }
            case .exp: for i in 0..<total { y[i] = Foundation.exp(x[i]) }
            case .log: for i in 0..<total { y[i] = Foundation.log(x[i]) }
            case .sigmoid: for i in 0..<total { y[i] = 1 / (1 + Foundation.exp(-x[i])) }
            case .tanh: for i in 0..<total { y[i] = Foundation.tanh(x[i]) }
            default: throw GraphError("\(primitive) is not a one-operand element-wise instruction")
            }
            return
        }
        switch primitive {
        case .add: binary(pointers[0], pointers[1], y, shape: shape, Addition.self)
        case .sub: binary(pointers[0], pointers[1], y, shape: shape, Subtraction.self)
        case .mul: binary(pointers[0], pointers[1], y, shape: shape, Multiplication.self)
        case .div: binary(pointers[0], pointers[1], y, shape: shape, Division.self)
        default: throw GraphError("\(primitive) is not a two-operand element-wise instruction")
        }
    }

    /// The loops, specialised per operation (a closure would be a call per value).
    private func binary<Operation: BinaryOperation>(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                                    shape: [Int], _: Operation.Type) {
        let f = Operation.apply
        let (sa, sb) = (strides[0], strides[1])
        let last = shape.count - 1
        let inner = shape[last]
        let (ia, ib) = (sa[last], sb[last])
        let rows = shape.reduce(1, *) / inner
        withUnsafeTemporaryAllocation(of: Int.self, capacity: shape.count) { index in
            index.initialize(repeating: 0)
            var (pa, pb) = (0, 0)
            var out = 0
            for _ in 0..<rows {
                if ia == 1 && ib == 1 {
                    for i in 0..<inner { y[out + i] = f(a[pa + i], b[pb + i]) }
                } else if ia == 1 && ib == 0 {
                    let value = b[pb]
                    for i in 0..<inner { y[out + i] = f(a[pa + i], value) }
                } else if ia == 0 && ib == 1 {
                    let value = a[pa]
                    for i in 0..<inner { y[out + i] = f(value, b[pb + i]) }
                } else {
                    for i in 0..<inner { y[out + i] = f(a[pa + i * ia], b[pb + i * ib]) }
                }
                out += inner
                var axis = last - 1
                while axis >= 0 {
                    index[axis] += 1
                    pa += sa[axis]
                    pb += sb[axis]
                    if index[axis] < shape[axis] { break }
                    pa -= sa[axis] * shape[axis]
                    pb -= sb[axis] * shape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

/// An element-wise operation of two values, as a type so that loops over it are specialised.
protocol BinaryOperation {
    static func apply(_ a: Float, _ b: Float) -> Float
}

private enum Addition: BinaryOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}

private enum Subtraction: BinaryOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}

private enum Multiplication: BinaryOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}

private enum Division: BinaryOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b }
}
