import PulseGraph

/// The memory one tile of samples runs in: the memory plan's arena for `batch` samples, with the parameters and
/// folded constants beside it.
struct Arena {
    /// The arena's first value.
    let base: UnsafeMutablePointer<Float>
    /// Samples in the tile.
    let batch: Int
    let memory: MemoryPlan
    /// Parameters and folded constants, by instruction.
    let constants: [Int: UnsafePointer<Float>]

    /// The first value of activation `value` (all `batch` samples, one after the other).
    func pointer(_ value: InstructionID) -> UnsafeMutablePointer<Float> {
        base + (memory.offset(of: value, batch: batch) ?? 0)
    }

    /// The values of a parameter or folded constant.
    func constant(_ value: InstructionID) -> UnsafePointer<Float>? { constants[value.index] }
}

/// A kernel of the inference path: reads its operands from the arena and writes its output there, for every
/// sample of the tile.
protocol InferenceKernel: Sendable {
    /// Scratch values the kernel needs per call (shared by all kernels of one thread).
    var scratchElements: Int { get }
    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws
}

/// How a stored activation of shape `[channels, length]` is laid out.
enum ActivationLayout: Sendable {
    /// `[channels, length]`, as the graph says.
    case channelsFirst
    /// `[length, channels]`: each position's channels together, which the Winograd kernels read and write.
    case channelsLast
}
