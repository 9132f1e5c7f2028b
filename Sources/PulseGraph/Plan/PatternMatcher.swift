/// Finds the fused patterns of a graph and classifies the instructions outside them (see `KernelPlan`).
struct PatternMatcher {
    let graph: Graph
    let single: [Bool]
    let batched: [Bool]
    let consumers: [[Int]]
    /// Instructions already inside a fused kernel.
    private(set) var covered = Set<Int>()

    init(graph: Graph) {
        self.graph = graph
        self.single = graph.hasSingleConsumer
        self.batched = graph.dependsOnInput
        self.consumers = graph.consumers
    }

    private func primitive(_ index: Int) -> Primitive { graph.instructions[index].primitive }
    private func shape(_ index: Int) -> [Int] { graph.instructions[index].shape }
    private func isLeafConstant(_ index: Int) -> Bool {
        switch primitive(index) {
        case .param, .const: return true
        default: return false
        }
    }

    /// Instructions that may join a fused kernel: not yet in one, and read only by the next step of the pattern.
    private func free(_ index: Int) -> Bool { single[index] && !covered.contains(index) }

    /// The graph forms of a convolution, by canonical spec of `weight, activation -> output`.
    private struct Form {
        var rank: Int
        var grouped = false
        var depthwise = false
        var windowed = true
    }

    private static let forms: [String: Form] = [
        "abc,bcd->ad": Form(rank: 1),
        "ab,abc->ac": Form(rank: 1, depthwise: true),
        "abcd,acde->abe": Form(rank: 1, grouped: true),
        "abcd,bcedf->aef": Form(rank: 2),
        "abc,abdce->ade": Form(rank: 2, depthwise: true),
        "abcde,acdfeg->abfg": Form(rank: 2, grouped: true),
        "ab,b->a": Form(rank: 0, windowed: false),
        "ab,bc->ac": Form(rank: 1, windowed: false),
        "ab,bcd->acd": Form(rank: 2, windowed: false),
    ]

