import Foundation
import PulseGraph

extension QuantisedModel.Builder {
    mutating func convolution(_ fused: ConvolutionKernel, kernel: Kernel, index: Int) throws -> IntegerOperation {
        var line = fused
        if fused.spatialRank == 2 {
            if fused.kind == .pointwise {
                line.inputExtent = [fused.inputExtent.reduce(1, *)]
                line.outputExtent = [fused.outputExtent.reduce(1, *)]
                (line.kernelSize, line.stride, line.dilation, line.padBefore, line.padAfter) = ([1], [1], [1], [0], [0])
            } else if let alongLastAxis = fused.alongLastAxis {
                line = alongLastAxis
            } else {
                throw unsupported(index, "a 2-D convolution (\(fused.inputExtent) positions)")
            }
        }
        // The residual may be the convolution's own input (y + conv(y)).
        guard let inputID = kernel.inputs.first(where: { $0 != fused.residual }) ?? kernel.inputs.first else {
            throw unsupported(index, "a convolution of a constant")
        }
        let output = kernel.output
        let (input, x) = try operand(inputID, kernel: index)
        let y = try calibrated(output, kernel: index)
        quantisation[output] = y
        let weights = try constantValue(fused.weight, kernel: index)
        let rowLength = fused.weightCount / fused.outputChannels
        guard weights.count == fused.weightCount else {
            throw FirmwareError(kernel: index, location: kernel.layer, .badInput("the weight holds \(weights.count) values, not \(fused.weightCount)"))
        }
        let bias = try fused.bias.map { try constantValue($0, kernel: index) }
        if let bias, bias.count != fused.outputChannels {
            throw FirmwareError(kernel: index, location: kernel.layer, .badInput("the bias holds \(bias.count) values, not \(fused.outputChannels)"))
        }
        var quantisedWeights = [Int8](repeating: 0, count: weights.count)
        var biases = [Int32](repeating: 0, count: fused.outputChannels)
        var multipliers: [FixedPointMultiplier] = []
        for o in 0..<fused.outputChannels {
            let row = weights[(o * rowLength)..<((o + 1) * rowLength)]
            // The weight scale is kept large enough that the bias fits in 2^30 accumulator steps.
            let biasFloor = Swift.abs(Double(bias?[o] ?? 0)) / (x.scale * 1_073_741_824)
            var w = AffineQuantisation(symmetric: Double(row.map { Swift.abs($0) }.max() ?? 0))
            w.scale = max(w.scale, biasFloor)
            for (offset, value) in row.enumerated() { quantisedWeights[o * rowLength + offset] = w.quantise(Double(value)) }
            let accumulatorScale = x.scale * w.scale
            if let bias { biases[o] = Int32((Double(bias[o]) / accumulatorScale).rounded()) }
            multipliers.append(FixedPointMultiplier(accumulatorScale / y.scale))
        }
        var residual: IntegerConvolution.Residual?
        if let residualID = fused.residual {
            let (operand, r) = try self.operand(residualID, kernel: index)
            residual = .init(operand: operand, zeroPoint: r.zeroPoint, multiplier: FixedPointMultiplier(r.scale / y.scale))
        }
        var (low, high): (Int32, Int32) = (-128, 127)
        switch fused.activation {
        case .relu: low = max(-128, y.zeroPoint)
        case .clip(let lower, let upper): (low, high) = (Int32(y.quantise(Double(lower))), Int32(y.quantise(Double(upper))))
        case nil: break
        }
        let spatial = line.spatialRank == 0
        return .convolution(input: input, IntegerConvolution(
            inputChannels: line.inputChannels, inputLength: spatial ? 1 : line.inputExtent[0],
            outputChannels: line.outputChannels, outputLength: spatial ? 1 : line.outputExtent[0], groups: line.groups,
            kernelSize: spatial ? 1 : line.kernelSize[0], stride: spatial ? 1 : line.stride[0],
            dilation: spatial ? 1 : line.dilation[0], padBefore: spatial ? 0 : line.padBefore[0],
            inputZeroPoint: x.zeroPoint, weights: quantisedWeights, bias: biases, multipliers: multipliers,
            residual: residual, outputZeroPoint: y.zeroPoint, activationMin: low, activationMax: high))
    }

