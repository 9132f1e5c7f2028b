import Foundation
import PulseFirmware
import PulseHardware

/// The text and JSON of `pulse firmware check`.
struct FirmwareCheckReport {
    let check: FirmwareCheck
    let target: Target
    let model: String
    let recording: String
    let windows: Int

    /// Seconds between estimates.
    static let estimatePeriodSeconds = 2.0

    var countedCycles: Double { check.kernels.reduce(check.glueCycles) { $0 + $1.countedCycles } }
    var predictedCycles: Double { check.kernels.reduce(0) { $0 + $1.predictedCycles } }
    var latencySeconds: Double { countedCycles / target.clockHz.value }
    var dutyCycle: Double { latencySeconds / Self.estimatePeriodSeconds }
    /// Joules per day of running one estimate every 2 s at the target's power, if it has one.
    var joulesPerDay: Double? { target.powerWatts.map { $0.value * latencySeconds * 86_400 / Self.estimatePeriodSeconds } }

    var text: String {
        var lines = ["\(model) as int8 firmware, \(windows) windows of \(recording)", ""]
        lines.append("build     identical windows   run s")
        for build in check.builds {
            lines.append("\(pad(build.target.rawValue, 7))  \(pad("\(build.identicalWindows)/\(build.windows)", 18))  \(pad(format(build.runSeconds, 2), 6))"
                         + (build.firstDifference.map { "  first difference: \($0)" } ?? ""))
        }
        if !check.floatBuilds.isEmpty {
            lines += ["", "float32 build   largest difference from the float model (relative)   run s"]
            for build in check.floatBuilds {
                lines.append("\(pad(build.target.rawValue, 13))   \(pad(String(format: "%.2e", build.relativeError), 50))   \(pad(format(build.runSeconds, 2), 5))")
            }
        }
        guard !check.kernels.isEmpty else { return lines.joined(separator: "\n") }
        lines += ["", "\(check.countedCore), per window, counted under QEMU, against the \(target.name) cost model",
                  "", " kernel                  layer                 kind              function  instructions  counted cyc  predicted cyc   error"]
        for kernel in check.kernels {
            let error = kernel.countedCycles > 0 ? (kernel.predictedCycles / kernel.countedCycles - 1) * 100 : 0
            lines.append("\(pad(String(kernel.kernel), 7))  \(pad(kernel.layer, 21))  \(pad(kernel.kind, 19))  \(pad(kernel.function, 20))  "
                         + "\(pad(format(kernel.instructions, 0), 12))  \(pad(format(kernel.countedCycles, 0), 11))  "
                         + "\(pad(format(kernel.predictedCycles, 0), 13))  \(pad(format(error, 1), 5))%")
        }
        let total = predictedCycles / countedCycles * 100 - 100
        lines.append("\(pad("glue", 7))  \(pad("input, output copies", 21))  \(pad("", 19))  \(pad("", 20))  \(pad(format(check.glueInstructions, 0), 12))  "
                     + "\(pad(format(check.glueCycles, 0), 11))")
        lines.append("\(pad("total", 7))  \(pad("", 21))  \(pad("", 19))  \(pad("", 20))  \(pad("", 12))  \(pad(format(countedCycles, 0), 11))  "
                     + "\(pad(format(predictedCycles, 0), 13))  \(pad(format(total, 1), 5))%")
        lines.append("")
        if check.modelFlashBytes > 0 {
            lines.append("flash (model code and data, from the ELF): \(check.modelFlashBytes) B; predicted parameters \(check.predictedFlashBytes) B "
                     + "(\(format((Double(check.predictedFlashBytes) / Double(max(1, check.modelFlashBytes)) - 1) * 100, 1)) %)")
        lines.append("SRAM (arena and im2col column, from the ELF): \(check.sramBytes) B; predicted arena + scratch \(check.predictedSRAMBytes) B "
                     + "(\(format((Double(check.predictedSRAMBytes) / Double(max(1, check.sramBytes)) - 1) * 100, 1)) %)")
        }
        if let image = check.image {
            lines.append("whole image (arm-none-eabi-size, with the harness and newlib-nano): text \(image.textBytes) B, data \(image.dataBytes) B, "
                         + "bss \(image.bssBytes) B")
        }
        lines.append("at \(format(target.clockHz.value / 1e6, 0)) MHz: \(format(latencySeconds * 1000, 2)) ms per window (counted), "
                     + "duty cycle \(format(dutyCycle * 100, 2)) % at one estimate every 2 s"
                     + (target.powerWatts.flatMap { power in
                         joulesPerDay.map { ", \(format($0, 2)) J per day at \(format(power.value * 1000, 1)) mW" } } ?? ""))
        return lines.joined(separator: "\n")
    }

    var json: [String: Any] {
        var result: [String: Any] = [
            "model": model, "recording": recording, "windows": windows, "target": target.name,
            "builds": check.builds.map { ["target": $0.target.rawValue, "identical_windows": $0.identicalWindows, "windows": $0.windows,
                                          "run_seconds": $0.runSeconds, "first_difference": $0.firstDifference ?? NSNull()] as [String: Any] },
        ]
        result["float_builds"] = check.floatBuilds.map {
            ["target": $0.target.rawValue, "relative_error": $0.relativeError, "run_seconds": $0.runSeconds] as [String: Any]
        }
        if !check.kernels.isEmpty {
            result["kernels"] = check.kernels.map {
                ["kernel": $0.kernel, "layer": $0.layer, "kind": $0.kind, "function": $0.function, "instructions": $0.instructions,
                 "counted_cycles": $0.countedCycles, "predicted_cycles": $0.predictedCycles] as [String: Any]
            }
            result["glue_cycles"] = check.glueCycles
            result["counted_cycles"] = countedCycles
            result["predicted_cycles"] = predictedCycles
            result["counted_core"] = check.countedCore
            result["model_flash_bytes"] = check.modelFlashBytes
            result["predicted_flash_bytes"] = check.predictedFlashBytes
            result["sram_bytes"] = check.sramBytes
            result["predicted_sram_bytes"] = check.predictedSRAMBytes
            if let image = check.image {
                result["image"] = ["text_bytes": image.textBytes, "data_bytes": image.dataBytes, "bss_bytes": image.bssBytes]
            }
            result["latency_seconds"] = latencySeconds
            result["duty_cycle"] = dutyCycle
            result["joules_per_day"] = joulesPerDay ?? NSNull()
        }
        return result
    }
}