    /// A convolution whose `contract` is instruction `index`, with what it can fuse; marks its instructions
    /// covered.
    mutating func convolution(endingAt index: Int) -> Kernel? {
        guard case .contract(let spec) = primitive(index), !covered.contains(index) else { return nil }
        let (left, right) = (graph.instructions[index].inputs[0], graph.instructions[index].inputs[1])
        let weight: Int, windowed: Int, oriented: ContractSpec
        if isLeafConstant(left) && batched[right] {
            (weight, windowed, oriented) = (left, right, spec)
        } else if isLeafConstant(right) && batched[left] {
            (weight, windowed, oriented) = (right, left, spec.swapped)
        } else {
            return nil
        }
        guard let form = Self.forms[oriented.canonicalText], !(form.windowed && !free(windowed)) else { return nil }
        let channelAxes = form.grouped ? 2 : 1
        var covered = [index]
        var geometry = (size: [Int](repeating: 1, count: form.rank), stride: [Int](repeating: 1, count: form.rank),
                        dilation: [Int](repeating: 1, count: form.rank),
                        before: [Int](repeating: 0, count: form.rank), after: [Int](repeating: 0, count: form.rank))
        var current = windowed
        if form.windowed {
            // The windows, outermost first: for two spatial axes either order of the two windows gives the same layout.
            let order: [(dimension: Int, axis: Int)]
            switch form.rank {
            case 1: order = [(0, channelAxes)]
            default:
                guard case .window(let axis, _, _, _) = primitive(current) else { return nil }
                order = axis == channelAxes + 2 ? [(1, channelAxes + 2), (0, channelAxes)] : [(0, channelAxes), (1, channelAxes + 1)]
            }
            for (dimension, expectedAxis) in order {
                guard free(current), case .window(let axis, let size, let stride, let dilation) = primitive(current), axis == expectedAxis else { return nil }
                geometry.size[dimension] = size
                geometry.stride[dimension] = stride
                geometry.dilation[dimension] = dilation
                covered.insert(current, at: 0)
                current = graph.instructions[current].inputs[0]
            }
            var padded = Set<Int>()
            while free(current), case .pad(let axis, let before, let after) = primitive(current),
                  axis >= channelAxes, axis < channelAxes + form.rank, !padded.contains(axis) {
                padded.insert(axis)
                geometry.before[axis - channelAxes] = before
                geometry.after[axis - channelAxes] = after
                covered.insert(current, at: 0)
                current = graph.instructions[current].inputs[0]
            }
        }
        let groups: Int
        if form.grouped {
            guard free(current), case .reshape = primitive(current) else { return nil }
            groups = shape(current)[0]
            covered.insert(current, at: 0)
            current = graph.instructions[current].inputs[0]
        } else {
            groups = 1
        }
        let source = current
        let sourceShape = shape(source)
        guard batched[source], sourceShape.count == form.rank + 1 else { return nil }
        let channels = sourceShape[0]
        if form.grouped {
            guard channels % groups == 0, shape(covered[0]) == [groups, channels / groups] + sourceShape.dropFirst() else { return nil }
        }
        let weightShape = shape(weight)
        let outputChannels: Int
        if form.depthwise {
            outputChannels = weightShape[0]
        } else if form.grouped {
            outputChannels = weightShape[0] * weightShape[1]
        } else {
            outputChannels = weightShape[0]
        }
        let depthwiseGroups = form.depthwise ? channels : groups
        var last = index
        let productShape = shape(index)
        if form.grouped {
            guard free(last), let next = consumers[last].first, case .reshape = primitive(next),
                  shape(next) == [outputChannels] + productShape.dropFirst(2) else { return nil }
            covered.append(next)
            last = next
        }
        let outputShape = shape(last)
        guard outputShape.first == outputChannels, outputShape.count == form.rank + 1 else { return nil }
        var kernel = ConvolutionKernel(
            inputChannels: channels, outputChannels: outputChannels, groups: depthwiseGroups,
            inputExtent: Array(sourceShape.dropFirst()), outputExtent: Array(outputShape.dropFirst()),
            kernelSize: geometry.size, stride: geometry.stride, dilation: geometry.dilation,
            padBefore: geometry.before, padAfter: geometry.after, weight: InstructionID(weight))
        // Bias, then residual, then activation, each when it is the sole reader of what comes before and no other
        // kernel has taken it (two convolutions summed: the first takes the sum, the second ends at its bias).
        if free(last), let next = consumers[last].first, !self.covered.contains(next), case .add = primitive(next),
           let other = graph.instructions[next].inputs.first(where: { $0 != last }), isLeafConstant(other),
           shape(other) == [outputChannels] + [Int](repeating: 1, count: form.rank), shape(next) == outputShape {
            kernel.bias = InstructionID(other)
            covered.append(next)
            last = next
        }
        if free(last), let next = consumers[last].first, !self.covered.contains(next), case .add = primitive(next),
           let other = graph.instructions[next].inputs.first(where: { $0 != last }), batched[other], shape(other) == outputShape,
           shape(next) == outputShape {
            kernel.residual = InstructionID(other)
            covered.append(next)
            last = next
        }
        if free(last), let next = consumers[last].first, !self.covered.contains(next) {
            switch primitive(next) {
            case .relu: kernel.activation = .relu
            case .clip(let lower, let upper): kernel.activation = .clip(lower: lower, upper: upper)
            default: break
            }
            if kernel.activation != nil {
                covered.append(next)
                last = next
            }
        }
        self.covered.formUnion(covered)
        let inputs = [source] + (kernel.residual.map { [$0.index] } ?? [])
        return Kernel(
            operation: .convolution(kernel), instructions: covered.map(InstructionID.init),
            inputs: inputs.map(InstructionID.init), parameters: ([weight] + (kernel.bias.map { [$0.index] } ?? [])).map(InstructionID.init),
            inputShapes: inputs.map(shape), outputShape: outputShape, dataType: .float32, dependsOnInput: true,
            layer: graph.instructions[last].layer)
    }