    mutating func binary(_ primitive: Primitive, _ inputs: [InstructionID], output: InstructionID, index: Int) throws -> IntegerOperation {
        let (left, a) = try operand(inputs[0], kernel: index)
        let (right, b) = try operand(inputs[1], kernel: index)
        let y = try calibrated(output, kernel: index)
        quantisation[output] = y
        let outputShape = shape(output)
        guard outputShape.count <= 4 else { throw unsupported(index, "element-wise arithmetic over \(outputShape.count) axes") }
        let arithmetic: IntegerBinary.Arithmetic
        let twice = 2 * max(a.scale, b.scale)
        let sumScale = twice / (pow(2, Double(IntegerBinary.additionShift)) * y.scale)
        switch primitive {
        case .add:
            arithmetic = .add(left: FixedPointMultiplier(a.scale / twice), right: FixedPointMultiplier(b.scale / twice),
                              output: FixedPointMultiplier(sumScale))
        case .sub:
            arithmetic = .subtract(left: FixedPointMultiplier(a.scale / twice), right: FixedPointMultiplier(b.scale / twice),
                                   output: FixedPointMultiplier(sumScale))
        case .mul:
            arithmetic = .multiply(FixedPointMultiplier(a.scale * b.scale / y.scale))
        default:
            arithmetic = .divide(FixedPointMultiplier(a.scale / (b.scale * y.scale * pow(2, Double(IntegerBinary.quotientBits)))))
        }
        return .binary(IntegerBinary(
            arithmetic: arithmetic, left: left, right: right, shape: Self.four(outputShape, fill: 1),
            leftStrides: Self.broadcastStrides(shape(inputs[0]), rank: 4), rightStrides: Self.broadcastStrides(shape(inputs[1]), rank: 4),
            leftZeroPoint: a.zeroPoint, rightZeroPoint: b.zeroPoint, outputZeroPoint: y.zeroPoint))
    }

    mutating func lookup(_ primitive: Primitive, _ inputID: InstructionID, output: InstructionID, index: Int) throws -> IntegerOperation {
        let function: (Double) -> Double
        switch primitive {
        case .relu: function = { max($0, 0) }
        case .clip(let lower, let upper): function = { min(max($0, Double(lower)), Double(upper)) }
        case .abs: function = { Swift.abs($0) }
        case .exp: function = { Foundation.exp($0) }
        case .log: function = { Foundation.log($0) }
        case .sigmoid: function = { 1 / (1 + Foundation.exp(-$0)) }
        case .tanh: function = { Foundation.tanh($0) }
        default: throw unsupported(index, "element-wise \(primitive)")
        }
        let (input, x) = try operand(inputID, kernel: index)
        let y = try calibrated(output, kernel: index)
        quantisation[output] = y
        let table = (-128...127).map { q in y.quantise(function(x.dequantise(Int8(q)))) }
        return .lookup(input: input, count: shape(output).reduce(1, *), table: table)
    }

    mutating func reduction(_ kind: Primitive.ReduceKind, axes: [Int], _ inputID: InstructionID, output: InstructionID,
                            index: Int) throws -> IntegerOperation {
        let inputShape = shape(inputID)
        let kept = inputShape.indices.filter { !axes.contains($0) }
        guard kept.count <= 4, axes.count <= 4 else { throw unsupported(index, "a reduction over \(inputShape.count) axes") }
        let (input, x) = try operand(inputID, kernel: index)
        let strides = Tensor.strides(inputShape)
        let y = kind == .max ? x : try calibrated(output, kernel: index)
        quantisation[output] = y
        let count = axes.reduce(1) { $0 * inputShape[$1] }
        return .reduction(input: input, IntegerReduction(
            maximum: kind == .max, shape: Self.four(kept.map { inputShape[$0] }, fill: 1),
            strides: Self.four(kept.map { strides[$0] }, fill: 0),
            reducedShape: Self.four(axes.map { inputShape[$0] }, fill: 1), reducedStrides: Self.four(axes.map { strides[$0] }, fill: 0),
            inputZeroPoint: x.zeroPoint, outputZeroPoint: y.zeroPoint,
            multiplier: FixedPointMultiplier(x.scale / (y.scale * Double(kind == .mean ? count : 1)))))
    }

    mutating func pooling(_ pooling: PoolingKernel, _ inputID: InstructionID, output: InstructionID, index: Int) throws -> IntegerOperation {
        let inputShape = shape(inputID)
        let (input, x) = try operand(inputID, kernel: index)
        let y = pooling.reduction == .max ? x : try calibrated(output, kernel: index)
        quantisation[output] = y
        return .pooling(input: input, IntegerPooling(
            maximum: pooling.reduction == .max, outer: inputShape[..<pooling.axis].reduce(1, *), length: inputShape[pooling.axis],
            inner: inputShape[(pooling.axis + 1)...].reduce(1, *), size: pooling.size, stride: pooling.stride,
            dilation: pooling.dilation, padBefore: pooling.padBefore, count: shape(output)[pooling.axis],
            inputZeroPoint: x.zeroPoint, outputZeroPoint: y.zeroPoint,
            multiplier: FixedPointMultiplier(x.scale / (y.scale * Double(pooling.reduction == .mean ? pooling.size : 1)))))
    }

