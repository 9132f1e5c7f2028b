import PulseFirmware
import PulseHardware

/// The core whose cycles the firmware check and fit count: the Cortex-M4 running the int8 build under QEMU
/// (cycles from the executed instruction mix), or an AArch64 core running the float32 build under QEMU (cycles
/// from llvm-mca's scheduling model of each executed block).
enum CountedCore: Equatable {
    case cortexM4
    /// llvm-mca's `-mcpu` name: `cortex-a53`, or `cortex-a73` (which LLVM 14 models as a Cortex-A57).
    case aarch64(cpu: String)

    /// The core `target` runs: the Cortex-M4 for an mcu model, a Cortex-A53 or A73 (Kryo 260 Gold) by its core.
    /// - Throws: `CommandError` for a target on neither.
    init(_ target: Target) throws {
        if case .mcu = target.costModel {
            self = .cortexM4
        } else if target.core.contains("A53") {
            self = .aarch64(cpu: "cortex-a53")
        } else if target.core.contains("A73") || target.core.contains("Kryo 260") {
            self = .aarch64(cpu: "cortex-a73")
        } else {
            throw CommandError("--target \(target.name): the firmware tools count a Cortex-M4 (mcu, stm32l4r5) "
                + "or a Cortex-A53/A73 (rpi3, redmi7s, rpi3-pulse-c, redmi7s-pulse-c), not \(target.core)")
        }
    }

    /// In words, for reports.
    var description: String {
        switch self {
        case .cortexM4: return "Cortex-M4, int8, cycles from the executed instruction mix and the Cortex-M4 timings"
        case .aarch64(let cpu): return "\(cpu) (llvm-mca), float32, cycles of each executed block"
        }
    }
}

extension CountedCore {
    /// A counted run: what executed, and the cycles of any set of its marked regions.
    struct Run {
        let counts: InstructionCounts
        /// Cycles of the regions (`MarkedRegion` numbers) a predicate selects, over the whole run.
        let cycles: ((Int) -> Bool) -> Double
    }

    /// Runs `elf` (built for this core) under QEMU with the counting plugin, writing the counts to `countsPath`.
    /// On an AArch64 core only the model's regions are timed: the harness's printing between runs is not.
    func count(elf: String, harness: FirmwareHarness, outputSize: Int, kernelCount: Int, countsPath: String) throws -> Run {
        switch self {
        case .cortexM4:
            _ = try harness.run(.m4, elf: elf, outputSize: outputSize, counts: countsPath)
            let counts = try InstructionCounts(path: countsPath)
            return Run(counts: counts) { CortexM4Timing.cycles(of: counts.mnemonics(where: $0)) }
        case .aarch64(let cpu):
            _ = try harness.run(.aarch64, elf: elf, outputSize: outputSize, valueBytes: 4, counts: countsPath)
            let counts = try InstructionCounts(path: countsPath)
            let perExecution = try LLVMMCATiming.cyclesPerExecution(
                of: Array(counts.blockExecutions { MarkedRegion(region: $0, kernelCount: kernelCount).isModel }.keys), in: counts, cpu: cpu)
            return Run(counts: counts) { LLVMMCATiming.cycles(counts, perExecution: perExecution, where: $0) }
        }
    }
}
