import PulseGraph

extension NCNNImportSession {
    /// `Split` (every top is the bottom) and `Noop` (top `i` is bottom `i`, or the one bottom): no instructions.
    mutating func alias() throws {
        for position in layer.tops.indices {
            try setTop(try bottom(layer.type == "Noop" && position < layer.bottoms.count ? position : 0), position)
        }
    }

    /// The axis of a blob of `rank` axes that ncnn's `axis` names (negative: counted from the end); ncnn's axes of
    /// `[c, h, w]` are in that order, as the graph's are.
    func axis(_ axis: Int, rank: Int) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard (0..<rank).contains(resolved) else { throw error("axis \(axis) is outside a blob of \(rank) axes") }
        return resolved
    }

    /// `Concat` of every bottom along 0 axis (default 0, the channels).
    mutating func concat() throws {
        let values = try bottoms()
        guard let first = values.first else { throw error("has no bottom to join") }
        try setTop(try append(.concat(axis: try axis(try int(0, 0), rank: shape(first).count)), values))
    }

    /// `Slice` along 1 axis into one part per top: sizes from array 0 (`-23300`; -233 takes an even share of
    /// what is left, `(extent − start) / (tops left)`, as ncnn does), or else cut points from array 2 (negative:
    /// from the end; the last part takes the rest).
    mutating func slice() throws {
        let x = try bottom()
        let along = try axis(try int(1, 0), rank: shape(x).count)
        let extent = shape(x)[along]
        let tops = layer.tops.count
        var start = 0
        for position in 0..<tops {
            let count: Int
            if let sizes = try integers(0) {
                guard sizes.count >= tops else { throw error("has \(tops) tops but \(sizes.count) slice sizes") }
                count = sizes[position] == -233 ? (extent - start) / (tops - position) : sizes[position]
            } else if let cuts = try integers(2) {
                guard cuts.count >= tops - 1 else { throw error("has \(tops) tops but \(cuts.count) slice indices") }
                count = position == tops - 1 ? extent - start : (cuts[position] < 0 ? extent + cuts[position] : cuts[position]) - start
            } else {
                throw error("sets neither slice sizes (-23300) nor slice indices (-23302)")
            }
            guard count >= 1, count <= extent - start else { throw error("part \(position) of \(count) does not fit the \(extent - start) left of axis \(along)") }
            try setTop(try append(.slice(axis: along, start: start, count: count), [x]), position)
            start += count
        }
    }

    /// `Flatten`: the blob as one axis of all its values.
    mutating func flatten() throws {
        let x = try bottom()
        try setTop(try append(.reshape(shape: [shape(x).reduce(1, *)]), [x]))
    }

    /// `Reshape` to 0 w, 1 h, 2 c: an unset `c` gives `[h, w]`, an unset `h` too `[w]`; 0 keeps the input's axis of
    /// that name (1 where it has none), −1 is inferred from the count of values. Permuting (3) and 4-D shapes (11)
    /// are refused.
    mutating func reshape() throws {
        let x = try bottom()
        guard try int(3, 0) == 0 else { throw error("reshape with permute=1 is not supported") }
        guard try int(11, -233) == -233 else { throw error("4-D reshapes (d = key 11) are not supported") }
        let dims = shape(x)
        let count = dims.reduce(1, *)
        let input = [dims.count >= 3 ? dims[dims.count - 3] : 1, dims.count >= 2 ? dims[dims.count - 2] : 1, dims.last ?? 1]
        let (w, h, c) = (try int(0, -233), try int(1, -233), try int(2, -233))
        let requested: [Int]
        let kept: ArraySlice<Int>
        if w == -233 {
            throw error("sets no shape (0=w 1=h 2=c)")
        } else if h == -233 {
            (requested, kept) = ([w], input[2...])
        } else if c == -233 {
            (requested, kept) = ([h, w], input[1...])
        } else {
            (requested, kept) = ([c, h, w], input[0...])
        }
        var target = zip(requested, kept).map { $0 == 0 ? $1 : $0 }
        let inferred = target.indices.filter { target[$0] == -1 }
        guard inferred.count <= 1, target.allSatisfy({ $0 == -1 || Self.extents.contains($0) }) else {
            throw error("shape \(Array(requested.reversed())) (w, h, c) is not a shape to reshape to")
        }
        if let unknown = inferred.first {
            let known = target.filter { $0 != -1 }.reduce(1, *)
            guard count % known == 0 else { throw error("cannot infer an axis of \(target) from \(count) values") }
            target[unknown] = count / known
        }
        try setTop(try append(.reshape(shape: target), [x]))
    }

    /// `ShuffleChannel` with 0 groups `g` over `[g·n, h, w]`: output channel `i·g + j` is input channel `j·n + i`,
    /// the `[g, n]` channel grid transposed. With no transpose instruction: reshape to `[g, n, h·w]`, slice each
    /// group, reshape each to `[n, 1, h·w]`, join them along axis 1 (`[n, g, h·w]`) and reshape back. 1 reverse
    /// transposes the other way, a shuffle with `n` groups.
    mutating func shuffleChannel() throws {
        let x = try bottom()
        let (c, h, w) = try image(x)
        let group = try int(0, 1, in: Self.extents)
        guard c % group == 0 else { throw error("\(group) groups do not divide \(c) channels") }
        let groups = try int(1, 0) == 0 ? group : c / group
        guard groups > 1, groups < c else { return try setTop(x) }
        let perGroup = c / groups
        let grid = try append(.reshape(shape: [groups, perGroup, h * w]), [x])
        let parts = try (0..<groups).map { group in
            try append(.reshape(shape: [perGroup, 1, h * w]), [try append(.slice(axis: 0, start: group, count: 1), [grid])])
        }
        let transposed = try append(.concat(axis: 1), parts)
        try setTop(try append(.reshape(shape: [c, h, w]), [transposed]))
    }
}
