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
