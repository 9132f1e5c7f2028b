import Foundation
import PulseTestSupport
import Testing

@Suite struct FirmwareCLITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let harness = repository.appendingPathComponent("firmware-sim").path
    static let model = repository.appendingPathComponent("models/gos-mcu.h5").path
    static var calibration: [String] { SharedData.recordings("spc2015").prefix(2).map(\.path) }

    /// The shipped mcu model, as int8 C, gives the integer reference's outputs bit for bit on the host, on a
    /// Cortex-M4 under QEMU and on AArch64 under QEMU, and its Cortex-M4 run is counted kernel by kernel; its float32
    /// C agrees with the float model within 1e-5 on all three.
    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data (the real recordings), which is absent"))
    func theShippedMCUModelRunsBitForBitOnEveryBuild() throws {
        let run = try PulseProcess.run(["firmware", "check", "--model", Self.model, "--calibration"] + Self.calibration
                                       + ["--windows", "2", "--harness", Self.harness, "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        let builds = try #require(report["builds"] as? [[String: Any]])
        #expect(builds.map { $0["target"] as? String } == ["host", "m4", "aarch64"])
        for build in builds {
            #expect(build["identical_windows"] as? Int == 2, "\(build)")
        }
        let floatBuilds = try #require(report["float_builds"] as? [[String: Any]])
        #expect(floatBuilds.map { $0["target"] as? String } == ["host", "m4", "aarch64"])
        for build in floatBuilds {
            #expect((build["relative_error"] as? Double ?? 1) <= 1e-5, "the float32 C agrees with the float model: \(build)")
        }
        let m4 = try #require(builds.first { $0["target"] as? String == "m4" })
        #expect((m4["run_seconds"] as? Double ?? 99) < 1, "one QEMU run of the model takes well under a second")
        let kernels = try #require(report["kernels"] as? [[String: Any]])
        #expect(kernels.count == 15)
        #expect(kernels.allSatisfy { ($0["counted_cycles"] as? Double ?? 0) > 0 && ($0["predicted_cycles"] as? Double ?? 0) > 0 })
        // The model's arena and im2col column, and its weights, in the ELF.
        #expect(report["sram_bytes"] as? Int == 9040 + 2 * 160)
        #expect(report["predicted_sram_bytes"] as? Int == 9040 + 2 * 160, "the mcu model plans pulse's arena and column")
        #expect((report["model_flash_bytes"] as? Int ?? 0) > 69_154)
        let image = try #require(report["image"] as? [String: Int])
        #expect((image["text_bytes"] ?? 0) > (report["model_flash_bytes"] as? Int ?? .max), "the whole image holds the model and the harness")
        #expect((image["bss_bytes"] ?? 0) >= (report["sram_bytes"] as? Int ?? .max))
    }

    /// On the Pi's generated-C target the float32 AArch64 build is counted, each executed block timed by llvm-mca's
    /// Cortex-A53, and the target's fitted loop model predicts the whole model within ±10 %.
    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data (the real recordings), which is absent"))
    func thePiTargetTimesTheFloatBuildWithLLVMMCA() throws {
        let model = Self.repository.appendingPathComponent("models/gos-rpi3.h5").path
        let run = try PulseProcess.run(["firmware", "check", "--model", model, "--target", "rpi3-pulse-c", "--calibration"] + Self.calibration
                                       + ["--windows", "1", "--harness", Self.harness, "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        #expect((report["counted_core"] as? String)?.hasPrefix("cortex-a53") == true)
        let kernels = try #require(report["kernels"] as? [[String: Any]])
        #expect(!kernels.isEmpty && kernels.allSatisfy { ($0["counted_cycles"] as? Double ?? 0) > 0 })
        #expect(kernels.allSatisfy { ($0["function"] as? String)?.hasSuffix("_f32") == true })
        let counted = kernels.reduce(0) { $0 + ($1["counted_cycles"] as? Double ?? 0) }
        let predicted = kernels.reduce(0) { $0 + ($1["predicted_cycles"] as? Double ?? 0) }
        #expect(abs(predicted / counted - 1) <= 0.1, "predicted \(predicted) against counted \(counted) cycles")
    }

    @Test func aMissingHarnessIsNamed() throws {
        let run = try PulseProcess.run(["firmware", "check", "--model", Self.model, "--calibration", "x.h5", "--harness", "/nonexistent/firmware-sim"])
        #expect(run.status != 0)
        #expect(run.standardError.contains("/nonexistent/firmware-sim: no executable build.sh"))
    }

    @Test func int8ScoringNeedsCalibration() throws {
        let run = try PulseProcess.run(["evaluate", "x.h5", "--model", Self.model, "--int8"])
        #expect(run.status != 0)
        #expect(run.standardError.contains("--int8 scores a model (the fused or neural estimator) and needs --calibration recordings"))
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data (the real recordings), which is absent"))
    func exportCWritesTheModelAndKeepsAnExistingDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-export-c-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["export", "c", "--model", Self.model, "--out", directory.path, "--calibration"] + Self.calibration
        let run = try PulseProcess.run(arguments)
        #expect(run.status == 0, "\(run.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["pulse_kernels.c", "pulse_kernels.h", "pulse_model.c", "pulse_model.h"])
        let again = try PulseProcess.run(arguments)
        #expect(again.status != 0)
        #expect(again.standardError.contains("exists; add --force"))
    }

    /// For a float32 target the float32 variant is written, without calibration recordings, and compiles as C99.
    @Test func exportCForThePiWritesTheFloatVariant() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-export-f32-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try PulseProcess.run(["export", "c", "--model", Self.model, "--out", directory.path, "--target", "rpi3"])
        #expect(run.status == 0, "\(run.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["pulse_kernels_f32.c", "pulse_kernels_f32.h", "pulse_model.c", "pulse_model.h"])
        let compile = try PulseProcess.execute("/usr/bin/env", ["gcc", "-std=c99", "-Wall", "-Werror", "-c", "pulse_model.c", "pulse_kernels_f32.c"],
                                               in: directory.path)
        #expect(compile.status == 0, "\(compile.standardError)")
        let int8 = try PulseProcess.run(["export", "c", "--model", Self.model, "--out", directory.path + "-int8"])
        #expect(int8.status != 0)
        #expect(int8.standardError.contains("--target mcu is int8: give --calibration"))
    }
}
