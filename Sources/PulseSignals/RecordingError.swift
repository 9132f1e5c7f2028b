/// What is wrong with a recording or the file it came from, naming the file and the field or sample.
public struct RecordingError: Error, Equatable, CustomStringConvertible {
    /// The file (or source) the problem was found in.
    public var path: String
    public var reason: Reason

    public init(path: String, _ reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public enum Reason: Equatable, Sendable {
        case fileNotFound
        case notHDF5
        case unreadable(String)
        case missingDataset(String)
        case missingAttribute(String)
        case missingVariable(String)
        case missingColumn(String)
        case badShape(field: String, detail: String)
        case badSampleRate(field: String, value: Double)
        case infiniteSample(field: String, channel: Int, sample: Int)
        case noValidWindow(detail: String)
        case tooShort(durationSeconds: Double, windowSeconds: Double)
        case durationMismatch(ppgSeconds: Double, accSeconds: Double)
        case malformedLine(line: Int, detail: String)
        case truncated(String)
        case unsupported(String)
        case writeFailed(String)
        case exists
        case outputIsInput(String)
        case outputTwice(String)
        case givenTwice(String)
        case noTrainingWindow
        case notAFolder
        case storedElsewhere(field: String, detail: String)
        case referenceMismatch(String)
        case noReference
        case cannotEstimate(String)
    }

    public var description: String { "\(path): \(reason.message)" }
}

extension RecordingError.Reason {
    /// A sentence that says what is wrong, without the path.
    public var message: String {
        switch self {
        case .fileNotFound: return "no such file"
        case .notHDF5: return "not an HDF5 file"
        case .unreadable(let detail): return "cannot be read (\(detail))"
        case .missingDataset(let name): return "dataset \(name) is missing"
        case .missingAttribute(let name): return "attribute \(name) is missing"
        case .missingVariable(let name): return "MATLAB variable \(name) is missing"
        case .missingColumn(let name): return "column \(name) is missing"
        case .badShape(let field, let detail): return "\(field) has the wrong shape: \(detail)"
        case .badSampleRate(let field, let value):
            return "\(field) must be a sample rate between \(formatNumber(Recording.sampleRateRangeHz.lowerBound)) and "
                + "\(formatNumber(Recording.sampleRateRangeHz.upperBound)) Hz (got \(value))"
        case .infiniteSample(let field, let channel, let sample):
            return "\(field) channel \(channel) has an infinite value at sample \(sample)"
        case .noValidWindow(let detail): return "no window without missing samples: \(detail)"
        case .tooShort(let duration, let window):
            return "recording is \(formatNumber(duration)) s long, shorter than one \(formatNumber(window)) s window"
        case .durationMismatch(let ppg, let acc):
            return "PPG lasts \(formatNumber(ppg)) s but the accelerometer \(formatNumber(acc)) s"
        case .malformedLine(let line, let detail): return "line \(line): \(detail)"
        case .truncated(let detail): return "file is truncated (\(detail))"
        case .unsupported(let detail): return "unsupported content: \(detail)"
        case .writeFailed(let detail): return "cannot be written (\(detail))"
        case .exists: return "already exists (pass --force to overwrite)"
        case .outputIsInput(let input): return "is also an input of this run (\(input)); pulse never writes over its inputs"
        case .outputTwice(let other): return "is also another output of this run (\(other))"
        case .noTrainingWindow: return "hold no labelled window to train on"
        case .givenTwice(let other): return "is the same file as \(other), given before; each recording may be given once"
        case .notAFolder: return "is not a folder"
        case .storedElsewhere(let field, let detail):
            return "\(field) is \(detail); pulse reads only data stored in the file itself"
        case .referenceMismatch(let detail): return "reference heart rate does not fit the windows: \(detail)"
        case .noReference: return "has no reference heart rate (/hr_bpm) to score against"
        case .cannotEstimate(let detail): return "cannot be estimated: \(detail)"
        }
    }
}

/// A number for messages: integers without decimals, others to 3 decimals (or significant digits when tiny).
private func formatNumber(_ value: Double) -> String {
    guard value.isFinite else { return String(value) }
    if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
    let rounded = (value * 1000).rounded() / 1000
    return rounded != 0 ? String(rounded) : String(value)
}
