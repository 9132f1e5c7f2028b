/// `SignalConditioner` with `.causal` preprocessing for one channel of a stream: raw samples go in one at a time,
/// conditioned samples at the analysis rate come out, equal bit for bit to conditioning the whole channel
/// offline.
///
/// Each sample is scaled by the channel's `ChannelScale` (a corrupt sample counts as NaN), bridged (a NaN holds
/// the last number before it), band-passed by a `CausalFilter`, and resampled by a `StreamingResampler`. The samples from the first that is
/// neither zero nor NaN are held back until the scale is known (at most `ChannelScale.searchSamples`). A channel
/// that starts with NaN is held back until its first number, which then fills the gap as offline; a leading gap
/// longer than `leadingGapLimit` samples is filled with zeros instead, so that a dead channel cannot stall the
/// stream (the one case where stream and offline differ).
public struct ChannelConditioner: Sendable {
    public let leadingGapLimit: Int
    private var filter: CausalFilter
    private var resampler: StreamingResampler
    private var lastNumber: Float?
    private var scale: ChannelScale?
    private var pendingGap = 0
    private var heldForScale: [Float] = []
    private var levels: [Float] = []

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
        if scale == nil && (!heldForScale.isEmpty || !(sample.isNaN || sample == 0)) {
            heldForScale.append(sample)
            if ChannelScale.isLevel(sample) { levels.append(sample.magnitude) }
            if levels.count == ChannelScale.levelSamples || heldForScale.count == ChannelScale.searchSamples {
                fixScale(into: &output)
            }
            return
        }
        bridge(sample, into: &output)
    }

    /// Ends the channel: a channel that never held a number becomes zeros, and the resampler emits what it owes.
    public mutating func finish(into output: inout RingBuffer<Float>) {
        if scale == nil && !heldForScale.isEmpty { fixScale(into: &output) }
        flushPendingGap(with: 0, into: &output)
        resampler.finish { output.append($0) }
    }

    /// Sets the scale from the levels seen and conditions the samples held back for it.
    private mutating func fixScale(into output: inout RingBuffer<Float>) {
        scale = ChannelScale(levels: levels)
        for sample in heldForScale { bridge(sample, into: &output) }
        heldForScale = []
        levels = []
    }

    /// Scales, bridges a NaN (or a corrupt sample) with the last number or holds a leading gap back, then conditions.
    private mutating func bridge(_ raw: Float, into output: inout RingBuffer<Float>) {
        // Before the scale is known only zeros and NaN arrive here, which every scale leaves as they are.
        let sample = (scale ?? .unit).apply(raw)
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

    private mutating func flushPendingGap(with value: Float, into output: inout RingBuffer<Float>) {
        while pendingGap > 0 {
            pendingGap -= 1
            condition(value, into: &output)
        }
    }

    private mutating func condition(_ scaled: Float, into output: inout RingBuffer<Float>) {
        resampler.push(filter.process(scaled)) { output.append($0) }
    }
}
