import PulseGraph
import Foundation
import Synchronization

/// The throughput this machine's BLAS reaches on large products, the yardstick for the executor's efficiency.
public enum BLASPeak {
    /// GFLOP/s (2 per multiply-accumulate) of `threads` threads each multiplying `size × size` matrices with
    /// single-threaded `cblas_sgemm` for at least `seconds`.
    public static func measure(threads: Int, size: Int = 512, seconds: Double = 1) -> Double {
        Executor.configureRuntime()
        let a = [Float](repeating: 0.5, count: size * size)
        let b = [Float](repeating: 0.25, count: size * size)
        let products = Mutex(0)
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var c = [Float](repeating: 0, count: size * size)
            var done = 0
            while Date().timeIntervalSince(start) < seconds {
                gemm(transposeLeft: false, transposeRight: false, m: size, n: size, k: size, a, b, into: &c)
                done += 1
            }
            products.withLock { $0 += done }
        }
        let elapsed = Date().timeIntervalSince(start)
        return 2 * Double(size * size * size) * Double(products.withLock { $0 }) / elapsed / 1e9
    }
}
