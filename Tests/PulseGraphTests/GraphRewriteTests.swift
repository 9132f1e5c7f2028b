import Foundation
import Testing
import PulseGraph

@Suite struct GraphRewriteTests {
    /// conv0 (4 → 8, kernel 5) + relu, one residual block, a pointwise head.
    static func network() throws -> Graph {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 32], layer: "input")
        var y = try Conv1d("conv0", inputChannels: 4, outputChannels: 8, kernelSize: 5)(x, in: &graph)
        y = try graph.append(.relu, [y], layer: "conv0")
        y = try ResidualBlock("block1", channels: 8, kernelSize: 3, dilation: 2)(y, in: &graph)
        y = try Conv1d("head", inputChannels: 8, outputChannels: 1, kernelSize: 1)(y, in: &graph)
        graph.outputs = [try graph.append(.reshape(shape: [32]), [y], layer: "head")]
        return graph
    }

    @Test func regionHasItsBoundary() throws {
        let graph = try Self.network()
        let region = try graph.region(layer: "block1.conv1")
        #expect(region.inputs.count == 1)
        #expect(graph.instructions[region.inputs[0]].layer == "conv0")
        #expect(region.outputs.count == 1)
        #expect(graph.instructions[region.outputs[0]].primitive == .relu)
        #expect(region.parameters(in: graph).map(\.name) == ["block1.conv1.weight", "block1.conv1.bias"])
        let block = try graph.region(layers: ["block1.conv1", "block1.conv2", "block1"])
        #expect(block.inputs == region.inputs)
        #expect(graph.instructions[block.outputs[0]].layer == "block1")
        #expect(throws: GraphError.self) { try graph.region(layer: "block9") }
    }

    @Test func replacingARegionByItselfChangesNothing() throws {
        let graph = try Self.network()
        for layers in [["conv0"], ["block1.conv1"], ["block1.conv1", "block1.conv2", "block1"], ["head"]] {
            var copy = graph
            let region = try copy.region(layers: layers)
            try copy.replace(region, with: try copy.extract(region))
            #expect(copy == graph, "\(layers)")
        }
    }

    @Test func replacementKeepsKeysOutsideAndPrunes() throws {
        var graph = try Self.network()
        let original = graph
        let region = try graph.region(layer: "block1.conv1")
        var subgraph = Graph()
        let input = try subgraph.append(.input(name: "x"), shape: [8, 32], layer: "in")
        var y = try DepthwiseConv1d("block1.conv1.depthwise", channels: 8, kernelSize: 3, dilation: 2)(input, in: &subgraph)
        y = try Conv1d("block1.conv1.pointwise", inputChannels: 8, outputChannels: 8, kernelSize: 1)(y, in: &subgraph)
        subgraph.outputs = [try subgraph.append(.relu, [y], layer: "x")]
        subgraph.retag(as: "block1.conv1")
        try graph.replace(region, with: subgraph)
        try graph.validate()
        let outsideKeys = Set(original.instructions.map(\.key)).subtracting(region.keys)
        #expect(outsideKeys.isSubset(of: Set(graph.instructions.map(\.key))))
        for key in outsideKeys {
            let before = original.instructions[original.position(of: key) ?? -1]
            let after = graph.instructions[graph.position(of: key) ?? -1]
            #expect(before.layer == after.layer && before.primitive == after.primitive)
        }
        #expect(Set(region.keys).isDisjoint(with: graph.instructions.map(\.key)))
        #expect(graph.instructions.allSatisfy { $0.key.value < graph.nextKey })
        let names = graph.parameters.map(\.name)
        #expect(names.contains("block1.conv1.depthwise.weight") && names.contains("block1.conv1.pointwise.weight"))
        #expect(!names.contains("block1.conv1.weight"))
        #expect(graph.layers == original.layers)
        let keys = graph.instructions.map(\.key)
        graph.prune()
        #expect(graph.instructions.map(\.key) == keys, "nothing was dead")
    }

    @Test func passThroughAndPruning() throws {
        var graph = try Self.network()
        let region = try graph.region(layers: ["block1.conv1", "block1.conv2", "block1"])
        var identity = Graph()
        identity.outputs = [try identity.append(.input(name: "x"), shape: [8, 32], layer: "block1")]
        try graph.replace(region, with: identity)
        try graph.validate()
        #expect(!graph.layers.contains("block1.conv1"))
        let head = try graph.region(layer: "head")
        #expect(graph.instructions[head.inputs[0]].layer == "conv0")
        // A dead branch: an instruction no output reads goes, and the rest keep their keys.
        let dead = try graph.append(.relu, [head.inputs[0]], layer: "dead")
        let keys = graph.instructions.map(\.key).filter { $0 != graph.instructions[dead].key }
        graph.prune()
        #expect(graph.instructions.map(\.key) == keys)
        try graph.validate()
    }

    @Test func badReplacementsAreNamedErrors() throws {
        let graph = try Self.network()
        let region = try graph.region(layer: "block1.conv1")
        var wrongShape = Graph()
        let input = try wrongShape.append(.input(name: "x"), shape: [8, 32], layer: "x")
        wrongShape.outputs = [try wrongShape.append(.slice(axis: 1, start: 0, count: 16), [input], layer: "x")]
        var copy = graph
        #expect(throws: GraphError.self) { try copy.replace(region, with: wrongShape) }
        var clash = Graph()
        let x = try clash.append(.input(name: "x"), shape: [8, 32], layer: "x")
        let weight = try clash.append(.param(name: "head.bias"), shape: [8, 1], layer: "x")
        clash.outputs = [try clash.append(.add, [x, weight], layer: "x")]
        #expect(throws: GraphError.self) { try copy.replace(region, with: clash) }
        var twoInputs = clash
        _ = try twoInputs.append(.input(name: "y"), shape: [8, 32], layer: "x")
        #expect(throws: GraphError.self) { try copy.replace(region, with: twoInputs) }
        #expect(copy == graph, "a failed replacement leaves the graph as it was")
        var changed = graph
        changed.prune()
        try changed.replace(try changed.region(layer: "head"), with: try changed.extract(try changed.region(layer: "head")))
        var stale = graph
        try stale.replace(try stale.region(layers: ["block1.conv1", "block1.conv2", "block1"]), with: {
            var g = Graph()
            g.outputs = [try g.append(.input(name: "x"), shape: [8, 32], layer: "x")]
            return g
        }())
        #expect(throws: GraphError.self) { try stale.replace(region, with: try graph.extract(region)) }
    }

    @Test func keysSurviveFilesAndOldFilesGetPositions() throws {
        var graph = try Self.network()
        try graph.replace(try graph.region(layer: "conv0"), with: try graph.extract(try graph.region(layer: "conv0")))
        graph.prune()
        let data = try JSONEncoder().encode(graph)
        #expect(try JSONDecoder().decode(Graph.self, from: data) == graph)
        var json = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var instructions = try #require(json["instructions"] as? [[String: Any]])
        for index in instructions.indices { instructions[index]["key"] = nil }
        json["instructions"] = instructions
        let old = try JSONDecoder().decode(Graph.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.instructions.map(\.key.value) == Array(old.instructions.indices))
        #expect(old.nextKey == old.instructions.count)
    }
}
