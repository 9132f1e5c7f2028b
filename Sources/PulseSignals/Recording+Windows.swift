extension Recording {
    /// Number of whole windows covered by both the PPG and the accelerometer.
    public func windowCount(_ layout: WindowLayout = .standard) -> Int {
        min(layout.windowCount(sampleCount: ppg.sampleCount, sampleRateHz: ppg.sampleRateHz),
            layout.windowCount(sampleCount: acc.sampleCount, sampleRateHz: acc.sampleRateHz))
    }

    /// Per window, whether every PPG and accelerometer sample inside it is a number (no NaN gap).
    public func windowValidity(_ layout: WindowLayout = .standard) -> [Bool] {
        var valid = [Bool](repeating: true, count: windowCount(layout))
        for group in [ppg, acc] {
            let windowSamples = layout.samples(layout.windowSeconds, at: group.sampleRateHz)
            for channel in group.channels {
                for (index, value) in channel.enumerated() where value.isNaN {
                    markGap(at: index, in: &valid, layout: layout, rate: group.sampleRateHz, windowSamples: windowSamples)
                }
            }
        }
        return valid
    }

    /// Per window, whether it can be analysed: no NaN gap (`windowValidity`) and a PPG that is not flat
    /// (`flatPPGWindows`).
    public func analysableWindows(_ layout: WindowLayout = .standard) -> [Bool] {
        zip(windowValidity(layout), flatPPGWindows(layout)).map { $0 && !$1 }
    }

    /// Per window, whether every PPG channel is constant inside it (a sensor saturated or off the skin):
    /// such a window carries no pulse, whatever its accelerometer shows.
    public func flatPPGWindows(_ layout: WindowLayout = .standard) -> [Bool] {
        let rate = ppg.sampleRateHz
        let windowSamples = layout.samples(layout.windowSeconds, at: rate)
        return (0..<windowCount(layout)).map { index in
            let start = layout.startSample(ofWindow: index, at: rate)
            return ppg.channels.allSatisfy { channel in
                let window = channel[start..<min(start + windowSamples, channel.count)]
                guard let first = window.first(where: { !$0.isNaN }) else { return true }
                return window.allSatisfy { $0 == first || $0.isNaN }
            }
        }
    }

    private func markGap(at sample: Int, in valid: inout [Bool], layout: WindowLayout, rate: Double, windowSamples: Int) {
        let shift = layout.shiftSeconds * rate
        guard shift >= 1, !valid.isEmpty else { return }
        // Window k holds samples [start(k), start(k) + windowSamples); look one window beyond each rough bound.
        let first = max(0, Int((Double(sample - windowSamples) / shift).rounded(.down)))
        let last = min(valid.count - 1, Int((Double(sample) / shift).rounded(.down)) + 1)
        guard first <= last else { return }
        for k in first...last {
            let start = layout.startSample(ofWindow: k, at: rate)
            if sample >= start && sample < start + windowSamples { valid[k] = false }
        }
    }
}
