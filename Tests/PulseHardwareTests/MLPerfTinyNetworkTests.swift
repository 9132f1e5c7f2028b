import Testing
import PulseEngine
import PulseGraph
@testable import PulseHardware

@Suite struct MLPerfTinyNetworkTests {
    /// What each network must count, worked out by hand from the Keras definitions in mlcommons/tiny
    /// `benchmark/training`, and the figures the MLPerf Tiny paper (arXiv 2106.07597) publishes for it.
    struct Expected: Sendable {
        var network: MLPerfTinyNetwork
        var inputShape: [Int]
        var outputShape: [Int]
        /// Multiply-accumulates of the `contract` instructions (convolutions and dense layers).
        var multiplyAccumulates: Int
        /// Parameters with batch norm folded: weights and biases.
        var parameters: Int
        /// Channels of every batch norm layer of the Keras model, each holding 4 values (γ, β, mean, variance).
        var batchNormChannels: Int
        /// Published multiply-accumulates and parameters (with batch norm), with the unit of their last digit.
        var publishedMACs: (value: Double, unit: Double)
        var publishedParameters: (value: Double, unit: Double)?
        var kernels: [KernelKind: Int]
    }

    /// The classifier's tail: flatten (a reshape), and the softmax's max, sum, two reshapes, sub, exp and div.
    static let classifierTail: [KernelKind: Int] = [.dataMove: 3, .reduction: 2, .elementwise: 3]

    static let expected: [Expected] = [
        // 640·128 + 3·128·128 + 128·8 + 8·128 + 3·128·128 + 128·640.
        Expected(network: .anomalyDetection, inputShape: [640], outputShape: [640], multiplyAccumulates: 264_192, parameters: 265_864,
                 batchNormChannels: 8 * 128 + 8, publishedMACs: (0.26e6, 0.01e6), publishedParameters: (0.27e6, 0.01e6),
                 kernels: [.pointwise: 10]),
        // conv1 25·5·64·40, four blocks of 25·5·64·(9 + 64), dense 64·12. The paper's 38.6 k is DS-CNN-S's memory in
        // "Hello Edge", not this model's parameter count: no parameter figure to compare with.
        Expected(network: .keywordSpotting, inputShape: [1, 49, 10], outputShape: [12], multiplyAccumulates: 2_656_768, parameters: 22_604,
                 batchNormChannels: 9 * 64, publishedMACs: (2.7e6, 0.1e6), publishedParameters: nil,
                 kernels: classifierTail.merging([.convolution: 1, .depthwise: 4, .pointwise: 5, .pooling: 2]) { $0 + $1 }),
        // Seven 3 × 3 convolutions and two 1 × 1 stride-2 projections (kind convolution), dense 64·10.
        Expected(network: .imageClassification, inputShape: [3, 32, 32], outputShape: [10], multiplyAccumulates: 12_501_632, parameters: 77_706,
                 batchNormChannels: 16 + 2 * 16 + 2 * 32 + 2 * 64, publishedMACs: (12.5e6, 0.1e6), publishedParameters: (78e3, 1e3),
                 kernels: classifierTail.merging([.convolution: 9, .pointwise: 1, .pooling: 2]) { $0 + $1 }),
        // conv1 then 13 depthwise/pointwise pairs; dense 256·2.
        Expected(network: .visualWakeWords, inputShape: [3, 96, 96], outputShape: [2], multiplyAccumulates: 7_489_664, parameters: 210_850,
                 batchNormChannels: 8 + 1240 + 1488, publishedMACs: (7.5e6, 0.1e6), publishedParameters: (221e3, 1e3),
                 kernels: classifierTail.merging([.convolution: 1, .depthwise: 13, .pointwise: 14, .pooling: 2]) { $0 + $1 }),
    ]

    static func contractMACs(_ graph: Graph) -> Int {
        graph.instructions.indices.reduce(0) { total, index in
            if case .contract = graph.instructions[index].primitive { return total + graph.cost(of: index).multiplyAccumulates }
            return total
        }
    }

    @Test(arguments: MLPerfTinyNetwork.allCases)
    func buildsAValidGraph(_ network: MLPerfTinyNetwork) throws {
        let graph = try network.graph()
        try graph.validate()
        let expected = try #require(Self.expected.first { $0.network == network })
        #expect(graph.inputs.map(\.name) == ["input"])
        #expect(graph.inputs.map(\.shape) == [expected.inputShape])
        #expect(graph.outputs.map { graph.instructions[$0].shape } == [expected.outputShape])
        #expect(MLPerfTinyNetwork(rawValue: network.rawValue) == network)
    }

