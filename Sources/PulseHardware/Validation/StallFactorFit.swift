import Foundation

extension MCUCoefficients {
    /// The stall factor that best fits measured latencies in log terms: the geometric mean of measured over counted
    /// latency (counted with a stall factor of 1). NaN without pairs.
    public static func fittedStallFactor(counted: [Double], measured: [Double]) -> Double {
        guard !counted.isEmpty, counted.count == measured.count else { return .nan }
        return exp(zip(counted, measured).reduce(0) { $0 + log($1.1 / $1.0) } / Double(counted.count))
    }
}
