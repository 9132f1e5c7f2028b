import CBLAS
import PulseGraph

/// A fully connected layer (a convolution with no spatial axis) for the whole tile:
/// `Y[sample, o] = Σ_c X[sample, c] · W[o, c]`, then bias, residual and activation in one pass. A full tile of 8
/// samples multiplies a copy of the weight laid out in panels of 8 outputs (`[o / 8, c, 8]`), which it streams once
/// in order; fewer samples take row-wise dot products on the weight itself. BLAS would copy (pack) the whole
/// weight on every call, which costs more than the product for a few samples; it serves the other shapes.
struct DenseStep: InferenceKernel {
    let convolution: ConvolutionKernel
    let input: InstructionID
    let output: InstructionID
    let weight: [Float]
    /// `weight` as panels `[o / 8, c, 8]`, when the outputs are a multiple of 8.
    let panels: [Float]?
    let bias: [Float]?

    init?(_ kernel: Kernel, weight: Tensor, bias: Tensor?) {
        guard case .convolution(let convolution) = kernel.operation, convolution.spatialRank == 0, convolution.groups == 1 else { return nil }
        self.convolution = convolution
        self.input = kernel.inputs[0]
        self.output = kernel.output
        self.weight = weight.scalars
        self.bias = bias?.scalars
        let (c, o) = (convolution.inputChannels, convolution.outputChannels)
        if o % 8 == 0 {
            var panels = [Float](repeating: 0, count: c * o)
            for oi in 0..<o {
                for ci in 0..<c { panels[((oi / 8) * c + ci) * 8 + oi % 8] = weight.scalars[oi * c + ci] }
            }
            self.panels = panels
        } else {
            self.panels = nil
        }
    }

    var scratchElements: Int { 0 }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        let (c, o) = (convolution.inputChannels, convolution.outputChannels)
        let y = arena.pointer(output)
        if arena.batch == 8, let panels {
            // A full tile: eight samples against eight outputs at a time, so that the weight is read once, in order.
            panels.withUnsafeBufferPointer { w in
                guard let base = w.baseAddress else { return }
                Self.multiplyEight(UnsafePointer(arena.pointer(input)), by: base, depth: c, columns: o, into: y)
            }
        } else if c % 8 == 0 {
            // Fewer samples: dot products along the weight's rows, which streams it in order, per sample.
            weight.withUnsafeBufferPointer { w in
                guard let base = w.baseAddress else { return }
                for sample in 0..<arena.batch {
                    Self.multiplyVector(UnsafePointer(arena.pointer(input) + sample * c), by: base, rows: o, columns: c, into: y + sample * o)
                }
            }
        } else {
            weight.withUnsafeBufferPointer { w in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(arena.batch), Int32(o), Int32(c), 1,
                            arena.pointer(input), Int32(c), w.baseAddress, Int32(c), 0, y, Int32(o))
            }
        }
        let residual = convolution.residual.map(arena.pointer)
        for sample in 0..<arena.batch {
            for oi in 0..<o {
                var value = y[sample * o + oi] + (bias?[oi] ?? 0)
                if let residual { value += residual[sample * o + oi] }
                y[sample * o + oi] = convolution.activation.map { $0(value) } ?? value
            }
        }
    }

    /// `y = W x` for `W` of `rows × columns` (row-major, `columns` a multiple of 8), four rows at a time so that each
    /// load of `x` serves four rows.
    private static func multiplyVector(_ x: UnsafePointer<Float>, by w: UnsafePointer<Float>, rows: Int, columns: Int,
                                       into y: UnsafeMutablePointer<Float>) {
        var row = 0
        while row + 4 <= rows {
            let (w0, w1, w2, w3) = (w + row * columns, w + (row + 1) * columns, w + (row + 2) * columns, w + (row + 3) * columns)
            var (a0, a1, a2, a3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            var column = 0
            while column < columns {
                let v = x.vector(column)
                a0.addProduct(v, w0.vector(column))
                a1.addProduct(v, w1.vector(column))
                a2.addProduct(v, w2.vector(column))
                a3.addProduct(v, w3.vector(column))
                column += 8
            }
            y[row] = a0.sum()
            y[row + 1] = a1.sum()
            y[row + 2] = a2.sum()
            y[row + 3] = a3.sum()
            row += 4
        }
        while row < rows {
            let wr = w + row * columns
            var a = SIMD8<Float>()
            var column = 0
            while column < columns {
                a.addProduct(x.vector(column), wr.vector(column))
                column += 8
            }
            y[row] = a.sum()
            row += 1
        }
    }

    /// `Y = X Wᵀ` for eight rows of `X` (`8 × depth`) and `W` of `columns × depth` in panels of 8 (`[columns / 8,
    /// depth, 8]`): eight accumulators per panel, so that each panel streams through once, in order.
    private static func multiplyEight(_ x: UnsafePointer<Float>, by panels: UnsafePointer<Float>, depth: Int, columns: Int,
                                      into y: UnsafeMutablePointer<Float>) {
        let (x0, x1, x2, x3) = (x, x + depth, x + 2 * depth, x + 3 * depth)
        let (x4, x5, x6, x7) = (x + 4 * depth, x + 5 * depth, x + 6 * depth, x + 7 * depth)
        var column = 0
        while column < columns {
            var (a0, a1, a2, a3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            var (a4, a5, a6, a7) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            let panel = panels + column * depth
            for k in 0..<depth {
                let b = panel.vector(k * 8)
                a0.addProduct(SIMD8(repeating: x0[k]), b)
                a1.addProduct(SIMD8(repeating: x1[k]), b)
                a2.addProduct(SIMD8(repeating: x2[k]), b)
                a3.addProduct(SIMD8(repeating: x3[k]), b)
                a4.addProduct(SIMD8(repeating: x4[k]), b)
                a5.addProduct(SIMD8(repeating: x5[k]), b)
                a6.addProduct(SIMD8(repeating: x6[k]), b)
                a7.addProduct(SIMD8(repeating: x7[k]), b)
            }
            let out = y + column
            out.store(a0, at: 0); out.store(a1, at: columns); out.store(a2, at: 2 * columns); out.store(a3, at: 3 * columns)
            out.store(a4, at: 4 * columns); out.store(a5, at: 5 * columns); out.store(a6, at: 6 * columns); out.store(a7, at: 7 * columns)
            column += 8
        }
    }
}
