/// The power of two that brings a channel to a level near 1 before filtering, so that counts near Float's limits
/// or denormal values neither overflow nor vanish in the filters and spectra. The estimators are scale-invariant,
/// and scaling by a power of two is exact in floating point, so the scale changes no estimate.
///
/// The level is the median magnitude of the first `levelSamples` finite non-zero samples among the
/// `searchSamples` that start at the channel's first sample that is neither zero nor NaN. A median of several
/// samples, not the first one alone, so that one extreme sample (1e-45, or Float's maximum) cannot set a scale that
/// pushes every other sample out of range. It is known a few samples into the channel, so a stream can hold them
/// back and scale exactly as offline (`ChannelConditioner`).
///
/// A sample whose scaled magnitude exceeds `limit` (2²⁴ times the level: beyond any real sensor's range above its
/// own level) is corrupt and counts as missing: it becomes NaN, and the conditioning bridges it as a gap, so that
/// one such sample cannot ring through the filters for the rest of the recording.
public struct ChannelScale: Sendable, Equatable {
    /// The factor, `2⁻ᵉ` where `e` is the binary exponent of the level.
    public let factor: Double

    /// Finite non-zero samples whose median magnitude sets the level.
    public static let levelSamples = 9
    /// Samples, counted from the first that is neither zero nor NaN, within which those are sought.
    public static let searchSamples = 64
    /// The largest magnitude of a scaled sample that is not taken as corrupt.
    public static let limit = 0x1p24

    /// The identity scale.
    public static let unit = ChannelScale(factor: 1)

    private init(factor: Double) { self.factor = factor }

    /// The scale for the median of `levels` (magnitudes of finite non-zero samples); the identity when empty.
    public init(levels: [Float]) {
        guard !levels.isEmpty else {
            self = .unit
            return
        }
        let median = levels.sorted()[(levels.count - 1) / 2]
        factor = Double(sign: .plus, exponent: -Double(median).exponent, significand: 1)
    }

    /// The scale of a whole channel, by the rule above.
    public init(of channel: [Float]) {
        guard let start = channel.firstIndex(where: { !$0.isNaN && $0 != 0 }) else {
            self = .unit
            return
        }
        let searched = channel[start..<min(channel.count, start + Self.searchSamples)]
        self.init(levels: Array(searched.lazy.filter { $0.isFinite && $0 != 0 }.map(\.magnitude).prefix(Self.levelSamples)))
    }

    /// Whether `sample` is counted as a level: finite and non-zero.
    public static func isLevel(_ sample: Float) -> Bool { sample.isFinite && sample != 0 }

    /// `sample` times the factor, or NaN when the result's magnitude exceeds `limit` (NaN stays NaN).
    public func apply(_ sample: Float) -> Float {
        let scaled = Double(sample) * factor
        return scaled.magnitude <= Self.limit ? Float(scaled) : .nan
    }
}
