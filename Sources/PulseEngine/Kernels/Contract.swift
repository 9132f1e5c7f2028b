import PulseGraph
import CBLAS

/// Evaluates a two-operand contraction as batched matrix products through OpenBLAS.
///
/// Labels in both operands and the output are batch axes `b`; in both operands only, contracted axes `k`; in one
/// operand and the output, free axes `m` (left) and `n` (right). The left operand is permuted to `[b, m, k]`, the
/// right to `[b, k, n]`, `cblas_sgemm` forms `[b, m, n]`, and the result is permuted to the output's order.
func contract(_ spec: ContractSpec, left: [Float], leftShape: [Int], right: [Float], rightShape: [Int]) throws -> (values: [Float], shape: [Int]) {
    let extents = try spec.extents(left: leftShape, right: rightShape)
    let batch = spec.output.filter { spec.left.contains($0) && spec.right.contains($0) }
    let contracted = spec.left.filter { spec.right.contains($0) && !spec.output.contains($0) }
    let freeLeft = spec.left.filter { !spec.right.contains($0) }
    let freeRight = spec.right.filter { !spec.left.contains($0) }
    func size(_ labels: [Character]) -> Int { labels.reduce(1) { $0 * (extents[$1] ?? 1) } }
    let (b, m, k, n) = (size(batch), size(freeLeft), size(contracted), size(freeRight))
    let a = permute(left, shape: leftShape, order: (batch + freeLeft + contracted).compactMap { spec.left.firstIndex(of: $0) })
    let bMatrix = permute(right, shape: rightShape, order: (batch + contracted + freeRight).compactMap { spec.right.firstIndex(of: $0) })
    var product = [Float](repeating: 0, count: b * m * n)
    if k > 0 && m > 0 && n > 0 {
        a.withUnsafeBufferPointer { aBuffer in
            bMatrix.withUnsafeBufferPointer { bBuffer in
                product.withUnsafeMutableBufferPointer { cBuffer in
                    for batchIndex in 0..<b {
                        guard let aBase = aBuffer.baseAddress, let bBase = bBuffer.baseAddress, let cBase = cBuffer.baseAddress else { return }
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                                    aBase + batchIndex * m * k, Int32(k), bBase + batchIndex * k * n, Int32(n), 0,
                                    cBase + batchIndex * m * n, Int32(n))
                    }
                }
            }
        }
    }
    let productLabels = batch + freeLeft + freeRight
    let productShape = productLabels.map { extents[$0] ?? 1 }
    let order = spec.output.compactMap { productLabels.firstIndex(of: $0) }
    return (permute(product, shape: productShape, order: order), spec.output.map { extents[$0] ?? 1 })
}
