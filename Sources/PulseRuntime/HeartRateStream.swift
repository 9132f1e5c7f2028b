import Dispatch
import PulseDSP
import PulseSignals

/// A causal, bounded-memory heart-rate stream: timestamped samples of the PPG and the accelerometer go in, in
/// chunks of any size and each group at its own rate, and an estimate comes out every shift (2 s) once a whole
/// window (8 s) has arrived.
///
/// Each group keeps a sample clock: sample `n` belongs at `origin + n / rate`, where the origin is the first
/// timestamp of the stream. A sample whose timestamp is not after the previous one is dropped (`disordered`); one
/// a whole sample early is dropped and one a whole sample late repeats the previous sample first (`drift`); one at
/// least two samples late fills the missing samples with NaN (`gap`). Placed samples are conditioned as
/// `SignalConditioner` with `.causal` preprocessing does (bit for bit, see `ChannelConditioner`) into ring
/// buffers at the analysis rate, and each window goes to the `WindowTracker`. A window with a NaN or with every
/// PPG channel flat is not analysed and gets no estimate, or the last one (`InvalidWindowPolicy`), as
/// `SpectralEstimator` and `NeuralEstimator` do offline; so a recording streamed sample by sample gives the
/// estimates of the offline estimator run with `.causal` preprocessing.
///
/// Memory: ring buffers sized once from the window, the resampler's reach and `StreamSettings.maximumSkewSeconds`;
/// nothing grows with the stream's length. The groups are processed in time order, at most `leadSeconds` apart;
/// samples pushed further ahead wait in a queue, so chunks may be of any length as long as the groups take turns.
/// A group that misses two pushes of the other while the other runs `maximumSkewSeconds` ahead is taken as
/// silent and gap-filled, so that a dead sensor cannot stall the stream.
public final class HeartRateStream {
    public let settings: StreamSettings
    public let tracker: any WindowTracker
    /// Latency of every estimate so far.
    public private(set) var latency = LatencyHistogram()
    /// The first timestamp of the stream, once a sample has been placed.
    public private(set) var originSeconds: Double?

    /// Signal time placed so far: the longer group's samples over its rate (seconds).
    public var placedSeconds: Double { groups.map { Double($0.slots) / $0.rateHz }.max() ?? 0 }

    /// How far one group is processed ahead of the other (seconds).
    public static let leadSeconds = 1.0

    /// Seconds' worth of consecutive samples that may be dropped as not fitting the clock before the stream stops.
    public static let rejectionLimitSeconds = 2.0

    private var groups: [GroupStream]
    private let analysisRateHz: Double
    private let windowSamples: Int
    private let groupWindowSamples: [Int]
    private let clippedSamples: [Int]
    private var windows: [WindowStatistics] = []
    private var nextWindow = 0
    private var lastAnalysed: Int?
    private var lastBpm: Double?
    private var callStarted: UInt64 = 0
    private var values: [[Float]]
    private var windowBuffers: [[[Float]]]
    private var outbox: [StreamEstimate] = []

    /// - Throws: `StreamError` when a rate or a channel count is unusable, or the tracker's window does not match
    ///   the layout at its analysis rate.
    public init(settings: StreamSettings, tracker: any WindowTracker) throws {
        self.settings = settings
        self.tracker = tracker
        let layout = settings.layout
        let conditioning = tracker.conditioning
        analysisRateHz = conditioning.analysisRateHz
        windowSamples = layout.samples(layout.windowSeconds, at: analysisRateHz)
        guard windowSamples == tracker.windowSamples else {
            throw StreamError("the estimator reads windows of \(tracker.windowSamples) samples at \(analysisRateHz) Hz, "
                + "but \(layout.windowSeconds) s windows hold \(windowSamples)")
        }
        guard layout.shiftSeconds * analysisRateHz >= 1, layout.windowSeconds >= layout.shiftSeconds else {
            throw StreamError("windows of \(layout.windowSeconds) s every \(layout.shiftSeconds) s cannot be streamed")
        }
        let rates = [settings.ppgRateHz, settings.accRateHz]
        let counts = [settings.ppgChannels, settings.accChannels]
        var groups: [GroupStream] = []
        for (group, (rate, count)) in zip(SensorGroup.allCases, zip(rates, counts)) {
            guard Recording.sampleRateRangeHz.contains(rate), rate > 2 * conditioning.bandPassHighHz else {
                throw StreamError("the \(group.rawValue) rate \(rate) Hz is out of range: it must exceed twice the "
                    + "\(conditioning.bandPassHighHz) Hz band edge and lie within \(Recording.sampleRateRangeHz)")
            }
            guard count > 0 else { throw StreamError("the \(group.rawValue) group needs at least one channel") }
            let conditioner: SignalConditioner
            do {
                conditioner = try SignalConditioner(sourceRateHz: rate, configuration: conditioning, preprocessing: .causal)
            } catch let error as DSPError {
                throw StreamError("the \(group.rawValue) group at \(rate) Hz: \(error.message)")
            }
            let leadingGapLimit = layout.samples(layout.shiftSeconds, at: rate)
            let lagSeconds = Self.leadSeconds
                + Double(leadingGapLimit + ChannelScale.searchSamples + 2 * conditioner.resampler.halfWidth) / rate + 1
            let capacity = windowSamples + Int((lagSeconds * analysisRateHz).rounded(.up)) + conditioner.resampler.interpolation
            groups.append(GroupStream(rateHz: rate, channelCount: count, conditioner: conditioner,
                                      leadingGapLimit: leadingGapLimit, capacity: capacity))
        }
        self.groups = groups
        let groupWindowSamples = rates.map { layout.samples(layout.windowSeconds, at: $0) }
        self.groupWindowSamples = groupWindowSamples
        clippedSamples = groupWindowSamples.map { max(3, Int((settings.saturationShare * Double($0)).rounded(.up))) }
        values = counts.map { [Float](repeating: 0, count: $0) }
        let length = windowSamples
        windowBuffers = counts.map { Array(repeating: [Float](repeating: 0, count: length), count: $0) }
    }

