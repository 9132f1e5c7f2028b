import PulseGraph
import PulseHardware
import PulseModels

/// Whether any depth of rewriting can bring a model within a target's memory: the search refuses a target it can
/// never fit before it spends time on training.
public enum MemoryReachability {
    /// Returns when `model` fits `target` or some chain of rewrites makes it fit, trying greedily at each step the
    /// rewrite (over every operator's options) that leaves the least memory, for up to `depth` steps.
    /// - Throws: `SearchError.unreachable` naming the limits still exceeded by the leanest model found.
    public static func check(_ model: ModelFile, target: Target, depth: Int = 24) throws {
        func report(_ model: ModelFile) -> MemoryReport { Profile(plan: KernelPlan(graph: model.graph), target: target).targetMemory }
        func bytes(_ report: MemoryReport) -> Int { report.arenaBytes + report.parameterBytes + report.scratchBytes }
        var current = model
        var currentReport = report(model)
        for _ in 0..<depth {
            if currentReport.fits { return }
            var best: (ModelFile, MemoryReport)?
            for layer in current.graph.layers {
                for rewrite in RewriteMenu.options(for: layer, in: current) {
                    guard let next = try? rewrite.apply(to: current) else { continue }
                    let nextReport = report(next)
                    if bytes(nextReport) < bytes(best?.1 ?? currentReport) { best = (next, nextReport) }
                }
            }
            guard let (next, nextReport) = best else { break }
            (current, currentReport) = (next, nextReport)
        }
        guard currentReport.fits else {
            throw SearchError.unreachable(target: target.name, reason: "no chain of rewrites fits the model in its memory: "
                                          + currentReport.overLimits.joined(separator: "; "))
        }
    }
}
