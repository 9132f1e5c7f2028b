import Foundation
import Testing
import PulseEngine
import PulseGraph
import PulseModels
@testable import PulseSearch

@Suite struct RewriteTests {
    /// A small spectral CNN (8 channels, dilations 1 and 2) with seeded random weights.
    static func model(width: Int = 8) throws -> ModelFile {
        let architecture = SpectralCNN(input: .standard, bins: SpectralCNN.baseline.bins, width: width, kernelSize: 5, dilations: [1, 2])
        let graph = try architecture.graph()
        var parameters = graph.initialParameters(seed: 7)
        var generator = SeededGenerator(seed: 11)
        for (name, tensor) in parameters.sorted(by: { $0.key < $1.key }) where name.hasSuffix(".bias") {
            parameters[name] = Tensor(shape: tensor.shape, scalars: tensor.scalars.map { _ in Float.random(in: -0.1...0.1, using: &generator) })
        }
        return ModelFile(graph: graph, parameters: parameters, input: architecture.input, output: architecture.bins)
    }

    /// Windows of sinusoids at several rates plus noise.
    static func windows(_ count: Int = 6) -> [[Float]] {
        var generator = SeededGenerator(seed: 3)
        var windows: [[Float]] = []
        for n in 0..<count {
            var window: [Float] = []
            for channel in 0..<4 {
                let hz = 1 + 0.3 * Double(n + channel)
                for t in 0..<256 {
                    let noise = Float.random(in: -0.2...0.2, using: &generator)
                    window.append(Float(sin(2 * Double.pi * hz * Double(t) / 32)) + noise)
                }
            }
            windows.append(window)
        }
        return windows
    }

