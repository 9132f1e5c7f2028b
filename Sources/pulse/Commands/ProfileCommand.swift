import ArgumentParser
import Foundation
import PulseGraph
import PulseHardware

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Cost a model on a target: per-layer and per-kernel latency, energy and memory (operator complexity analysis).",
        discussion: """
            Targets: mcu (nRF52840-class Cortex-M4F, int8), stm32l4r5 (Cortex-M4F at 120 MHz, int8), rpi3 (Raspberry Pi \
            3 B+, one Cortex-A53), redmi7s (Snapdragon 660, one Kryo 260 Gold core), both as an ncnn-class runtime; \
            rpi3-pulse-c and redmi7s-pulse-c (the same cores running pulse's generated float32 C, fitted by pulse firmware \
            fit); and host (this machine, fitted to micro-benchmarks of pulse's kernels), or all of them (--target all); --target-file reads your own. Every \
            latency on a device is a model, not a measurement.

            --validate sets the target's predictions against measurements it was not fitted on: on host, timings of 36 \
            graphs here; on rpi3 and redmi7s, the published ncnn figures, leaving each network out of the fit; on \
            stm32l4r5, the published MLPerf Tiny latencies. --fit refits the rpi3 or redmi7s coefficients to all six \
            ncnn figures, and --calibrate fits the host target to micro-benchmarks; both write the target to --out.
            """)

    @Option(help: "A model file (.h5 or .onnx).")
    var model: String?

    @Option(name: .customLong("ncnn-param"), help: "An ncnn .param file (costed exactly as ncnn's benchmark ran it).")
    var ncnnParam: String?

    @Option(help: "A network pulse builds: \(ProfileSubject.networkNames.joined(separator: ", ")).")
    var network: String?

    @Option(help: "A shipped target (\(Target.shippedNames.joined(separator: ", "))) or all.")
    var target: String?

    @Option(name: .customLong("target-file"), help: "A target described in a JSON file.")
    var targetFile: String?

    @Option(help: "Threads (default: the target's).")
    var threads: Int?

    @Option(help: "Samples per call.")
    var batch = 1

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Write the per-layer chart (latency beside parameters) to this SVG file.")
    var plot: String?

    @Flag(name: .customLong("validate"), help: "Set the target's predictions against measurements it was not fitted on.")
    var validating = false

    @Flag(help: "Refit the rpi3 or redmi7s coefficients to the six published ncnn latencies; write the target to --out.")
    var fit = false

    @Flag(help: "Fit the host target to micro-benchmarks of pulse's kernels on this machine; write it to --out.")
    var calibrate = false

    @Option(help: "Where --fit and --calibrate write the target (JSON).")
    var out: String?

    @Option(name: .customLong("ncnn-dir"), help: "The folder of ncnn's benchmark graphs (default: ../shared/devices/ncnn).")
    var ncnnDirectory: String?

    @Flag(help: "Replace existing output files.")
    var force = false

    func validate() throws {
        let sources = [model, ncnnParam, network].compactMap { $0 }.count
        if validating || fit || calibrate {
            guard [validating, fit, calibrate].filter({ $0 }).count == 1 else { throw ValidationError("give one of --validate, --fit and --calibrate") }
            guard sources == 0 else { throw ValidationError("--validate, --fit and --calibrate take no --model, --ncnn-param or --network") }
            if fit || calibrate { guard out != nil else { throw ValidationError("--\(fit ? "fit" : "calibrate") writes a target: give --out FILE") } }
        } else {
            guard sources == 1 else { throw ValidationError("give one of --model, --ncnn-param and --network") }
        }
        if !calibrate { guard (target == nil) != (targetFile == nil) else { throw ValidationError("give one of --target and --target-file") } }
        if let threads { guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1 to 256") } }
        guard (1...65_536).contains(batch) else { throw ValidationError("--batch must be 1 to 65536 samples") }
    }

    func run() throws {
        if calibrate { return try HostCalibration.run(out: out ?? "", force: force) }
        let targets = try resolveTargets()
        if validating { return try ProfileValidation.run(targets, ncnnDirectory: ncnnDirectory, json: json) }
        if fit { return try ProfileValidation.fit(targets, ncnnDirectory: ncnnDirectory, out: out ?? "", force: force) }
        let subject: ProfileSubject
        if let model {
            subject = try .model(model)
        } else if let ncnnParam {
            subject = try .ncnn(ncnnParam)
        } else {
            subject = try .network(network ?? "")
        }
        var outputs = OutputPlan(inputs: [model, ncnnParam, targetFile].compactMap { $0 })
        if let plot { try outputs.add(plot, force: force) }
        let (plan, microseconds) = try Self.plan(subject.graph, targets: targets, batch: batch, threads: threads)
        let profiles = targets.map { Profile(plan: plan, target: $0, batch: batch, threads: threads) }
        if profiles.count == 1 {
            let profile = profiles[0]
            print(json ? try JSONText.encode(ProfileReport.json(profile, subject: subject.name, microseconds: microseconds))
                       : ProfileReport.text(profile, subject: subject.name, microseconds: microseconds), terminator: json ? "\n" : "")
            if let plot { try OutputFile.write(ProfileChart.svg(profile, subject: subject.name), to: plot, force: force) }
            guard profile.targetMemory.fits else {
                throw CommandError("\(subject.name) does not fit \(profile.target.name): " + profile.targetMemory.overLimits.joined(separator: "; "))
            }
        } else {
            print(json ? try JSONText.encode(profiles.map { ProfileReport.json($0, subject: subject.name, microseconds: microseconds) })
                       : ProfileReport.summary(profiles, subject: subject.name), terminator: json ? "\n" : "")
            if let plot, let first = profiles.first { try OutputFile.write(ProfileChart.svg(first, subject: subject.name), to: plot, force: force) }
            guard profiles.contains(where: \.targetMemory.fits) else { throw CommandError("\(subject.name) fits no target") }
        }
    }

    /// The targets `--target` or `--target-file` names.
    private func resolveTargets() throws -> [Target] {
        if let targetFile { return [try Target.load(contentsOf: URL(fileURLWithPath: targetFile))] }
        guard let target else { return [] }
        if target == "all" { return try Target.shippedNames.map(Target.named) }
        return [try Target.named(target)]
    }

    /// The kernel plan of `graph`, and the microseconds one graph takes to plan and cost on every target (the
    /// median of repeated runs over at least 0.2 s).
    static func plan(_ graph: Graph, targets: [Target], batch: Int, threads: Int?) throws -> (KernelPlan, Double) {
        try graph.validate()
        var times: [Double] = []
        var plan = KernelPlan(graph: graph)
        let start = Date()
        while times.count < 5 || (Date().timeIntervalSince(start) < 0.2 && times.count < 10_000) {
            let begin = DispatchTime.now().uptimeNanoseconds
            plan = KernelPlan(graph: graph)
            for target in targets { _ = Profile(plan: plan, target: target, batch: batch, threads: threads) }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e3)
        }
        return (plan, times.sorted()[times.count / 2])
    }
}
