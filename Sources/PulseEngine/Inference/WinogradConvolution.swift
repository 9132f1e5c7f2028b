import PulseGraph

/// A dense 1-D convolution (stride 1, any dilation and padding) by Winograd's minimal filtering `F(m, r)` with
/// eight points: per tile of `m` outputs, eight transformed inputs are multiplied by eight transformed filters,
/// where direct convolution would take `m · r` products (2.5× fewer for `r = 5`).
///
/// With dilation `d`, the outputs of each phase `t mod d` form an undilated convolution over every `d`-th input,
/// so a tile is `m` outputs `d` apart. Channels are vectorised (eight at a time): the output channels must be a
/// multiple of 8, and the input is zero-padded to one (with zero filter taps for the extra channels). The input is
/// read in either layout; the output is written channels-last when every reader takes that layout, channels-first
/// otherwise. Bias, residual add and activation are applied as outputs are transformed back.
struct WinogradConvolution: InferenceKernel {
    let transform: WinogradTransform
    let channels: Int
    /// `channels` rounded up to a multiple of 8.
    let paddedChannels: Int
    let outputChannels: Int
    let length: Int
    let count: Int
    let dilation: Int
    let padBefore: Int
    let input: InstructionID
    let output: InstructionID
    let residual: InstructionID?
    let inputLayout: ActivationLayout
    let outputLayout: ActivationLayout
    let residualLayout: ActivationLayout
    /// The transformed filter `U[ξ][c][o] = Σ_k G[ξ][k] W[o][c][k]`.
    let filter: [Float]
    let bias: [Float]
    let activation: ConvolutionKernel.Activation?
    /// The tiles: first output position and how many of its `m` outputs exist.
    let tiles: [(start: Int, valid: Int)]

    /// Tiles transformed and multiplied together, so that the transformed values stay in the first-level cache.
    static let blockTiles = 12

    /// The Winograd form of `kernel`, or `nil` when it does not apply (more than one spatial axis of extent above 1,
    /// more than one group, a
    /// stride, output channels that are not a multiple of 8, or a filter of 1 or more than 7 taps).
    init?(_ kernel: Kernel, weight: Tensor, bias: Tensor?, layouts: [InstructionID: ActivationLayout]) {
        guard case .convolution(let planned) = kernel.operation, let convolution = planned.alongLastAxis, convolution.groups == 1,
              convolution.stride == [1], convolution.outputChannels % 8 == 0,
              let transform = WinogradTransform(taps: convolution.kernelSize[0]), transform.points == 8 else { return nil }
        let (c, o, r) = (convolution.inputChannels, convolution.outputChannels, convolution.kernelSize[0])
        self.transform = transform
        self.channels = c
        let c8 = (c + 7) / 8 * 8
        self.paddedChannels = c8
        self.outputChannels = o
        self.length = convolution.inputExtent[0]
        self.count = convolution.outputExtent[0]
        self.dilation = convolution.dilation[0]
        self.padBefore = convolution.padBefore[0]
        self.input = kernel.inputs[0]
        self.output = kernel.output
        self.residual = convolution.residual
        self.inputLayout = layouts[kernel.inputs[0]] ?? .channelsFirst
        guard c % 8 == 0 || inputLayout == .channelsFirst else { return nil }
        self.outputLayout = layouts[kernel.output] ?? .channelsFirst
        self.residualLayout = convolution.residual.flatMap { layouts[$0] } ?? .channelsFirst
        var filter = [Float](repeating: 0, count: 8 * c8 * o)
        for xi in 0..<8 {
            for ci in 0..<c {
                for oi in 0..<o {
                    var sum = 0.0
                    for k in 0..<r { sum += transform.filterTransform[xi * r + k] * Double(weight.scalars[(oi * c + ci) * r + k]) }
                    filter[(xi * c8 + ci) * o + oi] = Float(sum)
                }
            }
        }
        self.filter = filter
        self.bias = bias?.scalars ?? [Float](repeating: 0, count: o)
        self.activation = convolution.activation
        var tiles: [(Int, Int)] = []
        for phase in 0..<min(dilation, count) {
            var start = phase
            while start < count {
                let valid = min(transform.outputs, (count - 1 - start) / dilation + 1)
                tiles.append((start, valid))
                start += transform.outputs * dilation
            }
        }
        self.tiles = tiles
    }

    /// Positions of the zero-padded input the tiles read: the padding, and beyond the end as far as the last
    /// (partial) tile reaches.
    var paddedLength: Int { max(padBefore + length, (tiles.map(\.start).max() ?? 0) + 7 * dilation + 1) }

