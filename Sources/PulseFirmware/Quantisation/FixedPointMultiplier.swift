import Foundation

/// A real multiplier `m · 2^shift / 2^31` in fixed point, applied to int32 values as CMSIS-NN's
/// `arm_nn_requantize` and TensorFlow Lite do: a left shift for `shift > 0`, a rounding doubling high multiply
/// by `m` (`(x · m + 2^30) >> 31`), then a rounding right shift by `−shift` for `shift < 0`. The C kernels
/// compute exactly the same integers.
public struct FixedPointMultiplier: Sendable, Equatable {
    /// The mantissa, in 2^30…2^31 − 1 (0 for a zero multiplier).
    public var multiplier: Int32
    /// The power of two, −31…30.
    public var shift: Int32

    /// The multiplier closest to `real` (`real ≥ 0`); values below 2^−31 become zero, values of 2^30 and more
    /// saturate at just under 2^30.
    public init(_ real: Double) {
        guard real > 0, real.isFinite else {
            multiplier = 0
            shift = 0
            return
        }
        let exponent = Int32(real.exponent) + 1
        var mantissa = (real / pow(2, Double(exponent)) * 2_147_483_648).rounded()
        var shift = exponent
        if mantissa >= 2_147_483_648 {
            mantissa /= 2
            shift += 1
        }
        if shift < -31 {
            multiplier = 0
            self.shift = 0
        } else if shift > 30 {
            multiplier = Int32.max
            self.shift = 30
        } else {
            multiplier = Int32(mantissa)
            self.shift = shift
        }
    }

    /// The real multiplier this stands for.
    public var real: Double { Double(multiplier) / 2_147_483_648 * pow(2, Double(shift)) }

    /// `x` times the multiplier, rounded to the nearest integer as the C kernels round.
    @inlinable public func apply(_ x: Int32) -> Int32 {
        let shifted = shift > 0 ? x &<< shift : x
        let product = (Int64(shifted) &* Int64(multiplier) &+ (1 << 30)) >> 31
        let high = Int32(truncatingIfNeeded: product)
        return shift < 0 ? Self.roundingShiftRight(high, by: -shift) : high
    }

    /// `x / 2^exponent` rounded to nearest, halves away from zero (gemmlowp's `RoundingDivideByPOT`).
    @inlinable static func roundingShiftRight(_ x: Int32, by exponent: Int32) -> Int32 {
        let mask: Int32 = (1 &<< exponent) &- 1
        let remainder = x & mask
        let threshold = (mask >> 1) + (x < 0 ? 1 : 0)
        return (x >> exponent) + (remainder > threshold ? 1 : 0)
    }
}
