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

    private func markGap(at sample: Int, in valid: inout [Bool], layout: WindowLayout, rate: Double, windowSamples: Int) {
        let shift = layout.samples(layout.shiftSeconds, at: rate)
        guard shift > 0 else { return }
        // Window k holds samples [k * shift, k * shift + windowSamples).
        let first = max(0, (sample - windowSamples) / shift)
        let last = min(valid.count - 1, sample / shift)
        guard first <= last else { return }
        for k in first...last where sample >= k * shift && sample < k * shift + windowSamples {
            valid[k] = false
        }
    }
}
