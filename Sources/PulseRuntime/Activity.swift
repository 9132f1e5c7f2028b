/// What the simulated wearer does, which sets the heart rate the body tends to and the arm's motion.
public enum Activity: String, Sendable, CaseIterable {
    case rest, walk, run
    /// Rest, walk, run and back, in segments of a fifth of the duration each (rest, walk, run, walk, rest).
    case mixed

    /// The heart rate the body settles at during the activity (BPM), before per-person variation.
    var targetBpm: Double {
        switch self {
        case .rest: return 68
        case .walk: return 100
        case .run, .mixed: return 150
        }
    }

    /// Steps per second (the arm swings at half this rate), 0 at rest.
    var cadenceHz: Double {
        switch self {
        case .rest: return 0
        case .walk: return 1.8
        case .run, .mixed: return 2.7
        }
    }

    /// Breaths per second (Hz) during the activity.
    var breathingHz: Double {
        switch self {
        case .rest: return 0.25
        case .walk: return 0.35
        case .run, .mixed: return 0.5
        }
    }

    /// The activity in effect at `fraction` (0...1) of the recording.
    func phase(at fraction: Double) -> Activity {
        guard self == .mixed else { return self }
        switch fraction {
        case ..<0.2: return .rest
        case ..<0.4: return .walk
        case ..<0.6: return .run
        case ..<0.8: return .walk
        default: return .rest
        }
    }
}
