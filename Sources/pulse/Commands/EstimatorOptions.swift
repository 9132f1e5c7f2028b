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
        if let model {
            let file = try ModelFile(path: model)
            do {
                return try NeuralEstimator(model: file, name: URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent,
                                           preprocessing: preprocessing)
            } catch let error as GraphError {
                throw RecordingError(path: model, .unreadable(error.message))
            }
        }
        switch method ?? .spectral {
        case .spectral:
            return SpectralEstimator(configuration: .standard, preprocessing: preprocessing)
        }
    }
}
