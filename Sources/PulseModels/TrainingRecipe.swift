/// How one model of an ensemble is trained, as a short spec: `EPOCHS` (`30`) or `EPOCHS-augmented` (`45-augmented`,
/// with `TrainingSettings.Augmentation.standard`); everything else is `TrainingSettings`' default.
public struct TrainingRecipe: Sendable, Hashable, CustomStringConvertible {
    /// Training epochs (≥ 1).
    public var epochs: Int
    /// Whether the windows are augmented beyond the time stretch.
    public var augmented: Bool

    /// A recipe of `epochs` epochs, augmented or not.
    public init(epochs: Int, augmented: Bool) {
        self.epochs = epochs
        self.augmented = augmented
    }

    /// Parses `EPOCHS` or `EPOCHS-augmented`; nil for anything else or fewer than 1 epoch.
    public init?(spec: String) {
        let augmented = spec.hasSuffix("-augmented")
        guard let epochs = Int(augmented ? String(spec.dropLast("-augmented".count)) : spec), epochs >= 1 else { return nil }
        self.init(epochs: epochs, augmented: augmented)
    }

    /// The spec: `EPOCHS` or `EPOCHS-augmented`.
    public var description: String { "\(epochs)" + (augmented ? "-augmented" : "") }

    /// `TrainingSettings` with this recipe's epochs and augmentation, and `seed`.
    public func settings(seed: UInt64) -> TrainingSettings {
        var settings = TrainingSettings()
        settings.epochs = epochs
        settings.seed = seed
        settings.augmentation = augmented ? .standard : .none
        return settings
    }

    /// The recipes of the models pulse ships as its default ensemble: `models/baseline.h5` (30 epochs) and
    /// `models/baseline-augmented.h5` (45 epochs, augmented).
    public static let shippedEnsemble = [TrainingRecipe(epochs: 30, augmented: false), TrainingRecipe(epochs: 45, augmented: true)]
}
