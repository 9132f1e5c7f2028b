import PulseGraph

/// The geometry of a convolution or pooling window along its spatial axes.
struct WindowGeometry {
    var kernel: [Int]
    var stride: [Int]
    var dilation: [Int]
    var padBefore: [Int]
    var padAfter: [Int]

    /// A geometry from its values.
    init(kernel: [Int], stride: [Int], dilation: [Int], padBefore: [Int], padAfter: [Int]) {
        self.kernel = kernel
        self.stride = stride
        self.dilation = dilation
        self.padBefore = padBefore
        self.padAfter = padAfter
    }

    /// Reads `strides`, `dilations`, `pads` and `auto_pad` of `node` for a window of `kernel` taps over `extent`.
    /// - Throws: `ONNXError` naming the node for lists of the wrong length, values below 1 (strides, dilations) or
    ///   below 0 (pads), and an unknown `auto_pad`.
    init(_ node: ONNXNode, kernel: [Int], extent: [Int], dilations allowed: Bool = true) throws {
        let rank = kernel.count
        let limit = Graph.maximumExtent
        func list(_ name: String, _ defaultValue: Int, minimum: Int, count: Int) throws -> [Int] {
            guard let values = try node.ints(name) else { return [Int](repeating: defaultValue, count: count) }
            guard values.count == count else { throw node.error("attribute \(name) has \(values.count) values; \(count) expected") }
            guard values.allSatisfy({ $0 >= minimum && $0 <= limit }) else {
                throw node.error("attribute \(name) \(values) holds a value outside \(minimum)...\(limit)")
            }
            return values
        }
        guard kernel.allSatisfy({ $0 >= 1 && $0 <= limit }) else { throw node.error("kernel \(kernel) holds a size outside 1...\(limit)") }
        self.kernel = kernel
        stride = try list("strides", 1, minimum: 1, count: rank)
        dilation = allowed ? try list("dilations", 1, minimum: 1, count: rank) : [Int](repeating: 1, count: rank)
        let pads = try list("pads", 0, minimum: 0, count: 2 * rank)
        padBefore = Array(pads.prefix(rank))
        padAfter = Array(pads.suffix(rank))
        switch try node.string("auto_pad", default: "NOTSET") {
        case "NOTSET":
            break
        case "VALID":
            padBefore = [Int](repeating: 0, count: rank)
            padAfter = padBefore
        case let mode where mode == "SAME_UPPER" || mode == "SAME_LOWER":
            for axis in 0..<rank {
                let outputs = (extent[axis] + stride[axis] - 1) / stride[axis]
                let total = max(0, (outputs - 1) * stride[axis] + (kernel[axis] - 1) * dilation[axis] + 1 - extent[axis])
                padBefore[axis] = mode == "SAME_UPPER" ? total / 2 : total - total / 2
                padAfter[axis] = total - padBefore[axis]
            }
        case let mode:
            throw node.error("auto_pad \(mode) is not supported (NOTSET, VALID, SAME_UPPER, SAME_LOWER are)")
        }
    }

    /// Whether the window reads each position once, in place: one tap, stride 1, no padding.
    var isPointwise: Bool {
        kernel.allSatisfy { $0 == 1 } && stride.allSatisfy { $0 == 1 } && (padBefore + padAfter).allSatisfy { $0 == 0 }
    }
}

