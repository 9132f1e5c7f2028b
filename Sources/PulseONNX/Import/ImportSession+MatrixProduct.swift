import PulseGraph

extension ImportSession {
    /// `Gemm` of an activation `[N, K]` with a constant `B` (and optional constant `C`): the dense form
    /// `contract("oi,i->o")` with weight `alpha · B` as `[O, K]`, then `add` of the bias `beta · C`.
    mutating func importGemm(_ node: ONNXNode) throws {
        try node.checkAttributes(["alpha", "beta", "transA", "transB"])
        guard try node.int("transA", default: 0) == 0 else {
            throw node.error("transA 1 is not supported: it would make the batch axis the contracted one")
        }
        let x = try activationInput(node, 0)
        let source = try plain(x, node: node)
        guard shape(source).count == 1 else { throw node.error("input A must be [N, K]; it is [N] + \(shape(source))") }
        guard let b = try constantInput(node, 1, "B") else { throw node.error("input 1 (B) is missing") }
        guard b.shape.count == 2 else { throw node.error("B must be a matrix; it has shape \(b.shape)") }
        let transposed = try node.int("transB", default: 0) != 0
        let (outputs, inputs) = transposed ? (b.shape[0], b.shape[1]) : (b.shape[1], b.shape[0])
        guard inputs == shape(source)[0] else { throw node.error("B of shape \(b.shape) does not fit A of [N, \(shape(source)[0])]") }
        let alpha = try node.float("alpha", default: 1)
        let beta = try node.float("beta", default: 1)
        let weight = (transposed ? b : b.permuted([1, 0])).floats.map { $0 * alpha }
        let layer = Self.layerName(weight: b, node: node)
        let weightParameter = try newParameter(layer + ".weight", Tensor(shape: [outputs, inputs], scalars: weight), node: node)
        var output = try append(.contract(spec: try ContractSpec("oi,i->o")), [weightParameter.index, source], layer: layer, location: node.location)
        if let c = try constantInput(node, 2, "C") {
            guard c.count == 1 || c.count == outputs, c.shape.count <= 2, c.shape.count < 2 || c.shape[0] == 1 else {
                throw node.error("C of shape \(c.shape) must broadcast to [1, \(outputs)]; one per batch row is not supported")
            }
            let values = c.count == 1 ? [Float](repeating: c.floats[0], count: outputs) : c.floats
            let bias = try newParameter(layer + ".bias", Tensor(shape: [outputs], scalars: values.map { $0 * beta }), node: node)
            output = try append(.add, [output, bias.index], layer: layer, location: node.location)
        }
        try setOutput(node, .activation(ImportedActivation(output)))
    }

    /// `MatMul` (NumPy's matrix product) of an activation with a constant, either way round, or of two activations
    /// of one rank, as a `contract`. An activation `[N, K]` times a constant `[K, O]` takes the dense form (the weight
    /// stored as `[O, K]`). The batch axis must stay a batch axis: a right operand `[N, K]` and constants whose batch
    /// axes would reach past the activation's are refused, as is broadcasting an axis of 1 against a longer one.
    mutating func importMatMul(_ node: ONNXNode) throws {
        try node.checkAttributes([])
        let output: Int
        switch (try input(node, 0), try input(node, 1)) {
        case (.activation(let x), .constant(let w)):
            let source = try plain(x, node: node)
            let xShape = shape(source)
            if xShape.count == 1 && w.shape.count == 2 {
                guard w.shape[0] == xShape[0] else { throw node.error("B of shape \(w.shape) does not fit A of [N, \(xShape[0])]") }
                let layer = Self.layerName(weight: w, node: node)
                let weight = try newParameter(layer + ".weight", w.permuted([1, 0]).tensor, node: node)
                output = try append(.contract(spec: try ContractSpec("oi,i->o")), [weight.index, source], layer: layer, location: node.location)
            } else {
                let spec = try Self.productSpec(left: xShape, right: w.shape, leftBatched: true, rightBatched: false, node: node)
                let weight = try constantOperand(w, base: node.layer + ".weight", node: node)
                output = try append(.contract(spec: spec), [source, weight], node: node)
            }
        case (.constant(let w), .activation(let x)):
            let source = try plain(x, node: node)
            let spec = try Self.productSpec(left: w.shape, right: shape(source), leftBatched: false, rightBatched: true, node: node)
            output = try append(.contract(spec: spec), [try constantOperand(w, base: node.layer + ".weight", node: node), source], node: node)
        case (.activation(let x), .activation(let y)):
            let (left, right) = (try plain(x, node: node), try plain(y, node: node))
            let spec = try Self.productSpec(left: shape(left), right: shape(right), leftBatched: true, rightBatched: true, node: node)
            output = try append(.contract(spec: spec), [left, right], node: node)
        case (.constant, .constant):
            throw node.error("a product of two constants is not supported")
        }
        try setOutput(node, .activation(ImportedActivation(output)))
    }

