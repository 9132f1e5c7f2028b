import PulseGraph
import PulseHardware

/// What each operator of a model costs on a target: the profile's kernels attributed to operators, a
/// convolution to the layer of its weight (the plan may fuse a residual add of the next layer into it), any other
/// kernel to its own layer.
public struct OperatorCosts: Sendable {
    /// Operators and their modelled seconds per window, costliest first (ties: least efficient per MAC first).
    public let ranking: [(layer: String, seconds: Double)]

    /// The operators of `graph` on `target`.
    public init(graph: Graph, target: Target) {
        let plan = KernelPlan(graph: graph)
        let profile = Profile(plan: plan, target: target)
        var seconds: [String: Double] = [:]
        var macs: [String: Int] = [:]
        for entry in profile.kernels {
            var layer = entry.layer
            if case .convolution(let convolution) = plan.kernels[entry.index].operation {
                layer = graph.instructions[convolution.weight.index].layer
            }
            seconds[layer, default: 0] += entry.cost.seconds
            macs[layer, default: 0] += entry.multiplyAccumulates
        }
        ranking = seconds.map { (layer: $0.key, seconds: $0.value) }.sorted {
            let efficiency = { (layer: String, seconds: Double) in seconds / Double(max(1, macs[layer] ?? 0)) }
            return ($0.seconds, efficiency($0.layer, $0.seconds), $0.layer) > ($1.seconds, efficiency($1.layer, $1.seconds), $1.layer)
        }
    }
}