    @Test(arguments: MLPerfTinyNetwork.allCases)
    func countsMatchTheKerasModelAndThePublishedFigures(_ network: MLPerfTinyNetwork) throws {
        let graph = try network.graph()
        let expected = try #require(Self.expected.first { $0.network == network })
        let macs = Self.contractMACs(graph)
        #expect(macs == expected.multiplyAccumulates)
        #expect(graph.parameterCount == expected.parameters)
        #expect(abs(Double(macs) - expected.publishedMACs.value) < expected.publishedMACs.unit)
        if let published = expected.publishedParameters {
            let withBatchNorm = graph.parameterCount + 4 * expected.batchNormChannels
            #expect(abs(Double(withBatchNorm) - published.value) < published.unit)
        }
    }

    @Test(arguments: MLPerfTinyNetwork.allCases)
    func everyConvolutionFusesIntoOneKernel(_ network: MLPerfTinyNetwork) throws {
        let plan = KernelPlan(graph: try network.graph())
        let expected = try #require(Self.expected.first { $0.network == network })
        #expect(plan.kindCounts == expected.kernels)
        // Every instruction with a cost is in exactly one kernel.
        #expect(plan.kernels.reduce(0) { $0 + plan.multiplyAccumulates(of: $1) } == plan.graph.multiplyAccumulates)
    }

    /// Keras `same` padding: the odd zero after; KWS's pooling window of 24 × 5 over the 25 × 5 map.
    @Test func paddingAndPoolingFollowKeras() throws {
        func convolution(_ network: MLPerfTinyNetwork, _ layer: String) throws -> ConvolutionKernel {
            let plan = KernelPlan(graph: try network.graph())
            let kernel = try #require(plan.kernels.first { $0.layer == layer })
            guard case .convolution(let convolution) = kernel.operation else { throw GraphError("\(layer) is not a convolution") }
            return convolution
        }
        let kws = try convolution(.keywordSpotting, "conv1")
        #expect(kws.padBefore == [4, 1] && kws.padAfter == [5, 1] && kws.outputExtent == [25, 5] && kws.activation == .relu)
        let vww = try convolution(.visualWakeWords, "conv1")
        #expect(vww.padBefore == [0, 0] && vww.padAfter == [1, 1] && vww.outputExtent == [48, 48])
        let depthwise = try convolution(.visualWakeWords, "dw2")
        #expect(depthwise.padBefore == [0, 0] && depthwise.padAfter == [1, 1] && depthwise.outputExtent == [24, 24])
        let projection = try convolution(.imageClassification, "stack2.shortcut")
        #expect(projection.padBefore == [0, 0] && projection.padAfter == [0, 0] && projection.kind == .convolution)
        #expect(projection.activation == nil && projection.residual == nil)
        let residual = try convolution(.imageClassification, "stack2.add")
        #expect(residual.residual != nil && residual.activation == .relu && residual.stride == [1, 1])

        let pools = KernelPlan(graph: try MLPerfTinyNetwork.keywordSpotting.graph()).kernels.compactMap { kernel -> PoolingKernel? in
            if case .pooling(let pooling) = kernel.operation { return pooling }
            return nil
        }
        #expect(pools.map(\.size) == [24, 5])
        #expect(pools.allSatisfy { $0.reduction == .mean && $0.padBefore == 0 && $0.padAfter == 0 })
    }

    @Test func keywordSpottingRunsForward() throws {
        let graph = try MLPerfTinyNetwork.keywordSpotting.graph()
        let executor = try Executor(graph: graph, parameters: graph.initialParameters(seed: 1))
        var generator = SeededGenerator(seed: 2)
        let input = Tensor(shape: [1, 1, 49, 10], scalars: (0..<490).map { _ in Float.random(in: -1...1, using: &generator) })
        let outputs = try executor.run(["input": input])
        let probabilities = try #require(outputs.first)
        #expect(probabilities.shape == [1, 12])
        #expect(probabilities.scalars.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(abs(probabilities.scalars.reduce(0, +) - 1) < 1e-5)
    }
}
