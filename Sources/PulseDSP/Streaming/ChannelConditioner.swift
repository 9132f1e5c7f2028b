/// `SignalConditioner` with `.causal` preprocessing for one channel of a stream: raw samples go in one at a time,
/// conditioned samples at the analysis rate come out, equal bit for bit to conditioning the whole channel
/// offline.
///
/// Each sample is bridged (a NaN holds the last number before it), scaled by the power of two fixed by the first
/// finite non-zero sample (`SignalConditioner.scaledByLeadingMagnitude`), band-passed by a `CausalFilter`, and
/// resampled by a `StreamingResampler`. A channel that starts with NaN is held back until its first number, which
/// then fills the gap as offline; a leading gap longer than `leadingGapLimit` samples is filled with zeros
/// instead, so that a dead channel cannot stall the stream (the one case where stream and offline differ).
public struct ChannelConditioner: Sendable {
    public let leadingGapLimit: Int
    private var filter: CausalFilter
    private var resampler: StreamingResampler
    private var lastNumber: Float?
    private var scale: Double?
    private var pendingGap = 0

    public init(_ conditioner: SignalConditioner, leadingGapLimit: Int) {
        self.leadingGapLimit = leadingGapLimit
        filter = CausalFilter(conditioner.filter)
        resampler = StreamingResampler(conditioner.resampler)
    }

    /// Raw samples that have gone through (held-back leading NaN excluded).
    public var inputCount: Int { resampler.inputCount }

    /// Conditioned samples produced so far.
    public var outputCount: Int { resampler.outputCount }

    /// Takes one raw sample; appends every conditioned sample it completes to `output`.
    public mutating func push(_ sample: Float, into output: inout RingBuffer<Float>) {
        guard !sample.isNaN else {
            if let lastNumber {
                condition(lastNumber, into: &output)
            } else {
                pendingGap += 1
                if pendingGap > leadingGapLimit { flushPendingGap(with: 0, into: &output) }
            }
            return
        }
        flushPendingGap(with: sample, into: &output)
        lastNumber = sample
        condition(sample, into: &output)
    }

    /// Ends the channel: a channel that never held a number becomes zeros, and the resampler emits what it owes.
    public mutating func finish(into output: inout RingBuffer<Float>) {
        flushPendingGap(with: 0, into: &output)
        resampler.finish { output.append($0) }
    }

    private mutating func flushPendingGap(with value: Float, into output: inout RingBuffer<Float>) {
        while pendingGap > 0 {
            pendingGap -= 1
            condition(value, into: &output)
        }
    }

    private mutating func condition(_ sample: Float, into output: inout RingBuffer<Float>) {
        if scale == nil, sample.isFinite, sample != 0 {
            scale = Double(sign: .plus, exponent: -Double(sample).exponent, significand: 1)
        }
        let scaled = scale.map { Float(Double(sample) * $0) } ?? sample
        resampler.push(filter.process(scaled)) { output.append($0) }
    }
}
