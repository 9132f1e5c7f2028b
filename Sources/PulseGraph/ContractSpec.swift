/// The axes of a `contract` instruction, einsum-style: `"oik,ikt->ot"` multiplies the two operands and sums over
/// every label missing from the output (`i`, `k`). Labels are single letters; each operand names each of its
/// axes once. Every label of an operand appears in the output or in the other operand.
///
/// A spec is parsed once, when it is made or decoded; it encodes as its text, so model files hold `"oik,ikt->ot"`.
public struct ContractSpec: Sendable, Hashable {
    /// The labels of the left operand's axes, in order.
    public let left: [Character]
    /// The labels of the right operand's axes, in order.
    public let right: [Character]
    /// The labels of the output's axes, in order.
    public let output: [Character]

    /// The label the executor gives the implicit batch axis of an activation operand.
    package static let batch: Character = "#"

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

    /// A spec from its three label lists, checked as `init(_:)` checks text.
    package init(left: [Character], right: [Character], output: [Character]) throws {
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

    /// The spec as text: `"oik,ikt->ot"`.
    public var text: String { String(left) + "," + String(right) + "->" + String(output) }

    /// Labels in both operands and the output: axes the product runs over in parallel, as a batch.
    public var sharedLabels: [Character] { output.filter { left.contains($0) && right.contains($0) } }
    /// Labels in both operands but not the output: the axes summed over.
    public var contractedLabels: [Character] { left.filter { right.contains($0) && !output.contains($0) } }
    /// Labels of the left operand only (and the output).
    public var leftFreeLabels: [Character] { left.filter { !right.contains($0) } }
    /// Labels of the right operand only (and the output).
    public var rightFreeLabels: [Character] { right.filter { !left.contains($0) } }

    /// The spec with the batch label added in front of each batched operand and, if any is batched, of the output.
    package func batched(left leftBatched: Bool, right rightBatched: Bool) throws -> ContractSpec {
        try ContractSpec(
            left: leftBatched ? [Self.batch] + left : left,
            right: rightBatched ? [Self.batch] + right : right,
            output: leftBatched || rightBatched ? [Self.batch] + output : output)
    }

    /// The extent of every label, from the operands' shapes.
    /// - Throws: `GraphError` when the ranks do not match the labels or a label has two extents.
    package func extents(left leftShape: [Int], right rightShape: [Int]) throws -> [Character: Int] {
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
    package func outputShape(left leftShape: [Int], right rightShape: [Int]) throws -> [Int] {
        let extents = try extents(left: leftShape, right: rightShape)
        return output.map { extents[$0] ?? 0 }
    }

    /// Multiply-accumulates of one evaluation: the product of every label's extent.
    /// - Throws: `GraphError` when the shapes do not match the labels.
    public func multiplyAccumulates(left leftShape: [Int], right rightShape: [Int]) throws -> Int {
        let extents = try extents(left: leftShape, right: rightShape)
        return Set(left + right).reduce(1) { $0 * (extents[$1] ?? 1) }
    }
}

extension ContractSpec: Codable {
    /// Decodes a spec from its text, refusing a malformed one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch let error as GraphError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Encodes the spec as its text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension ContractSpec: CustomStringConvertible {
    /// The spec as text.
    public var description: String { text }
}

extension ContractSpec {
    /// The spec with its labels renamed `a`, `b`, `c`… in order of first appearance (left, right, output), so
    /// that specs equal up to naming compare equal: `"oik,ikt->ot"` and `"xyz,yzw->xw"` both give `"abc,bcd->ad"`.
    public var canonicalText: String {
        var names: [Character: Character] = [:]
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        func rename(_ labels: [Character]) -> String {
            String(labels.map { label in
                if let name = names[label] { return name }
                let name = names.count < letters.count ? letters[names.count] : label
                names[label] = name
                return name
            })
        }
        let l = rename(left)
        let r = rename(right)
        return l + "," + r + "->" + rename(output)
    }

    /// The same contraction with its operands swapped.
    public var swapped: ContractSpec {
        // Swapping keeps every label's roles, so the checks of `init` cannot fail.
        (try? ContractSpec(left: right, right: left, output: output)) ?? self
    }
}
