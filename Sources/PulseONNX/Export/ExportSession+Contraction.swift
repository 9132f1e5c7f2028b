import PulseGraph

extension ExportSession {
    /// A `contract` as one `MatMul`, with a `Transpose` and a `Reshape` of an operand or of the product only where the
    /// axes need them. The operand that carries the batch axis (if one does) is the left factor `A`, arranged as
    /// `[N, shared…, rows…, contracted]`; the other is `B`, `[shared…, contracted, columns]`. Rows stay separate axes
    /// when `B` has no batch axes, so that `"ft,ct->cf"` (the DFT) is one `MatMul` of `[N, C, T]` by the constant
    /// `[T, F]`. A parameter or constant is stored already in the order and shape the product reads.
    mutating func exportContraction(_ spec: ContractSpec, at index: Int) throws {
        let instruction = graph.instructions[index]
        let layer = instruction.layer
        let swapped = batched[instruction.inputs[1]] && !batched[instruction.inputs[0]]
        let (x, y) = swapped ? (instruction.inputs[1], instruction.inputs[0]) : (instruction.inputs[0], instruction.inputs[1])
        let batch = ContractSpec.batch
        let xLabels = (batched[x] ? [batch] : []) + (swapped ? spec.right : spec.left)
        let yLabels = (batched[y] ? [batch] : []) + (swapped ? spec.left : spec.right)
        let outputLabels = (batched[index] ? [batch] : []) + spec.output
        var extents: [Character: Int] = [batch: 0]
        for (label, extent) in zip(xLabels.filter { $0 != batch }, shape(x)) { extents[label] = extent }
        for (label, extent) in zip(yLabels.filter { $0 != batch }, shape(y)) { extents[label] = extent }
        func dims(_ labels: [Character]) -> [Int] { labels.map { extents[$0] ?? 1 } }
        func size(_ labels: [Character]) -> Int { labels.reduce(1) { $0 * (extents[$1] ?? 1) } }

        let lead: [Character] = batched[x] ? [batch] : []
        let shared = outputLabels.filter { $0 != batch && xLabels.contains($0) && yLabels.contains($0) }
        let contracted = xLabels.filter { yLabels.contains($0) && !outputLabels.contains($0) }
        let rows = xLabels.filter { $0 != batch && !yLabels.contains($0) }
        let columns = yLabels.filter { !xLabels.contains($0) }
        let mergeRows = batched[y] || !shared.isEmpty
        var aDims = dims(lead).map { _ in 0 } + dims(shared) + (mergeRows ? [size(rows)] : dims(rows)) + [size(contracted)]
        if aDims.count == 1 { aDims.insert(1, at: 0) }
        let bLead: [Character] = batched[y] ? [batch] : []
        let bDims = bLead.map { _ in 0 } + dims(shared) + [size(contracted), size(columns)]
        let a = try arrange(x, labels: xLabels, order: lead + shared + rows + contracted, dims: aDims, layer: layer)
        let b = try arrange(y, labels: yLabels, order: bLead + shared + contracted + columns, dims: bDims, layer: layer)
        var product = builder.addNode("MatMul", [a, b], name: layer)

        let productLabels = lead + shared + rows + columns
        let productDims = Array(aDims.dropLast()) + [size(columns)]
        let wanted = productLabels.map { $0 == batch ? 0 : extents[$0] ?? 1 }
        if productDims != wanted {
            let target = builder.addInitializer(integers: wanted, name: layer + "/shape")
            product = builder.addNode("Reshape", [product, target], name: layer)
        }
        let order = outputLabels.compactMap { productLabels.firstIndex(of: $0) }
        guard order.count == outputLabels.count else {
            throw ONNXError(location(index), "contract \(spec) names an output axis in neither operand")
        }
        if order != Array(order.indices) {
            product = builder.addNode("Transpose", [product], [ONNXAttribute.ints("perm", order)], name: layer)
        }
        record(index, product, .plain)
    }

    /// Operand `operand`, whose axes are `labels`, with its axes in `order` and then of shape `dims` (a 0 stands for
    /// the batch axis, always first): a parameter or constant is stored so; an activation gets a `Transpose` and a
    /// `Reshape` where they change something.
    private mutating func arrange(_ operand: Int, labels: [Character], order: [Character], dims: [Int], layer: String) throws -> String {
        let permutation = order.compactMap { labels.firstIndex(of: $0) }
        guard permutation.count == labels.count else {
            throw ONNXError(location(operand), "the axes \(String(labels)) cannot be ordered as \(String(order))")
        }
        if isLeaf(operand) { return try leaf(operand, shape: dims, order: permutation) }
        var input = try value(operand, .plain)
        if permutation != Array(permutation.indices) {
            input = builder.addNode("Transpose", [input], [ONNXAttribute.ints("perm", permutation)], name: layer)
        }
        let batched = batched[operand]
        let current = (batched ? [0] : []) + permutation.dropFirst(batched ? 1 : 0).map { shape(operand)[$0 - (batched ? 1 : 0)] }
        if current != dims {
            let target = builder.addInitializer(integers: dims, name: layer + "/shape")
            input = builder.addNode("Reshape", [input, target], name: layer)
        }
        return input
    }
}
