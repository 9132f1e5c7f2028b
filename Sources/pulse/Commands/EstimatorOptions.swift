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

    @Flag(help: "Preprocess causally (as a stream would) instead of with zero-phase filters.")
    var causal = false

    func validate() throws {
        if method != nil && model != nil { throw ValidationError("give either --method or --model, not both") }
    }

    /// The estimator the options describe.
    func makeEstimator() throws -> any HeartRateEstimator {
        let preprocessing: Preprocessing = causal ? .causal : .zeroPhase
        if let model { return try NeuralEstimator.load(path: model, preprocessing: preprocessing) }
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
