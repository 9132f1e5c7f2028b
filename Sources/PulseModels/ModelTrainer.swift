import Foundation
import PulseEngine
import PulseGraph
import PulseSignals

/// How a model is trained.
public struct TrainingSettings: Sendable, Equatable {
    public var epochs = 30
    public var batchSize = 64
    public var learningRate: Float = 2e-3
    public var weightDecay: Float = 1e-4
    /// Width (standard deviation, BPM) of the Gaussian target around each reference rate.
    public var labelSigmaBpm = 2.0
    /// Each window's channels are stretched in time by a random factor in `1 ± stretch` (and its label with it),
    /// so that the model sees rates and cadences beyond those of the training recordings.
    public var stretch = 0.1
    /// Further augmentation of each training window (none by default).
    public var augmentation = Augmentation.none
    public var seed: UInt64 = 2015
    /// The teacher term's share when fine-tuning with a teacher (`DistillationLoss`).
    public var teacherWeight: Float = 0.5
    /// The softmax temperature of the teacher term.
    public var temperature: Float = 2

    public init() {}

    /// Augmentation beyond the time stretch, applied to each standardised training window in this order.
    public struct Augmentation: Sendable, Equatable {
        /// The accelerometer axes are shifted against the PPG by up to this many samples either way (reflected at the
        /// ends), as a sensor's lag would.
        public var maximumLagSamples: Int
        /// Each accelerometer axis is zeroed with this probability, as a missing or dead axis would be.
        public var axisDropout: Double
        /// Gaussian noise of a standard deviation drawn from `0...noise` is added to every channel.
        public var noise: Double

        /// Augmentation with the given strengths.
        public init(maximumLagSamples: Int, axisDropout: Double, noise: Double) {
            self.maximumLagSamples = maximumLagSamples
            self.axisDropout = axisDropout
            self.noise = noise
        }

        /// No augmentation.
        public static let none = Augmentation(maximumLagSamples: 0, axisDropout: 0, noise: 0)
        /// The strengths `pulse train --augment` uses: lags up to 4 samples (125 ms at 32 Hz), one axis in ten
        /// dropped, noise up to 0.3 standard deviations.
        public static let standard = Augmentation(maximumLagSamples: 4, axisDropout: 0.1, noise: 0.3)

        /// Whether it changes anything.
        public var isNone: Bool { self == .none }

        /// Applies the augmentation to a `[channels × samples]` window whose first channel is the PPG.
        public func apply(_ window: inout [Float], samples: Int, using generator: inout SeededGenerator) {
            let channels = window.count / samples
            if maximumLagSamples > 0 {
                let lag = Int.random(in: -maximumLagSamples...maximumLagSamples, using: &generator)
                if lag != 0 {
                    for c in 1..<max(channels, 1) {
                        let original = Array(window[(c * samples)..<((c + 1) * samples)])
                        for t in 0..<samples {
                            var source = t + lag
                            if source < 0 { source = -source }
                            if source >= samples { source = 2 * (samples - 1) - source }
                            window[c * samples + t] = original[min(max(source, 0), samples - 1)]
                        }
                    }
                }
            }
            if axisDropout > 0 {
                for c in 1..<max(channels, 1) where Double.random(in: 0..<1, using: &generator) < axisDropout {
                    for t in 0..<samples { window[c * samples + t] = 0 }
                }
            }
            if noise > 0 {
                let sigma = Float(Double.random(in: 0...noise, using: &generator))
                for index in window.indices {
                    let u1 = Float.random(in: Float.ulpOfOne..<1, using: &generator)
                    let u2 = Float.random(in: 0..<1, using: &generator)
                    window[index] += sigma * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
                }
            }
        }
    }
}

/// What the trainer reports after each epoch.
public struct EpochReport: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var loss: Float
    /// MAE of the arg-max rate (no tracking) on the validation windows, when there are any.
    public var validationMaeBpm: Double?
    public var windowsPerSecond: Double
    public var secondsLeft: Double
}

/// Trains a `SpectralCNN` with AdamW and a cosine schedule on softmax cross-entropy against Gaussian targets.
public struct ModelTrainer: Sendable {
    public var architecture: SpectralCNN
    public var settings: TrainingSettings

    public init(architecture: SpectralCNN, settings: TrainingSettings) {
        self.architecture = architecture
        self.settings = settings
    }

    /// Trains on `training`, reporting each epoch (with validation MAE on `validation` when given).
    /// - Throws: `RecordingError` (`noTrainingWindow`, naming the recordings) when `training` holds no window.
    public func train(_ training: TrainingSet, validation: TrainingSet? = nil, report: (EpochReport) -> Void = { _ in }) throws -> ModelFile {
        guard training.count > 0 else {
            throw RecordingError(path: training.recordings.joined(separator: ", "), .noTrainingWindow)
        }
        let graph = try architecture.graph()
        let start = ModelFile(graph: graph, parameters: graph.initialParameters(seed: settings.seed), input: architecture.input,
                              output: architecture.bins)
        return try fit(start, training: training, validation: validation, teacher: nil, frozen: [], report: report)
    }

