import PulseGraph
/// A value during execution: row-major data with its full shape, whose first axis is the batch when `batched`.
struct Value {
    var data: [Float]
    var shape: [Int]
    var batched: Bool

    /// The runtime index of static axis `axis`.
    func runtimeAxis(_ axis: Int) -> Int { batched ? axis + 1 : axis }

    /// `(outer, length, inner)` sizes around runtime axis `axis`.
    func around(_ axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// The shape used for broadcasting against another value: a leading batch axis (1 when batchless) when either
    /// is batched, then the static axes padded on the left to `rank`.
    func broadcastShape(rank: Int, withBatch: Bool) -> [Int] {
        let staticShape = batched ? Array(shape.dropFirst()) : shape
        let padded = [Int](repeating: 1, count: rank - staticShape.count) + staticShape
        guard withBatch else { return padded }
        return [batched ? shape[0] : 1] + padded
    }
}
