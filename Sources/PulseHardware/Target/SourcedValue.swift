/// A constant of a target with where it comes from: a datasheet, a paper, a measurement, or the fit that set it.
public struct SourcedValue: Sendable, Equatable, Codable {
    /// The constant, in the unit its field's name says.
    public var value: Double
    /// Where the value comes from, or what it was fitted to.
    public var source: String

    /// A constant `value` taken from `source`.
    public init(_ value: Double, source: String) {
        self.value = value
        self.source = source
    }
}
