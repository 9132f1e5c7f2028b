/// `Resampler` for a stream: input samples go in one at a time and each output sample comes out as soon as the
/// inputs it needs have arrived, `halfWidth` input samples after its centre. The values are those of
/// `Resampler.resample` on the whole signal, bit for bit (the same taps, summed in the same order), including
/// the ends: before the first sample the first is repeated, and `finish()` repeats the last.
public struct StreamingResampler: Sendable {
    public let resampler: Resampler
    private var history: RingBuffer<Float>
    private var first: Float = 0
    /// Output samples produced so far.
    public private(set) var outputCount = 0

    public init(_ resampler: Resampler) {
        self.resampler = resampler
        history = RingBuffer(capacity: 2 * resampler.halfWidth + resampler.decimation + 2, filler: 0)
    }

    /// Input samples taken so far.
    public var inputCount: Int { history.count }

    /// Takes one input sample and hands every output it completes to `emit`, in order.
    public mutating func push(_ sample: Float, emit: (Float) -> Void) {
        if history.count == 0 { first = sample }
        history.append(sample)
        let (p, q, half) = (resampler.interpolation, resampler.decimation, resampler.halfWidth)
        while outputCount * q / p + half < history.count {
            emit(value(outputCount, last: history.count - 1))
            outputCount += 1
        }
    }

    /// Ends the stream: emits the outputs still owed (`Resampler.outputCount(for:)` in all), taking samples past
    /// the end equal to the last one.
    public mutating func finish(emit: (Float) -> Void) {
        guard history.count > 0 else { return }
        let total = resampler.outputCount(for: history.count)
        while outputCount < total {
            emit(value(outputCount, last: history.count - 1))
            outputCount += 1
        }
    }

    private func value(_ m: Int, last: Int) -> Float {
        let (p, q, half) = (resampler.interpolation, resampler.decimation, resampler.halfWidth)
        let base = m * q / p
        let weights = resampler.table[m % p]
        var sum: Float = 0
        for k in 0..<weights.count {
            let position = base - half + k
            let x = position < 0 ? first : history[min(position, last)]
            sum += weights[k] * x
        }
        return sum
    }
}
