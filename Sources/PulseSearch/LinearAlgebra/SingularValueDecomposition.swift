import CBLAS
import PulseEngine

/// `A = U · diag(s) · Vᵀ` of a row-major `rows × columns` matrix, by LAPACK's `sgesvd` (through OpenBLAS), with
/// the `min(rows, columns)` singular values in decreasing order.
public struct SingularValueDecomposition: Sendable {
    /// `rows × rank` left singular vectors, row-major (column `j` pairs with `values[j]`).
    public let u: [Float]
    /// The singular values, largest first.
    public let values: [Float]
    /// `rank × columns` right singular vectors as rows, row-major.
    public let vt: [Float]
    /// The matrix's shape.
    public let rows: Int
    public let columns: Int

    /// The number of singular values, `min(rows, columns)`.
    public var rank: Int { values.count }

    /// Decomposes `matrix` (`rows × columns`, row-major).
    /// - Throws: `SearchError.linearAlgebra` when LAPACK reports an argument error or no convergence.
    public init(_ matrix: [Float], rows: Int, columns: Int) throws {
        precondition(matrix.count == rows * columns && rows > 0 && columns > 0, "a \(rows) x \(columns) matrix needs \(rows * columns) values")
        Executor.configureRuntime()
        let k = min(rows, columns)
        var columnMajor = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows { for c in 0..<columns { columnMajor[c * rows + r] = matrix[r * columns + c] } }
        var (m, n, lda, ldu, ldvt) = (Int32(rows), Int32(columns), Int32(rows), Int32(rows), Int32(k))
        var s = [Float](repeating: 0, count: k)
        var uColumns = [Float](repeating: 0, count: rows * k)
        var vtColumns = [Float](repeating: 0, count: k * columns)
        var info: Int32 = 0
        var lwork: Int32 = -1
        var query: Float = 0
        let job: [CChar] = [CChar(UInt8(ascii: "S")), 0]
        sgesvd_(job, job, &m, &n, &columnMajor, &lda, &s, &uColumns, &ldu, &vtColumns, &ldvt, &query, &lwork, &info, 1, 1)
        lwork = Int32(query.rounded(.up))
        var work = [Float](repeating: 0, count: max(1, Int(lwork)))
        sgesvd_(job, job, &m, &n, &columnMajor, &lda, &s, &uColumns, &ldu, &vtColumns, &ldvt, &work, &lwork, &info, 1, 1)
        guard info == 0 else {
            throw SearchError.linearAlgebra("sgesvd of a \(rows) x \(columns) matrix returned info \(info)")
        }
        var u = [Float](repeating: 0, count: rows * k)
        for r in 0..<rows { for j in 0..<k { u[r * k + j] = uColumns[j * rows + r] } }
        var vt = [Float](repeating: 0, count: k * columns)
        for j in 0..<k { for c in 0..<columns { vt[j * columns + c] = vtColumns[c * k + j] } }
        self.u = u
        self.values = s
        self.vt = vt
        self.rows = rows
        self.columns = columns
    }
}
