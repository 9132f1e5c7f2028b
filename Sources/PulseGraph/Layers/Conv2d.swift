/// A 2-D convolution over `[channels, height, width]` with explicit zero padding, stride and dilation per axis:
/// `pad → window(height) → window(width) → contract → add bias`. The contraction takes one of the forms of
/// `ConvolutionKernel`: dense (`"oikl,ikhlw->ohw"`, weight `[out, channels, kh, kw]`), depthwise when `groups`
/// equals both channel counts (`"ckl,ckhlw->chw"`, weight `[channels, kh, kw]`), or grouped otherwise (the input
/// reshaped to `[groups, channels / groups, height, width]`, weight `[groups, out / groups, channels / groups, kh, kw]`).
public struct Conv2d: Layer, Sendable {
    /// The layer's name, which prefixes its parameters.
    public let name: String
    /// Channels of the input.
    public let inputChannels: Int
    /// Channels of the output.
    public let outputChannels: Int
    /// Taps along height and width.
    public let kernelSize: (height: Int, width: Int)
    /// Positions between outputs along height and width.
    public let stride: (height: Int, width: Int)
    /// Positions between taps along height and width.
    public let dilation: (height: Int, width: Int)
    /// Zeros before and after the height axis, then the width axis.
    public let padding: (top: Int, bottom: Int, left: Int, right: Int)
    /// Groups of channels convolved separately; divides both channel counts.
    public let groups: Int

    /// A 2-D convolution layer named `name`; parameters `name.weight` and `name.bias`.
    public init(_ name: String, inputChannels: Int, outputChannels: Int, kernelSize: (height: Int, width: Int),
                stride: (height: Int, width: Int) = (1, 1), dilation: (height: Int, width: Int) = (1, 1),
                padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0), groups: Int = 1) {
        self.name = name
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.dilation = dilation
        self.padding = padding
        self.groups = groups
    }

    /// Appends the convolution after `input` (`[inputChannels, height, width]`).
    /// - Throws: `GraphError` when `groups` does not divide both channel counts or the shapes do not fit.
    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        guard groups >= 1, inputChannels % groups == 0, outputChannels % groups == 0 else {
            throw GraphError("\(name): \(groups) groups do not divide \(inputChannels) input and \(outputChannels) output channels")
        }
        let depthwise = groups > 1 && groups == inputChannels && groups == outputChannels
        let weightShape: [Int]
        let spec: ContractSpec
        if depthwise {
            (weightShape, spec) = ([inputChannels, kernelSize.height, kernelSize.width], try ContractSpec("ckl,ckhlw->chw"))
        } else if groups == 1 {
            (weightShape, spec) = ([outputChannels, inputChannels, kernelSize.height, kernelSize.width], try ContractSpec("oikl,ikhlw->ohw"))
        } else {
            (weightShape, spec) = ([groups, outputChannels / groups, inputChannels / groups, kernelSize.height, kernelSize.width],
                                   try ContractSpec("goikl,gikhlw->gohw"))
        }
        let weight = try graph.append(.param(name: name + ".weight"), shape: weightShape, layer: name)
        let bias = try graph.append(.param(name: name + ".bias"), shape: [outputChannels, 1, 1], layer: name)
        var x = input
        let grouped = groups > 1 && !depthwise
        if grouped {
            let shape = graph.instructions[input].shape
            x = try graph.append(.reshape(shape: [groups, inputChannels / groups] + shape.dropFirst()), [x], layer: name)
        }
        let heightAxis = grouped ? 2 : 1
        if padding.top > 0 || padding.bottom > 0 {
            x = try graph.append(.pad(axis: heightAxis, before: padding.top, after: padding.bottom), [x], layer: name)
        }
        if padding.left > 0 || padding.right > 0 {
            x = try graph.append(.pad(axis: heightAxis + 1, before: padding.left, after: padding.right), [x], layer: name)
        }
        x = try graph.append(.window(axis: heightAxis, size: kernelSize.height, stride: stride.height, dilation: dilation.height), [x], layer: name)
        x = try graph.append(.window(axis: heightAxis + 2, size: kernelSize.width, stride: stride.width, dilation: dilation.width), [x], layer: name)
        var y = try graph.append(.contract(spec: spec), [weight, x], layer: name)
        if grouped {
            let shape = graph.instructions[y].shape
            y = try graph.append(.reshape(shape: [outputChannels] + shape.suffix(2)), [y], layer: name)
        }
        return try graph.append(.add, [y, bias], layer: name)
    }
}
