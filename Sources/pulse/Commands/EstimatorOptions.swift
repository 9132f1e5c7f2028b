import ArgumentParser
import Foundation
import PulseDSP
import PulseFirmware
import PulseGraph
import PulseModels
import PulseSignals

/// The estimators `--method` can name.
enum EstimatorMethod: String, ExpressibleByArgument, CaseIterable {
    /// The models and the spectral estimator in one tracker (`FusedEstimator`): cross-validation's best, the default.
    case fused
    /// The model alone, with its tracker.
    case neural
    /// The spectral estimator alone.
    case spectral
}

/// Options shared by the commands that run an estimator.
struct EstimatorOptions: ParsableArguments {
    @Option(help: "Estimator: fused (the default: the two models shipped inside pulse and the spectral evidence in one tracker that waits 3 windows, cross-validation's best), neural (the shipped baseline model alone, causal) or spectral.")
    var method: EstimatorMethod?

    @Option(help: "A trained model file (.h5) for the fused or neural estimator, instead of the models shipped inside pulse; give it again for an ensemble, whose probabilities the fused estimator averages. --model alone, without weights, is the neural estimator.")
    var model: [String] = []

    @Option(name: .customLong("spectral-weight"), help: "The fused estimator's weight of the spectral evidence (default \(FusedEstimator.Weights.crossValidated.spectral); pulse evaluate --folds finds the best weights).")
    var spectralWeight: Double?

    @Option(name: .customLong("neural-weight"), help: "The fused estimator's weight of the model's log-probability (below 1 it tempers it; default \(FusedEstimator.Weights.crossValidated.neural)).")
    var neuralWeight: Double?

    @Option(name: .customLong("harmonic-weight"), help: "The fused estimator's weight of the harmonic check (a rate whose half or third holds more spectral evidence is penalised; default \(FusedEstimator.Weights.crossValidated.harmonic)).")
    var harmonicWeight: Double?

    @Flag(help: "Estimate causally, as a stream would: causal filters instead of zero-phase ones, and the fused estimator's tracker without lag (the Viterbi tracker).")
    var causal = false

    @Flag(help: "Score the model as int8, as the firmware runs it (pulse export c), bit for bit.")
    var int8 = false

    @Option(parsing: .upToNextOption, help: "With --int8: recordings (or folders) whose windows calibrate the int8 ranges.")
    var calibration: [String] = []

    private var weightsGiven: Bool { spectralWeight != nil || neuralWeight != nil || harmonicWeight != nil }

    /// The estimator the options name: `--method`, else the neural one for `--model` without weights, else fused.
    var resolvedMethod: EstimatorMethod { method ?? (model.count == 1 && !weightsGiven ? .neural : .fused) }

    func validate() throws {
        if method == .spectral && !model.isEmpty { throw ValidationError("--method spectral uses no model: drop --model") }
        if model.count > 1 && resolvedMethod != .fused { throw ValidationError("an ensemble of --model files runs in the fused estimator: not with --method \(resolvedMethod.rawValue)") }
        if weightsGiven && resolvedMethod != .fused {
            throw ValidationError("--spectral-weight, --neural-weight and --harmonic-weight weigh the fused estimator's tracker: not with --method \(resolvedMethod.rawValue)")
        }
        if let weight = [spectralWeight, harmonicWeight].compactMap({ $0 }).first(where: { !($0.isFinite && $0 >= 0) }) {
            throw ValidationError("--spectral-weight and --harmonic-weight must be finite and at least 0 (got \(weight))")
        }
        if let neuralWeight, !(neuralWeight.isFinite && neuralWeight > 0) { throw ValidationError("--neural-weight must be finite and above 0") }
        if int8 && (resolvedMethod == .spectral || calibration.isEmpty) {
            throw ValidationError("--int8 scores a model (the fused or neural estimator) and needs --calibration recordings")
        }
        if !int8 && !calibration.isEmpty { throw ValidationError("--calibration sets the ranges of --int8") }
    }

    /// The estimator the options describe.
    func makeEstimator() throws -> any HeartRateEstimator {
        let preprocessing: Preprocessing = causal ? .causal : .zeroPhase
        let spectral = SpectralEstimator(configuration: .standard, preprocessing: preprocessing)
        let method = resolvedMethod
        if method == .spectral { return spectral }
        if method == .neural {
            return try NeuralEstimator.load(path: model.first ?? ModelFile.bundledBaselinePath(), preprocessing: preprocessing,
                                            int8Calibration: int8 ? calibration : nil)
        }
        let neural = try (model.isEmpty ? ModelFile.bundledEnsemblePaths() : model).map {
            try NeuralEstimator.load(path: $0, preprocessing: preprocessing, int8Calibration: int8 ? calibration : nil)
        }
        let defaults = FusedEstimator.Weights.crossValidated
        let weights = FusedEstimator.Weights(neural: neuralWeight ?? defaults.neural, spectral: spectralWeight ?? defaults.spectral,
                                             harmonic: harmonicWeight ?? defaults.harmonic)
        do {
            return try FusedEstimator(neural: neural, spectral: spectral, weights: weights, tracking: causal ? .causal : .crossValidated)
        } catch let error as GraphError {
            throw CommandError(error.message)
        }
    }
}

extension NeuralEstimator {
    /// The model file at `path` as an estimator named after the file; errors name the file.
    /// With `int8Calibration`, the model is quantised on those recordings' windows and scored by the int8 reference.
    static func load(path: String, preprocessing: Preprocessing, threads: Int = 2, int8Calibration: [String]? = nil) throws -> NeuralEstimator {
        let file = try ModelFile(path: path)
        var scorer: (any WindowScorer)?
        if let int8Calibration {
            let calibrator = try FirmwareCalibration(model: file)
            scorer = IntegerScorer(executor: IntegerExecutor(model: try calibrator.quantise(
                FirmwareCalibration.windows(int8Calibration, input: file.input))))
        }
        do {
            return try NeuralEstimator(model: file, name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                                       preprocessing: preprocessing, threads: threads, scorer: scorer)
        } catch let error as GraphError {
            throw RecordingError(path: path, .unreadable(error.message))
        }
    }
}