    /// Pushes a chunk of one group: `samples[c][i]` is channel `c` at `timestampsSeconds[i]`. Returns the
    /// estimates the chunk completes, in window order.
    /// - Throws: `StreamError` for a chunk of the wrong shape, a timestamp gap beyond `maximumGapSeconds`, or an
    ///   estimator that fails.
    public func push(_ group: SensorGroup, timestampsSeconds: [Double], samples: [[Float]]) throws -> [StreamEstimate] {
        callStarted = DispatchTime.now().uptimeNanoseconds
        let g = group == .ppg ? 0 : 1
        guard samples.count == groups[g].channelCount else {
            throw StreamError("a \(group.rawValue) chunk has \(samples.count) channels, the stream has \(groups[g].channelCount)")
        }
        for (c, channel) in samples.enumerated() where channel.count != timestampsSeconds.count {
            throw StreamError("\(group.rawValue) channel \(c) has \(channel.count) samples for \(timestampsSeconds.count) timestamps")
        }
        guard !groups[g].finished else { throw StreamError("the stream has finished") }
        groups[g].enqueue(timestamps: timestampsSeconds, samples: samples)
        groups[g].pushesAhead += 1
        groups[1 - g].pushesAhead = 0
        try drain()
        return takeOutbox()
    }

    private func takeOutbox() -> [StreamEstimate] {
        defer { outbox.removeAll(keepingCapacity: true) }
        return outbox
    }

    /// Ends the stream: places every sample still waiting, lets the conditioning emit what it owes, and returns the
    /// remaining estimates (windows the stream ended too early to condition are flagged `truncated`).
    /// - Throws: `StreamError` as `push` does.
    public func finish() throws -> [StreamEstimate] {
        callStarted = DispatchTime.now().uptimeNanoseconds
        try drain()
        while let g = groups.indices.first(where: { !groups[$0].finished && groups[$0].nextTimestamp == nil }) {
            groups[g].finish()
            try emitReady()
            try drain()
        }
        let complete = windows.filter { window in groups.indices.allSatisfy { window.placed[$0] == groupWindowSamples[$0] } }
        for window in complete { try emit(window) }
        windows = []
        return takeOutbox()
    }

    /// Places waiting samples in time order while the groups stay within `leadSeconds` of each other (or one has
    /// finished), gap-filling a group that has fallen `maximumSkewSeconds` behind and missed two pushes of the other.
    private func drain() throws {
        while true {
            let next = (groups[0].nextTimestamp, groups[1].nextTimestamp)
            let g: Int
            let time: Double
            switch next {
            case let (a?, b?): (g, time) = a <= b ? (0, a) : (1, b)
            case let (a?, nil): (g, time) = (0, a)
            case let (nil, b?): (g, time) = (1, b)
            case (nil, nil): return
            }
            let h = 1 - g
            if (h == 0 ? next.0 : next.1) == nil && !groups[h].finished {
                let horizon = groups[h].lastTimestamp ?? originSeconds ?? time
                if time > horizon + Self.leadSeconds {
                    guard groups[g].pushesAhead >= 2, let latest = groups[g].latestTimestamp,
                          latest - horizon > settings.maximumSkewSeconds else { return }
                    try silence(h, until: time - Self.leadSeconds)
                }
            }
            let timestamp = groups[g].dequeue(into: &values[g])
            try place(g, timestamp: timestamp)
        }
    }

