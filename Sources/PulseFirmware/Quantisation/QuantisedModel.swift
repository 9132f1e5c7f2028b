import Foundation
import PulseGraph

/// A model quantised after training to int8: every activation per tensor with a zero point, calibrated on real
/// windows; convolution weights symmetric per output channel with int32 biases; other constants per tensor;
/// requantisation by fixed-point multipliers. It runs kernel by kernel over one arena laid out by the kernel
/// plan's memory plan (one byte per value), exactly as the generated C code runs.
public struct QuantisedModel: Sendable {
    /// The float model's kernel plan.
    public let plan: KernelPlan
    /// Where every activation lives in the arena.
    public let memory: MemoryPlan
    /// The integer kernels, in order; kernels folded into constants and reshapes that share their operand's buffer
    /// have none.
    public let kernels: [IntegerKernel]
    /// Constant int8 tensors the kernels read (per-tensor quantised constants and folded kernels).
    public let constants: [[Int8]]
    /// The real values `constants` quantise, in the same order (for the float32 C variant).
    public let realConstants: [[Float]]
    /// The quantisation of every activation.
    public let activations: [InstructionID: AffineQuantisation]
    /// The model's input and where it goes in the arena.
    public let input: Port
    /// The model's output and where it is read from the arena.
    public let output: Port
    /// Bytes of the arena.
    public let arenaBytes: Int

    /// The model's input or output: its quantisation, arena offset and number of values.
    public struct Port: Sendable, Equatable {
        /// The graph's input or output instruction.
        public var instruction: InstructionID
        /// How its int8 values stand for real ones.
        public var quantisation: AffineQuantisation
        /// Its byte offset in the arena, and its number of values.
        public var offset: Int
        public var count: Int
    }

    /// Quantises `plan`, whose parameters are `parameters`, with the ranges and folded constants of `calibration`.
    /// - Throws: `FirmwareError` naming the kernel when an operation has no integer kernel (`unsupportedKernel`),
    ///   an activation has no calibrated range, or a constant has no value; before anything is written.
    public init(plan: KernelPlan, parameters: [String: Tensor], calibration: Calibration) throws {
        var builder = try Builder(plan: plan, parameters: parameters, calibration: calibration)
        try builder.build()
        self.plan = plan
        memory = builder.memory
        kernels = builder.kernels
        constants = builder.constants
        realConstants = builder.realConstants
        activations = builder.quantisation
        arenaBytes = builder.memory.arenaElementsPerSample
        input = try builder.port(plan.inputs[0])
        output = try builder.port(plan.outputs[0])
    }

    /// Values (int16) of the im2col column the convolutions share: the longest filter row.
    public var columnValues: Int {
        kernels.reduce(0) { longest, kernel in
            guard case .convolution(_, let convolution) = kernel.operation else { return longest }
            return max(longest, convolution.channelsPerGroup * convolution.kernelSize)
        }
    }

    /// Parameter bytes: weights, biases, multipliers and constants, as the C code stores them.
    public var parameterBytes: Int {
        constants.reduce(0) { $0 + $1.count } + kernels.reduce(0) { total, kernel in
            guard case .convolution(_, let convolution) = kernel.operation else { return total }
            return total + convolution.weights.count + 12 * convolution.outputChannels
        }
    }

    /// A float window as the model's int8 input.
    /// - Throws: `FirmwareError.badInput` when the window has the wrong size or a value that is not finite.
    public func quantise(window: [Float], name: String) throws -> [Int8] {
        guard window.count == input.count else {
            throw FirmwareError(location: name, .badInput("a window of \(window.count) values where the model takes \(input.count)"))
        }
        if let index = window.firstIndex(where: { !$0.isFinite }) {
            throw FirmwareError(location: name, .badInput("value \(index) of the window is \(window[index])"))
        }
        return window.map { input.quantisation.quantise(Double($0)) }
    }

    /// The model's int8 output as real values.
    public func dequantise(output values: [Int8]) -> [Float] { values.map { Float(output.quantisation.dequantise($0)) } }
}

extension QuantisedModel {
    /// Builds the integer kernels of a plan, one kernel at a time.
    struct Builder {
        let plan: KernelPlan
        let parameters: [String: Tensor]
        let calibration: Calibration
        let memory: MemoryPlan
        var quantisation: [InstructionID: AffineQuantisation] = [:]
        var constantIndex: [InstructionID: Int] = [:]
        var constants: [[Int8]] = []
        var realConstants: [[Float]] = []
        var constantQuantisation: [InstructionID: AffineQuantisation] = [:]
        var kernels: [IntegerKernel] = []

        init(plan: KernelPlan, parameters: [String: Tensor], calibration: Calibration) throws {
            self.plan = plan
            self.parameters = parameters
            self.calibration = calibration
            memory = MemoryPlan(plan: plan)
            guard plan.inputs.count == 1, plan.outputs.count == 1 else {
                throw FirmwareError(location: "model", .unsupportedKernel("\(plan.inputs.count) inputs and \(plan.outputs.count) outputs (one of each)"))
            }
        }

        private var graph: Graph { plan.graph }

