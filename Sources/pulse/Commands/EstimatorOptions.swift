import ArgumentParser
import Foundation
import PulseDSP
import PulseFirmware
import PulseGraph
import PulseModels
import PulseSignals

/// The estimators `--method` can name.
enum EstimatorMethod: String, ExpressibleByArgument, CaseIterable {
    case spectral
}

/// Options shared by the commands that run an estimator.
struct EstimatorOptions: ParsableArguments {
    @Option(help: "Estimator: \(EstimatorMethod.allCases.map(\.rawValue).joined(separator: ", ")) (the default without --model).")
    var method: EstimatorMethod?

    @Option(help: "A trained model file (.h5): estimate with it instead of the spectral method.")
    var model: String?

    @Option(name: .customLong("spectral-weight"), help: "With --model: fuse the model's output with the spectral evidence at this weight in one tracker (pulse evaluate --folds finds the best weights).")
    var spectralWeight: Double?

    @Option(name: .customLong("neural-weight"), help: "With --model: the weight of the model's log-probability in the tracker (below 1 tempers it; default 1).")
    var neuralWeight: Double?

    @Option(name: .customLong("harmonic-weight"), help: "With --model: the weight of the harmonic check (a rate whose half or third holds more spectral evidence is penalised; default 0).")
    var harmonicWeight: Double?

    @Flag(help: "Preprocess causally (as a stream would) instead of with zero-phase filters.")
    var causal = false

    @Flag(help: "With --model: score with the int8 model as the firmware runs it (pulse export c), bit for bit.")
    var int8 = false

    @Option(parsing: .upToNextOption, help: "With --int8: recordings (or folders) whose windows calibrate the int8 ranges.")
    var calibration: [String] = []

    func validate() throws {
        if method != nil && model != nil { throw ValidationError("give either --method or --model, not both") }
        if spectralWeight != nil || neuralWeight != nil || harmonicWeight != nil, model == nil {
            throw ValidationError("--spectral-weight, --neural-weight and --harmonic-weight weigh a model's output in the tracker: give --model")
        }
        if let weight = [spectralWeight, harmonicWeight].compactMap({ $0 }).first(where: { !($0.isFinite && $0 >= 0) }) {
            throw ValidationError("--spectral-weight and --harmonic-weight must be finite and at least 0 (got \(weight))")
        }
        if let neuralWeight, !(neuralWeight.isFinite && neuralWeight > 0) { throw ValidationError("--neural-weight must be finite and above 0") }
        if int8 && (model == nil || calibration.isEmpty) { throw ValidationError("--int8 needs --model and --calibration recordings") }
        if !int8 && !calibration.isEmpty { throw ValidationError("--calibration sets the ranges of --int8") }
    }

    /// The estimator the options describe.
    func makeEstimator() throws -> any HeartRateEstimator {
        let preprocessing: Preprocessing = causal ? .causal : .zeroPhase
        if let model {
            let neural = try NeuralEstimator.load(path: model, preprocessing: preprocessing, int8Calibration: int8 ? calibration : nil)
            guard spectralWeight != nil || neuralWeight != nil || harmonicWeight != nil else { return neural }
            return FusedEstimator(neural: neural, spectral: SpectralEstimator(configuration: .standard, preprocessing: preprocessing),
                                  weights: FusedEstimator.Weights(neural: neuralWeight ?? 1, spectral: spectralWeight ?? 0, harmonic: harmonicWeight ?? 0))
        }
        switch method ?? .spectral {
        case .spectral:
            return SpectralEstimator(configuration: .standard, preprocessing: preprocessing)
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
