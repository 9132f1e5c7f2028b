extension SpectralEstimator {
    /// Every setting of the spectral estimator, in physical units. One set serves every device and dataset:
    /// nothing is fitted per recording.
    public struct Configuration: Sendable, Equatable {
        /// Rate all channels are resampled to before analysis (Hz).
        public var analysisRateHz = 25.0
        /// Band-pass edges (Hz) and Butterworth prototype order (a band-pass of order n has 2n poles).
        public var bandPassLowHz = 0.5
        public var bandPassHighHz = 4.0
        public var bandPassOrder = 4
        /// Spacing of the zero-padded FFT's bins (Hz); the FFT length is `analysisRateHz / resolutionHz`.
        public var spectralResolutionHz = 25.0 / 2048
        /// Heart rates the tracker considers (BPM).
        public var minimumBpm = 40.0
        public var maximumBpm = 220.0
        /// Span of past windows whose spectra form the Wiener averages (s).
        public var wienerAverageSeconds = 6.0
        /// Exponent of the Wiener gain `Ppg / (Ppg + Acc)`: above 1 it suppresses motion harder.
        public var wienerExponent = 3.0
        /// Flatness (mean over maximum in the rate band) of the accelerometer spectrum at which it counts fully as
        /// motion, and at which it counts as sensor noise only (a wrist at rest); the accelerometer's weight falls
        /// linearly from 1 to 0 between them. Flatness has no unit, so it holds for any device's scale.
        public var motionFlatnessRange = 0.2...0.4
        /// Accelerometer peaks whose weighted height reaches this share of a full-weight peak are masked in the
        /// PPG spectrum…
        public var motionPeakShare = 0.5
        /// …over this half-width around each peak (BPM)…
        public var motionMaskHalfWidthBpm = 6.0
        /// …by setting the evidence there to this neutral level (share of the strongest evidence in the band).
        public var maskedEvidence = 0.4
        /// Floor added to the evidence before its logarithm, so that no rate is ever ruled out.
        public var evidenceFloor = 0.3
        /// Standard deviation of a rise of the heart rate from one window to the next (BPM per shift)…
        public var riseSigmaBpm = 6.0
        /// …and of a fall, smaller: the heart speeds up at the onset of effort faster than it slows down after.
        public var fallSigmaBpm = 3.0
        /// Below this rate (BPM) a mild prior penalises the tracker's belief…
        public var lowRatePriorBpm = 50.0
        /// …by this many nats per BPM below it, in every window (0 switches the prior off, e.g. for sleep).
        public var lowRatePriorNatsPerBpm = 0.03
        /// Log-cost of jumping to any rate, which lets the tracker recover when lost (nats).
        public var jumpCost = 30.0
        /// Half-width of the band whose share of the tracker's belief is the confidence (BPM).
        public var confidenceHalfWidthBpm = 5.0

        public init() {}

        /// The settings of the `RateTracker` that follows the rate across windows.
        public var trackerSettings: RateTracker.Settings {
            RateTracker.Settings(riseSigmaBpm: riseSigmaBpm, fallSigmaBpm: fallSigmaBpm, jumpCost: jumpCost,
                                 lowRatePriorBpm: lowRatePriorBpm, lowRatePriorNatsPerBpm: lowRatePriorNatsPerBpm,
                                 confidenceHalfWidthBpm: confidenceHalfWidthBpm)
        }

        /// The settings measured on SPC 2015 and BAMI-1 (see the README).
        public static let standard = Configuration()
    }
}