    /// A pooling kernel (`(pad →) window → reduce` over the window's positions) ending at instruction `index`.
    mutating func pooling(at index: Int) -> Kernel? {
        guard case .reduce(let kind, let axes) = primitive(index), axes.count == 1, !covered.contains(index) else { return nil }
        let window = graph.instructions[index].inputs[0]
        guard free(window), case .window(let axis, let size, let stride, let dilation) = primitive(window), axis == axes[0] else { return nil }
        var covered = [window, index]
        var source = graph.instructions[window].inputs[0]
        var (before, after) = (0, 0)
        if free(source), case .pad(let padAxis, let b, let a) = primitive(source), padAxis == axis {
            (before, after) = (b, a)
            covered.insert(source, at: 0)
            source = graph.instructions[source].inputs[0]
        }
        guard batched[source] else { return nil }
        self.covered.formUnion(covered)
        let pooling = PoolingKernel(reduction: kind, axis: axis, size: size, stride: stride, dilation: dilation, padBefore: before, padAfter: after)
        return Kernel(
            operation: .pooling(pooling), instructions: covered.map(InstructionID.init), inputs: [InstructionID(source)], parameters: [],
            inputShapes: [shape(source)], outputShape: shape(index), dataType: .float32, dependsOnInput: true,
            layer: graph.instructions[index].layer)
    }

    /// Instruction `index` as a kernel of its own, or `nil` for a leaf.
    func single(_ index: Int) -> Kernel? {
        let instruction = graph.instructions[index]
        let operation: KernelOperation
        switch instruction.primitive {
        case .input, .param, .const:
            return nil
        case .pad, .window, .slice, .concat, .reshape, .shift:
            operation = .dataMove(instruction.primitive)
        case .add, .sub, .mul, .div, .relu, .clip, .abs, .exp, .log, .sigmoid, .tanh:
            operation = .elementwise(instruction.primitive)
        case .reduce(let kind, let axes):
            operation = .reduction(kind: kind, axes: axes)
        case .contract(let spec):
            let (left, right) = (instruction.inputs[0], instruction.inputs[1])
            let constantIsLeft = isLeafConstant(left) && batched[right]
            let constantIsRight = isLeafConstant(right) && batched[left]
            let contraction = Self.contraction(spec, left: shape(left), right: shape(right), constantIsLeft: constantIsLeft)
            operation = constantIsLeft || constantIsRight ? .constantContraction(contraction) : .contraction(contraction)
        }
        let parameters = instruction.inputs.filter(isLeafConstant)
        let inputs = instruction.inputs.filter { !isLeafConstant($0) }
        return Kernel(
            operation: operation, instructions: [InstructionID(index)], inputs: inputs.map(InstructionID.init),
            parameters: parameters.map(InstructionID.init), inputShapes: inputs.map(shape), outputShape: instruction.shape,
            dataType: .float32, dependsOnInput: batched[index], layer: instruction.layer)
    }

    /// The matrix-product sizes of a contraction of operands of the given shapes (which the graph has checked).
    static func contraction(_ spec: ContractSpec, left: [Int], right: [Int], constantIsLeft: Bool) -> ContractionKernel {
        var extents: [Character: Int] = [:]
        for (label, extent) in zip(spec.left + spec.right, left + right) { extents[label] = extent }
        func size(_ labels: [Character]) -> Int { labels.reduce(1) { $0 * (extents[$1] ?? 1) } }
        return ContractionKernel(
            spec: spec, constantIsLeft: constantIsLeft, batch: size(spec.sharedLabels), m: size(spec.leftFreeLabels),
            k: size(spec.contractedLabels), n: size(spec.rightFreeLabels))
    }
}
