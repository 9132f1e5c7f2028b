import Foundation
import PulseTestSupport
import Testing

/// `pulse simulate` and `pulse stream --simulate` refuse numbers they cannot simulate (NaN, infinities, negative and
/// out-of-range values) and recordings too large to hold, before any work and without writing a file, with exit
/// status 1 and a message naming the option; at a high rate the simulated physics scores as at the default one.
@Suite struct SimulateCLITests {
    @Test func simulateRefusesNonFiniteNegativeAndOutOfRangeNumbers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("sim.h5")
        let cases: [([String], String)] = [
            (["--duration", "60", "--noise", "nan"], "sim.h5: noise level (--noise) must be between 0 and 100 (got nan)"),
            (["--duration", "60", "--noise", "inf"], "noise level (--noise) must be between 0 and 100 (got inf)"),
            (["--duration", "60", "--noise=-0.5"], "noise level (--noise) must be between 0 and 100 (got -0.5)"),
            (["--duration", "60", "--noise", "1000"], "noise level (--noise) must be between 0 and 100 (got 1000)"),
            (["--duration", "inf"], "duration must be between 8 s and 7 days (got --duration inf)"),
            (["--duration", "nan"], "duration must be between 8 s and 7 days (got --duration nan)"),
            (["--duration=-60"], "duration must be between 8 s and 7 days (got --duration -60)"),
            (["--duration", "1e9"], "duration must be between 8 s and 7 days (got --duration 1000000000)"),
            (["--duration", "60", "--fs-ppg", "nan"], "fs_ppg (--fs-ppg) must be between 1 and 1000000 Hz (got nan)"),
            (["--duration", "60", "--fs-ppg", "2e6"], "fs_ppg (--fs-ppg) must be between 1 and 1000000 Hz (got 2000000)"),
            (["--duration", "60", "--fs-acc=-inf"], "fs_acc (--fs-acc) must be between 1 and 1000000 Hz (got -inf)"),
            (["--duration", "60", "--fs-acc", "0"], "fs_acc (--fs-acc) must be between 1 and 1000000 Hz (got 0)"),
        ]
        for (options, message) in cases {
            let result = try PulseProcess.run(["simulate"] + options + ["--out", out])
            #expect(result.status == 1 && result.standardError.contains(message), "\(options): \(result.standardError)")
            #expect(result.standardOutput.isEmpty && !FileManager.default.fileExists(atPath: out), "\(options)")
        }
    }

    /// A week at 1 MHz would hold 6·10¹¹ PPG values: refused at once, with its size, as is an accelerometer that
    /// brings a recording over the 2²⁸ values pulse reads back from one file.
    @Test func aWeekAtOneMegahertzIsRefusedWithItsSizeBeforeAnyWork() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("week.h5")
        let started = Date()
        let ppg = try PulseProcess.run(["simulate", "--fs-ppg", "1e6", "--duration", "604800", "--out", out])
        #expect(ppg.status == 1, "\(ppg.standardError)")
        #expect(ppg.standardError.contains("604800 s (--duration) at 1000000 Hz (--fs-ppg) and 32 Hz (--fs-acc) would make "
            + "6.05e+11 PPG values and 5.81e+07 accelerometer values (2.42 TB as 32-bit floats)"))
        #expect(ppg.standardError.contains("268435456"))
        let acc = try PulseProcess.run(["simulate", "--fs-acc", "1e6", "--duration", "100", "--out", out])
        #expect(acc.status == 1 && acc.standardError.contains("3e+08 accelerometer values (1.2 GB"), "\(acc.standardError)")
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// `pulse stream --simulate` generates chunk by chunk, so it takes any duration the simulator accepts, but not
    /// NaN, infinities, negative or out-of-range ones.
    @Test func streamSimulateRefusesABadDuration() throws {
        for duration in ["nan", "inf", "-5", "5", "1e7"] {
            let result = try PulseProcess.run(["stream", "--simulate", "--speed", "max", "--duration=\(duration)"])
            #expect(result.status == 1, "\(duration): \(result.standardError)")
            #expect(result.standardError.contains("duration must be between 8 s and 7 days (got --duration "), "\(result.standardError)")
            #expect(result.standardOutput.isEmpty)
        }
    }

    /// The tester's check, small: a resting recording at 6.4 kHz (accelerometer 3.2 kHz) scores as one at 64 Hz.
    @Test func aHighRateRecordingScoresLikeADefaultOne() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var maes: [Double] = []
        for (ppg, acc) in [("64", "32"), ("6400", "3200")] {
            let out = directory.path("rest-\(ppg).h5")
            let simulate = try PulseProcess.run(["simulate", "--duration", "30", "--activity", "rest", "--fs-ppg", ppg,
                                                 "--fs-acc", acc, "--out", out])
            #expect(simulate.status == 0, "\(simulate.standardError)")
            let evaluate = try PulseProcess.run(["evaluate", out, "--method", "spectral", "--json"])
            maes.append(try #require(try evaluate.json()["mae_bpm"] as? Double))
        }
        #expect(maes.allSatisfy { $0 < 1.5 }, "MAE \(maes) BPM at 64 Hz and 6.4 kHz")
    }
}
