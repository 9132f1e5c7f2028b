import Foundation
import PulseSignals

extension ModelFile {
    /// The path of the baseline model shipped inside pulse (`models/baseline.h5`, the spectral CNN whose card is
    /// `models/baseline.md`), which the neural estimator uses by default.
    /// - Throws: `RecordingError` when the bundle lacks it (a broken installation).
    public static func bundledBaselinePath() throws -> String { try bundledPath(named: "baseline") }

    /// The paths of the models the default (fused) estimator averages: `models/baseline.h5` and
    /// `models/baseline-augmented.h5`, trained on every recording of SPC 2015 and BAMI-1 by
    /// `TrainingRecipe.shippedEnsemble`.
    /// - Throws: `RecordingError` when the bundle lacks one (a broken installation).
    public static func bundledEnsemblePaths() throws -> [String] {
        [try bundledPath(named: "baseline"), try bundledPath(named: "baseline-augmented")]
    }

    private static func bundledPath(named name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "h5", subdirectory: "Bundled") else {
            throw RecordingError(path: name + ".h5", .unreadable("missing from pulse's resource bundle: reinstall pulse"))
        }
        return url.path
    }
}
