import PulseGraph

extension NCNNImportSession {
    /// The shape `0=w 1=h 2=c` describes: `[c, h, w]` when `c` is set, `[h, w]` when `h` is, else `[w]` (an unset
    /// `h` or `w` below a set axis counts as 1); the shape hint's when none is set. 4-D blobs (`11=d`) are refused.
    func declaredShape() throws -> [Int] {
        let (w, h, c) = (try int(0, 0, in: 0...Graph.maximumExtent), try int(1, 0, in: 0...Graph.maximumExtent), try int(2, 0, in: 0...Graph.maximumExtent))
        guard try int(11, 0) == 0 else { throw error("4-D blobs (d = key 11) are not supported") }
        if c > 0 { return [c, max(h, 1), max(w, 1)] }
        if h > 0 { return [h, max(w, 1)] }
        if w > 0 { return [w] }
        guard let hint = try hintedShape(0) else { throw error("sets no size (0=w 1=h 2=c) and has no shape hint") }
        return hint
    }

    /// `Input`: the model's input named after its blob, of the declared shape.
    mutating func input() throws {
        let shape = try declaredShape()
        try setTop(try append(.input(name: layer.tops.first ?? layer.name), shape: shape))
    }

    /// `MemoryData`: a constant blob stored in the model, imported as the parameter `<name>.data`.
    mutating func memoryData() throws {
        let shape = try declaredShape()
        try setTop(try append(.param(name: layer.name + ".data"), shape: shape))
    }
}