        func port(_ id: InstructionID) throws -> Port {
            guard let quantisation = quantisation[id], let offset = offset(id) else {
                throw FirmwareError(location: graph.instructions[id.index].layer, .missingRange)
            }
            return Port(instruction: id, quantisation: quantisation, offset: offset,
                        count: graph.instructions[id.index].shape.reduce(1, *))
        }

        func offset(_ id: InstructionID) -> Int? {
            memory.bufferIndex[id].map { memory.buffers[$0].offsetPerSample }
        }

        func shape(_ id: InstructionID) -> [Int] { graph.instructions[id.index].shape }

        func calibrated(_ id: InstructionID, kernel: Int?) throws -> AffineQuantisation {
            guard let range = calibration.ranges[id] else {
                throw FirmwareError(kernel: kernel, location: graph.instructions[id.index].layer, .missingRange)
            }
            return AffineQuantisation(lower: range.lowerBound, upper: range.upperBound)
        }

        /// The float value of a constant: a graph constant, a parameter, or a folded kernel.
        func constantValue(_ id: InstructionID, kernel: Int) throws -> [Float] {
            switch graph.instructions[id.index].primitive {
            case .const(let tensor): return tensor.scalars
            case .param(let name):
                guard let tensor = parameters[name] else { throw FirmwareError(kernel: kernel, location: name, .missingValue) }
                return tensor.scalars
            default:
                guard let tensor = calibration.constants[id] else {
                    throw FirmwareError(kernel: kernel, location: graph.instructions[id.index].layer, .missingValue)
                }
                return Array(tensor.scalars.prefix(shape(id).reduce(1, *)))
            }
        }

        /// The operand reading `id`, and its quantisation; a constant is quantised per tensor on first use.
        mutating func operand(_ id: InstructionID, kernel: Int) throws -> (IntegerOperand, AffineQuantisation) {
            if let offset = offset(id) {
                guard let parameters = quantisation[id] else {
                    throw FirmwareError(kernel: kernel, location: graph.instructions[id.index].layer, .missingRange)
                }
                return (.arena(offset: offset), parameters)
            }
            if let index = constantIndex[id], let parameters = constantQuantisation[id] { return (.constant(index), parameters) }
            let values = try constantValue(id, kernel: kernel)
            let parameters = AffineQuantisation(lower: Double(values.min() ?? 0), upper: Double(values.max() ?? 0))
            constantIndex[id] = constants.count
            constantQuantisation[id] = parameters
            constants.append(values.map { parameters.quantise(Double($0)) })
            realConstants.append(values)
            return (.constant(constants.count - 1), parameters)
        }

        mutating func build() throws {
            let input = plan.inputs[0]
            quantisation[input] = try calibrated(input, kernel: nil)
            for (index, kernel) in plan.kernels.enumerated() where kernel.dependsOnInput {
                if let operation = try operation(of: kernel, index: index) {
                    guard let outputOffset = offset(kernel.output) else {
                        throw unsupported(index, "an output outside the memory plan's arena")
                    }
                    kernels.append(IntegerKernel(kernel: index, layer: kernel.layer, operation: operation, outputOffset: outputOffset))
                }
            }
        }

        func unsupported(_ index: Int, _ what: String) -> FirmwareError {
            FirmwareError(kernel: index, location: plan.kernels[index].layer, .unsupportedKernel(what))
        }

        /// Strides of `shape` (row-major) aligned on the last axes of an output of `rank` axes; 0 on axes of extent 1.
        static func broadcastStrides(_ shape: [Int], rank: Int) -> [Int] {
            let strides = Tensor.strides(shape)
            let padded = [Int](repeating: 0, count: rank - shape.count) + zip(strides, shape).map { $1 == 1 ? 0 : $0 }
            return padded
        }

        /// `values` with leading `fill`s up to four entries.
        static func four(_ values: [Int], fill: Int) -> [Int] { [Int](repeating: fill, count: 4 - values.count) + values }

        mutating func operation(of kernel: Kernel, index: Int) throws -> IntegerOperation? {
            let output = kernel.output
            let graphInputs = graph.instructions[output.index].inputs.map(InstructionID.init)
            switch kernel.operation {
            case .convolution(let convolution):
                return try self.convolution(convolution, kernel: kernel, index: index)
            case .elementwise(let primitive):
                switch primitive {
                case .add, .sub, .mul, .div:
                    return try binary(primitive, graphInputs, output: output, index: index)
                default:
                    return try lookup(primitive, graphInputs[0], output: output, index: index)
                }
            case .reduction(let kind, let axes):
                return try reduction(kind, axes: axes, graphInputs[0], output: output, index: index)
            case .pooling(let pooling):
                return try self.pooling(pooling, kernel.inputs[0], output: output, index: index)
            case .constantContraction, .contraction:
                guard case .contract(let spec) = graph.instructions[output.index].primitive else {
                    throw unsupported(index, "a contraction that is not one contract instruction")
                }
                return try contraction(spec, graphInputs, output: output, index: index)
            case .dataMove(let primitive):
                return try move(primitive, graphInputs, output: output, index: index)
            }
        }
    }
}
