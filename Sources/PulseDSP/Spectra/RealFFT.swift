import CFFTW
import Foundation

/// A real-to-complex FFT of fixed length through FFTW (single precision), planned once and reused.
///
/// `X[k] = Σₙ x[n] e^{−2πikn/N}` for `k = 0...N/2` (the other half is the conjugate mirror). Plans are made
/// once per length for the whole process, under a lock because FFTW's planner is not thread-safe, and kept;
/// executing a plan on an instance's own (SIMD-aligned) buffers is thread-safe, so instances are cheap and
/// each is used by one thread at a time.
public final class RealFFT {
    /// Transform length `N`.
    public let length: Int
    /// Number of complex outputs, `N / 2 + 1`.
    public var binCount: Int { length / 2 + 1 }

    private let input: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<fftwf_complex>
    private let plan: fftwf_plan

    private static let plannerLock = NSLock()
    nonisolated(unsafe) private static var plans: [Int: fftwf_plan] = [:]

    /// The process-wide plan for `length`, made on first use with the given (aligned) buffers.
    private static func plan(length: Int, input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<fftwf_complex>) -> fftwf_plan? {
        plannerLock.lock()
        defer { plannerLock.unlock() }
        if let plan = plans[length] { return plan }
        let plan = fftwf_plan_dft_r2c_1d(Int32(length), input, output, UInt32(FFTW_ESTIMATE))
        plans[length] = plan
        return plan
    }

    /// - Throws: `DSPError` when `length` is below 2 or FFTW cannot make a plan.
    public init(length: Int) throws {
        guard length >= 2 else { throw DSPError("FFT length must be at least 2 (got \(length))") }
        self.length = length
        // FFTW documents only its execute functions as thread-safe, so allocation shares the planner's lock.
        RealFFT.plannerLock.lock()
        let input = fftwf_alloc_real(length)
        let output = fftwf_alloc_complex(length / 2 + 1)
        RealFFT.plannerLock.unlock()
        guard let input, let output, let plan = RealFFT.plan(length: length, input: input, output: output) else {
            RealFFT.release(input, output)
            throw DSPError("FFTW could not allocate or plan a real FFT of length \(length)")
        }
        self.input = input
        self.output = output
        self.plan = plan
    }

    deinit {
        RealFFT.release(input, output)
    }

    private static func release(_ input: UnsafeMutablePointer<Float>?, _ output: UnsafeMutablePointer<fftwf_complex>?) {
        plannerLock.lock()
        defer { plannerLock.unlock() }
        if let input { fftwf_free(input) }
        if let output { fftwf_free(output) }
    }

    /// Copies `signal` into the input buffer, zero-padded to `length` (at most `length` samples are used),
    /// runs the plan, and returns the output bins as interleaved real and imaginary parts.
    private func execute(_ signal: UnsafeBufferPointer<Float>) -> UnsafeMutablePointer<Float> {
        let used = min(signal.count, length)
        if let base = signal.baseAddress { input.update(from: base, count: used) }
        if used < length { (input + used).initialize(repeating: 0, count: length - used) }
        fftwf_execute_dft_r2c(plan, input, output)
        return UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self)
    }

    /// The complex spectrum of `signal` (zero-padded to `length`) as `(real, imaginary)` arrays of `N/2 + 1`.
    public func forward(_ signal: [Float]) -> (real: [Float], imaginary: [Float]) {
        signal.withUnsafeBufferPointer { buffer in
            let bins = execute(buffer)
            return ((0..<binCount).map { bins[2 * $0] }, (0..<binCount).map { bins[2 * $0 + 1] })
        }
    }

    /// `|X[k]|²` for `k = 0...N/2`, written into `power` (which must hold `N/2 + 1` values).
    public func powerSpectrum(_ signal: UnsafeBufferPointer<Float>, into power: UnsafeMutableBufferPointer<Float>) {
        precondition(power.count >= binCount, "power buffer holds \(power.count) of \(binCount) bins")
        let bins = execute(signal)
        for k in 0..<binCount {
            let re = bins[2 * k]
            let im = bins[2 * k + 1]
            power[k] = re * re + im * im
        }
    }
}
