import ArgumentParser
import Dispatch
import Foundation

/// How fast a replayed or simulated stream runs: a multiple of real time, or as fast as it can.
enum StreamSpeed: ExpressibleByArgument, Equatable {
    case factor(Double)
    case max

    init?(argument: String) {
        if argument == "max" { self = .max; return }
        guard let value = Double(argument), Self.factorRange.contains(value) else { return nil }
        self = .factor(value)
    }

    /// The multiples of real time accepted.
    static let factorRange = 0.01...1_000_000.0

    var defaultValueDescription: String {
        switch self {
        case .max: return "max"
        case let .factor(value): return format(value, value == value.rounded() ? 0 : 2)
        }
    }
}

/// Holds a replay or a simulation to a multiple of real time.
struct Pacer {
    let speed: StreamSpeed
    private var start: (wallNanoseconds: UInt64, signalSeconds: Double)?

    init(speed: StreamSpeed) { self.speed = speed }

    /// Sleeps until the wall clock has caught up with `signalSeconds` at this pace.
    mutating func wait(untilSignalSeconds signalSeconds: Double) {
        guard case let .factor(factor) = speed else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard let start else {
            self.start = (now, signalSeconds)
            return
        }
        let due = Double(start.wallNanoseconds) + (signalSeconds - start.signalSeconds) / factor * 1e9
        if due > Double(now) { usleep(useconds_t(min((due - Double(now)) / 1000, 10_000_000))) }
    }
}
