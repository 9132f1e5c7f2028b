import PulseGraph

/// What post-training quantisation needs from the float model: the range of every activation over real windows,
/// and the value of every kernel that does not depend on the input (folded constants).
public struct Calibration: Sendable, Equatable {
    /// The smallest and largest value seen of each activation (model inputs and kernel outputs).
    public private(set) var ranges: [InstructionID: ClosedRange<Double>] = [:]
    /// The values of kernels that do not depend on the model's input, per sample.
    public var constants: [InstructionID: Tensor] = [:]
    /// Windows observed.
    public private(set) var windows = 0

    /// An empty calibration.
    public init() {}

    /// Widens the range of `activation` to cover `values`; non-finite values are ignored.
    public mutating func observe<S: Sequence>(_ activation: InstructionID, _ values: S) where S.Element == Float {
        var low = Double.infinity, high = -Double.infinity
        for value in values where value.isFinite {
            low = min(low, Double(value))
            high = max(high, Double(value))
        }
        guard low <= high else { return }
        if let old = ranges[activation] {
            ranges[activation] = min(old.lowerBound, low)...max(old.upperBound, high)
        } else {
            ranges[activation] = low...high
        }
    }

    /// Counts `count` more windows observed.
    public mutating func countWindows(_ count: Int) { windows += count }
}
