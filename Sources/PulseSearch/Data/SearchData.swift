import Foundation
import PulseGraph
import PulseModels
import PulseSignals

/// One recording cut into model windows once, for the whole search: its windows, which are valid, and each
/// window's reference rate.
public struct RecordingWindows: Sendable {
    /// The recording's name.
    public var name: String
    /// The dataset it belongs to (the folder two levels up from the file: `spc2015/h5/x.h5` → `spc2015`).
    public var dataset: String
    /// Every window, `[channels × samples]`.
    public var windows: [[Float]]
    /// Whether each window is fit to estimate from.
    public var valid: [Bool]
    /// Each window's reference rate, if any.
    public var referencesBpm: [Double?]

    /// Windows that are valid and labelled.
    public var labelledCount: Int { windows.indices.filter { valid[$0] && referencesBpm[$0] != nil }.count }
}

/// The recordings a search trains and validates on, cut into windows once.
public struct SearchData: Sendable {
    /// The recordings, in the order given.
    public var recordings: [RecordingWindows]

    /// Cuts the recordings at `paths` into windows for a model reading `input`.
    /// - Throws: `RecordingError` naming the file that cannot be read or cut.
    public init(paths: [String], input: ModelInput, progress: (Int, Int) -> Void = { _, _ in }) throws {
        let pipeline = InputPipeline(input: input)
        var recordings: [RecordingWindows] = []
        for (number, path) in paths.enumerated() {
            progress(number, paths.count)
            do {
                let recording = try Recording(hdf5Path: path)
                let (windows, valid) = try pipeline.windows(recording, layout: .standard)
                let dataset = Recording.datasetName(ofPath: path)
                recordings.append(RecordingWindows(name: recording.name, dataset: dataset, windows: windows, valid: valid,
                                                   referencesBpm: windows.indices.map { recording.reference?.label(at: $0) }))
            } catch var error as RecordingError {
                error.path = path
                throw error
            }
        }
        self.recordings = recordings
    }

    /// Data made of these recordings.
    public init(recordings: [RecordingWindows]) { self.recordings = recordings }

    /// The valid, labelled windows of the recordings `members`, for training.
    public func trainingSet(_ members: [Int]) -> TrainingSet {
        var set = TrainingSet()
        set.recordings = recordings.map(\.name)
        for index in members {
            let recording = recordings[index]
            for window in recording.windows.indices where recording.valid[window] {
                guard let label = recording.referencesBpm[window] else { continue }
                set.inputs.append(recording.windows[window])
                set.labelsBpm.append(label)
                set.recordingOfWindow.append(index)
            }
        }
        return set
    }

    /// About `share` of the recordings of each dataset, picked with `seed`: validation split `number` by recording.
    /// Each dataset's recordings are shuffled once with `seed`; split 0 takes the first of them, split 1 the next, and
    /// so on (wrapping round when a dataset runs out), so that successive splits hold other recordings while the data
    /// allow. At least one recording of each dataset with two or more stays for training.
    public func validationSplit(share: Double, seed: UInt64, number: Int = 0) -> [Int] {
        var generator = SeededGenerator(seed: seed)
        var chosen: [Int] = []
        for dataset in Set(recordings.map(\.dataset)).sorted() {
            var members = recordings.indices.filter { recordings[$0].dataset == dataset }
            members.shuffle(using: &generator)
            let count = members.count < 2 ? 0 : min(members.count - 1, max(1, Int((Double(members.count) * share).rounded())))
            chosen += (0..<count).map { members[(number * count + $0) % members.count] }
        }
        return chosen.sorted()
    }

    /// MAE with the tracker of `model` over the recordings `members`, overall and per dataset.
    /// - Throws: what `NeuralEstimator` throws when the model cannot run.
    public func trackedMae(_ model: ModelFile, recordings members: [Int], threads: Int) throws -> (overall: Double, byDataset: [String: Double]) {
        let estimator = try NeuralEstimator(model: model, name: "candidate", threads: threads)
        var all: [WindowEstimate] = []
        var byDataset: [String: [WindowEstimate]] = [:]
        for index in members {
            let recording = recordings[index]
            let estimates = try estimator.estimate(windows: recording.windows, valid: recording.valid, references: recording.referencesBpm,
                                                   layout: .standard)
            all += estimates
            byDataset[recording.dataset, default: []] += estimates
        }
        return (AccuracySummary(all).maeBpm, byDataset.mapValues { AccuracySummary($0).maeBpm })
    }
}
