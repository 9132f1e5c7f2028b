import PulseGraph

/// A contraction of an activation with a constant matrix for the whole tile at once:
/// `Y[(sample, a), c] = Σ_k X[(sample, a), k] · W[c, k]` (or `W[k, c]`), where the activation's labels are its free
/// labels then the contracted ones, the constant's its free labels and the contracted ones in either order, and
/// the output's the activation's free labels then the constant's. The spectrum's `"ft,ct->cf"` has this form.
///
/// The constant is kept as `[k, c]` with `c` padded to a multiple of 8 and multiplied by the SIMD micro-kernel
/// into scratch (BLAS would copy, pack, the constant on every call); the real columns are then copied out.
struct ConstantContractionStep: InferenceKernel {
    let activation: InstructionID
    let constant: InstructionID
    let output: InstructionID
    /// Activation-free extent (per sample), contracted extent, constant-free extent.
    let rows: Int, depth: Int, columns: Int
    /// Whether the constant is stored `[k, c]` (else `[c, k]`).
    let constantIsDepthFirst: Bool
    /// `columns` rounded up to a multiple of 8.
    let paddedColumns: Int
    /// The constant as `[k, paddedColumns]`, zeros in the padding; made by `prepared(with:)`.
    var packed: [Float] = []

    /// The step for `kernel`, or `nil` when its labels are not in this form.
    init?(_ kernel: Kernel, graph: Graph) {
        guard case .constantContraction(let contraction) = kernel.operation, contraction.batch == 1,
              let constant = kernel.parameters.first, let activation = kernel.inputs.first else { return nil }
        let spec = contraction.constantIsLeft ? contraction.spec.swapped : contraction.spec
        // Now `spec.left` is the activation's labels and `spec.right` the constant's.
        let contracted = spec.contractedLabels
        let activationFree = spec.leftFreeLabels
        let constantFree = spec.rightFreeLabels
        guard spec.left == activationFree + contracted, spec.output == activationFree + constantFree else { return nil }
        if spec.right == constantFree + contracted {
            constantIsDepthFirst = false
        } else if spec.right == contracted + constantFree {
            constantIsDepthFirst = true
        } else {
            return nil
        }
        self.activation = activation
        self.constant = constant
        self.output = kernel.output
        self.rows = contraction.constantIsLeft ? contraction.n : contraction.m
        self.depth = contraction.k
        self.columns = contraction.constantIsLeft ? contraction.m : contraction.n
        self.paddedColumns = (columns + 7) / 8 * 8
    }

    /// The step with the constant `values` (as the graph stores it) packed for the micro-kernel.
    func prepared(with values: Tensor) -> ConstantContractionStep {
        var step = self
        step.packed = [Float](repeating: 0, count: depth * paddedColumns)
        for k in 0..<depth {
            for c in 0..<columns {
                step.packed[k * paddedColumns + c] = constantIsDepthFirst ? values.scalars[k * columns + c] : values.scalars[c * depth + k]
            }
        }
        return step
    }

    var scratchElements: Int { InferenceProgram.tileSamples * rows * paddedColumns }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        let m = arena.batch * rows
        let y = arena.pointer(output)
        packed.withUnsafeBufferPointer { w in
            guard let base = w.baseAddress else { return }
            multiplySmall(rows: m, depth: depth, columns: paddedColumns, arena.pointer(activation), aStride: depth, base, into: scratch)
        }
        for row in 0..<m { (y + row * columns).update(from: scratch + row * paddedColumns, count: columns) }
    }
}
