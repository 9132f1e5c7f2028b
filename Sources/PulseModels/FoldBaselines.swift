import Foundation

/// The baseline models of cross-validation folds, as `pulse train --folds` trains them: fold `n` of `k` (by
/// recording, `CrossValidation.folds` with the settings' seed) is trained on the recordings outside it. Kept in a
/// folder when one is given, under a name that holds the fold, the seed, the epochs and whether the windows were
/// augmented beyond the time stretch, and read from it again, so
/// that several evaluations share them.
public struct FoldBaselines: Sendable {
    /// How each fold's baseline is trained.
    public var settings: TrainingSettings
    /// Folds by recording.
    public var folds: Int
    /// Where fold baselines are kept; nil trains each every time.
    public var directory: String?

    /// Fold baselines trained with `settings` in `folds` folds, kept in `directory`.
    public init(settings: TrainingSettings, folds: Int, directory: String?) {
        self.settings = settings
        self.folds = folds
        self.directory = directory
    }

    /// The recordings of each fold, for `count` recordings in their given order.
    public func assignment(count: Int) -> [[Int]] { CrossValidation.folds(count: count, k: folds, seed: settings.seed) }

    /// The file name of fold `number`'s baseline (from 0).
    public func fileName(_ number: Int) -> String {
        "fold-\(number + 1)-of-\(folds)-seed-\(settings.seed)-epochs-\(settings.epochs)" + (settings.augmentation.isNone ? "" : "-augmented") + ".h5"
    }

    /// Fold `number`'s baseline (from 0): read from the folder when it is there, else trained on `training` (the
    /// windows of the recordings outside the fold) and kept there.
    /// - Throws: file errors naming the model file; training errors.
    public func model(_ number: Int, training: () throws -> TrainingSet) throws -> ModelFile {
        let path = directory.map { $0 + "/" + fileName(number) }
        if let path, FileManager.default.fileExists(atPath: path) { return try ModelFile(path: path) }
        let model = try ModelTrainer(architecture: .baseline, settings: settings).train(try training())
        if let directory, let path {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try model.write(to: path, replacing: true)
        }
        return model
    }
}
