import ArgumentParser
import PulseDSP
import PulseSignals

/// The estimators `--method` can name.
enum EstimatorMethod: String, ExpressibleByArgument, CaseIterable {
    case spectral
}

/// Options shared by the commands that run an estimator.
struct EstimatorOptions: ParsableArguments {
    @Option(help: "Estimator: \(EstimatorMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: EstimatorMethod = .spectral

    @Flag(help: "Preprocess causally (as a stream would) instead of with zero-phase filters.")
    var causal = false

    /// The estimator the options describe.
    func makeEstimator() -> any HeartRateEstimator {
        switch method {
        case .spectral:
            return SpectralEstimator(configuration: .standard, preprocessing: causal ? .causal : .zeroPhase)
        }
    }
}
