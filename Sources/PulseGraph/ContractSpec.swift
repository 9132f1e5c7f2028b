/// The axes of a `contract` instruction, einsum-style: `"oik,ikt->ot"` multiplies the two operands and sums over
/// every label missing from the output (`i`, `k`). Labels are single letters; each operand names each of its
/// axes once. Every label of an operand appears in the output or in the other operand.
public struct ContractSpec: Sendable, Equatable {
    public var left: [Character]
    public var right: [Character]
    public var output: [Character]

    /// The label the executor gives the implicit batch axis of an activation operand.
    static let batch: Character = "#"

    /// Parses `"ab,bc->ac"`.
    /// - Throws: `GraphError` for a malformed spec, a repeated label, or a label that appears nowhere else.
    public init(_ text: String) throws {
        let sides = text.split(separator: "-", maxSplits: 1)
        guard sides.count == 2, sides[1].first == ">" else { throw GraphError("contract spec \(text) needs the form \"ab,bc->ac\"") }
        let operands = sides[0].split(separator: ",", omittingEmptySubsequences: false)
        guard operands.count == 2 else { throw GraphError("contract spec \(text) needs exactly two operands") }
        guard !text.contains(Self.batch) else { throw GraphError("contract spec \(text): \(Self.batch) is the batch axis's label, not one to name") }
        try self.init(left: Array(operands[0]), right: Array(operands[1]), output: Array(sides[1].dropFirst()))
    }

    init(left: [Character], right: [Character], output: [Character]) throws {
        self.left = left
        self.right = right
        self.output = output
        for labels in [left, right, output] {
            guard Set(labels).count == labels.count else { throw GraphError("contract spec \(text) repeats a label in one operand") }
            guard labels.allSatisfy({ $0.isLetter || $0 == Self.batch }) else { throw GraphError("contract spec \(text) has a label that is not a letter") }
        }
        for label in left where !output.contains(label) && !right.contains(label) {
            throw GraphError("contract spec \(text): label \(label) appears only in the left operand")
        }
        for label in right where !output.contains(label) && !left.contains(label) {
            throw GraphError("contract spec \(text): label \(label) appears only in the right operand")
        }
        for label in output where !left.contains(label) && !right.contains(label) {
            throw GraphError("contract spec \(text): output label \(label) is in neither operand")
        }
    }

    public var text: String { String(left) + "," + String(right) + "->" + String(output) }

    /// The spec with the batch label added in front of each batched operand and, if any is batched, of the output.
    func batched(left leftBatched: Bool, right rightBatched: Bool) throws -> ContractSpec {
        try ContractSpec(
            left: leftBatched ? [Self.batch] + left : left,
            right: rightBatched ? [Self.batch] + right : right,
            output: leftBatched || rightBatched ? [Self.batch] + output : output)
    }

    /// The extent of every label, from the operands' shapes.
    /// - Throws: `GraphError` when the ranks do not match the labels or a label has two extents.
    func extents(left leftShape: [Int], right rightShape: [Int]) throws -> [Character: Int] {
        guard leftShape.count == left.count, rightShape.count == right.count else {
            throw GraphError("contract \(text): operands of shapes \(leftShape) and \(rightShape) do not match the labels")
        }
        var extents: [Character: Int] = [:]
        for (label, extent) in zip(left + right, leftShape + rightShape) {
            if let known = extents[label], known != extent {
                throw GraphError("contract \(text): label \(label) is \(known) in one operand and \(extent) in the other")
            }
            extents[label] = extent
        }
        return extents
    }

    /// Output shape for operands of the given shapes.
    func outputShape(left leftShape: [Int], right rightShape: [Int]) throws -> [Int] {
        let extents = try extents(left: leftShape, right: rightShape)
        return output.map { extents[$0] ?? 0 }
    }

    /// Multiply-accumulates of one evaluation: the product of every label's extent.
    func multiplyAccumulates(left leftShape: [Int], right rightShape: [Int]) throws -> Int {
        let extents = try extents(left: leftShape, right: rightShape)
        return Set(left + right).reduce(1) { $0 * (extents[$1] ?? 1) }
    }
}
