import Foundation
import Testing
@testable import pulse

/// `pulse bench` in its inference and operator modes: JSON with the documented keys, and refusals named.
@Suite struct BenchCLITests {
    static let baseline = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/baseline.h5").path

    @Test func inferenceBenchmarkReportsMedianAndRange() throws {
        let run = try PulseProcess.run(["bench", "--model", Self.baseline, "--batch", "3", "--threads", "2", "--repeats", "2",
                                        "--seconds", "0.05", "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        for key in ["windows_per_second_median", "windows_per_second_min", "windows_per_second_max", "arena_bytes_per_window",
                    "parameter_bytes", "macs_per_window"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let median = try #require(object["windows_per_second_median"] as? Double)
        let low = try #require(object["windows_per_second_min"] as? Double)
        #expect(median > 0 && low <= median)
        #expect(object["path"] as? String == "fast" && object["threads"] as? Int == 2)
    }

    @Test func separableBenchmarkTimesBothForms() throws {
        let run = try PulseProcess.run(["bench", "--separable", "--batch", "2", "--repeats", "1", "--seconds", "0.02", "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        #expect((object["dense_ms"] as? [String: Any])?["median"] is Double)
        #expect((object["depthwise_pointwise_ms"] as? [String: Any])?["median"] is Double)
    }

    @Test(arguments: [
        (["bench", "--batch", "4"], "--model"),
        (["bench", "--model", "x.h5", "--batch", "0"], "--batch"),
        (["bench", "--model", "x.h5", "--batch", "4", "--threads", "0"], "--threads"),
        (["bench"], "recordings"),
    ])
    func badOptionsAreNamed(_ arguments: [String], _ named: String) throws {
        let run = try PulseProcess.run(arguments)
        #expect(run.status != 0)
        #expect(run.standardError.contains(named), "\(run.standardError)")
    }
}

/// The start-up check of the processor's extensions reads `/proc/cpuinfo`'s flags.
@Suite struct ProcessorCheckTests {
    @Test func missingExtensionsAreNamed() {
        #if arch(x86_64)
        #expect(ProcessorCheck.missingExtensions(cpuinfo: "processor: 0\nflags\t\t: fpu sse2 avx avx2 fma bmi2\n").isEmpty)
        #expect(ProcessorCheck.missingExtensions(cpuinfo: "flags\t\t: fpu sse2 avx\n") == ["avx2", "fma"])
        #expect(ProcessorCheck.missingExtensions(cpuinfo: "no flags here\n").isEmpty)
        #endif
    }
}
