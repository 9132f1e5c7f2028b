import Testing
import PulseEngine
import PulseGraph
import PulseModels
@testable import PulseSearch

/// The engine's inference program against its reference path on rewritten models, run repeatedly in one process
/// (so that reused memory, not fresh zeroed pages, backs the arena).
@Suite struct RewrittenInferenceTests {
    @Test(arguments: [[Rewrite.spectrum(.factorised)], [.spectrum(.binStride(2))], [.spectrum(.band(firstBin: 5, count: 90))],
                      [.shiftPointwise(layer: "block1.conv1")], [.subsample(layer: "block2.conv1")], [.removeResidualBody(block: "block1")],
                      [.spectrum(.factorised), .dilate(layer: "block2.conv1", kernelSize: 3)]])
    func inferenceMatchesTheReferencePath(_ rewrites: [Rewrite]) throws {
        var model = try RewriteTests.model(width: 8)
        for rewrite in rewrites { model = try rewrite.apply(to: model) }
        let windows = RewriteTests.windows(5)
        let input = Tensor(shape: [windows.count] + model.input.shape, scalars: windows.flatMap { $0 })
        let reference = try Executor(graph: model.graph, parameters: model.parameters, fusing: false).run([ModelFile.inputName: input])[0]
        for round in 0..<4 {
            let fast = try Executor(graph: model.graph, parameters: model.parameters).infer([ModelFile.inputName: input], threads: 1 + round % 2)[0]
            let trained = try Executor(graph: model.graph, parameters: model.parameters).run([ModelFile.inputName: input])[0]
            let scale = max(1, reference.scalars.map(abs).max() ?? 1)
            #expect(RewriteTests.maxDifference(fast.scalars, reference.scalars) <= 1e-4 * scale, "\(rewrites) infer, round \(round)")
            #expect(RewriteTests.maxDifference(trained.scalars, reference.scalars) <= 1e-4 * scale, "\(rewrites) evaluate, round \(round)")
        }
    }
}
