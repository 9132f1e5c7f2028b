/// Runs a quantised model in integers, exactly as the generated C code does: the reference the host, Cortex-M4
/// and AArch64 builds must match bit for bit.
public struct IntegerExecutor: Sendable {
    /// The model it runs.
    public let model: QuantisedModel

    /// The model's constants end to end, and where each starts.
    private let pool: [Int8]
    private let poolOffsets: [Int]

    /// An executor of `model`.
    public init(model: QuantisedModel) {
        self.model = model
        pool = model.constants.flatMap { $0 }
        poolOffsets = model.constants.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.count) }
    }

    /// The int8 output for one int8 input window.
    /// - Throws: `FirmwareError.badInput` when the input has the wrong size.
    public func run(_ input: [Int8]) throws -> [Int8] {
        guard input.count == model.input.count else {
            throw FirmwareError(location: "input", .badInput("\(input.count) values where the model takes \(model.input.count)"))
        }
        var arena = [Int8](repeating: 0, count: model.arenaBytes)
        pool.withUnsafeBufferPointer { pool in
            arena.withUnsafeMutableBufferPointer { arena in
                for (offset, value) in input.enumerated() { arena[model.input.offset + offset] = value }
                for kernel in model.kernels { run(kernel, arena: arena, pool: pool) }
            }
        }
        return Array(arena[model.output.offset..<(model.output.offset + model.output.count)])
    }

    /// The real-valued outputs for float windows: each quantised, run and dequantised.
    public func outputs(_ windows: [[Float]]) throws -> [[Float]] {
        try windows.enumerated().map { index, window in
            model.dequantise(output: try run(model.quantise(window: window, name: "window \(index)")))
        }
    }

    private func run(_ kernel: IntegerKernel, arena: UnsafeMutableBufferPointer<Int8>, pool: UnsafeBufferPointer<Int8>) {
        func read(_ operand: IntegerOperand, _ arena: UnsafeMutableBufferPointer<Int8>) -> UnsafePointer<Int8> {
            switch operand {
            case .arena(let offset): return UnsafePointer(arena.baseAddress! + offset)
            case .constant(let index): return pool.baseAddress! + poolOffsets[index]
            }
        }
        let output = arena.baseAddress! + kernel.outputOffset
        switch kernel.operation {
        case .convolution(let input, let convolution):
            let residual = convolution.residual.map { read($0.operand, arena) }
            IntegerKernels.convolution(convolution, read(input, arena), residual, output)
        case .binary(let binary):
            IntegerKernels.binary(binary, read(binary.left, arena), read(binary.right, arena), output)
        case .lookup(let input, let count, let table):
            let source = read(input, arena)
            for index in 0..<count { output[index] = table[Int(source[index]) + 128] }
        case .reduction(let input, let reduction):
            IntegerKernels.reduction(reduction, read(input, arena), output)
        case .pooling(let input, let pooling):
            IntegerKernels.pooling(pooling, read(input, arena), output)
        case .contraction(let contraction):
            IntegerKernels.contraction(contraction, read(contraction.left, arena), read(contraction.right, arena), output)
        case .move(let move):
            IntegerKernels.move(move, move.pieces.map { read($0.source, arena) }, output)
        }
    }
}
