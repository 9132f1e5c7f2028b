/// A fixed-capacity buffer addressed by absolute position: element `i` is the `i`-th ever appended, and only the
/// last `capacity` stay readable. Memory is allocated once and never grows, however long the stream.
public struct RingBuffer<Element>: Sendable where Element: Sendable {
    public let capacity: Int
    private var storage: [Element]
    /// Elements appended so far (the absolute position the next one gets).
    public private(set) var count = 0

    /// - Precondition: `capacity > 0`; traps otherwise.
    public init(capacity: Int, filler: Element) {
        precondition(capacity > 0, "a ring buffer needs room for at least one element")
        self.capacity = capacity
        storage = Array(repeating: filler, count: capacity)
    }

    /// Absolute position of the oldest element still held.
    public var oldest: Int { max(0, count - capacity) }

    public mutating func append(_ element: Element) {
        storage[count % capacity] = element
        count += 1
    }

    /// The element at absolute position `position`.
    /// - Precondition: `oldest <= position < count`; traps otherwise.
    public subscript(position: Int) -> Element {
        precondition(position >= oldest && position < count, "position \(position) is outside \(oldest)..<\(count)")
        return storage[position % capacity]
    }

    /// Copies `range` (absolute positions) into `destination`, which must hold `range.count` elements.
    /// - Precondition: the range lies within `oldest..<count`; traps otherwise.
    public func copy(_ range: Range<Int>, into destination: inout [Element]) {
        precondition(range.lowerBound >= oldest && range.upperBound <= count, "range \(range) is outside \(oldest)..<\(count)")
        for (offset, position) in range.enumerated() { destination[offset] = storage[position % capacity] }
    }
}
