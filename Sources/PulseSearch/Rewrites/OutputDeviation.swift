import PulseEngine
import PulseGraph
import PulseModels

/// How far a rewritten model's outputs stray from its parent's on the same windows: `‖child − parent‖ / ‖parent‖`
/// over all logits (root mean square ratio), the figure an approximating rewrite reports before fine-tuning.
public enum OutputDeviation {
    /// The relative deviation of `child`'s logits from `parent`'s over `windows` (each `[channels × samples]`).
    /// - Throws: `GraphError` when a model cannot run on the windows.
    public static func relative(parent: ModelFile, child: ModelFile, windows: [[Float]], threads: Int = 2) throws -> Double {
        guard !windows.isEmpty else { return 0 }
        let input = Tensor(shape: [windows.count] + parent.input.shape, scalars: windows.flatMap { $0 })
        let a = try Executor(graph: parent.graph, parameters: parent.parameters).infer([ModelFile.inputName: input], threads: threads)[0]
        let b = try Executor(graph: child.graph, parameters: child.parameters).infer([ModelFile.inputName: input], threads: threads)[0]
        var (difference, reference) = (0.0, 0.0)
        for (x, y) in zip(a.scalars, b.scalars) {
            difference += Double(y - x) * Double(y - x)
            reference += Double(x) * Double(x)
        }
        return (difference / max(reference, .leastNormalMagnitude)).squareRoot()
    }
}
