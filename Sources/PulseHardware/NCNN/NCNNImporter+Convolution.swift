import PulseGraph

extension NCNNImportSession {
    /// `Convolution` and `ConvolutionDepthWise` as a `Conv2d`, then the fused activation (key 9). Keys: 0 outputs,
    /// 1/11 kernel w/h, 2/12 dilation w/h, 3/13 stride w/h (each `h` defaulting to its `w`), 4/15/14/16 padding
    /// left/right/top/bottom (right and top default to left, bottom to top; all -233 is SAME_UPPER, all -234
    /// SAME_LOWER), 6 weight count (checked: outputs × inputs / groups × kh × kw), 7 groups (depthwise only).
    /// `Conv2d` always declares a bias: a layer without one (`5=0`) gets a bias of zeros. `int8_scale_term` (8) is
    /// ignored: the graph computes in float.
    mutating func convolution() throws {
        let x = try bottom()
        let (c, h, w) = try image(x)
        let outputs = try int(0, 0, in: Self.extents)
        let kw = try int(1, 0, in: Self.extents), kh = try int(11, kw, in: Self.extents)
        let dw = try int(2, 1, in: Self.extents), dh = try int(12, dw, in: Self.extents)
        let sw = try int(3, 1, in: Self.extents), sh = try int(13, sw, in: Self.extents)
        let groups = layer.type == "ConvolutionDepthWise" ? try int(7, 1, in: Self.extents) : 1
        guard try int(19, 0) == 0 else { throw error("dynamic weights (19=1, weights from a bottom blob) are not supported") }
        guard float(18, 0) == 0 else { throw error("pad_value \(float(18, 0)) is not supported: padding is with zeros") }
        guard c % groups == 0, outputs % groups == 0 else { throw error("\(groups) groups do not divide \(c) input and \(outputs) output channels") }
        if let declared = layer.values[6] {
            let expected = Self.product(outputs, c / groups, kh, kw)
            guard declared.integer == expected else {
                throw error("weight_data_size \(declared) is not \(outputs) outputs × \(c / groups) inputs per group × \(kh) × \(kw)")
            }
        }
        let padding = try convolutionPadding(height: h, width: w, kernel: (kh, kw), dilation: (dh, dw), stride: (sh, sw))
        let conv = Conv2d(layer.name, inputChannels: c, outputChannels: outputs, kernelSize: (kh, kw), stride: (sh, sw),
                                 dilation: (dh, dw), padding: padding, groups: groups)
        let y = try build { graph in try conv(x, in: &graph) }
        try setTop(try fusedActivation(y))
    }

    /// The zeros around a convolution's input: pads 4/15/14/16 (left, right, top, bottom; right and top default
    /// to left, bottom to top), or SAME padding when all four are -233 (an odd zero after) or -234 (before).
    func convolutionPadding(height: Int, width: Int, kernel: (h: Int, w: Int), dilation: (h: Int, w: Int),
                            stride: (h: Int, w: Int)) throws -> (top: Int, bottom: Int, left: Int, right: Int) {
        let left = try int(4, 0), right = try int(15, left), top = try int(14, left), bottom = try int(16, top)
        let pads = [left, right, top, bottom]
        if pads.allSatisfy({ $0 == -233 }) || pads.allSatisfy({ $0 == -234 }) {
            let vertical = Self.samePadding(extent: height, span: dilation.h * (kernel.h - 1) + 1, stride: stride.h, lower: left == -234)
            let horizontal = Self.samePadding(extent: width, span: dilation.w * (kernel.w - 1) + 1, stride: stride.w, lower: left == -234)
            return (vertical.before, vertical.after, horizontal.before, horizontal.after)
        }
        guard pads.allSatisfy({ (0...Graph.maximumExtent).contains($0) }) else {
            throw error("padding \(pads) (left, right, top, bottom) is neither zeros to add nor SAME (-233, -234)")
        }
        return (top, bottom, left, right)
    }

    /// SAME padding of an axis: `total = max(span + ⌊(extent − 1) / stride⌋ · stride − extent, 0)` zeros, so that
    /// `⌈extent / stride⌉` windows fit; half before and the odd one after (before when `lower`).
    static func samePadding(extent: Int, span: Int, stride: Int, lower: Bool) -> (before: Int, after: Int) {
        let total = max(span + (extent - 1) / stride * stride - extent, 0)
        return lower ? (total - total / 2, total / 2) : (total / 2, total - total / 2)
    }

    /// `InnerProduct` as a `Dense` over the flattened blob (`[c, h, w]` → `[c·h·w]`), then the fused activation
    /// (key 9). Keys: 0 outputs, 2 weight count (checked: outputs × inputs). A 2-D blob `[h, w]` whose rows hold the
    /// inputs (weight count = outputs × w) is multiplied row by row, `y[r, o] = Σᵢ W[o, i] x[r, i] + b[o]`, as ncnn
    /// does. `Dense` always declares a bias: a layer without one (`1=0`) gets a bias of zeros.
    mutating func innerProduct() throws {
        var x = try bottom()
        let outputs = try int(0, 0, in: Self.extents)
        let dims = shape(x)
        let declared = layer.values[2]
        if dims.count == 2, dims[0] > 1, let declared, declared.integer == Self.product(outputs, dims[1]) {
            let weight = try append(.param(name: layer.name + ".weight"), shape: [outputs, dims[1]])
            let bias = try append(.param(name: layer.name + ".bias"), shape: [outputs])
            let product = try append(.contract(spec: try ContractSpec("oi,ri->ro")), [weight, x])
            return try setTop(try fusedActivation(try append(.add, [product, bias])))
        }
        let inputs = dims.reduce(1, *)
        if let declared, declared.integer != Self.product(outputs, inputs) {
            throw error("weight_data_size \(declared) is not \(outputs) outputs × \(inputs) inputs")
        }
        if dims.count != 1 { x = try append(.reshape(shape: [inputs]), [x]) }
        let dense = Dense(layer.name, inputs: inputs, outputs: outputs)
        let y = try build { graph in try dense(x, in: &graph) }
        try setTop(try fusedActivation(y))
    }
}
