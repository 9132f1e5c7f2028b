import Testing
import PulseGraph
import PulseModels

@Suite struct AugmentationTests {
    /// A window of 4 channels × 16 samples whose value names its channel and sample: `100 c + t`.
    static let window: [Float] = (0..<4).flatMap { c in (0..<16).map { Float(100 * c + $0) } }

    /// The accelerometer axes move together against the PPG by one lag within the bound, reflected at the ends.
    @Test func lagShiftsTheAxesTogether() {
        let augmentation = TrainingSettings.Augmentation(maximumLagSamples: 3, axisDropout: 0, noise: 0)
        var generator = SeededGenerator(seed: 5)
        var lags = Set<Int>()
        for _ in 0..<40 {
            var window = Self.window
            augmentation.apply(&window, samples: 16, using: &generator)
            #expect(Array(window[0..<16]) == Array(Self.window[0..<16]))
            let lag = Int(window[16 + 8]) - 108
            #expect((-3...3).contains(lag))
            lags.insert(lag)
            for c in 1..<4 {
                for t in 0..<16 {
                    var source = t + lag
                    if source < 0 { source = -source }
                    if source > 15 { source = 30 - source }
                    #expect(window[c * 16 + t] == Float(100 * c + source))
                }
            }
        }
        #expect(lags.count > 3)
    }

    @Test func dropoutZeroesAxesAndNoiseStaysWithinItsBound() {
        var generator = SeededGenerator(seed: 9)
        var dropped = Self.window
        TrainingSettings.Augmentation(maximumLagSamples: 0, axisDropout: 1, noise: 0).apply(&dropped, samples: 16, using: &generator)
        #expect(Array(dropped[0..<16]) == Array(Self.window[0..<16]) && dropped[16...].allSatisfy { $0 == 0 })
        var noisy = [Float](repeating: 0, count: 4 * 4096)
        TrainingSettings.Augmentation(maximumLagSamples: 0, axisDropout: 0, noise: 0.3).apply(&noisy, samples: 4096, using: &generator)
        let deviation = (noisy.reduce(0) { $0 + $1 * $1 } / Float(noisy.count)).squareRoot()
        #expect(deviation > 0 && deviation < 0.33)
        var untouched = Self.window
        TrainingSettings.Augmentation.none.apply(&untouched, samples: 16, using: &generator)
        #expect(untouched == Self.window)
    }
}

@Suite struct FoldBaselinesTests {
    /// Fold models trained another way are kept under another name, so that a folder never hands one for the other.
    @Test func namesSayHowTheFoldWasTrained() {
        var settings = TrainingSettings()
        let plain = FoldBaselines(settings: settings, folds: 5, directory: nil)
        settings.augmentation = .standard
        settings.epochs = 45
        let augmented = FoldBaselines(settings: settings, folds: 5, directory: nil)
        #expect(plain.fileName(0) == "fold-1-of-5-seed-2015-epochs-30.h5")
        #expect(augmented.fileName(4) == "fold-5-of-5-seed-2015-epochs-45-augmented.h5")
        #expect(plain.assignment(count: 38) == CrossValidation.folds(count: 38, k: 5, seed: 2015))
    }
}
