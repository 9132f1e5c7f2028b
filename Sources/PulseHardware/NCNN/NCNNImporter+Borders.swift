import PulseGraph

extension NCNNImportSession {
    /// `Crop`, as one slice per cut axis, in ncnn's three forms: NumPy-style `starts`/`ends` (arrays 9, 10; -233 the
    /// whole axis; negative from the end; an end of 0 the end) over `axes` (array 11, default every axis); a second
    /// bottom whose `h` and `w` (and `c` when 3-D) the output takes, from offsets 0 w, 1 h, 2 c; else offsets 0/1/2
    /// and sizes 3/4/5 (w, h, c), where a size of -233 or unset takes the rest of the axis less the end offsets
    /// 6/7/8.
    mutating func crop() throws {
        var x = try bottom()
        let dims = shape(x)
        let rank = dims.count
        var regions = dims.map { (start: 0, count: $0) }
        if let starts = try integers(9), let ends = try integers(10), !starts.isEmpty, !ends.isEmpty {
            let axes = try integers(11).flatMap { $0.isEmpty ? nil : $0 } ?? Array(0..<rank)
            guard starts.count >= axes.count, ends.count >= axes.count else { throw error("has \(axes.count) axes but \(starts.count) starts and \(ends.count) ends") }
            for (position, named) in axes.enumerated() {
                let along = try axis(named, rank: rank)
                let extent = dims[along]
                let start = starts[position] == -233 ? 0 : starts[position]
                let end = ends[position] == -233 ? extent : ends[position]
                guard (-extent...extent).contains(start), (-extent...Graph.maximumExtent).contains(end) else {
                    throw error("crop from \(start) to \(end) is outside axis \(along) of \(extent)")
                }
                let first = start >= 0 ? start : extent + start
                regions[along] = (first, min(extent, end > 0 ? end : extent + end) - first)
            }
        } else if layer.bottoms.count > 1 {
            let reference = shape(try bottom(1))
            for along in 0..<rank {
                let name = rank - 1 - along
                let size: Int
                switch name {
                case 0: size = reference.last ?? 1
                case 1: size = reference.count >= 2 ? reference[reference.count - 2] : 1
                default: size = reference.count == 3 ? reference[0] : dims[along]
                }
                regions[along] = (try int(name, 0, in: 0...Graph.maximumExtent), size)
            }
        } else {
            for along in 0..<rank {
                let name = rank - 1 - along
                let offsets = 0...Graph.maximumExtent
                let offset = try int(name, 0, in: offsets), endOffset = try int(6 + name, 0, in: offsets), size = try int(3 + name, -233)
                let rest = dims[along] - offset - endOffset
                regions[along] = (offset, size == -233 ? rest : min(size, rest))
            }
        }
        for (along, region) in regions.enumerated() where region.start != 0 || region.count != dims[along] {
            guard region.start >= 0, region.count >= 1, region.start + region.count <= dims[along] else {
                throw error("crop of \(region.count) from \(region.start) does not fit axis \(along) of \(dims)")
            }
            x = try append(.slice(axis: along, start: region.start, count: region.count), [x])
        }
        try setTop(x)
    }

    /// `Padding` with zeros: 0 top and 1 bottom (the `h` axis), 2 left and 3 right (`w`), 7 front and 8 behind
    /// (`c`), each 0 by default. Other fillings (4 type ≠ 0, 5 value ≠ 0, 6 per-channel values) and pads read from
    /// more bottoms are refused.
    mutating func padding() throws {
        var x = try bottom()
        guard layer.bottoms.count == 1 else { throw error("pads read from a bottom blob are not supported") }
        guard try int(4, 0) == 0, float(5, 0) == 0, try int(6, 0) == 0 else {
            throw error("only padding with zeros (4=0, 5=0, no per-channel values) is supported")
        }
        let range = 0...Graph.maximumExtent
        let rank = shape(x).count
        let sides = [(rank - 3, try int(7, 0, in: range), try int(8, 0, in: range)),
                     (rank - 2, try int(0, 0, in: range), try int(1, 0, in: range)),
                     (rank - 1, try int(2, 0, in: range), try int(3, 0, in: range))]
        for (along, before, after) in sides where along >= 0 && (before > 0 || after > 0) {
            x = try append(.pad(axis: along, before: before, after: after), [x])
        }
        try setTop(x)
    }
}
