import Testing
import PulseGraph
import PulseModels
@testable import PulseSearch

@Suite struct MacroScalingTests {
    @Test func fullScaleIsTheParentAndSmallerScalesRun() throws {
        let parent = try RewriteTests.model(width: 8)
        #expect(try MacroScaling.architecture(of: parent).dilations == [1, 2])
        let same = try MacroScaling.scaled(parent, widthMultiplier: 1, blocks: 2)
        #expect(try RewriteTests.outputs(same, RewriteTests.windows()) == RewriteTests.outputs(parent, RewriteTests.windows()))
        var previous = parent.graph.multiplyAccumulates
        for (multiplier, blocks) in [(0.75, 2), (0.5, 2), (0.5, 1), (0.25, 1)] {
            let scaled = try MacroScaling.scaled(parent, widthMultiplier: multiplier, blocks: blocks)
            try scaled.graph.validate()
            #expect(scaled.graph.multiplyAccumulates < previous)
            previous = scaled.graph.multiplyAccumulates
            #expect(try RewriteTests.outputs(scaled, RewriteTests.windows(2)).allSatisfy(\.isFinite))
        }
        #expect(MacroScaling.grid(blocks: 4).count == 15)
    }

    @Test func rewrittenModelsAreNotSpectralCNNs() throws {
        let rewritten = try Rewrite.depthwiseSeparable(layer: "block1.conv1").apply(to: try RewriteTests.model(width: 8))
        #expect(throws: SearchError.self) { try MacroScaling.scaled(rewritten, widthMultiplier: 0.5, blocks: 1) }
        #expect(throws: SearchError.self) { try MacroScaling.scaled(try RewriteTests.model(width: 8), widthMultiplier: 0.5, blocks: 3) }
    }
}
