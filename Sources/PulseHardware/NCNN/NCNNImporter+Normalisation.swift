import PulseGraph

extension NCNNImportSession {
    /// `BatchNorm` and `Scale` as a per-channel affine map over axis 0 (the channels of `[c, h, w]`), parameters
    /// `<name>.scale` and `<name>.shift` of shape `[c, 1, 1]` (`[c]` for a 1-D blob). `BatchNorm` (0 channels):
    /// `slope · (x − mean) / √(var + eps) + bias` is at inference `scale · x + shift`. `Scale` (0 scale_data_size,
    /// 1 bias_term): `x · scale`, plus `shift` with a bias; a size of -233 takes the scale from the second bottom
    /// (one value per channel).
    mutating func channelAffine() throws {
        let x = try bottom()
        let dims = shape(x)
        guard let channels = dims.first else { throw error("needs a blob with channels") }
        let perChannel = [channels] + Array(repeating: 1, count: dims.count - 1)
        let size = try int(0, 0)
        if layer.type == "Scale", size == -233 {
            let scale = try bottom(1)
            guard shape(scale).reduce(1, *) == channels else { throw error("the scale blob \(shape(scale)) does not hold one value per each of \(channels) channels") }
            return try setTop(try append(.mul, [x, try append(.reshape(shape: perChannel), [scale])]))
        }
        guard size == channels else { throw error("parameter 0=\(size) is not the blob's \(channels) channels") }
        var y = try append(.mul, [x, try append(.param(name: layer.name + ".scale"), shape: perChannel)])
        let biased = layer.type == "BatchNorm" ? true : try int(1, 0) != 0
        if biased {
            y = try append(.add, [y, try append(.param(name: layer.name + ".shift"), shape: perChannel)])
        }
        try setTop(y)
    }

    /// `LRN` of a `[c, h, w]` blob: `y = x · (bias + k · Σ x²)^(−beta)` with the sum of squares over a window of zero-
    /// padded neighbours, written `x · exp(−beta · log(bias + k · Σ x²))`. 0 region: 0 across channels (the `2·⌊size/2⌋
    /// + 1` channels centred on each, `k = alpha / size`), 1 within a channel (a `size × size` square, `k = alpha /
    /// size²`). 1 local_size (5), 2 alpha (1), 3 beta (0.75), 4 bias (1).
    mutating func localResponseNormalisation() throws {
        let x = try bottom()
        _ = try image(x)
        let size = try int(1, 5, in: Self.extents)
        let (alpha, beta, bias) = (float(2, 1), float(3, 0.75), float(4, 1))
        var sums = try append(.mul, [x, x])
        let scale: Double
        switch try int(0, 0) {
        case 0:
            let half = size / 2
            sums = try append(.pad(axis: 0, before: half, after: half), [sums])
            sums = try append(.window(axis: 0, size: 2 * half + 1, stride: 1, dilation: 1), [sums])
            sums = try append(.reduce(kind: .sum, axes: [0]), [sums])
            scale = alpha / Double(size)
        case 1:
            for along in 1...2 {
                sums = try append(.pad(axis: along, before: size / 2, after: size - size / 2 - 1), [sums])
                sums = try append(.window(axis: along, size: size, stride: 1, dilation: 1), [sums])
                sums = try append(.reduce(kind: .sum, axes: [along]), [sums])
            }
            scale = alpha / Double(size * size)
        case let other: throw error("region_type \(other) is not supported (0 across channels, 1 within a channel)")
        }
        let base = try affine(sums, scale: scale, shift: bias)
        let power = try append(.exp, [try affine(try append(.log, [base]), scale: -beta, shift: 0)])
        try setTop(try append(.mul, [x, power]))
    }

    /// `Softmax` along 0 axis (negative: from the end), `exp(x − max) / Σ exp(x − max)`: PulseGraph's `Softmax`
    /// for axis 0, the same instructions along another axis. As ncnn, an axis other than 0 needs 1 fixbug0 = 1
    /// (older files meant another axis).
    mutating func softmax() throws {
        let x = try bottom()
        let dims = shape(x)
        let along = try axis(try int(0, 0), rank: dims.count)
        guard along == 0 else {
            guard try int(1, 0) != 0 else { throw error("softmax along axis \(along) without 1=1 (fixbug0) is from an older ncnn: regenerate the file") }
            var kept = dims
            kept[along] = 1
            let peak = try append(.reshape(shape: kept), [try append(.reduce(kind: .max, axes: [along]), [x])])
            let exponentials = try append(.exp, [try append(.sub, [x, peak])])
            let total = try append(.reshape(shape: kept), [try append(.reduce(kind: .sum, axes: [along]), [exponentials])])
            return try setTop(try append(.div, [exponentials, total]))
        }
        let softmax = Softmax(layer.name)
        try setTop(try build { graph in try softmax(x, in: &graph) })
    }
}
