import PulseDSP
import PulseSignals

/// Reads a recording and runs an estimator on it, so that every error names the file it came from.
enum EstimationRun {
    /// Runs `estimator` on `recording`, read from `path`; errors are reported against `path`.
    static func estimate(_ estimator: any HeartRateEstimator, _ recording: Recording, path: String) throws -> [WindowEstimate] {
        do {
            return try estimator.estimate(recording, layout: .standard)
        } catch var error as RecordingError {
            error.path = path
            throw error
        } catch let error as DSPError {
            throw RecordingError(path: path, .cannotEstimate(error.message))
        }
    }

    /// Reads the recording at `path` and runs `estimator` on it.
    static func estimate(_ estimator: any HeartRateEstimator, path: String) throws -> (Recording, [WindowEstimate]) {
        let recording = try Recording(hdf5Path: path)
        return (recording, try estimate(estimator, recording, path: path))
    }
}
