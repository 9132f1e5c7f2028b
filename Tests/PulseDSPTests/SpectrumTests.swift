import Foundation
import Synchronization
import Testing
@testable import PulseDSP

@Suite struct SpectrumTests {
    /// `sin(2π 3 t) + 0.3 sin(2π 7 t + 0.2)` at 25 Hz, 200 samples: the input of the SciPy references.
    let twoTones: [Float] = (0..<200).map { i in
        let t = Double(i) / 25
        return Float(sin(2 * .pi * 3 * t) + 0.3 * sin(2 * .pi * 7 * t + 0.2))
    }

    @Test func fftMatchesDirectDFT() throws {
        var generator = SystemRandomNumberGenerator()
        let x = (0..<37).map { _ in Float.random(in: -1...1, using: &generator) }
        let (re, im) = try RealFFT(length: 37).forward(x)
        for k in 0...18 {
            var sumRe = 0.0
            var sumIm = 0.0
            for (n, value) in x.enumerated() {
                let angle = -2 * Double.pi * Double(k * n) / 37
                sumRe += Double(value) * cos(angle)
                sumIm += Double(value) * sin(angle)
            }
            #expect(abs(Double(re[k]) - sumRe) < 1e-4)
            #expect(abs(Double(im[k]) - sumIm) < 1e-4)
        }
    }

    @Test func plansAreSharedSafelyAcrossThreads() {
        // Instances of a few lengths made and run from many threads at once all give the DC bin Σx.
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let length = 96 + 16 * (i % 4)
            guard let fft = try? RealFFT(length: length) else { failures.withLock { $0 += 1 }; return }
            let x = [Float](repeating: Float(i), count: length)
            let dc = fft.forward(x).real[0]
            if abs(dc - Float(i * length)) > 1e-3 * Float(max(i * length, 1)) { failures.withLock { $0 += 1 } }
        }
        #expect(failures.withLock { $0 } == 0)
    }

    @Test func parseval() throws {
        var generator = SystemRandomNumberGenerator()
        let n = 256
        let x = (0..<n).map { _ in Float.random(in: -1...1, using: &generator) }
        let (re, im) = try RealFFT(length: n).forward(x)
        let timeEnergy = x.reduce(0.0) { $0 + Double($1 * $1) }
        var frequencyEnergy = 0.0
        for k in 0...(n / 2) {
            let power = Double(re[k] * re[k] + im[k] * im[k])
            frequencyEnergy += (k == 0 || k == n / 2) ? power : 2 * power
        }
        #expect(abs(frequencyEnergy / Double(n) - timeEnergy) < 1e-4 * timeEnergy)
    }

    @Test func welchMatchesSciPy() throws {
        let spectrum = try PowerSpectrum.welch(twoTones, sampleRateHz: 25, segmentLength: 64, overlap: 32)
        #expect(spectrum.density.count == 33)
        let expected: [Int: Float] = [0: 3.759938780856564e-07, 8: 0.7471027007115987, 19: 0.014884442574869433]
        for (bin, value) in expected { #expect(abs(spectrum.density[bin] - value) < 1e-5 * max(1, value) + 1e-7, "bin \(bin)") }
    }

    @Test func periodogramMatchesSciPyAndFindsTones() throws {
        let spectrum = try PowerSpectrum.periodogram(twoTones, sampleRateHz: 25, fftLength: 256)
        #expect(abs(spectrum.density[31] - 2.506593995909812) < 1e-4)
        #expect(abs(spectrum.density[72] - 0.22132982611063623) < 1e-5)
        let peak = spectrum.density.indices.max { spectrum.density[$0] < spectrum.density[$1] } ?? -1
        #expect(abs(spectrum.frequencyHz(peak) - 3) <= spectrum.resolutionHz)
    }

    @Test func whiteNoiseDensityIsVarianceOverNyquist() throws {
        var generator = SystemRandomNumberGenerator()
        let rate = 32.0
        let x = (0..<65536).map { _ in Float.random(in: -1...1, using: &generator) }  // variance 1/3
        let spectrum = try PowerSpectrum.welch(x, sampleRateHz: rate, segmentLength: 256, overlap: 128)
        let mean = spectrum.density[1..<128].reduce(0, +) / 127
        #expect(abs(Double(mean) - (1.0 / 3) / (rate / 2)) < 0.03 * (1.0 / 3) / (rate / 2))
    }

    @Test func rejectsBadArguments() {
        #expect(throws: DSPError.self) { try RealFFT(length: 1) }
        #expect(throws: DSPError.self) { try PowerSpectrum.welch([1, 2, 3], sampleRateHz: 10, segmentLength: 8, overlap: 0) }
        #expect(throws: DSPError.self) { try PowerSpectrum.welch([1, 2, 3, 4], sampleRateHz: 10, segmentLength: 4, overlap: 4) }
        #expect(throws: DSPError.self) { try PowerSpectrum.periodogram([1, 2, 3, 4], sampleRateHz: 0) }
    }
}
