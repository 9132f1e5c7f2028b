import Foundation
import PulseGraph

/// The spectral front end of `SpectralCNN`, in graph instructions tagged `spectrum`: each channel of a
/// `[channels, samples]` window is tapered (Hann) and projected on cosines and sines at the rates of `bins`,
/// giving the power `re² + im²` per channel and bin, divided by the channel's largest power (plus 10⁻⁶).
///
/// `form` says how the projection is computed; the operator search picks cheaper forms:
/// - `direct`: one `contract` each with a constant `[bins, samples]` cosine and sine matrix;
/// - `band`: the same at bins `firstBin..<firstBin + count` only, zero power elsewhere;
/// - `binStride(s)`: at every `s`-th bin (and the last), linearly interpolated between them;
/// - `factorised`: exactly the direct projection, in two stages. With `t = Q·a + b`, the phase
///   `2π f_k t / fs = α_{k,a} + β_{k,b}`, and `α_{k,a} = 2π f_k Q a / fs` repeats in `k` with period `M` when
///   `M · Δf · Q / fs` is a whole number. The first stage contracts over `a` at `M` bins only
///   (`A = Σ_a x cos α`, `B = Σ_a x sin α`); the second combines `re = Σ_b (A cos β − B sin β)` and
///   `im = Σ_b (B cos β + A sin β)` over `b` for every bin.
public struct SpectrumFrontEnd: Sendable, Equatable {
    /// How the projection on cosines and sines is computed.
    public enum Form: Hashable, Codable, Sendable, CustomStringConvertible {
        case direct
        case band(firstBin: Int, count: Int)
        case binStride(Int)
        case factorised

        public var description: String {
            switch self {
            case .direct: return "direct DFT"
            case .band(let first, let count): return "DFT at bins \(first)..<\(first + count)"
            case .binStride(let stride): return "DFT at every \(stride)th bin, interpolated"
            case .factorised: return "factorised DFT"
            }
        }
    }

    /// The layer tag of every instruction the front end emits.
    public static let layer = "spectrum"

    /// The window the front end reads.
    public var input: ModelInput
    /// The rates it projects on.
    public var bins: RateBins
    /// How the projection is computed.
    public var form: Form

    /// The front end of `input` at `bins`, computed as `form` says.
    public init(input: ModelInput, bins: RateBins, form: Form = .direct) {
        self.input = input
        self.bins = bins
        self.form = form
    }