    /// Places one received sample (in `values[g]`) on group `g`'s clock.
    private func place(_ g: Int, timestamp: Double) throws {
        guard timestamp.isFinite, groups[g].lastTimestamp.map({ timestamp > $0 }) ?? true else {
            try reject(g, timestamp: timestamp, flag: .disordered)
            return
        }
        let origin = originSeconds ?? timestamp
        let rate = groups[g].rateHz
        let offset = (timestamp - origin) * rate - Double(groups[g].slots)
        if offset <= -1 {
            try reject(g, timestamp: timestamp, flag: .drift)
            return
        }
        if offset >= 2 {
            let gapSeconds = offset.rounded() / rate
            guard gapSeconds <= settings.maximumGapSeconds else {
                throw StreamError("\(SensorGroup.allCases[g].rawValue) timestamps jump by \(gapSeconds) s at \(timestamp) s, "
                    + "beyond the \(settings.maximumGapSeconds) s a gap may last")
            }
            try checkGapSamples(g, count: offset.rounded(), atSeconds: timestamp)
        }
        originSeconds = origin
        groups[g].lastTimestamp = timestamp
        groups[g].rejectedInARow = 0
        if offset >= 2 {
            try fill(g, count: Int(offset.rounded()), flags: .gap)
        } else if offset >= 1 {
            var repeated = groups[g].lastValues
            swap(&repeated, &values[g])
            try placeSlot(g, flags: .drift)
            swap(&repeated, &values[g])
        }
        var flags: WindowFlags = []
        for c in 0..<groups[g].channelCount where !values[g][c].isFinite {
            values[g][c] = .nan
            flags = .nan
        }
        try placeSlot(g, flags: flags)
    }

    /// Drops a sample that does not fit the clock; a clock that keeps rejecting for `rejectionLimitSeconds` of
    /// samples has jumped for good, and stops the stream rather than losing the rest silently.
    private func reject(_ g: Int, timestamp: Double, flag: WindowFlags) throws {
        groups[g].pendingFlags.insert(flag)
        groups[g].rejectedInARow += 1
        let limit = max(64, Int(Self.rejectionLimitSeconds * groups[g].rateHz))
        guard groups[g].rejectedInARow < limit else {
            throw StreamError("\(SensorGroup.allCases[g].rawValue): \(limit) samples in a row do not fit the clock (the last at \(timestamp) s, "
                + "the clock at \(groups[g].lastTimestamp ?? originSeconds ?? 0) s): the timestamps jumped back or the rate is wrong")
        }
    }

    /// Fills group `h` with NaN up to `timeSeconds`, as a group that has gone silent.
    private func silence(_ h: Int, until timeSeconds: Double) throws {
        let origin = originSeconds ?? timeSeconds
        originSeconds = origin
        let silentSeconds = timeSeconds - (groups[h].lastTimestamp ?? origin)
        guard silentSeconds <= settings.maximumGapSeconds else {
            throw StreamError("\(SensorGroup.allCases[h].rawValue) has been silent for \(silentSeconds) s at \(timeSeconds) s, "
                + "beyond the \(settings.maximumGapSeconds) s a gap may last")
        }
        let target = Int(((timeSeconds - origin) * groups[h].rateHz).rounded(.down))
        if target > groups[h].slots {
            try checkGapSamples(h, count: Double(target - groups[h].slots), atSeconds: timeSeconds)
            try fill(h, count: target - groups[h].slots, flags: .gap)
        }
        groups[h].lastTimestamp = max(groups[h].lastTimestamp ?? timeSeconds, timeSeconds)
    }

    /// Throws unless a gap of `count` samples in group `g` lies within `maximumGapSamples`.
    private func checkGapSamples(_ g: Int, count: Double, atSeconds timeSeconds: Double) throws {
        guard count <= Double(settings.maximumGapSamples) else {
            throw StreamError("\(SensorGroup.allCases[g].rawValue): a gap at \(timeSeconds) s would fill \(Int64(count)) samples at "
                + "\(groups[g].rateHz) Hz, beyond the \(settings.maximumGapSamples) a gap may fill")
        }
    }

