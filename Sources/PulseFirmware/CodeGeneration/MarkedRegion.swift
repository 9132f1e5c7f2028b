/// What ran between two calls of `pulse_mark` when a harness calls the generated `pulse_model_run` again and again:
/// each run marks on entry, before each of its kernels, after the last and on return, so a model of `K` kernels
/// repeats `K + 3` regions (the counting plugin numbers them from 0, and −1 before the first mark).
public enum MarkedRegion: Equatable, Sendable {
    /// Copying the input into the arena.
    case inputCopy
    /// Kernel `position` of `QuantisedModel.kernels`.
    case kernel(Int)
    /// Copying the output out of the arena.
    case outputCopy
    /// The harness between two runs (and before the first).
    case harness

    /// The region numbered `region` for a model of `kernelCount` kernels.
    public init(region: Int, kernelCount: Int) {
        guard region >= 0 else {
            self = .harness
            return
        }
        let slot = region % (kernelCount + 3)
        switch slot {
        case 0: self = .inputCopy
        case kernelCount + 1: self = .outputCopy
        case kernelCount + 2: self = .harness
        default: self = .kernel(slot - 1)
        }
    }

    /// Whether the region is part of `pulse_model_run` (not the harness).
    public var isModel: Bool { self != .harness }
}
