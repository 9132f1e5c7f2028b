import Foundation

/// What a model reads: `channels` signals (the mean of the standardised PPG channels, then the accelerometer
/// axes) band-passed to `[bandLowHz, bandHighHz]`, resampled to `sampleRateHz`, cut into windows of
/// `windowSamples`, each channel standardised per window.
public struct ModelInput: Sendable, Equatable, Codable {
    public var sampleRateHz: Double
    public var windowSamples: Int
    public var bandLowHz: Double
    public var bandHighHz: Double
    public var bandOrder: Int
    /// PPG (1) plus accelerometer axes (3).
    public var channels: Int

    /// 8 s at 32 Hz, 0.5–4 Hz, four channels: the baseline's input.
    public static let standard = ModelInput(sampleRateHz: 32, windowSamples: 256, bandLowHz: 0.5, bandHighHz: 4, bandOrder: 4, channels: 4)

    public init(sampleRateHz: Double, windowSamples: Int, bandLowHz: Double, bandHighHz: Double, bandOrder: Int, channels: Int) {
        self.sampleRateHz = sampleRateHz
        self.windowSamples = windowSamples
        self.bandLowHz = bandLowHz
        self.bandHighHz = bandHighHz
        self.bandOrder = bandOrder
        self.channels = channels
    }

    /// The input shape of a model: `[channels, windowSamples]`.
    public var shape: [Int] { [channels, windowSamples] }

    /// Analysis rates a model may read.
    public static let sampleRateRangeHz = 1.0...1000.0
    /// Window lengths a model may read.
    public static let windowSamplesRange = 2...65_536
    /// Band-pass orders the input pipeline designs (higher Butterworth orders are numerically unsound).
    public static let bandOrderRange = 1...8
    /// Channels the input pipeline fills: the PPG, then up to three accelerometer axes.
    public static let channelsRange = 1...4

    /// What makes this input unusable, naming the field and the accepted range; `nil` when it is usable.
    public var problem: String? {
        if !Self.sampleRateRangeHz.contains(sampleRateHz) {
            return "sampleRateHz \(sampleRateHz) lies outside \(Self.sampleRateRangeHz) Hz"
        }
        if !Self.windowSamplesRange.contains(windowSamples) {
            return "windowSamples \(windowSamples) lies outside \(Self.windowSamplesRange)"
        }
        if !Self.bandOrderRange.contains(bandOrder) { return "bandOrder \(bandOrder) lies outside \(Self.bandOrderRange)" }
        if !Self.channelsRange.contains(channels) { return "channels \(channels) lies outside \(Self.channelsRange)" }
        guard bandLowHz > 0, bandLowHz < bandHighHz, bandHighHz < sampleRateHz / 2 else {
            return "the band \(bandLowHz)–\(bandHighHz) Hz must rise from above 0 to below the Nyquist frequency "
                + "\(sampleRateHz / 2) Hz"
        }
        return nil
    }
}

/// The heart rates a model scores: `count` bins from `firstBpm`, `binBpm` apart.
public struct RateBins: Sendable, Equatable, Codable {
    public var firstBpm: Double
    public var binBpm: Double
    public var count: Int

    public init(firstBpm: Double, binBpm: Double, count: Int) {
        self.firstBpm = firstBpm
        self.binBpm = binBpm
        self.count = count
    }

    /// The rate of bin `k`.
    public func bpm(_ k: Int) -> Double { firstBpm + Double(k) * binBpm }

    /// Heart rates a grid may span.
    public static let rangeBpm = 10.0...400.0
    /// Bin widths a grid may use.
    public static let binWidthRangeBpm = 0.01...20.0
    /// Bin counts a grid may have.
    public static let countRange = 2...10_000

    /// What makes this grid unusable, naming the field and the accepted range; `nil` when it is usable.
    public var problem: String? {
        if !Self.countRange.contains(count) { return "count \(count) lies outside \(Self.countRange)" }
        if !Self.binWidthRangeBpm.contains(binBpm) { return "binBpm \(binBpm) lies outside \(Self.binWidthRangeBpm) BPM" }
        if !Self.rangeBpm.contains(firstBpm) || !Self.rangeBpm.contains(bpm(count - 1)) {
            return "the bins span \(firstBpm)–\(bpm(count - 1)) BPM, outside the heart rates \(Self.rangeBpm) BPM"
        }
        return nil
    }

    /// A training target for `bpm`: a Gaussian of `sigmaBpm` over the bins, summing to 1.
    public func target(bpm: Double, sigmaBpm: Double) -> [Float] {
        let weights = (0..<count).map { k -> Double in
            let z = (self.bpm(k) - bpm) / sigmaBpm
            return Foundation.exp(-0.5 * z * z)
        }
        let total = max(weights.reduce(0, +), 1e-12)
        return weights.map { Float($0 / total) }
    }
}