    /// Appends the front end after `window` (`[channels, samples]`); returns the normalised power `[channels, bins]`.
    /// - Throws: `GraphError` when the form does not fit the bins (a band outside them, a stride below 2, or no
    ///   factorisation that saves work).
    public func callAsFunction(_ window: Int, in graph: inout Graph) throws -> Int {
        let layer = Self.layer
        let samples = input.windowSamples
        let hann = Tensor(shape: [1, samples], scalars: (0..<samples).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(samples))) })
        let tapered = try graph.append(.mul, [window, try graph.append(.const(hann), layer: layer)], layer: layer)
        let computed: [Int]
        switch form {
        case .direct, .factorised: computed = Array(0..<bins.count)
        case .band(let first, let count):
            guard first >= 0, count >= 1, first + count <= bins.count else {
                throw GraphError("\(layer): band \(first)..<\(first + count) lies outside the \(bins.count) bins")
            }
            computed = Array(first..<(first + count))
        case .binStride(let stride):
            guard stride >= 2, stride < bins.count else { throw GraphError("\(layer): a bin stride of \(stride) needs 2...\(bins.count - 1)") }
            computed = Array(Swift.stride(from: 0, to: bins.count, by: stride)) + ((bins.count - 1) % stride == 0 ? [] : [bins.count - 1])
        }
        let (real, imaginary) = form == .factorised
            ? try factorisedProjection(tapered, in: &graph) : try directProjection(tapered, bins: computed, in: &graph)
        let power = try graph.append(.add, [try graph.append(.mul, [real, real], layer: layer),
                                            try graph.append(.mul, [imaginary, imaginary], layer: layer)], layer: layer)
        let peak = try graph.append(.reduce(kind: .max, axes: [1]), [power], layer: layer)
        let floor = try graph.append(.const(Tensor(shape: [1], scalars: [1e-6])), layer: layer)
        let divisor = try graph.append(.reshape(shape: [input.channels, 1]), [try graph.append(.add, [peak, floor], layer: layer)], layer: layer)
        let normalised = try graph.append(.div, [power, divisor], layer: layer)
        switch form {
        case .direct, .factorised:
            return normalised
        case .band(let first, let count):
            return try graph.append(.pad(axis: 1, before: first, after: bins.count - first - count), [normalised], layer: layer)
        case .binStride:
            var interpolation = [Float](repeating: 0, count: bins.count * computed.count)
            for k in 0..<bins.count {
                let right = computed.firstIndex { $0 >= k } ?? (computed.count - 1)
                if computed[right] == k || right == 0 {
                    interpolation[k * computed.count + right] = 1
                } else {
                    let (a, b) = (computed[right - 1], computed[right])
                    let fraction = Float(k - a) / Float(b - a)
                    interpolation[k * computed.count + right - 1] = 1 - fraction
                    interpolation[k * computed.count + right] = fraction
                }
            }
            let matrix = try graph.append(.const(Tensor(shape: [bins.count, computed.count], scalars: interpolation)), layer: layer)
            return try graph.append(.contract(spec: try ContractSpec("fb,cb->cf")), [matrix, normalised], layer: layer)
        }
    }

    /// The phase `2π f_k t / fs` of bin `k` at sample `t`.
    private func phase(bin k: Int, sample t: Double) -> Double { 2 * Double.pi * (bins.bpm(k) / 60) * t / input.sampleRateHz }

    private func directProjection(_ tapered: Int, bins computed: [Int], in graph: inout Graph) throws -> (Int, Int) {
        let samples = input.windowSamples
        var cosines = [Float](repeating: 0, count: computed.count * samples)
        var sines = [Float](repeating: 0, count: computed.count * samples)
        for (row, k) in computed.enumerated() {
            for t in 0..<samples {
                cosines[row * samples + t] = Float(cos(phase(bin: k, sample: Double(t))))
                sines[row * samples + t] = Float(sin(phase(bin: k, sample: Double(t))))
            }
        }
        let layer = Self.layer
        let cosine = try graph.append(.const(Tensor(shape: [computed.count, samples], scalars: cosines)), layer: layer)
        let sine = try graph.append(.const(Tensor(shape: [computed.count, samples], scalars: sines)), layer: layer)
        let spec = try ContractSpec("ft,ct->cf")
        return (try graph.append(.contract(spec: spec), [cosine, tapered], layer: layer),
                try graph.append(.contract(spec: spec), [sine, tapered], layer: layer))
    }

    /// The factorisation `samples = P · Q` and period `M` with the fewest multiply-accumulates, if any saves work
    /// over the direct projection.
    public var factorisation: (outer: Int, inner: Int, period: Int)? {
        let samples = input.windowSamples
        let binStepHz = bins.binBpm / 60
        var best: (outer: Int, inner: Int, period: Int, cost: Int)?
        for q in 2..<samples where samples % q == 0 {
            let p = samples / q
            guard let period = (1..<bins.count).first(where: { m in
                let turns = Double(m) * binStepHz * Double(q) / input.sampleRateHz
                return abs(turns - turns.rounded()) < 1e-9
            }) else { continue }
            let cost = 2 * period * p * q + 6 * bins.count * q
            if cost < (best?.cost ?? 2 * bins.count * samples) { best = (p, q, period, cost) }
        }
        return best.map { ($0.outer, $0.inner, $0.period) }
    }

    private func factorisedProjection(_ tapered: Int, in graph: inout Graph) throws -> (Int, Int) {
        guard let (p, q, period) = factorisation else {
            throw GraphError("\(Self.layer): no factorisation of \(input.windowSamples) samples saves work at these \(bins.count) bins")
        }
        let layer = Self.layer
        let channels = input.channels
        var cosA = [Float](repeating: 0, count: period * p)
        var sinA = [Float](repeating: 0, count: period * p)
        for m in 0..<period {
            for a in 0..<p {
                let angle = phase(bin: m, sample: Double(q * a))
                (cosA[m * p + a], sinA[m * p + a]) = (Float(cos(angle)), Float(sin(angle)))
            }
        }
        var cosB = [Float](repeating: 0, count: bins.count * q)
        var sinB = [Float](repeating: 0, count: bins.count * q)
        for k in 0..<bins.count {
            for b in 0..<q {
                let angle = phase(bin: k, sample: Double(b))
                (cosB[k * q + b], sinB[k * q + b]) = (Float(cos(angle)), Float(sin(angle)))
            }
        }
        let split = try graph.append(.reshape(shape: [channels, p, q]), [tapered], layer: layer)
        let spec = try ContractSpec("ma,cab->cmb")
        func stage(_ values: [Float]) throws -> Int {
            let matrix = try graph.append(.const(Tensor(shape: [period, p], scalars: values)), layer: layer)
            let partial = try graph.append(.contract(spec: spec), [matrix, split], layer: layer)
            guard period < bins.count else { return partial }
            var pieces = [Int](repeating: partial, count: bins.count / period)
            if bins.count % period > 0 {
                pieces.append(try graph.append(.slice(axis: 1, start: 0, count: bins.count % period), [partial], layer: layer))
            }
            return pieces.count == 1 ? partial : try graph.append(.concat(axis: 1), pieces, layer: layer)
        }
        let (a, b) = (try stage(cosA), try stage(sinA))
        let cosine = try graph.append(.const(Tensor(shape: [bins.count, q], scalars: cosB)), layer: layer)
        let sine = try graph.append(.const(Tensor(shape: [bins.count, q], scalars: sinB)), layer: layer)
        func product(_ x: Int, _ y: Int) throws -> Int { try graph.append(.mul, [x, y], layer: layer) }
        let realTerms = try graph.append(.sub, [try product(a, cosine), try product(b, sine)], layer: layer)
        let imaginaryTerms = try graph.append(.add, [try product(b, cosine), try product(a, sine)], layer: layer)
        return (try graph.append(.reduce(kind: .sum, axes: [2]), [realTerms], layer: layer),
                try graph.append(.reduce(kind: .sum, axes: [2]), [imaginaryTerms], layer: layer))
    }
}
