import Foundation

/// How int8 values stand for real ones: `real = scale · (q − zeroPoint)`, with `q` in −128…127.
public struct AffineQuantisation: Sendable, Equatable {
    /// Real units per step.
    public var scale: Double
    /// The integer that stands for real zero.
    public var zeroPoint: Int32

    /// Parameters `scale` and `zeroPoint`.
    public init(scale: Double, zeroPoint: Int32) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// The parameters that cover `lower…upper` widened to include zero, so that zero is exact (padding, ReLU):
    /// `scale = (upper − lower) / 255`, `zeroPoint = −128 − round(lower / scale)`. An empty range gets scale 1.
    public init(lower: Double, upper: Double) {
        let low = min(lower, 0), high = max(upper, 0)
        let scale = high > low ? (high - low) / 255 : 1
        self.scale = scale
        zeroPoint = Int32(max(-128, min(127, -128 - (low / scale).rounded())))
    }

    /// Symmetric parameters (zero point 0) for values of magnitude at most `magnitude`: `scale = magnitude / 127`.
    public init(symmetric magnitude: Double) {
        scale = magnitude > 0 ? magnitude / 127 : 1
        zeroPoint = 0
    }

    /// `x` as the nearest int8 (halves away from zero), saturated to −128…127; NaN becomes the zero point.
    public func quantise(_ x: Double) -> Int8 {
        guard !x.isNaN else { return Int8(zeroPoint) }
        let q = (x / scale).rounded() + Double(zeroPoint)
        return Int8(max(-128, min(127, q)))
    }

    /// The real value `q` stands for.
    public func dequantise(_ q: Int8) -> Double { scale * Double(Int32(q) - zeroPoint) }
}