    mutating func contraction(_ spec: ContractSpec, _ inputs: [InstructionID], output: InstructionID, index: Int) throws -> IntegerOperation {
        guard spec.output.count <= 4, spec.contractedLabels.count <= 4,
              Set(spec.left).count == spec.left.count, Set(spec.right).count == spec.right.count else {
            throw unsupported(index, "the contraction \(spec.text)")
        }
        let (left, a) = try operand(inputs[0], kernel: index)
        let (right, b) = try operand(inputs[1], kernel: index)
        let y = try calibrated(output, kernel: index)
        quantisation[output] = y
        let (leftShape, rightShape) = (shape(inputs[0]), shape(inputs[1]))
        let (leftStrides, rightStrides) = (Tensor.strides(leftShape), Tensor.strides(rightShape))
        func extent(_ label: Character) -> Int {
            spec.left.firstIndex(of: label).map { leftShape[$0] } ?? spec.right.firstIndex(of: label).map { rightShape[$0] } ?? 1
        }
        func leftStride(_ label: Character) -> Int { spec.left.firstIndex(of: label).map { leftStrides[$0] } ?? 0 }
        func rightStride(_ label: Character) -> Int { spec.right.firstIndex(of: label).map { rightStrides[$0] } ?? 0 }
        let summed = spec.contractedLabels
        return .contraction(IntegerContraction(
            left: left, right: right, shape: Self.four(spec.output.map(extent), fill: 1),
            leftStrides: Self.four(spec.output.map(leftStride), fill: 0), rightStrides: Self.four(spec.output.map(rightStride), fill: 0),
            summedShape: Self.four(summed.map(extent), fill: 1),
            leftSummedStrides: Self.four(summed.map(leftStride), fill: 0), rightSummedStrides: Self.four(summed.map(rightStride), fill: 0),
            leftZeroPoint: a.zeroPoint, rightZeroPoint: b.zeroPoint, outputZeroPoint: y.zeroPoint,
            multiplier: FixedPointMultiplier(a.scale * b.scale / y.scale)))
    }

    mutating func move(_ primitive: Primitive, _ inputs: [InstructionID], output: InstructionID, index: Int) throws -> IntegerOperation? {
        let outputShape = shape(output)
        func view(_ axis: Int) -> (outer: Int, length: Int, inner: Int) {
            (outputShape[..<axis].reduce(1, *), outputShape[axis], outputShape[(axis + 1)...].reduce(1, *))
        }
        switch primitive {
        case .reshape:
            let (input, x) = try operand(inputs[0], kernel: index)
            quantisation[output] = x
            if case .arena(let offset) = input, offset == self.offset(output) { return nil }
            let count = outputShape.reduce(1, *)
            return .move(IntegerMove(outer: 1, length: count, inner: 1, fill: nil, pieces: [
                .init(source: input, sourceLength: count, sourceStart: 0, destinationStart: 0, count: count, requantisation: nil)]))
        case .pad(let axis, let before, _):
            let (input, x) = try operand(inputs[0], kernel: index)
            quantisation[output] = x
            let (outer, length, inner) = view(axis)
            let source = shape(inputs[0])[axis]
            return .move(IntegerMove(outer: outer, length: length, inner: inner, fill: Int8(x.zeroPoint), pieces: [
                .init(source: input, sourceLength: source, sourceStart: 0, destinationStart: before, count: source, requantisation: nil)]))
        case .slice(let axis, let start, let count):
            let (input, x) = try operand(inputs[0], kernel: index)
            quantisation[output] = x
            let (outer, length, inner) = view(axis)
            return .move(IntegerMove(outer: outer, length: length, inner: inner, fill: nil, pieces: [
                .init(source: input, sourceLength: shape(inputs[0])[axis], sourceStart: start, destinationStart: 0, count: count,
                      requantisation: nil)]))
        case .concat(let axis):
            let y = try calibrated(output, kernel: index)
            quantisation[output] = y
            let (outer, length, inner) = view(axis)
            var pieces: [IntegerMove.Piece] = []
            var start = 0
            for id in inputs {
                let (source, x) = try operand(id, kernel: index)
                let count = shape(id)[axis]
                let requantisation = x == y ? nil
                    : IntegerMove.Requantisation(inputZeroPoint: x.zeroPoint, multiplier: FixedPointMultiplier(x.scale / y.scale),
                                                 outputZeroPoint: y.zeroPoint)
                pieces.append(.init(source: source, sourceLength: count, sourceStart: 0, destinationStart: start, count: count,
                                    requantisation: requantisation))
                start += count
            }
            return .move(IntegerMove(outer: outer, length: length, inner: inner, fill: nil, pieces: pieces))
        default:
            throw unsupported(index, "the data move \(primitive)")
        }
    }
}
