import PulseGraph

extension ExportSession {
    /// A convolution kernel as `Conv` (1-D ones over `[N, C, 1, L]`, output in the image layout) or, without spatial
    /// axes, `Gemm`; then `Add` for the residual and `Relu` / `Clip` for the activation.
    mutating func exportConvolution(_ convolution: ConvolutionKernel, _ kernel: Kernel) throws {
        let source = kernel.inputs[0].index
        let layer = kernel.layer
        let (outputs, perGroup) = (convolution.outputChannels, convolution.channelsPerGroup)
        let weightShape: [Int]
        let layout: ExportLayout
        switch convolution.spatialRank {
        case 0:
            guard convolution.groups == 1 else {
                throw ONNXError(location(kernel.output.index), "a fully connected kernel with \(convolution.groups) groups has no Gemm form")
            }
            weightShape = [outputs, perGroup]
            layout = .plain
        case 1:
            weightShape = [outputs, perGroup, 1] + convolution.kernelSize
            layout = .image
        case 2:
            weightShape = [outputs, perGroup] + convolution.kernelSize
            layout = .plain
        default:
            throw ONNXError(location(kernel.output.index), "a convolution over \(convolution.spatialRank) axes has no export")
        }
        var inputs = [try value(source, layout), try leaf(convolution.weight.index, shape: weightShape)]
        if let bias = convolution.bias { inputs.append(try leaf(bias.index, shape: [outputs])) }
        var output: String
        if convolution.spatialRank == 0 {
            output = builder.addNode("Gemm", inputs, [ONNXAttribute.int("transB", 1)], name: layer)
        } else {
            let unit = convolution.spatialRank == 1 ? [1] : []
            let zero = convolution.spatialRank == 1 ? [0] : []
            output = builder.addNode("Conv", inputs, [
                ONNXAttribute.int("group", convolution.groups),
                ONNXAttribute.ints("kernel_shape", unit + convolution.kernelSize),
                ONNXAttribute.ints("strides", unit + convolution.stride),
                ONNXAttribute.ints("dilations", unit + convolution.dilation),
                ONNXAttribute.ints("pads", zero + convolution.padBefore + zero + convolution.padAfter),
            ], name: layer)
        }
        if let residual = convolution.residual {
            output = builder.addNode("Add", [output, try value(residual.index, layout)], name: layer)
        }
        switch convolution.activation {
        case .relu?:
            output = builder.addNode("Relu", [output], name: layer)
        case .clip(let lower, let upper)?:
            output = try clip(output, lower: lower, upper: upper, layer: layer)
        case nil:
            break
        }
        record(kernel.output.index, output, layout)
    }

    /// `Clip` of `input` to `[lower, upper]`, the bounds as scalar initializers (opset 11 and later).
    mutating func clip(_ input: String, lower: Float, upper: Float, layer: String) throws -> String {
        let minimum = builder.addInitializer(scalar: lower, name: layer + "/min")
        let maximum = builder.addInitializer(scalar: upper, name: layer + "/max")
        return builder.addNode("Clip", [input, minimum, maximum], name: layer)
    }
}
