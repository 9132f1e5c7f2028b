import PulseGraph

/// A window reduced by mean, sum or maximum along one axis of an arena value: `[outer, length, inner] →
/// [outer, count, inner]`. Padding counts as zeros, as the graph's `pad` makes them (a mean divides by the window's
/// size, a maximum sees the zeros). Pooling along the length of `[channels, length]` also reads a channels-last
/// input (eight channels at a time) and then writes its output channels-last or channels-first, as the plan's
/// layouts say.
struct PoolingStep: InferenceKernel {
    let pooling: PoolingKernel
    let input: InstructionID
    let output: InstructionID
    let outer: Int, length: Int, inner: Int, count: Int
    let inputLayout: ActivationLayout
    let outputLayout: ActivationLayout

    /// Whether `kernel` pools along the length of a `[channels, length]` value, the form that can read channels-last.
    static func poolsAlongLength(_ kernel: Kernel) -> Bool {
        guard case .pooling(let pooling) = kernel.operation, let shape = kernel.inputShapes.first else { return false }
        return shape.count == 2 && pooling.axis == 1 && shape[0] % 8 == 0
    }

    init?(_ kernel: Kernel, layouts: [InstructionID: ActivationLayout]) {
        guard case .pooling(let pooling) = kernel.operation, let input = kernel.inputs.first, let shape = kernel.inputShapes.first,
              pooling.axis < shape.count else { return nil }
        self.pooling = pooling
        self.input = input
        self.output = kernel.output
        self.outer = shape[..<pooling.axis].reduce(1, *)
        self.length = shape[pooling.axis]
        self.inner = shape[(pooling.axis + 1)...].reduce(1, *)
        self.count = (length + pooling.padBefore + pooling.padAfter - pooling.dilation * (pooling.size - 1) - 1) / pooling.stride + 1
        self.inputLayout = layouts[input] ?? .channelsFirst
        self.outputLayout = layouts[kernel.output] ?? .channelsFirst
    }

    var scratchElements: Int { 0 }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        let x = arena.pointer(input)
        let y = arena.pointer(output)
        let (size, stride, dilation, padBefore) = (pooling.size, pooling.stride, pooling.dilation, pooling.padBefore)
        if inputLayout == .channelsLast {
            runChannelsLast(x, y, batch: arena.batch)
            return
        }
        if inner == 1 && padBefore == 0 && pooling.padAfter == 0 {
            // Windows along contiguous values, all inside: no bounds to check.
            for o in 0..<(arena.batch * outer) {
                let source = x + o * length
                let target = y + o * count
                for t in 0..<count {
                    let window = source + t * stride
                    var sum: Float = 0
                    var largest = window[0]
                    for k in 0..<size {
                        let value = window[k * dilation]
                        if largest < value { largest = value }
                        sum += value
                    }
                    switch pooling.reduction {
                    case .sum: target[t] = sum
                    case .mean: target[t] = sum / Float(size)
                    case .max: target[t] = largest
                    }
                }
            }
            return
        }
        for o in 0..<(arena.batch * outer) {
            let source = x + o * length * inner
            let target = y + o * count * inner
            for t in 0..<count {
                for i in 0..<inner {
                    var sum: Float = 0
                    var largest: Float = 0
                    for k in 0..<size {
                        let position = t * stride + k * dilation - padBefore
                        let value = position >= 0 && position < length ? source[position * inner + i] : 0
                        if k == 0 || largest < value { largest = value }
                        sum += value
                    }
                    switch pooling.reduction {
                    case .sum: target[t * inner + i] = sum
                    case .mean: target[t * inner + i] = sum / Float(size)
                    case .max: target[t * inner + i] = largest
                    }
                }
            }
        }
    }

    /// Pooling along the length of channels-last `[length, channels]` samples, eight channels at a time.
    private func runChannelsLast(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int) {
        let channels = outer
        let (size, stride, dilation, padBefore) = (pooling.size, pooling.stride, pooling.dilation, pooling.padBefore)
        for sample in 0..<batch {
            let source = x + sample * length * channels
            let target = y + sample * count * channels
            for t in 0..<count {
                var channel = 0
                while channel < channels {
                    var sum = SIMD8<Float>()
                    var largest = SIMD8<Float>()
                    for k in 0..<size {
                        let position = t * stride + k * dilation - padBefore
                        let value = position >= 0 && position < length ? source.vector(position * channels + channel) : SIMD8<Float>()
                        largest = k == 0 ? value : largest.replacing(with: value, where: largest .< value)
                        sum += value
                    }
                    let result: SIMD8<Float>
                    switch pooling.reduction {
                    case .sum: result = sum
                    case .mean: result = sum / Float(size)
                    case .max: result = largest
                    }
                    if outputLayout == .channelsLast {
                        target.store(result, at: t * channels + channel)
                    } else {
                        for lane in 0..<8 { target[(channel + lane) * count + t] = result[lane] }
                    }
                    channel += 8
                }
            }
        }
    }
}
