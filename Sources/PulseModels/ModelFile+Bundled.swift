import Foundation
import PulseSignals

extension ModelFile {
    /// The path of the baseline model shipped inside pulse (`models/baseline.h5`, the spectral CNN whose card is
    /// `models/baseline.md`), which the default estimator uses.
    /// - Throws: `RecordingError` when the bundle lacks it (a broken installation).
    public static func bundledBaselinePath() throws -> String {
        guard let url = Bundle.module.url(forResource: "baseline", withExtension: "h5", subdirectory: "Bundled") else {
            throw RecordingError(path: "baseline.h5", .unreadable("missing from pulse's resource bundle: reinstall pulse"))
        }
        return url.path
    }
}
