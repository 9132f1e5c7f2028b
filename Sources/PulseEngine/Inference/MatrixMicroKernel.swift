/// `C = A · B` for a few rows: `A` is `rows × depth` (row stride `aStride`), `B` is `depth × columns` (row stride
/// `columns`), `C` is `rows × columns` (row stride `columns`). `columns` is a multiple of 8. Rows go six at a
/// time against sixteen columns (when `columns` is a multiple of 16), so that the twelve accumulators, two vectors of `B` and a broadcast fit the
/// sixteen vector registers; the rest four at a time, then one by one.
@inline(__always)
func multiplySmall(rows: Int, depth: Int, columns: Int, _ a: UnsafePointer<Float>, aStride: Int,
                   _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>) {
    var row = 0
    while row + 6 <= rows && columns % 16 == 0 {
        let a0 = a + row * aStride, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride, a4 = a3 + aStride, a5 = a4 + aStride
        var column = 0
        while column + 16 <= columns {
            var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
            var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
            var c40 = SIMD8<Float>(), c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
            var bRow = b + column
            for k in 0..<depth {
                let b0 = bRow.vector(0), b1 = bRow.vector(8)
                var x = SIMD8<Float>(repeating: a0[k])
                c00.addProduct(x, b0); c01.addProduct(x, b1)
                x = SIMD8<Float>(repeating: a1[k])
                c10.addProduct(x, b0); c11.addProduct(x, b1)
                x = SIMD8<Float>(repeating: a2[k])
                c20.addProduct(x, b0); c21.addProduct(x, b1)
                x = SIMD8<Float>(repeating: a3[k])
                c30.addProduct(x, b0); c31.addProduct(x, b1)
                x = SIMD8<Float>(repeating: a4[k])
                c40.addProduct(x, b0); c41.addProduct(x, b1)
                x = SIMD8<Float>(repeating: a5[k])
                c50.addProduct(x, b0); c51.addProduct(x, b1)
                bRow += columns
            }
            let out = c + row * columns + column
            out.store(c00, at: 0); out.store(c01, at: 8)
            out.store(c10, at: columns); out.store(c11, at: columns + 8)
            out.store(c20, at: 2 * columns); out.store(c21, at: 2 * columns + 8)
            out.store(c30, at: 3 * columns); out.store(c31, at: 3 * columns + 8)
            out.store(c40, at: 4 * columns); out.store(c41, at: 4 * columns + 8)
            out.store(c50, at: 5 * columns); out.store(c51, at: 5 * columns + 8)
            column += 16
        }
        row += 6
    }
    while row + 4 <= rows {
        let a0 = a + row * aStride, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride
        var column = 0
        while column + 16 <= columns {
            var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
            var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
            var bRow = b + column
            for k in 0..<depth {
                let b0 = bRow.vector(0), b1 = bRow.vector(8)
                let x0 = SIMD8<Float>(repeating: a0[k]), x1 = SIMD8<Float>(repeating: a1[k])
                let x2 = SIMD8<Float>(repeating: a2[k]), x3 = SIMD8<Float>(repeating: a3[k])
                c00.addProduct(x0, b0); c01.addProduct(x0, b1)
                c10.addProduct(x1, b0); c11.addProduct(x1, b1)
                c20.addProduct(x2, b0); c21.addProduct(x2, b1)
                c30.addProduct(x3, b0); c31.addProduct(x3, b1)
                bRow += columns
            }
            let out = c + row * columns + column
            out.store(c00, at: 0); out.store(c01, at: 8)
            out.store(c10, at: columns); out.store(c11, at: columns + 8)
            out.store(c20, at: 2 * columns); out.store(c21, at: 2 * columns + 8)
            out.store(c30, at: 3 * columns); out.store(c31, at: 3 * columns + 8)
            column += 16
        }
        if column < columns {
            var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
            var bRow = b + column
            for k in 0..<depth {
                let b0 = bRow.vector(0)
                c0.addProduct(SIMD8(repeating: a0[k]), b0)
                c1.addProduct(SIMD8(repeating: a1[k]), b0)
                c2.addProduct(SIMD8(repeating: a2[k]), b0)
                c3.addProduct(SIMD8(repeating: a3[k]), b0)
                bRow += columns
            }
            let out = c + row * columns + column
            out.store(c0, at: 0); out.store(c1, at: columns); out.store(c2, at: 2 * columns); out.store(c3, at: 3 * columns)
        }
        row += 4
    }
    while row < rows {
        let a0 = a + row * aStride
        var column = 0
        while column < columns {
            var c0 = SIMD8<Float>()
            var bRow = b + column
            for k in 0..<depth {
                c0.addProduct(SIMD8(repeating: a0[k]), bRow.vector(0))
                bRow += columns
            }
            (c + row * columns + column).store(c0, at: 0)
            column += 8
        }
        row += 1
    }
}
