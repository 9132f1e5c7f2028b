import Foundation
import PulseFirmware
import PulseGraph
import PulseHardware

/// What `pulse firmware check` measured: whether every build matches the integer reference, and what the Cortex-M4
/// build spends per kernel against the cost model's prediction.
struct FirmwareCheck {
    /// One build's comparison with the reference.
    struct BuildResult {
        var target: FirmwareTarget
        var identicalWindows: Int
        var windows: Int
        var firstDifference: String?
        var runSeconds: Double
    }

    /// One kernel on the counted core: counted instructions and cycles (per window), and the cost model's cycles.
    struct KernelCount {
        var kernel: Int
        var layer: String
        var kind: String
        var function: String
        var instructions: Double
        var countedCycles: Double
        var predictedCycles: Double
    }

    /// One float32 build's agreement with the float executor.
    struct FloatBuildResult {
        var target: FirmwareTarget
        /// The largest difference from the executor's output, relative to the window's largest output magnitude.
        var relativeError: Double
        var runSeconds: Double
    }

    /// The largest relative difference allowed between a float32 build and the float executor.
    static let floatTolerance = 1e-5

    var builds: [BuildResult] = []
    var floatBuilds: [FloatBuildResult] = []
    var kernels: [KernelCount] = []
    /// Instructions and cycles per window of `pulse_model_run` outside the kernels (copying the input in and the output out).
    var glueInstructions = 0.0
    var glueCycles = 0.0
    var flashBytes = 0
    var sramBytes = 0
    var predictedFlashBytes = 0
    var predictedSRAMBytes = 0
    var modelFlashBytes = 0
    /// The whole Cortex-M4 image (harness, start-up and C library included), from the toolchain's `size`.
    var image: (textBytes: Int, dataBytes: Int, bssBytes: Int)?
    /// What was counted: "Cortex-M4 (int8)", or the llvm-mca model of an AArch64 core running the float32 variant.
    var countedCore = ""

    /// Compares `run` with the reference outputs.
    static func compare(_ target: FirmwareTarget, _ run: FirmwareHarness.Run, reference: [[Int8]]) -> BuildResult {
        var identical = 0
        var first: String?
        for (index, expected) in reference.enumerated() {
            let got = index < run.outputs.count ? run.outputs[index] : []
            if got == expected {
                identical += 1
            } else if first == nil {
                let position = zip(got, expected).enumerated().first { $1.0 != $1.1 }?.offset ?? min(got.count, expected.count)
                first = "window \(index), output \(position): \(position < got.count ? String(got[position]) : "missing") where the reference has "
                    + (position < expected.count ? String(expected[position]) : "nothing")
            }
        }
        return BuildResult(target: target, identicalWindows: identical, windows: reference.count, firstDifference: first, runSeconds: run.seconds)
    }

    /// The largest difference of `got` from `expected`, per window relative to that window's largest magnitude.
    static func relativeError(_ got: [[Float]], _ expected: [[Float]]) -> Double {
        guard got.count == expected.count else { return .infinity }
        return zip(got, expected).map { got, expected in
            guard got.count == expected.count else { return Double.infinity }
            let scale = Double(expected.map { Swift.abs($0) }.max() ?? 0)
            let difference = zip(got, expected).map { Double(Swift.abs($0 - $1)) }.max() ?? 0
            return difference.isNaN ? .infinity : difference / max(scale, .leastNormalMagnitude)
        }.max() ?? 0
    }

    /// Per-kernel counts of a counted run over `windows` windows, with `cycles` giving the cycles of the regions a
    /// predicate selects, against `costModel`'s cycles (`MarkedRegion` says which region is which). `float` names
    /// the float32 kernels.
    static func kernelCounts(_ counts: InstructionCounts, model: QuantisedModel, windows: Int, costModel: any CostModel, float: Bool = false,
                             cycles: ((Int) -> Bool) -> Double) -> (kernels: [KernelCount], glueInstructions: Double, glueCycles: Double) {
        let perWindow = Double(windows)
        var result: [KernelCount] = []
        for (position, integer) in model.kernels.enumerated() {
            let selected: (Int) -> Bool = { MarkedRegion(region: $0, kernelCount: model.kernels.count) == .kernel(position) }
            let instructions = Double(counts.mnemonics(where: selected).values.reduce(0, +)) / perWindow
            let kernel = model.plan.kernels[integer.kernel]
            let predicted = costModel.cost(of: kernel, in: model.plan, batch: 1, threads: 1).cycles
            result.append(KernelCount(kernel: integer.kernel, layer: integer.layer, kind: kernel.kind.rawValue,
                                      function: float ? integer.operation.floatFunctionName : integer.operation.functionName,
                                      instructions: instructions,
                                      countedCycles: cycles(selected) / perWindow, predictedCycles: predicted))
        }
        let glue: (Int) -> Bool = { [.inputCopy, .outputCopy].contains(MarkedRegion(region: $0, kernelCount: model.kernels.count)) }
        return (result, Double(counts.mnemonics(where: glue).values.reduce(0, +)) / perWindow, cycles(glue) / perWindow)
    }

    /// Flash and SRAM of the model in a Cortex-M4 ELF: the model's symbols (kernels, weights, constants, the run
    /// function; the arena and the im2col column), as `nm -S` sizes them.
    static func modelBytes(_ symbols: [String: (kind: Character, bytes: Int)]) -> (flash: Int, sram: Int) {
        let prefixes = ["weights_", "bias_", "multipliers_", "params_", "constant_", "table_", "pieces_", "pulse_model_run"]
        var flash = 0, sram = 0
        for (name, symbol) in symbols {
            let model = prefixes.contains { name.hasPrefix($0) } || (name.hasPrefix("pulse_") && name.hasSuffix("_s8"))
            if model && "tTrR".contains(symbol.kind) { flash += symbol.bytes }
            if name == "arena" || name == "column" { sram += symbol.bytes }
        }
        return (flash, sram)
    }
}
