import CFFTW
import Foundation

/// A real-to-complex FFT of fixed length through FFTW (single precision), planned once and reused.
///
/// `X[k] = Σₙ x[n] e^{−2πikn/N}` for `k = 0...N/2` (the other half is the conjugate mirror). The plan is
/// made under a process-wide lock because FFTW's planner is not thread-safe; executing it is, and each
/// instance owns its buffers, so one instance is used by one thread at a time.
public final class RealFFT {
    /// Transform length `N`.
    public let length: Int
    /// Number of complex outputs, `N / 2 + 1`.
    public var binCount: Int { length / 2 + 1 }

    private let input: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<fftwf_complex>
    private let plan: fftwf_plan

    private static let plannerLock = NSLock()

    /// - Throws: `DSPError` when `length` is below 2 or FFTW cannot make a plan.
    public init(length: Int) throws {
        guard length >= 2 else { throw DSPError("FFT length must be at least 2 (got \(length))") }
        self.length = length
        guard let input = fftwf_alloc_real(length), let output = fftwf_alloc_complex(length / 2 + 1) else {
            throw DSPError("FFTW could not allocate buffers for length \(length)")
        }
        RealFFT.plannerLock.lock()
        let plan = fftwf_plan_dft_r2c_1d(Int32(length), input, output, UInt32(FFTW_ESTIMATE))
        RealFFT.plannerLock.unlock()
        guard let plan else {
            fftwf_free(input)
            fftwf_free(output)
            throw DSPError("FFTW could not plan a real FFT of length \(length)")
        }
        self.input = input
        self.output = output
        self.plan = plan
    }

    deinit {
        RealFFT.plannerLock.lock()
        fftwf_destroy_plan(plan)
        RealFFT.plannerLock.unlock()
        fftwf_free(input)
        fftwf_free(output)
    }

    /// Transforms `signal` (zero-padded to `length`; at most `length` samples are used) and passes the
    /// complex bins `X[0...N/2]` as real and imaginary parts to `body`.
    public func transform<T>(_ signal: UnsafeBufferPointer<Float>, _ body: (_ real: (Int) -> Float, _ imaginary: (Int) -> Float) -> T) -> T {
        let used = min(signal.count, length)
        if let base = signal.baseAddress { input.update(from: base, count: used) }
        if used < length { (input + used).initialize(repeating: 0, count: length - used) }
        fftwf_execute(plan)
        let bins = UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self)
        return body({ bins[2 * $0] }, { bins[2 * $0 + 1] })
    }

    /// The complex spectrum of `signal` (zero-padded to `length`) as `(real, imaginary)` arrays of `N/2 + 1`.
    public func forward(_ signal: [Float]) -> (real: [Float], imaginary: [Float]) {
        signal.withUnsafeBufferPointer { buffer in
            transform(buffer) { re, im in ((0..<binCount).map(re), (0..<binCount).map(im)) }
        }
    }

    /// `|X[k]|²` for `k = 0...N/2`, written into `power` (which must hold `N/2 + 1` values).
    public func powerSpectrum(_ signal: UnsafeBufferPointer<Float>, into power: UnsafeMutableBufferPointer<Float>) {
        precondition(power.count >= binCount, "power buffer holds \(power.count) of \(binCount) bins")
        let used = min(signal.count, length)
        if let base = signal.baseAddress { input.update(from: base, count: used) }
        if used < length { (input + used).initialize(repeating: 0, count: length - used) }
        fftwf_execute(plan)
        let bins = UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self)
        for k in 0..<binCount {
            let re = bins[2 * k]
            let im = bins[2 * k + 1]
            power[k] = re * re + im * im
        }
    }
}