extension ImportSession {
    /// `Conv` over one or two spatial axes, in the graph forms `ConvolutionKernel` lists (so that the kernel plan
    /// fuses it): dense, depthwise (groups = input = output channels), grouped, or pointwise (1 × 1, stride 1, no
    /// padding). A 2-D `Conv` with one tap in height over a `[N, C, 1, L]` view of a `[C, L]` activation is read as the
    /// 1-D convolution it is.
    mutating func importConvolution(_ node: ONNXNode) throws {
        try node.checkAttributes(["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"])
        let x = try activationInput(node, 0)
        guard let weight = try constantInput(node, 1, "weight W") else { throw node.error("input 1 (weight W) is missing") }
        let bias = try constantInput(node, 2, "bias B")
        let xShape = onnxShape(x)
        let rank = xShape.count - 1
        guard rank == 1 || rank == 2 else {
            throw node.error("only 1-D and 2-D convolutions are supported; the input has shape [N] + \(xShape)")
        }
        guard weight.shape.count == rank + 2 else {
            throw node.error("weight of shape \(weight.shape) does not fit a \(rank)-D convolution (it needs \(rank + 2) axes)")
        }
        let groups = try node.int("group", default: 1)
        let (outputs, perGroup) = (weight.shape[0], weight.shape[1])
        guard groups >= 1, groups <= Graph.maximumExtent, perGroup * groups == xShape[0], outputs % groups == 0 else {
            throw node.error("weight \(weight.shape) with \(groups) groups does not fit \(xShape[0]) input channels")
        }
        let kernel = Array(weight.shape.dropFirst(2))
        if let declared = try node.ints("kernel_shape"), declared != kernel {
            throw node.error("kernel_shape \(declared) differs from the weight's \(kernel)")
        }
        let geometry = try WindowGeometry(node, kernel: kernel, extent: Array(xShape.dropFirst()))
        if let bias, bias.count != outputs { throw node.error("bias B holds \(bias.count) values for \(outputs) output channels") }
        let layer = Self.layerName(weight: weight, node: node)
        let output: Int
        let unitAxes: [Int]
        if rank == 2, x.unitAxes == [2], geometry.kernel[0] == 1, geometry.padBefore[0] == 0, geometry.padAfter[0] == 0 {
            let flat = WindowGeometry(kernel: [kernel[1]], stride: [geometry.stride[1]], dilation: [geometry.dilation[1]],
                                      padBefore: [geometry.padBefore[1]], padAfter: [geometry.padAfter[1]])
            output = try appendConvolution(x.index, weight: weight, bias: bias, groups: groups, geometry: flat, layer: layer, node: node)
            unitAxes = [2]
        } else {
            output = try appendConvolution(try plain(x, node: node), weight: weight, bias: bias, groups: groups, geometry: geometry,
                                           layer: layer, node: node)
            unitAxes = []
        }
        try setOutput(node, .activation(ImportedActivation(output, unitAxes: unitAxes)))
    }

    /// The layer a weight belongs to: `conv1` for an initializer named `conv1.weight`, else the node's layer.
    static func layerName(weight: ONNXConstant, node: ONNXNode) -> String {
        if let name = weight.initializer, name.hasSuffix(".weight"), name.count > 7 { return String(name.dropLast(7)) }
        return node.layer
    }

    /// Appends a convolution of graph value `source` (`[C] + spatial`), with parameters `layer.weight` and
    /// `layer.bias` (zero when `bias` is absent); returns the bias add. Registers it for folding a normalisation.
    private mutating func appendConvolution(_ source: Int, weight: ONNXConstant, bias: ONNXConstant?, groups: Int,
                                            geometry: WindowGeometry, layer: String, node: ONNXNode) throws -> Int {
        let rank = geometry.kernel.count
        let sourceShape = shape(source)
        let channels = sourceShape[0]
        let outputs = weight.shape[0]
        let depthwise = groups > 1 && groups == channels && groups == outputs
        let pointwise = groups == 1 && geometry.isPointwise
        func add(_ primitive: Primitive, _ inputs: [Int]) throws -> Int { try append(primitive, inputs, layer: layer, location: node.location) }
        let weightShape: [Int]
        let spec: String
        switch (rank, depthwise, pointwise, groups > 1) {
        case (1, _, true, _): (weightShape, spec) = ([outputs, channels], "oi,it->ot")
        case (2, _, true, _): (weightShape, spec) = ([outputs, channels], "oi,ihw->ohw")
        case (1, true, _, _): (weightShape, spec) = ([channels] + geometry.kernel, "ck,ckt->ct")
        case (2, true, _, _): (weightShape, spec) = ([channels] + geometry.kernel, "ckl,ckhlw->chw")
        case (1, _, _, true): (weightShape, spec) = ([groups, outputs / groups, channels / groups] + geometry.kernel, "goik,gikt->got")
        case (2, _, _, true): (weightShape, spec) = ([groups, outputs / groups, channels / groups] + geometry.kernel, "goikl,gikhlw->gohw")
        case (1, _, _, _): (weightShape, spec) = ([outputs, channels] + geometry.kernel, "oik,ikt->ot")
        default: (weightShape, spec) = ([outputs, channels] + geometry.kernel, "oikl,ikhlw->ohw")
        }
        let weightParameter = try newParameter(layer + ".weight", Tensor(shape: weightShape, scalars: weight.floats), node: node)
        let biasValues = bias?.floats ?? [Float](repeating: 0, count: outputs)
        let biasParameter = try newParameter(layer + ".bias", Tensor(shape: [outputs] + [Int](repeating: 1, count: rank), scalars: biasValues),
                                             node: node)
        var x = source
        let grouped = groups > 1 && !depthwise
        if grouped { x = try add(.reshape(shape: [groups, channels / groups] + sourceShape.dropFirst()), [x]) }
        let firstSpatial = grouped ? 2 : 1
        var product: Int
        if pointwise {
            product = try add(.contract(spec: try ContractSpec(spec)), [weightParameter.index, x])
        } else {
            for axis in 0..<rank where geometry.padBefore[axis] > 0 || geometry.padAfter[axis] > 0 {
                x = try add(.pad(axis: firstSpatial + axis, before: geometry.padBefore[axis], after: geometry.padAfter[axis]), [x])
            }
            for axis in 0..<rank {
                // Each window adds an axis before its own: the second spatial axis has moved one place on.
                x = try add(.window(axis: firstSpatial + 2 * axis, size: geometry.kernel[axis], stride: geometry.stride[axis],
                                    dilation: geometry.dilation[axis]), [x])
            }
            product = try add(.contract(spec: try ContractSpec(spec)), [weightParameter.index, x])
            if grouped { product = try add(.reshape(shape: [outputs] + shape(product).suffix(rank)), [product]) }
        }
        let output = try add(.add, [product, biasParameter.index])
        foldableConvolutions[node.proto.output[0]] = FoldableConvolution(
            weight: weightParameter.name, bias: biasParameter.name, outputChannels: outputs, output: output)
        return output
    }