    var scratchElements: Int { paddedLength * paddedChannels + count * outputChannels + 8 * Self.blockTiles * (paddedChannels + outputChannels) }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        let (c, c8, o, l, t) = (channels, paddedChannels, outputChannels, length, count)
        let padded = scratch
        let paddedLength = paddedLength
        let staged = scratch + paddedLength * c8
        let v = staged + t * o
        let m = v + 8 * Self.blockTiles * c8
        let inputBase = arena.pointer(input)
        let outputBase = arena.pointer(output)
        let residualBase = residual.map(arena.pointer)
        filter.withUnsafeBufferPointer { filterBuffer in
            bias.withUnsafeBufferPointer { biasBuffer in
                guard let u = filterBuffer.baseAddress, let biasValues = biasBuffer.baseAddress else { return }
                for sample in 0..<arena.batch {
                    let source = inputBase + sample * c * l
                    if inputLayout == .channelsFirst {
                        if c < c8 { padded.initialize(repeating: 0, count: paddedLength * c8) }
                        for ci in 0..<c {
                            for position in 0..<l { padded[(padBefore + position) * c8 + ci] = source[ci * l + position] }
                        }
                    } else {
                        (padded + padBefore * c).update(from: source, count: l * c)
                    }
                    if c == c8 {
                        padded.initialize(repeating: 0, count: padBefore * c8)
                        (padded + (padBefore + l) * c8).initialize(repeating: 0, count: (paddedLength - padBefore - l) * c8)
                    }
                    let x = UnsafePointer(padded)
                    let y = outputBase + sample * o * t
                    // Channels-last results go straight to the output, channels-first ones to scratch first.
                    let target = outputLayout == .channelsLast ? y : staged
                    var first = 0
                    while first < tiles.count {
                        let block = min(Self.blockTiles, tiles.count - first)
                        transformInputs(x, tiles: first..<(first + block), into: v)
                        for xi in 0..<8 {
                            multiplySmall(rows: block, depth: c8, columns: o, v + xi * Self.blockTiles * c8, aStride: c8,
                                          u + xi * c8 * o, into: m + xi * Self.blockTiles * o)
                        }
                        transformOutputs(m, tiles: first..<(first + block), bias: biasValues, into: target)
                        first += block
                    }
                    finish(target, residual: residualBase.map { $0 + sample * o * t }, into: y)
                }
            }
        }
    }

    /// `V[ξ][tile][c] = Σ_j Bᵀ[ξ][j] x[start + j · d][c]` over the padded channels-last input.
    @inline(__always)
    private func transformInputs(_ x: UnsafePointer<Float>, tiles range: Range<Int>, into v: UnsafeMutablePointer<Float>) {
        let c = paddedChannels
        let step = dilation * c
        let row = Self.blockTiles * c
        for (slot, index) in range.enumerated() {
            let first = x + tiles[index].start * c
            var channel = 0
            while channel < c {
                let p = first + channel
                let t = WinogradTransform.transformInput(
                    p.vector(0), p.vector(step), p.vector(2 * step), p.vector(3 * step),
                    p.vector(4 * step), p.vector(5 * step), p.vector(6 * step), p.vector(7 * step))
                let out = v + slot * c + channel
                out.store(t.0, at: 0); out.store(t.1, at: row); out.store(t.2, at: 2 * row); out.store(t.3, at: 3 * row)
                out.store(t.4, at: 4 * row); out.store(t.5, at: 5 * row); out.store(t.6, at: 6 * row); out.store(t.7, at: 7 * row)
                channel += 8
            }
        }
    }

    /// `y[start + i·d][o] = Σ_ξ Aᵀ[i][ξ] M[ξ][tile][o] + bias[o]` (channels-last) for the tile's valid outputs.
    @inline(__always)
    private func transformOutputs(_ m: UnsafeMutablePointer<Float>, tiles range: Range<Int>, bias: UnsafePointer<Float>,
                                  into y: UnsafeMutablePointer<Float>) {
        let o = outputChannels
        let stride = Self.blockTiles * o
        let step = dilation * o
        for (slot, index) in range.enumerated() {
            let tile = tiles[index]
            let row = y + tile.start * o
            var channel = 0
            while channel < o {
                let base = m + slot * o + channel
                let m0 = base.vector(0), m1 = base.vector(stride), m2 = base.vector(2 * stride), m3 = base.vector(3 * stride)
                let m4 = base.vector(4 * stride), m5 = base.vector(5 * stride), m6 = base.vector(6 * stride), m7 = base.vector(7 * stride)
                let shift = bias.vector(channel)
                let (s1, s2, s3) = (m1 + m2, m3 + m4, m5 + m6)
                let (d1, d2, d3) = (m1 - m2, m3 - m4, m5 - m6)
                if transform.outputs == 4 && tile.valid == 4 {
                    row.store(shift + m0 + s1 + s2 + s3, at: channel)
                    row.store(shift + d1 + 2 * d2 + 0.5 * d3, at: step + channel)
                    row.store(shift + s1 + 4 * s2 + 0.25 * s3, at: 2 * step + channel)
                    row.store(shift + d1 + 8 * d2 + 0.125 * d3 + m7, at: 3 * step + channel)
                } else {
                    for i in 0..<tile.valid {
                        let value = transform.transformOutput(row: i, m0: m0, m7: m7, sums: (s1, s2, s3), differences: (d1, d2, d3))
                        row.store(shift + value, at: i * step + channel)
                    }
                }
                channel += 8
            }
        }
    }

    /// Adds the residual, applies the activation and writes the output in its layout, from channels-last `staged`
    /// (which is the output itself when that is channels-last).
    private func finish(_ staged: UnsafeMutablePointer<Float>, residual: UnsafeMutablePointer<Float>?, into y: UnsafeMutablePointer<Float>) {
        let (o, t) = (outputChannels, count)
        if let residual {
            if residualLayout == .channelsLast {
                var i = 0
                while i < o * t {
                    staged.store(staged.vector(i) + residual.vector(i), at: i)
                    i += 8
                }
            } else {
                for position in 0..<t {
                    for channel in 0..<o { staged[position * o + channel] += residual[channel * t + position] }
                }
            }
        }
        switch activation {
        case .relu:
            var i = 0
            while i < o * t {
                let value = staged.vector(i)
                staged.store(value.replacing(with: 0, where: value .< 0), at: i)
                i += 8
            }
        case .clip(let lower, let upper):
            for i in 0..<(o * t) { staged[i] = min(max(staged[i], lower), upper) }
        case nil:
            break
        }
        if outputLayout == .channelsFirst {
            for channel in 0..<o {
                for position in 0..<t { y[channel * t + position] = staged[position * o + channel] }
            }
        }
    }
}
