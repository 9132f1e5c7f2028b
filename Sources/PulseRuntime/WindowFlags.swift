/// What went wrong in a streamed window. Windows with `gap`, `nan` or `flat` cannot be analysed; the others carry
/// an estimate and say what it had to cope with.
public struct WindowFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Timestamps jumped: the missing samples were filled with NaN.
    public static let gap = WindowFlags(rawValue: 1 << 0)
    /// A sample arrived as NaN or infinite.
    public static let nan = WindowFlags(rawValue: 1 << 1)
    /// A sample came with a timestamp at or before the previous one (out of order or duplicated) and was dropped.
    public static let disordered = WindowFlags(rawValue: 1 << 2)
    /// The sample clock slipped against the timestamps by a whole sample (rate drift, or one lost sample): a
    /// sample was dropped or the last one repeated to keep the stream on time.
    public static let drift = WindowFlags(rawValue: 1 << 3)
    /// A channel sat at its window's extreme value for many samples: the sensor clipped.
    public static let saturated = WindowFlags(rawValue: 1 << 4)
    /// A channel was constant (or NaN) through the whole window while the window was otherwise usable.
    public static let dropout = WindowFlags(rawValue: 1 << 5)
    /// Every PPG channel was constant: no pulse to measure.
    public static let flat = WindowFlags(rawValue: 1 << 6)
    /// The stream ended before the conditioned signal covered the window.
    public static let truncated = WindowFlags(rawValue: 1 << 7)
    /// The window could not be analysed and repeats the last estimate (`InvalidWindowPolicy.hold`).
    public static let held = WindowFlags(rawValue: 1 << 8)

    /// Every flag with its name, in a fixed order.
    public static let named: [(String, WindowFlags)] = [
        ("gap", .gap), ("nan", .nan), ("disordered", .disordered), ("drift", .drift), ("saturated", .saturated),
        ("dropout", .dropout), ("flat", .flat), ("truncated", .truncated), ("held", .held),
    ]

    /// The names of the flags set, in `named` order.
    public var names: [String] { Self.named.filter { contains($0.1) }.map(\.0) }

    /// Flags that leave a window without an estimate of its own.
    public static let unanalysable: WindowFlags = [.gap, .nan, .flat, .truncated]
}
