import PulseGraph

extension NCNNImportSession {
    /// `Pooling` of a `[c, h, w]` blob: 0 type (0 max, 1 average), 4 global (`GlobalPool`: `[c, h, w]` → `[c]`),
    /// else a `Pool2d` with 1/11 kernel w/h, 2/12 stride w/h (each `h` defaulting to its `w`), 3/14/13/15 pads
    /// left/right/top/bottom (right and top default to left, bottom to top) and 5 pad mode: 0 "full", ncnn's
    /// default, pads `(stride − (extent + pads − kernel) mod stride) mod stride` more zeros at the end of each axis
    /// so that the window count rounds up (`⌈(extent + pads − kernel) / stride⌉ + 1`, Caffe's ceil mode); 1 valid
    /// (rounds down); 2 and 3 SAME_UPPER and SAME_LOWER (the explicit pads ignored). 7 adaptive pooling to 8/18
    /// out w/h is taken when the output divides the input (windows of `in / out`).
    ///
    /// The padded positions hold zeros, which take part in the maximum (where ncnn pads −FLT_MAX: the same after a
    /// ReLU) and in the mean (where ncnn, by default, divides by the positions inside the blob): the costs are
    /// ncnn's, the values at padded borders may differ.
    mutating func pooling() throws {
        let x = try bottom()
        let kind: Primitive.ReduceKind
        switch try int(0, 0) {
        case 0: kind = .max
        case 1: kind = .mean
        case let other: throw error("pooling_type \(other) is not supported (0 max, 1 average)")
        }
        if try int(4, 0) != 0 {
            let pool = GlobalPool(layer.name, kind: kind)
            return try setTop(try build { graph in try pool(x, in: &graph) })
        }
        let (_, h, w) = try image(x)
        if try int(7, 0) != 0 {
            let outW = try int(8, 0, in: Self.extents), outH = try int(18, outW, in: Self.extents)
            guard h % outH == 0, w % outW == 0 else { throw error("adaptive pooling of \(h) × \(w) to \(outH) × \(outW) has uneven windows") }
            let pool = Pool2d(layer.name, kind: kind, size: (h / outH, w / outW))
            return try setTop(try build { graph in try pool(x, in: &graph) })
        }
        let kw = try int(1, 0, in: Self.extents), kh = try int(11, kw, in: Self.extents)
        let sw = try int(2, 1, in: Self.extents), sh = try int(12, sw, in: Self.extents)
        let pads = 0...Graph.maximumExtent
        let left = try int(3, 0, in: pads), right = try int(14, left, in: pads), top = try int(13, left, in: pads), bottom = try int(15, top, in: pads)
        let mode = try int(5, 0)
        let vertical = try poolingPadding(mode: mode, extent: h, kernel: kh, stride: sh, pads: (top, bottom))
        let horizontal = try poolingPadding(mode: mode, extent: w, kernel: kw, stride: sw, pads: (left, right))
        let pool = Pool2d(layer.name, kind: kind, size: (kh, kw), stride: (sh, sw),
                          padding: (vertical.before, vertical.after, horizontal.before, horizontal.after))
        try setTop(try build { graph in try pool(x, in: &graph) })
    }

    /// The zeros before and after one axis of a pooling under pad mode `mode` (see `pooling()`).
    func poolingPadding(mode: Int, extent: Int, kernel: Int, stride: Int, pads: (before: Int, after: Int)) throws -> (before: Int, after: Int) {
        switch mode {
        case 0:
            let span = extent + pads.before + pads.after - kernel
            guard span >= 0 else { throw error("a window of \(kernel) exceeds the padded extent \(extent + pads.before + pads.after)") }
            let tail = span % stride == 0 ? 0 : stride - span % stride
            return (pads.before, pads.after + tail)
        case 1: return pads
        case 2, 3: return Self.samePadding(extent: extent, span: kernel, stride: stride, lower: mode == 3)
        default: throw error("pad_mode \(mode) is not supported (0 full, 1 valid, 2 SAME_UPPER, 3 SAME_LOWER)")
        }
    }
}