    static func outputs(_ model: ModelFile, _ windows: [[Float]]) throws -> [Float] {
        let input = Tensor(shape: [windows.count] + model.input.shape, scalars: windows.flatMap { $0 })
        return try Executor(graph: model.graph, parameters: model.parameters).infer([ModelFile.inputName: input])[0].scalars
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// Sets a parameter's values through `transform(index, value)`.
    static func edit(_ model: inout ModelFile, _ name: String, _ transform: (Int, Float) -> Float) {
        guard let tensor = model.parameters[name] else { Issue.record("no parameter \(name)"); return }
        model.parameters[name] = Tensor(shape: tensor.shape, scalars: tensor.scalars.enumerated().map { transform($0.offset, $0.element) })
    }

    static let approximating: [Rewrite] = [
        .depthwiseSeparable(layer: "block1.conv1"), .lowRank(layer: "block2.conv2", rank: 3), .grouped(layer: "block1.conv2", groups: 2),
        .pruneChannels(layer: "block1.conv1", keep: 5), .dilate(layer: "conv0", kernelSize: 3), .subsample(layer: "block2.conv1"),
        .removeResidualBody(block: "block1"), .shiftPointwise(layer: "block2.conv1"), .spectrum(.band(firstBin: 10, count: 80)),
        .spectrum(.binStride(2)),
    ]

    @Test(arguments: approximating)
    func everyRewriteLeavesAValidRunnableModel(_ rewrite: Rewrite) throws {
        let parent = try Self.model()
        let child = try rewrite.apply(to: parent)
        try child.graph.validate()
        #expect(Set(child.parameters.keys) == Set(child.graph.parameters.map(\.name)))
        for (name, shape) in child.graph.parameters { #expect(child.parameters[name]?.shape == shape, "\(name)") }
        #expect(child.graph.instructions[child.graph.outputs[0]].shape == [parent.output.count])
        #expect(child.graph.multiplyAccumulates < parent.graph.multiplyAccumulates, "\(rewrite) saves work")
        let deviation = try OutputDeviation.relative(parent: parent, child: child, windows: Self.windows())
        #expect(deviation.isFinite && deviation > 0)
        let untouched = Set(parent.graph.layers).subtracting(rewrite.layers + ["block1.conv1", "block1.conv2", "block2.conv1", "block2.conv2"])
        for layer in untouched {
            #expect(try parent.graph.extract(parent.graph.region(layer: layer)) == child.graph.extract(child.graph.region(layer: layer)),
                    "\(rewrite) leaves \(layer) alone")
        }
        let data = try JSONEncoder().encode(rewrite)
        #expect(try JSONDecoder().decode(Rewrite.self, from: data) == rewrite)
    }

    @Test func rewritesThatChangeNothingAreBitIdentical() throws {
        let parent = try Self.model()
        for rewrite in [Rewrite.foldPadding, .spectrum(.direct)] {
            let child = try rewrite.apply(to: parent)
            #expect(child == parent, "\(rewrite)")
            #expect(try Self.outputs(child, Self.windows()) == Self.outputs(parent, Self.windows()))
        }
    }

    @Test func factorisedSpectrumIsExact() throws {
        let parent = try Self.model()
        #expect(SpectrumFrontEnd(input: parent.input, bins: parent.output).factorisation.map { [$0.outer, $0.inner, $0.period] } != nil)
        let child = try Rewrite.spectrum(.factorised).apply(to: parent)
        let (a, b) = (try Self.outputs(parent, Self.windows()), try Self.outputs(child, Self.windows()))
        #expect(Self.maxDifference(a, b) <= 1e-5 * max(1, a.map(abs).max() ?? 1))
        let spectrum = { (model: ModelFile) in try model.graph.region(layer: "spectrum").instructions.reduce(0) { $0 + model.graph.cost(of: $1).multiplyAccumulates } }
        #expect(try spectrum(child) < spectrum(parent))
    }

    /// Each approximating rewrite is exact on weights that it can represent exactly.
    @Test func rewritesAreExactOnWeightsTheyRepresent() throws {
        let windows = Self.windows()
        func check(_ rewrite: Rewrite, _ prepare: (inout ModelFile) -> Void) throws {
            var parent = try Self.model()
            prepare(&parent)
            let child = try rewrite.apply(to: parent)
            let (a, b) = (try Self.outputs(parent, windows), try Self.outputs(child, windows))
            #expect(Self.maxDifference(a, b) <= 1e-4 * max(1, a.map(abs).max() ?? 1), "\(rewrite)")
        }
        // W[o, i, k] = p[o, i] · d[i, k]: rank 1 per input channel.
        try check(.depthwiseSeparable(layer: "block1.conv1")) { model in
            let p = (0..<64).map { Float(sin(Double($0))) }, d = (0..<40).map { Float(cos(Double($0) * 0.7)) }
            Self.edit(&model, "block1.conv1.weight") { index, _ in p[index / 5] * d[(index / 5 % 8) * 5 + index % 5] * 0.5 }
        }
        // W = u vᵀ + u′ v′ᵀ over [8, 40]: rank 2.
        try check(.lowRank(layer: "block2.conv2", rank: 2)) { model in
            Self.edit(&model, "block2.conv2.weight") { index, _ in
                let (o, column) = (index / 40, index % 40)
                return 0.2 * (Float(o + 1) * Float(sin(Double(column))) + Float(o % 3) * Float(cos(Double(column) * 0.3)))
            }
        }
        // Block-diagonal over 2 groups.
        try check(.grouped(layer: "block1.conv2", groups: 2)) { model in
            Self.edit(&model, "block1.conv2.weight") { index, value in (index / 40) / 4 == (index / 5 % 8) / 4 ? value : 0 }
        }
        // The three output channels of conv1 with the smallest norms are zero, and so are their biases.
        try check(.pruneChannels(layer: "block1.conv1", keep: 5)) { model in
            Self.edit(&model, "block1.conv1.weight") { index, value in index / 40 < 3 ? 0 : value }
            Self.edit(&model, "block1.conv1.bias") { index, value in index < 3 ? 0 : value }
        }
        // Only the even taps of a 5-tap filter: 3 taps at dilation 2.
        try check(.dilate(layer: "conv0", kernelSize: 3)) { model in
            Self.edit(&model, "conv0.weight") { index, value in index % 5 % 2 == 0 ? value : 0 }
        }
        // Input channel i uses only tap i · 5 / 8 (its block's tap).
        try check(.shiftPointwise(layer: "block2.conv1")) { model in
            Self.edit(&model, "block2.conv1.weight") { index, value in
                let (i, k) = (index / 5 % 8, index % 5)
                return (0..<5).first { i >= $0 * 8 / 5 && i < ($0 + 1) * 8 / 5 } == k ? value : 0
            }
        }
        // A body that adds nothing.
        try check(.removeResidualBody(block: "block1")) { model in
            Self.edit(&model, "block1.conv2.weight") { _, _ in 0 }
            Self.edit(&model, "block1.conv2.bias") { _, _ in 0 }
        }
    }

    @Test func foldingIsExact() throws {
        var graph = Graph()
        let input = ModelInput.standard
        let bins = SpectralCNN.baseline.bins
        let x = try graph.append(.input(name: ModelFile.inputName), shape: input.shape, layer: "input")
        var y = try SpectrumFrontEnd(input: input, bins: bins)(x, in: &graph)
        y = try graph.append(.pad(axis: 1, before: 1, after: 0), [y], layer: "pads")
        y = try graph.append(.pad(axis: 1, before: 0, after: 0), [y], layer: "pads")
        y = try graph.append(.pad(axis: 1, before: 1, after: 2), [y], layer: "pads")
        y = try Conv1d("conv", inputChannels: 4, outputChannels: 6, kernelSize: 5, padding: .valid)(y, in: &graph)
        y = try ChannelAffine("norm", channels: 6)(y, in: &graph)
        y = try graph.append(.relu, [y], layer: "act")
        y = try Conv1d("head", inputChannels: 6, outputChannels: 1, kernelSize: 1)(y, in: &graph)
        graph.outputs = [try graph.append(.reshape(shape: [bins.count]), [y], layer: "head")]
        var parameters = graph.initialParameters(seed: 5)
        parameters["norm.scale"] = Tensor(shape: [6, 1], scalars: [0.5, 1.5, -1, 2, 0.25, 1])
        parameters["norm.shift"] = Tensor(shape: [6, 1], scalars: [0.1, -0.2, 0.3, 0, 0.5, -0.1])
        let parent = ModelFile(graph: graph, parameters: parameters, input: input, output: bins)
        let padded = try Rewrite.foldPadding.apply(to: parent)
        #expect(padded.graph.instructions.filter { if case .pad = $0.primitive { return true } else { return false } }.count == 1)
        let folded = try Rewrite.foldAffine(layer: "norm").apply(to: padded)
        #expect(!folded.parameters.keys.contains("norm.scale"))
        try folded.graph.validate()
        let (a, b) = (try Self.outputs(parent, Self.windows()), try Self.outputs(folded, Self.windows()))
        #expect(Self.maxDifference(a, b) <= 1e-5 * max(1, a.map(abs).max() ?? 1))
    }

    @Test func rewritesThatDoNotApplyAreNamedErrors() throws {
        let model = try Self.model()
        let bad: [Rewrite] = [
            .depthwiseSeparable(layer: "nowhere"), .lowRank(layer: "block1.conv1", rank: 8), .lowRank(layer: "block1.conv1", rank: 0),
            .grouped(layer: "block1.conv1", groups: 3), .pruneChannels(layer: "block1.conv2", keep: 4), .pruneChannels(layer: "conv0", keep: 9),
            .dilate(layer: "conv0", kernelSize: 4), .removeResidualBody(block: "conv0"), .spectrum(.band(firstBin: 100, count: 20)),
            .shiftPointwise(layer: "head"), .foldAffine(layer: "conv0"), .depthwiseSeparable(layer: "spectrum"),
        ]
        for rewrite in bad {
            #expect(throws: (any Error).self, "\(rewrite)") { try rewrite.apply(to: model) }
        }
        do {
            _ = try Rewrite.lowRank(layer: "block1.conv1", rank: 8).apply(to: model)
        } catch let error as SearchError {
            #expect(error.description.contains("block1.conv1"))
        }
        let twice = try Rewrite.depthwiseSeparable(layer: "block1.conv1").apply(to: model)
        #expect(throws: SearchError.self) { try Rewrite.grouped(layer: "block1.conv1", groups: 2).apply(to: twice) }
    }

    @Test func singularValueDecompositionReconstructs() throws {
        let (rows, columns) = (5, 7)
        let matrix = (0..<(rows * columns)).map { Float(sin(Double($0) * 1.3)) }
        let svd = try SingularValueDecomposition(matrix, rows: rows, columns: columns)
        #expect(svd.rank == 5)
        #expect(zip(svd.values, svd.values.dropFirst()).allSatisfy { $0 >= $1 })
        for r in 0..<rows {
            for c in 0..<columns {
                let value = (0..<svd.rank).reduce(Float(0)) { $0 + svd.u[r * svd.rank + $1] * svd.values[$1] * svd.vt[$1 * columns + c] }
                #expect(abs(value - matrix[r * columns + c]) < 1e-4)
            }
        }
    }
}