    /// The `contract` spec of NumPy's matrix product of operands with these static shapes (an activation's without
    /// its batch axis, which must stay a batch axis in front of the result).
    private static func productSpec(left: [Int], right: [Int], leftBatched: Bool, rightBatched: Bool, node: ONNXNode) throws -> ContractSpec {
        guard !(leftBatched && left.isEmpty), !(rightBatched && right.isEmpty) else {
            throw node.error("an operand [N] has no axis besides the batch axis to multiply along")
        }
        guard left.count + right.count <= 40 else { throw node.error("operands of ranks \(left.count + 1) and \(right.count + 1) are not supported") }
        var letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ").makeIterator()
        func labels(_ count: Int) -> [Character] { (0..<count).map { _ in letters.next() ?? "z" } }
        let (k, m, n) = (labels(1), labels(1), labels(1))
        func mismatch() -> ONNXError { node.error("operands [N] + \(leftBatched ? left : right) and \(leftBatched ? right : left) do not fit a matrix product") }
        /// Labels of a constant's batch axes, which line up with the last of the activation's.
        func constantBatch(_ constant: [Int], against activation: [Character], extents: [Int]) throws -> [Character] {
            guard constant.count <= activation.count else {
                throw node.error("the constant's batch axes \(constant) would reach past the activation's batch axis")
            }
            guard Array(extents.suffix(constant.count)) == constant else {
                throw node.error("batch axes \(constant) and \(extents) differ (broadcasting an axis of 1 is not supported)")
            }
            return Array(activation.suffix(constant.count))
        }
        switch (leftBatched, rightBatched) {
        case (true, false) where left.count == 1:
            // [N, K]: the batch axis is the row axis.
            guard right.count <= 2, right.first == left[0] else { throw mismatch() }
            return try ContractSpec(left: k, right: right.count == 1 ? k : k + n, output: right.count == 1 ? [] : n)
        case (true, false):
            let batch = Array(left.dropLast(2))
            let p = labels(batch.count)
            guard right.count >= 1, right[right.count >= 2 ? right.count - 2 : 0] == left[left.count - 1] else { throw mismatch() }
            if right.count == 1 { return try ContractSpec(left: p + m + k, right: k, output: p + m) }
            let s = try constantBatch(Array(right.dropLast(2)), against: p, extents: batch)
            return try ContractSpec(left: p + m + k, right: s + k + n, output: p + m + n)
        case (false, true):
            guard right.count >= 2, left.count >= 1, left[left.count - 1] == right[right.count - 2] else {
                throw node.error("a right operand [N] + \(right) makes the batch axis a row of the matrix, or the contracted axes differ")
            }
            let batch = Array(right.dropLast(2))
            let q = labels(batch.count)
            if left.count == 1 { return try ContractSpec(left: k, right: q + k + n, output: q + n) }
            let s = try constantBatch(Array(left.dropLast(2)), against: q, extents: batch)
            return try ContractSpec(left: s + m + k, right: q + k + n, output: q + m + n)
        default:
            guard left.count == right.count, left.count >= 2, left.dropLast(2) == right.dropLast(2),
                  left[left.count - 1] == right[right.count - 2] else {
                throw node.error("activations [N] + \(left) and [N] + \(right) do not fit a matrix product of one rank")
            }
            let p = labels(left.count - 2)
            return try ContractSpec(left: p + m + k, right: p + k + n, output: p + m + n)
        }
    }
}
