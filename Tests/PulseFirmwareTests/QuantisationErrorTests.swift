import Foundation
import Testing
import PulseFirmware
import PulseGraph

/// What cannot be quantised or run is a `FirmwareError` naming the kernel, layer or input.
@Suite struct QuantisationErrorTests {
    /// `tanh(x)` then `layer`'s instruction on a `[4, 64]` input, calibrated on 4 windows.
    static func quantise(_ primitive: Primitive, layer: String) throws -> FirmwareError {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 64], layer: "input")
        let activated = try graph.append(.tanh, [x], layer: "tanh")
        graph.outputs = [try graph.append(primitive, [activated], layer: layer)]
        let model = try FloatModel(graph, seed: 3)
        let calibration = try model.calibrate(model.windows(4, seed: 4))
        return try #require(throws: FirmwareError.self) {
            try QuantisedModel(plan: model.plan, parameters: model.parameters, calibration: calibration)
        }
    }

    @Test func shiftIsAnUnsupportedKernel() throws {
        let shift = Primitive.shift(axis: 1, amount: 2)
        let error = try Self.quantise(shift, layer: "delay")
        #expect(error == FirmwareError(kernel: 1, location: "delay", .unsupportedKernel("the data move \(shift)")))
    }

    @Test func unfusedWindowIsAnUnsupportedKernel() throws {
        let window = Primitive.window(axis: 1, size: 3, stride: 1, dilation: 1)
        let error = try Self.quantise(window, layer: "unfold")
        #expect(error == FirmwareError(kernel: 1, location: "unfold", .unsupportedKernel("the data move \(window)")))
    }

    @Test func twoDimensionalConvolutionIsAnUnsupportedKernel() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [2, 6, 8], layer: "input")
        graph.outputs = [try Conv2d("image", inputChannels: 2, outputChannels: 3, kernelSize: (3, 3))(x, in: &graph)]
        let model = try FloatModel(graph, seed: 3)
        let calibration = try model.calibrate(model.windows(4, seed: 4))
        let error = try #require(throws: FirmwareError.self) {
            try QuantisedModel(plan: model.plan, parameters: model.parameters, calibration: calibration)
        }
        #expect(error.kernel == 0 && error.location == "image")
        guard case .unsupportedKernel(let what) = error.reason else { Issue.record("\(error)"); return }
        #expect(what.contains("2-D convolution"))
    }

    @Test func kernelWithoutRangeIsMissingRange() throws {
        let model = try FloatModel(try FirmwareTestGraph.moves.graph, seed: 3)
        var calibration = Calibration()
        calibration.observe(model.plan.inputs[0], model.windows(2, seed: 4).joined())
        let error = try #require(throws: FirmwareError.self) {
            try QuantisedModel(plan: model.plan, parameters: model.parameters, calibration: calibration)
        }
        // The pad and slice keep their input's quantisation; the scaling multiplication (kernel 2) needs a range.
        #expect(error == FirmwareError(kernel: 2, location: "scale", .missingRange))
    }

    @Test func inputWithoutRangeIsMissingRange() throws {
        let model = try FloatModel(try FirmwareTestGraph.lookups.graph, seed: 3)
        let error = try #require(throws: FirmwareError.self) {
            try QuantisedModel(plan: model.plan, parameters: model.parameters, calibration: Calibration())
        }
        #expect(error == FirmwareError(location: "input", .missingRange))
    }

    @Test func absentParameterOrFoldedConstantIsMissingValue() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 64], layer: "input")
        let gain = try graph.append(.exp, [try graph.append(.param(name: "gain"), shape: [4, 1], layer: "gain")], layer: "gain")
        graph.outputs = [try graph.append(.mul, [x, gain], layer: "scale")]
        let model = try FloatModel(graph, seed: 3)
        var calibration = try model.calibrate(model.windows(4, seed: 4))
        // The folded exp(gain) is not stored: the multiplication (kernel 1) has no value for it.
        calibration.constants = [:]
        let folded = try #require(throws: FirmwareError.self) {
            try QuantisedModel(plan: model.plan, parameters: model.parameters, calibration: calibration)
        }
        #expect(folded == FirmwareError(kernel: 1, location: "gain", .missingValue))

        let convolution = try FloatModel(try FirmwareTestGraph.convolutions.graph, seed: 3)
        var parameters = convolution.parameters
        parameters["block.conv2.weight"] = nil
        let absent = try #require(throws: FirmwareError.self) {
            try QuantisedModel(plan: convolution.plan, parameters: parameters,
                               calibration: try convolution.calibrate(convolution.windows(4, seed: 4)))
        }
        #expect(absent == FirmwareError(kernel: 2, location: "block.conv2.weight", .missingValue))
    }

    @Test func windowOfWrongSizeOrNotFiniteIsBadInput() throws {
        let model = try FloatModel(try FirmwareTestGraph.lookups.graph, seed: 3)
        let quantised = try model.quantise(model.windows(4, seed: 4))
        let window = model.windows(1, seed: 5)[0]
        #expect(try quantised.quantise(window: window, name: "w").count == 256)
        for (bad, name) in [(Array(window.dropLast()), "short"), (window + [0], "long")] {
            let error = try #require(throws: FirmwareError.self) { try quantised.quantise(window: bad, name: name) }
            #expect(error == FirmwareError(location: name, .badInput("a window of \(bad.count) values where the model takes 256")))
        }
        for value in [Float.nan, .infinity, -.infinity] {
            var bad = window
            bad[17] = value
            let error = try #require(throws: FirmwareError.self) { try quantised.quantise(window: bad, name: "recording 3") }
            #expect(error == FirmwareError(location: "recording 3", .badInput("value 17 of the window is \(value)")))
        }
    }

    @Test func integerRunOfWrongSizeIsBadInput() throws {
        let model = try FloatModel(try FirmwareTestGraph.lookups.graph, seed: 3)
        let executor = IntegerExecutor(model: try model.quantise(model.windows(4, seed: 4)))
        for count in [0, 255, 257] {
            let error = try #require(throws: FirmwareError.self) { try executor.run([Int8](repeating: 0, count: count)) }
            guard case .badInput = error.reason else { Issue.record("\(error)"); continue }
        }
        #expect(try executor.run([Int8](repeating: 0, count: 256)).count == executor.model.output.count)
        #expect(throws: FirmwareError.self) { try executor.outputs([[Float](repeating: 0, count: 100)]) }
    }
}