    /// Fine-tunes `model` from its own weights on `training` (the architecture is ignored): with a `teacher`, by
    /// distillation (`DistillationLoss` with the settings' teacher weight and temperature), the teacher run on the
    /// same augmented windows in every step; parameters named in `frozen` keep their values.
    /// - Throws: `RecordingError` when `training` holds no window; `GraphError` when the teacher's output does not
    ///   match the model's.
    public func fineTune(_ model: ModelFile, on training: TrainingSet, validation: TrainingSet? = nil, teacher: ModelFile? = nil,
                         frozen: Set<String> = [], report: (EpochReport) -> Void = { _ in }) throws -> ModelFile {
        guard training.count > 0 else {
            throw RecordingError(path: training.recordings.joined(separator: ", "), .noTrainingWindow)
        }
        if let teacher, teacher.input != model.input || teacher.output != model.output {
            throw GraphError("the teacher reads or returns something other than the model it teaches")
        }
        return try fit(model, training: training, validation: validation, teacher: teacher, frozen: frozen, report: report)
    }

    private func fit(_ model: ModelFile, training: TrainingSet, validation: TrainingSet?, teacher: ModelFile?, frozen: Set<String>,
                     report: (EpochReport) -> Void) throws -> ModelFile {
        let bins = model.output
        let targets = training.labelsBpm.map { bins.target(bpm: $0, sigmaBpm: settings.labelSigmaBpm) }
        let batchesPerEpoch = (training.count + settings.batchSize - 1) / settings.batchSize
        let schedule = LearningRateSchedule(peak: settings.learningRate, warmupSteps: batchesPerEpoch,
                                            totalSteps: batchesPerEpoch * settings.epochs)
        let loss: any TrainingLoss = teacher == nil ? Loss.softmaxCrossEntropy
            : DistillationLoss(label: .softmaxCrossEntropy, teacherWeight: settings.teacherWeight, temperature: settings.temperature)
        let teacherExecutor = try teacher.map { try Executor(graph: $0.graph, parameters: $0.parameters) }
        try teacherExecutor?.prepareInference()
        var trainer = Trainer(executor: try Executor(graph: model.graph, parameters: model.parameters),
                              optimiser: Adam(weightDecay: settings.weightDecay), loss: loss,
                              schedule: schedule, batchSize: settings.batchSize, seed: settings.seed, teacher: teacherExecutor, frozen: frozen)
        let started = Date()
        let stretch = settings.stretch
        let samples = model.input.windowSamples
        for epoch in 1...settings.epochs {
            let epochStart = Date()
            let sigma = settings.labelSigmaBpm
            let augmentation = settings.augmentation
            let loss = try trainer.epoch(inputs: training.inputs, targets: targets, augment: stretch > 0 || !augmentation.isNone ? { index, window, target, generator in
                if stretch > 0 {
                    let factor = Double.random(in: (1 - stretch)...(1 + stretch), using: &generator)
                    Self.stretch(&window, samples: samples, factor: Float(factor))
                    target = bins.target(bpm: training.labelsBpm[index] * factor, sigmaBpm: sigma)
                }
                augmentation.apply(&window, samples: samples, using: &generator)
            } : nil)
            var validationMae: Double?
            if let validation, validation.count > 0 {
                validationMae = try Self.argmaxMae(trainer.executor, bins: bins, set: validation)
            }
            let elapsed = Date().timeIntervalSince(epochStart)
            let total = Date().timeIntervalSince(started)
            report(EpochReport(epoch: epoch, epochs: settings.epochs, loss: loss, validationMaeBpm: validationMae,
                               windowsPerSecond: Double(training.count) / max(elapsed, 1e-9),
                               secondsLeft: total / Double(epoch) * Double(settings.epochs - epoch)))
        }
        return ModelFile(graph: model.graph, parameters: trainer.executor.parameters, input: model.input, output: bins, metadata: model.metadata)
    }

    /// Stretches every channel of a `[channels × samples]` window in time by `factor` (linear interpolation,
    /// reflected at the end), which multiplies its rates by `factor`.
    static func stretch(_ window: inout [Float], samples: Int, factor: Float) {
        let channels = window.count / samples
        var result = [Float](repeating: 0, count: window.count)
        for c in 0..<channels {
            for t in 0..<samples {
                var position = Float(t) * factor
                let limit = Float(samples - 1)
                if position > limit { position = max(0, 2 * limit - position) }
                let left = Int(position)
                let right = min(left + 1, samples - 1)
                let fraction = position - Float(left)
                result[c * samples + t] = window[c * samples + left] * (1 - fraction) + window[c * samples + right] * fraction
            }
        }
        window = result
    }

    /// MAE of the arg-max rate over a set, without tracking.
    static func argmaxMae(_ executor: Executor, bins: RateBins, set: TrainingSet) throws -> Double {
        var total = 0.0
        let batch = 256
        for start in stride(from: 0, to: set.count, by: batch) {
            let range = start..<min(start + batch, set.count)
            let input = Tensor(shape: [range.count] + (executor.graph.inputs.first?.shape ?? []), scalars: range.flatMap { set.inputs[$0] })
            let logits = try executor.infer([ModelFile.inputName: input], threads: 2)[0]
            for (row, index) in range.enumerated() {
                let values = logits.scalars[(row * bins.count)..<((row + 1) * bins.count)]
                let best = values.indices.max { values[$0] < values[$1] } ?? values.startIndex
                total += abs(bins.bpm(best - values.startIndex) - set.labelsBpm[index])
            }
        }
        return total / Double(max(set.count, 1))
    }
}
