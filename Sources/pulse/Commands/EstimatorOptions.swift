import ArgumentParser
import Foundation
import PulseDSP
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

    @Option(name: .customLong("spectral-weight"), help: "With --model: fuse the model's output with the spectral evidence at this weight in one tracker (pulse evaluate --folds finds the best weight).")
    var spectralWeight: Double?

    @Flag(help: "Preprocess causally (as a stream would) instead of with zero-phase filters.")
    var causal = false

    func validate() throws {
        if method != nil && model != nil { throw ValidationError("give either --method or --model, not both") }
        if let spectralWeight {
            guard model != nil else { throw ValidationError("--spectral-weight fuses a model's output with the spectrum: give --model") }
            guard spectralWeight.isFinite && spectralWeight >= 0 else { throw ValidationError("--spectral-weight must be finite and at least 0") }
        }
    }

    /// The estimator the options describe.
    func makeEstimator() throws -> any HeartRateEstimator {
        let preprocessing: Preprocessing = causal ? .causal : .zeroPhase
        if let model {
            let neural = try NeuralEstimator.load(path: model, preprocessing: preprocessing)
            guard let spectralWeight else { return neural }
            return FusedEstimator(neural: neural, spectral: SpectralEstimator(configuration: .standard, preprocessing: preprocessing),
                                  spectralWeight: spectralWeight)
        }
        switch method ?? .spectral {
        case .spectral:
            return SpectralEstimator(configuration: .standard, preprocessing: preprocessing)
        }
    }
}

extension NeuralEstimator {
    /// The model file at `path` as an estimator named after the file; errors name the file.
    static func load(path: String, preprocessing: Preprocessing, threads: Int = 2) throws -> NeuralEstimator {
        let file = try ModelFile(path: path)
        do {
            return try NeuralEstimator(model: file, name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                                       preprocessing: preprocessing, threads: threads)
        } catch let error as GraphError {
            throw RecordingError(path: path, .unreadable(error.message))
        }
    }
}
