import CBLAS
import PulseGraph

/// A contraction of an activation with a constant matrix as one `cblas_sgemm` for the whole tile:
/// `Y[(sample, a), c] = Σ_k X[(sample, a), k] · W[c, k]` (or `W[k, c]`), where the activation's labels are its free
/// labels then the contracted ones, the constant's its free labels and the contracted ones in either order, and
/// the output's the activation's free labels then the constant's. The spectrum's `"ft,ct->cf"` has this form.
struct ConstantContractionStep: InferenceKernel {
    let activation: InstructionID
    let constant: InstructionID
    let output: InstructionID
    /// Activation-free extent (per sample), contracted extent, constant-free extent.
    let rows: Int, depth: Int, columns: Int
    /// Whether the constant is stored `[k, c]` (else `[c, k]`).
    let constantIsDepthFirst: Bool

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
    }

    var scratchElements: Int { 0 }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        guard let w = arena.constant(constant) else { throw GraphError("constant \(constant) of a contraction is missing") }
        let m = arena.batch * rows
        cblas_sgemm(CblasRowMajor, CblasNoTrans, constantIsDepthFirst ? CblasNoTrans : CblasTrans,
                    Int32(m), Int32(columns), Int32(depth), 1, arena.pointer(activation), Int32(depth),
                    w, Int32(constantIsDepthFirst ? columns : depth), 0, arena.pointer(output), Int32(columns))
    }
}