    /// Places `count` NaN slots in group `g`. Where the other group's next sample shows the same gap, it is
    /// filled alongside, so that neither runs more than `leadSeconds` ahead of the other inside a long gap.
    private func fill(_ g: Int, count: Int, flags: WindowFlags) throws {
        let saved = values[g]
        defer { values[g] = saved }
        for c in values[g].indices { values[g][c] = .nan }
        let h = 1 - g
        let origin = originSeconds ?? 0
        // The other group is filled alongside where its next sample shows the same gap: bound that fill too.
        let end = origin + Double(groups[g].slots + count) / groups[g].rateHz
        let otherClock = origin + Double(groups[h].slots) / groups[h].rateHz
        if let next = groups[h].nextTimestamp, !groups[h].finished, next - otherClock <= settings.maximumGapSeconds {
            try checkGapSamples(h, count: (min(end, next) - otherClock) * groups[h].rateHz, atSeconds: otherClock)
        }
        for _ in 0..<count {
            let time = origin + Double(groups[g].slots) / groups[g].rateHz
            let clock = origin + Double(groups[h].slots) / groups[h].rateHz
            if let next = groups[h].nextTimestamp, !groups[h].finished, next - clock <= settings.maximumGapSeconds,
               time > clock + Self.leadSeconds {
                let target = Int(((min(time, next) - origin) * groups[h].rateHz).rounded(.down)) - 1
                if target > groups[h].slots { try fill(h, count: target - groups[h].slots, flags: .gap) }
            }
            try placeSlot(g, flags: flags)
        }
    }

    /// Places `values[g]` in group `g`'s next slot: updates the windows that hold it, conditions it, and emits the
    /// windows that are then ready.
    private func placeSlot(_ g: Int, flags: WindowFlags) throws {
        let slot = groups[g].slots
        let layout = settings.layout
        while layout.startSample(ofWindow: nextWindow, at: groups[g].rateHz) <= slot {
            windows.append(WindowStatistics(index: nextWindow, channelCounts: groups.map(\.channelCount)))
            nextWindow += 1
        }
        let charged = flags.union(groups[g].pendingFlags)
        groups[g].pendingFlags = []
        let length = groupWindowSamples[g]
        for w in windows.indices.reversed() {
            let start = layout.startSample(ofWindow: windows[w].index, at: groups[g].rateHz)
            if slot >= start + length { break }
            guard slot >= start else { continue }
            windows[w].flags.formUnion(charged)
            windows[w].placed[g] += 1
            for c in 0..<groups[g].channelCount { windows[w].channels[g][c].add(values[g][c]) }
        }
        groups[g].condition(values[g])
        try emitReady()
    }

    /// Emits the oldest windows while they are complete and conditioned.
    private func emitReady() throws {
        while isOldestReady() {
            try emit(windows.removeFirst())
        }
    }

    /// Whether the oldest open window is complete and conditioned (read in place: this runs for every sample).
    private func isOldestReady() -> Bool {
        guard !windows.isEmpty else { return false }
        for g in 0..<2 where windows[0].placed[g] != groupWindowSamples[g] { return false }
        let end = settings.layout.startSample(ofWindow: windows[0].index, at: analysisRateHz) + windowSamples
        return groups[0].conditionedCount >= end && groups[1].conditionedCount >= end
    }

    private func emit(_ window: WindowStatistics) throws {
        var flags = window.flags.union(window.signalFlags(clippedSamples: clippedSamples))
        let start = settings.layout.startSample(ofWindow: window.index, at: analysisRateHz)
        let conditioned = groups.allSatisfy { $0.conditionedCount >= start + windowSamples && $0.conditionedOldest <= start }
        if !conditioned { flags.insert(.truncated) }
        var bpm: Double?
        var confidence = 0.0
        if window.hasNaN || flags.contains(.flat) || !conditioned {
            if settings.invalidWindows == .hold, let lastBpm {
                bpm = lastBpm
                flags.insert(.held)
            }
        } else {
            for g in groups.indices {
                for c in 0..<groups[g].channelCount { groups[g].conditioned[c].copy(start..<(start + windowSamples), into: &windowBuffers[g][c]) }
            }
            do {
                (bpm, confidence) = try tracker.track(ppg: windowBuffers[0], acc: windowBuffers[1],
                                                      elapsedWindows: window.index - (lastAnalysed ?? (window.index - 1)))
            } catch {
                throw StreamError("window \(window.index): the estimator failed: \(error)")
            }
            lastAnalysed = window.index
            lastBpm = bpm
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - callStarted) / 1e9
        latency.record(seconds)
        outbox.append(StreamEstimate(
            index: window.index, endSeconds: (originSeconds ?? 0) + settings.layout.endSeconds(ofWindow: window.index),
            bpm: bpm, confidence: confidence, flags: flags, latencySeconds: seconds))
    }
}
