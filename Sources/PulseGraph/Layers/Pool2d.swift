/// Pooling over the height and width of `[channels, height, width]`, one axis after the other: for each axis,
/// `pad → window(size, stride) → reduce(mean | max)`. The mean or maximum over a rectangle is the mean or maximum
/// of the per-axis ones, so each axis becomes one pooling kernel. Padded zeros take part in the mean and the
/// maximum (after a ReLU, the maximum is unchanged).
public struct Pool2d: Layer, Sendable {
    /// The layer's name.
    public let name: String
    /// Mean or maximum (or sum).
    public let kind: Primitive.ReduceKind
    /// Positions per window along height and width.
    public let size: (height: Int, width: Int)
    /// Positions between windows along height and width.
    public let stride: (height: Int, width: Int)
    /// Zeros before and after the height axis, then the width axis.
    public let padding: (top: Int, bottom: Int, left: Int, right: Int)

    /// A pooling layer named `name`; `stride` defaults to `size`.
    public init(_ name: String, kind: Primitive.ReduceKind, size: (height: Int, width: Int), stride: (height: Int, width: Int)? = nil,
                padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0)) {
        self.name = name
        self.kind = kind
        self.size = size
        self.stride = stride ?? size
        self.padding = padding
    }

    /// Appends the pooling after `input` (`[channels, height, width]`).
    /// - Throws: `GraphError` when the window does not fit the padded input.
    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        var x = input
        let axes = [(axis: 1, size: size.height, stride: stride.height, before: padding.top, after: padding.bottom),
                    (axis: 2, size: size.width, stride: stride.width, before: padding.left, after: padding.right)]
        for pass in axes where pass.size > 1 || pass.stride > 1 || pass.before > 0 || pass.after > 0 {
            if pass.before > 0 || pass.after > 0 {
                x = try graph.append(.pad(axis: pass.axis, before: pass.before, after: pass.after), [x], layer: name)
            }
            x = try graph.append(.window(axis: pass.axis, size: pass.size, stride: pass.stride, dilation: 1), [x], layer: name)
            x = try graph.append(.reduce(kind: kind, axes: [pass.axis]), [x], layer: name)
        }
        return x
    }
}

/// The mean or maximum over every axis after the first: `[channels, spatial…] → [channels]`.
public struct GlobalPool: Layer, Sendable {
    /// The layer's name.
    public let name: String
    /// Mean or maximum (or sum).
    public let kind: Primitive.ReduceKind

    /// A global pooling layer named `name`.
    public init(_ name: String, kind: Primitive.ReduceKind) {
        self.name = name
        self.kind = kind
    }

    /// Appends the reduction after `input`.
    /// - Throws: `GraphError` when the input has no axis after the channels.
    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        let rank = graph.instructions[input].shape.count
        guard rank >= 2 else { throw GraphError("\(name): the input \(graph.instructions[input].shape) has no axis to pool over") }
        return try graph.append(.reduce(kind: kind, axes: Array(1..<rank)), [input], layer: name)
    }
}

/// Softmax over the first axis of `[classes, rest…]`, numerically stable: `exp(x − max) / Σ exp(x − max)`.
public struct Softmax: Layer, Sendable {
    /// The layer's name.
    public let name: String

    /// A softmax layer named `name`.
    public init(_ name: String) { self.name = name }

    /// Appends the softmax after `input`.
    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        var kept = graph.instructions[input].shape
        kept[0] = 1
        let peak = try graph.append(.reshape(shape: kept), [try graph.append(.reduce(kind: .max, axes: [0]), [input], layer: name)], layer: name)
        let exponentials = try graph.append(.exp, [try graph.append(.sub, [input, peak], layer: name)], layer: name)
        let total = try graph.append(.reshape(shape: kept), [try graph.append(.reduce(kind: .sum, axes: [0]), [exponentials], layer: name)], layer: name)
        return try graph.append(.div, [exponentials, total], layer: name)
    }
}
