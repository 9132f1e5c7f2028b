import PulseDSP
import PulseSignals

/// Turns a recording into model inputs, sharing the classical path's conditioning (`SignalConditioner`:
/// band-pass at the source rate, band-limited resampling), so that any source rate works.
public struct InputPipeline: Sendable {
    public let input: ModelInput
    public let preprocessing: Preprocessing

    public init(input: ModelInput, preprocessing: Preprocessing = .zeroPhase) {
        self.input = input
        self.preprocessing = preprocessing
    }

    /// The windows of `recording` for `layout`: one `[channels × windowSamples]` array per window (row-major),
    /// and whether each window is free of gaps and of flat PPG.
    /// - Throws: `RecordingError` when the recording fails validation; `DSPError` when a rate cannot hold the band.
    public func windows(_ recording: Recording, layout: WindowLayout) throws -> (inputs: [[Float]], valid: [Bool]) {
        try recording.validate(source: recording.name, layout: layout)
        let lowestRateHz = 2 * input.bandHighHz
        for (field, rate) in [("fs_ppg", recording.ppg.sampleRateHz), ("fs_acc", recording.acc.sampleRateHz)] where rate <= lowestRateHz {
            throw RecordingError(path: recording.name, .cannotEstimate(
                "\(field) is \(rate) Hz, the model's input needs more than \(lowestRateHz) Hz (twice its \(input.bandHighHz) Hz band edge)"))
        }
        let (ppg, acc) = try SignalConditioner.condition(recording, configuration: input.conditioning, preprocessing: preprocessing)
        let validity = recording.analysableWindows(layout)
        let length = input.windowSamples
        let available = min(ppg[0].count, acc[0].count)
        var inputs: [[Float]] = []
        var valid: [Bool] = []
        for index in validity.indices {
            let start = layout.startSample(ofWindow: index, at: input.sampleRateHz)
            guard start + length <= available else {
                inputs.append([Float](repeating: 0, count: input.channels * length))
                valid.append(false)
                continue
            }
            let range = start..<(start + length)
            inputs.append(input.window(ppg: ppg.map { $0[range] }, acc: acc.map { $0[range] }))
            valid.append(validity[index])
        }
        return (inputs, valid)
    }
}

extension ModelInput {
    /// The conditioning the model's input needs, as the classical path's configuration.
    public var conditioning: SpectralEstimator.Configuration {
        var configuration = SpectralEstimator.Configuration()
        configuration.analysisRateHz = sampleRateHz
        configuration.bandPassLowHz = bandLowHz
        configuration.bandPassHighHz = bandHighHz
        configuration.bandPassOrder = bandOrder
        return configuration
    }

    /// One model input (`[channels × windowSamples]`, row-major) from a window of conditioned channels: channel 0
    /// is the mean of the standardised PPG channels, then the standardised accelerometer axes.
    /// - Precondition: every channel holds `windowSamples` samples; traps otherwise.
    public func window<C: RandomAccessCollection>(ppg: [C], acc: [C]) -> [Float] where C.Element == Float {
        precondition((ppg + acc).allSatisfy { $0.count == windowSamples }, "every channel must hold \(windowSamples) samples")
        let length = windowSamples
        var window = [Float](repeating: 0, count: channels * length)
        for channel in ppg {
            let standardised = Self.standardised(channel)
            for t in 0..<length { window[t] += standardised[t] / Float(ppg.count) }
        }
        for axis in 0..<min(channels - 1, acc.count) {
            let standardised = Self.standardised(acc[axis])
            for t in 0..<length { window[(axis + 1) * length + t] = standardised[t] }
        }
        return window
    }

    /// `(x − mean) / std` (just `x − mean` when the standard deviation is 0).
    static func standardised<C: Collection>(_ values: C) -> [Float] where C.Element == Float {
        let count = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / count
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
        let scale = variance > 0 ? 1 / variance.squareRoot() : 1
        return values.map { Float((Double($0) - mean) * scale) }
    }
}
