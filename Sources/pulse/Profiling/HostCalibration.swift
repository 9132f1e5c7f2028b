import Foundation
import PulseEngine
import PulseGraph
import PulseHardware

/// Fits the host target: times every kernel of a grid of small graphs (one kind of layer each, over a range of
/// shapes) on tiles of 1 and 8 samples, fits each kernel class's terms, and measures what a whole call costs beside
/// its kernels. The graphs `pulse profile --validate --target host` judges the fit on are not among them.
enum HostCalibration {
    static func run(out: String, force: Bool) throws {
        var outputs = OutputPlan(inputs: [])
        try outputs.add(out, force: force)
        let graphs = try MicroBenchmarkGraphs.all()
        let progress = Progress(total: graphs.count, label: "calibrating host")
        var observations: [FittedCostModel.KernelClass: [FittedTerms.Observation]] = [:]
        var overheads: [Double] = []
        for (position, (name, graph)) in graphs.enumerated() {
            progress.update(position, detail: name)
            let executor = try HostTiming.executor(graph)
            let plan = KernelPlan(graph: graph)
            for tile in [1, 8] {
                let timings = try executor.kernelTimings(batch: tile, repeats: 31)
                for timing in timings {
                    let kernel = plan.kernels[timing.kernel]
                    let kernelClass = FittedCostModel.kernelClass(kernel)
                    // A Winograd convolution between two others reads and writes channels-last values, as most inside
                    // a model do; one beside another kind of kernel or at the graph's edge converts layouts as well.
                    if kernelClass == .winograd && !Self.betweenWinogradConvolutions(kernel, in: plan) { continue }
                    let quantities = FittedCostModel.quantities(of: kernel, features: KernelFeatures(kernel, in: plan), tile: Double(tile))
                    observations[kernelClass, default: []].append(FittedTerms.Observation(quantities: quantities, seconds: timing.secondsPerSample))
                }
                let whole = try HostTiming.inferenceSeconds(executor, graph: graph, batch: tile, repeats: 5, minimumSeconds: 0.01)
                overheads.append(max(0, whole - timings.reduce(0) { $0 + $1.secondsPerSample }) * Double(tile))
            }
        }
        progress.finish()
        let processor = ProcessorInfo.modelName
        let source = "fitted by pulse profile --calibrate on \(processor), \(Self.date()), to kernel timings of \(graphs.count) micro-benchmark graphs"
        var classes: [String: FittedTerms] = [:]
        for kernelClass in FittedCostModel.KernelClass.allCases {
            guard let terms = FittedTerms.fitted(observations[kernelClass] ?? [], source: source + " (\(observations[kernelClass]?.count ?? 0) timings)")
            else {
                throw CommandError("calibration timed no \(kernelClass.rawValue) kernel: the micro-benchmark grid must cover every class")
            }
            classes[kernelClass.rawValue] = terms
        }
        let sortedOverheads = overheads.sorted()
        let target = Target(
            name: "host", device: "this machine (\(processor))", core: processor,
            clockHz: SourcedValue(ProcessorInfo.clockHz, source: "/proc/cpuinfo cpu MHz at calibration; latencies come from the fitted seconds, not cycles"),
            cores: SourcedValue(Double(ProcessInfo.processInfo.activeProcessorCount), source: "ProcessInfo.activeProcessorCount at calibration"),
            threads: SourcedValue(1, source: "the calibration timed one thread"),
            dataType: .float32,
            memory: MemoryLimits(ramBytes: SourcedValue(Double(ProcessInfo.processInfo.physicalMemory), source: "ProcessInfo.physicalMemory at calibration")),
            powerWatts: nil,
            costModel: .fitted(FittedCoefficients(
                processor: processor,
                samplesPerCall: SourcedValue(8, source: "the inference program's tile (InferenceProgram.tileSamples)"),
                secondsPerInference: SourcedValue(max(sortedOverheads[sortedOverheads.count / 2], 1e-9),
                                                  source: source + ": median of whole-call time minus the kernels' times"),
                classes: classes)))
        try target.validate(origin: out)
        try OutputFile.write(String(decoding: try target.encoded(), as: UTF8.self) + "\n", to: out, force: force)
        print("wrote \(out): host target fitted to \(observations.values.reduce(0) { $0 + $1.count }) kernel timings of \(graphs.count) graphs")
        for kernelClass in FittedCostModel.KernelClass.allCases {
            guard let terms = classes[kernelClass.rawValue] else { continue }
            print(pad(kernelClass.rawValue, 20) + "  call \(format(terms.secondsPerCall.value * 1e9, 1)) ns  "
                + "MAC \(format(terms.secondsPerMAC.value * 1e12, 3)) ps  value \(format(terms.secondsPerValue.value * 1e12, 2)) ps")
        }
    }

    /// Whether `kernel`'s input comes from a Winograd convolution and its output goes only to Winograd convolutions.
    private static func betweenWinogradConvolutions(_ kernel: Kernel, in plan: KernelPlan) -> Bool {
        let producer = plan.kernels.first { $0.output == kernel.inputs[0] }
        let readers = plan.kernels.filter { $0.inputs.contains(kernel.output) }
        return producer.map { FittedCostModel.kernelClass($0) == .winograd } == true && !readers.isEmpty
            && !plan.outputs.contains(kernel.output) && readers.allSatisfy { FittedCostModel.kernelClass($0) == .winograd }
    }

    private static func date() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }
}

/// What `/proc/cpuinfo` says of this machine's processor.
enum ProcessorInfo {
    private static var fields: [(String, String)] {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return (parts[0].trimmingCharacters(in: .whitespaces), parts[1].trimmingCharacters(in: .whitespaces))
        }
    }

    /// The processor's model name, or "unknown processor".
    static var modelName: String { fields.first { $0.0 == "model name" }?.1 ?? "unknown processor" }

    /// The first core's clock in hertz, or 1 GHz when `/proc/cpuinfo` does not say.
    static var clockHz: Double { (fields.first { $0.0 == "cpu MHz" }.flatMap { Double($0.1) } ?? 1000) * 1e6 }
}
