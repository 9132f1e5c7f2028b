import Testing
import PulseFirmware
import PulseGraph

@Suite struct TmpBug {
    @Test func selfResidual() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 64], layer: "input")
        let y = try Conv1d("conv", inputChannels: 4, outputChannels: 4, kernelSize: 3)(x, in: &graph)
        let sum = try graph.append(.add, [x, y], layer: "conv")
        graph.outputs = [try graph.append(.relu, [sum], layer: "conv")]
        let model = try FloatModel(graph, seed: 1)
        print("KINDS", model.plan.kernels.map(\.kind), model.plan.kernels.map(\.inputs))
        _ = try model.quantise(model.windows(8, seed: 1))
    }
}
