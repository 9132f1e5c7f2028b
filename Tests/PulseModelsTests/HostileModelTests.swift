import Foundation
import PulseDSP
import PulseEngine
import PulseGraph
@testable import PulseModels
import PulseSignals
import PulseTestSupport
import Testing

/// Model files whose numbers or structure are out of range: each is refused by name when it is read, never traps,
/// and never gives nonsense estimates.
@Suite struct HostileModelTests {
    func model() throws -> ModelFile {
        let graph = try tinyArchitecture.graph()
        return ModelFile(graph: graph, parameters: graph.initialParameters(seed: 3), input: .standard, output: tinyArchitecture.bins)
    }

    /// Writes `model`, reads it back, and returns the reason it was refused (`nil` when it was read).
    func refusal(_ model: ModelFile) throws -> String? {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try model.write(to: directory.path("m.h5"))
        do {
            _ = try ModelFile(path: directory.path("m.h5"))
            return nil
        } catch let error as RecordingError {
            return error.reason.message
        }
    }

    @Test func outOfRangeInputSpecsAreRefusedByField() throws {
        let edits: [(WritableKeyPath<ModelInput, Double>, Double, String)] = [
            (\.sampleRateHz, 1e-300, "sampleRateHz"), (\.sampleRateHz, 1e9, "sampleRateHz"),
            (\.bandLowHz, -1, "band"), (\.bandHighHz, 100, "band"), (\.bandLowHz, 1e300, "band"),
        ]
        for (field, value, name) in edits {
            var model = try model()
            model.input[keyPath: field] = value
            let reason = try #require(try refusal(model), "\(name) = \(value) was accepted")
            #expect(reason.contains(name), "\(reason)")
        }
        var order = try model()
        order.input.bandOrder = 1_000_000_000
        #expect(try refusal(order)?.contains("bandOrder") == true)
    }

    @Test func outOfRangeRateGridsAreRefusedByField() throws {
        let edits: [(RateBins, String)] = [
            (RateBins(firstBpm: 30, binBpm: 1e-300, count: 113), "binBpm"),
            (RateBins(firstBpm: -200, binBpm: 1.875, count: 113), "span"),
            (RateBins(firstBpm: 1e300, binBpm: 1.875, count: 113), "span"),
            (RateBins(firstBpm: 30, binBpm: 1.875, count: 1), "count"),
        ]
        for (bins, name) in edits {
            var model = try model()
            model.output = bins
            let reason = try #require(try refusal(model), "\(bins) was accepted")
            #expect(reason.contains(name), "\(reason)")
        }
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func aNonFiniteWeightIsRefusedByName(value: Float) throws {
        var model = try model()
        let name = try #require(model.parameters.keys.sorted().first)
        model.parameters[name]?.scalars[0] = value
        let reason = try #require(try refusal(model))
        #expect(reason.contains("/param.\(name)") && reason.contains("finite"), "\(reason)")
    }

    /// Finite weights so large that the scores overflow: an error, not a constant rate marked valid.
    @Test func overflowingScoresAreAnError() throws {
        var model = try model()
        for name in model.parameters.keys { model.parameters[name] = model.parameters[name].map { tensor in
            Tensor(shape: tensor.shape, scalars: tensor.scalars.map { $0 * 1e30 })
        } }
        let estimator = try NeuralEstimator(model: model, name: "huge")
        do {
            let estimates = try estimator.estimate(SyntheticRecording.make(), layout: .standard)
            Issue.record("estimated \(estimates.compactMap(\.bpm).prefix(3)) with overflowing weights")
        } catch let error as RecordingError {
            guard case .cannotEstimate(let detail) = error.reason else { Issue.record("\(error)"); return }
            #expect(detail.contains("weights overflow"), "\(detail)")
        }
    }

    /// The DSP parts a model file configures throw instead of trapping on any value.
    @Test func dspPartsThrowOnAbsurdSettings() {
        #expect(throws: DSPError.self) { try Butterworth.design(order: 1 << 30, band: .lowPass(cutoffHz: 1), sampleRateHz: 32) }
        #expect(throws: DSPError.self) { try Resampler(fromHz: 1e-300, toHz: 32) }
        #expect(throws: DSPError.self) { try Resampler(fromHz: 125, toHz: 1e-300) }
        let settings = SpectralEstimator.Configuration.standard.trackerSettings
        #expect(throws: DSPError.self) { try RateTracker(firstBpm: 30, binBpm: 1e-300, binCount: 1 << 40, settings: settings) }
        #expect(throws: DSPError.self) { try RateTracker(firstBpm: .nan, binBpm: 1, binCount: 100, settings: settings) }
        var nanSettings = settings
        nanSettings.jumpCost = .nan
        #expect(throws: DSPError.self) { try RateTracker(firstBpm: 30, binBpm: 1, binCount: 100, settings: nanSettings) }
        // A tiny spacing with a modest count is legal and must not trap on the step's reach.
        #expect((try? RateTracker(firstBpm: 30, binBpm: 1e-12, binCount: 100, settings: settings)) != nil)
    }

    /// A graph output that is a parameter or a constant is named, not a precondition failure.
    @Test func anOutputThatIsAParameterIsNamed() throws {
        var graph = Graph()
        let input = try graph.append(.input(name: "window"), shape: [4, 256], layer: "input")
        let weight = try graph.append(.param(name: "w"), shape: [113], layer: "head")
        _ = try graph.append(.reduce(kind: .sum, axes: [0, 1]), [input], layer: "sum")
        graph.outputs = [weight]
        #expect { try Executor(graph: graph, parameters: ["w": Tensor(shape: [113], scalars: Array(repeating: 0, count: 113))]) } throws: { error in
            (error as? GraphError)?.message.contains("does not depend on the input") == true
        }
    }

    /// A small graph whose batched activations exceed the budget runs in parts; one whose single sample does is refused.
    @Test func activationMemoryIsBoundedBeforeRunning() throws {
        var graph = Graph()
        let input = try graph.append(.input(name: "x"), shape: [64], layer: "input")
        let doubled = try graph.append(.add, [input, input], layer: "double")
        graph.outputs = [doubled]
        var executor = try Executor(graph: graph, parameters: [:])
        #expect(graph.activationBytesPerSample == 2 * 4 * 64)
        // A budget of 10 samples: 23 samples run in three parts with the same result.
        executor.activationBudgetBytes = 10 * 2 * 4 * 64
        let x = Tensor(shape: [23, 64], scalars: (0..<(23 * 64)).map { Float($0 % 7) })
        let y = try executor.infer(["x": x], threads: 2)[0]
        #expect(y.shape == [23, 64] && y.scalars == x.scalars.map { 2 * $0 })

        var huge = Graph()
        let wide = try huge.append(.input(name: "x"), shape: [1 << 24, 8], layer: "input")
        var last = wide
        for step in 0..<5 { last = try huge.append(.add, [last, wide], layer: "add\(step)") }
        huge.outputs = [last]
        #expect { try Executor(graph: huge, parameters: [:]) } throws: { error in
            (error as? GraphError)?.message.contains("MiB of activations") == true
        }
    }
}
