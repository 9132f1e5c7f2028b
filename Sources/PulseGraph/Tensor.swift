/// A dense Float32 array with a shape, stored row-major (the last axis varies fastest).
public struct Tensor: Sendable, Equatable, Codable {
    public var shape: [Int]
    public var scalars: [Float]

    /// - Precondition: `scalars.count` is the product of `shape`; traps otherwise.
    public init(shape: [Int], scalars: [Float]) {
        precondition(scalars.count == shape.reduce(1, *), "\(scalars.count) values do not fill shape \(shape)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// Decodes a tensor, refusing one whose values do not fill its shape (a model file edited by hand, say).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try container.decode([Int].self, forKey: .shape)
        let scalars = try container.decode([Float].self, forKey: .scalars)
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            count = overflow || extent < 0 ? -1 : product
            if count < 0 { break }
        }
        guard count == scalars.count else {
            throw DecodingError.dataCorruptedError(forKey: .scalars, in: container, debugDescription: "\(scalars.count) values do not fill shape \(shape)")
        }
        self.init(shape: shape, scalars: scalars)
    }

    public var count: Int { scalars.count }

    /// Row-major strides of `shape`.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }
}