    /// `BatchNormalization` (inference): folded into the convolution before it when that convolution's output feeds
    /// nothing else (its weight and bias scaled and shifted exactly), else a per-channel `x · scale + shift`.
    mutating func importBatchNormalization(_ node: ONNXNode) throws {
        try node.checkAttributes(["epsilon", "momentum", "training_mode", "spatial"])
        guard try node.int("training_mode", default: 0) == 0 else { throw node.error("training_mode 1 is not supported (inference only)") }
        guard try node.int("spatial", default: 1) == 1 else { throw node.error("spatial 0 is not supported") }
        let epsilon = Double(try node.float("epsilon", default: 1e-5))
        let x = try activationInput(node, 0)
        let channels = onnxShape(x).first ?? 1
        var statistics: [[Float]] = []
        for (position, role) in ["scale", "B", "input_mean", "input_var"].enumerated() {
            guard let constant = try constantInput(node, position + 1, role) else { throw node.error("input \(position + 1) (\(role)) is missing") }
            guard constant.count == channels else { throw node.error("\(role) holds \(constant.count) values for \(channels) channels") }
            statistics.append(constant.floats)
        }
        var scale = [Float](repeating: 0, count: channels)
        var shift = [Float](repeating: 0, count: channels)
        for channel in 0..<channels {
            let variance = Double(statistics[3][channel]) + epsilon
            guard variance > 0 else { throw node.error("input_var + epsilon is \(variance) for channel \(channel); it must be positive") }
            let factor = Double(statistics[0][channel]) / variance.squareRoot()
            scale[channel] = Float(factor)
            shift[channel] = Float(Double(statistics[1][channel]) - Double(statistics[2][channel]) * factor)
        }
        let inputName = node.proto.input[0]
        if let convolution = foldableConvolutions[inputName], convolution.output == x.index, convolution.outputChannels == channels,
           consumers[inputName] == 1, !outputNames.contains(inputName),
           var weight = parameters[convolution.weight], var bias = parameters[convolution.bias] {
            let perChannel = weight.count / channels
            for channel in 0..<channels {
                for index in (channel * perChannel)..<((channel + 1) * perChannel) {
                    weight.scalars[index] = Float(Double(weight.scalars[index]) * Double(scale[channel]))
                }
                bias.scalars[channel] = Float(Double(bias.scalars[channel]) * Double(scale[channel]) + Double(shift[channel]))
            }
            parameters[convolution.weight] = weight
            parameters[convolution.bias] = bias
            foldableConvolutions[node.proto.output[0]] = convolution
            try setOutput(node, .activation(x))
            return
        }
        let rank = onnxShape(x).count
        guard rank >= 1 else { throw node.error("BatchNormalization needs a channel axis after the batch axis") }
        let unitShape = [channels] + [Int](repeating: 1, count: rank - 1)
        let scaled = try arithmetic(.mul, .activation(x), .constant(ONNXConstant(shape: unitShape, floats: scale)), node: node)
        try setOutput(node, try arithmetic(.add, scaled, .constant(ONNXConstant(shape: unitShape, floats: shift)), node: node))
    }
}
