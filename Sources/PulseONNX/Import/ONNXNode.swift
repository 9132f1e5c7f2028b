import Foundation
import PulseGraph

/// One node of the graph being read, with typed, checked access to its attributes; every error names the node.
struct ONNXNode {
    /// The node as stored.
    let proto: Onnx_NodeProto
    /// Its position in the graph's node list.
    let index: Int

    /// The operator.
    var opType: String { proto.opType }

    /// `node 3 "conv1" (Conv)`.
    var location: String { "node \(index) \"\(proto.name)\" (\(proto.opType))" }

    /// A layer tag for the instructions the node becomes: its name without a trailing `/OpType` or `/OpType_n`
    /// (the form pulse and PyTorch give node names: `block1.conv1/Conv` is layer `block1.conv1`) and a leading `/`,
    /// else its op type and index.
    var layer: String {
        var name = Substring(proto.name)
        if let slash = name.lastIndex(of: "/") {
            let last = name[name.index(after: slash)...]
            let op = last.split(separator: "_", maxSplits: 1).first.map(String.init)
            if op == proto.opType, name[..<slash].contains(where: { $0 != "/" }) { name = name[..<slash] }
        }
        name = name.drop { $0 == "/" }
        return name.isEmpty ? "\(proto.opType.lowercased())\(index)" : String(name)
    }

    /// An error at this node saying `message`.
    func error(_ message: String) -> ONNXError { ONNXError(location, message) }

    /// The largest magnitude an integer attribute may have: far beyond any size here, small enough that sums and
    /// products of a few of them cannot overflow.
    static let largestInteger: Int64 = 1 << 40

    /// Throws unless every attribute of the node is one of `supported`.
    func checkAttributes(_ supported: Set<String>) throws {
        for attribute in proto.attribute where !supported.contains(attribute.name) {
            let known = supported.isEmpty ? "it takes none" : "supported: \(supported.sorted().joined(separator: ", "))"
            throw error("attribute \(attribute.name) is not supported (\(known))")
        }
    }

    /// The attribute named `name`, if the node has it.
    func attribute(_ name: String) -> Onnx_AttributeProto? { proto.attribute.first { $0.name == name } }

    /// An `INT` attribute, or `defaultValue` when absent.
    func int(_ name: String, default defaultValue: Int) throws -> Int {
        guard let attribute = attribute(name) else { return defaultValue }
        guard attribute.type == .int || (attribute.type == .undefined && attribute.hasI) else {
            throw error("attribute \(name) must be an integer")
        }
        return try bounded(attribute.i, name)
    }

    /// An `INTS` attribute, or `nil` when absent.
    func ints(_ name: String) throws -> [Int]? {
        guard let attribute = attribute(name) else { return nil }
        guard attribute.type == .ints || (attribute.type == .undefined && !attribute.ints.isEmpty) else {
            throw error("attribute \(name) must be a list of integers")
        }
        return try attribute.ints.map { try bounded($0, name) }
    }

    /// A `FLOAT` attribute, or `defaultValue` when absent.
    func float(_ name: String, default defaultValue: Float) throws -> Float {
        guard let attribute = attribute(name) else { return defaultValue }
        guard attribute.type == .float || (attribute.type == .undefined && attribute.hasF) else {
            throw error("attribute \(name) must be a float")
        }
        guard attribute.f.isFinite else { throw error("attribute \(name) is \(attribute.f); it must be finite") }
        return attribute.f
    }

    /// A `STRING` attribute, or `defaultValue` when absent.
    func string(_ name: String, default defaultValue: String) throws -> String {
        guard let attribute = attribute(name) else { return defaultValue }
        guard attribute.type == .string || (attribute.type == .undefined && attribute.hasS) else {
            throw error("attribute \(name) must be a string")
        }
        return String(decoding: attribute.s, as: UTF8.self)
    }

    private func bounded(_ value: Int64, _ name: String) throws -> Int {
        guard value.magnitude <= UInt64(Self.largestInteger) else { throw error("attribute \(name) holds \(value), beyond ±2^40") }
        return Int(value)
    }

    /// Throws unless the node writes exactly one output, or only its first of several (optional ones unused).
    func checkSingleOutput() throws {
        guard let first = proto.output.first, !first.isEmpty else { throw error("the node has no output") }
        if proto.output.dropFirst().contains(where: { !$0.isEmpty }) {
            throw error("only its first output is supported; outputs \(proto.output.dropFirst().filter { !$0.isEmpty }) are used")
        }
    }
}
