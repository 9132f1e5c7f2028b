import Foundation
import PulseGraph
import PulseHardware

/// `pulse profile --validate` and `--fit`: predictions set against measurements the model was not fitted on.
enum ProfileValidation {
    static func run(_ targets: [Target], ncnnDirectory: String?, json: Bool) throws {
        var reports: [[String: Any]] = []
        for target in targets {
            let (summary, note) = try validate(target, ncnnDirectory: ncnnDirectory)
            if json {
                reports.append(Self.json(summary, target: target, note: note))
            } else {
                print(text(summary, target: target, note: note))
            }
        }
        if json { print(try JSONText.encode(reports.count == 1 ? reports[0] : reports)) }
    }

    /// The predictions of `target` against its measurements, and what was fitted on what.
    static func validate(_ target: Target, ncnnDirectory: String?) throws -> (ValidationSummary, String) {
        switch target.costModel {
        case .fitted:
            return (try hostCases(target), "host: 36 cases (18 graphs at batch 1 and 64, one thread) measured here; the fit used other graphs")
        case .roofline(let coefficients):
            let networks = try ncnnNetworks(target, directory: ncnnDirectory)
            let fit = RooflineFit(target: target, free: RooflineFit.ncnnCoefficients)
            let cases = networks.map { left in
                let others = networks.filter { $0.name != left.name }
                let fitted = fit.fitted(others, start: coefficients)
                return ValidationCase(name: left.name, predictedSeconds: fit.predictedSeconds(left.plan, fitted), measuredSeconds: left.seconds)
            }
            return (ValidationSummary(cases: cases), "leave one network out: each prediction comes from coefficients fitted to the other five")
        case .generatedC:
            throw CommandError("no published measurement runs pulse's generated C on \(target.name): "
                + "pulse firmware fit --target \(target.name) validates it against llvm-mca cycles of the shipped models")
        case .mcu(let coefficients):
            let networks = try mlperfNetworks(target)
            let counted = countedSeconds(networks, target: target, coefficients: coefficients)
            let cases = networks.indices.map { left -> ValidationCase in
                let others = networks.indices.filter { $0 != left }
                let factor = MCUCoefficients.fittedStallFactor(counted: others.map { counted[$0] }, measured: others.map { networks[$0].seconds })
                return ValidationCase(name: networks[left].name, predictedSeconds: counted[left] * factor, measuredSeconds: networks[left].seconds)
            }
            let bare = zip(counted, networks).map { "\($1.name) \(format(($0 / $1.seconds - 1) * 100, 1)) %" }.joined(separator: ", ")
            return (ValidationSummary(cases: cases), "leave one network out: the stall factor comes from the other three; "
                + "every other coefficient is counted from CMSIS-NN's loops, not fitted. Bare counts (stall factor 1): \(bare)")
        }
    }

    /// The MLPerf Tiny networks with their published latency on `target`.
    private static func mlperfNetworks(_ target: Target) throws -> [(name: String, plan: KernelPlan, seconds: Double)] {
        let published = PublishedMeasurement.mlperfTiny.filter { $0.target == target.name }
        guard !published.isEmpty else {
            throw CommandError("no published measurement on \(target.name): its coefficients are stm32l4r5's, "
                + "validated with --validate --target stm32l4r5")
        }
        return try published.map { measurement in
            guard let network = MLPerfTinyNetwork(rawValue: measurement.network) else {
                throw CommandError("published network \(measurement.network) is not one pulse builds")
            }
            return ("\(network.benchmark) \(network.rawValue)", KernelPlan(graph: try network.graph()), measurement.milliseconds / 1e3)
        }
    }

    /// Latencies of `networks` with `coefficients` and a stall factor of 1.
    private static func countedSeconds(_ networks: [(name: String, plan: KernelPlan, seconds: Double)], target: Target,
                                       coefficients: MCUCoefficients) -> [Double] {
        var bare = target
        var counts = coefficients
        counts.stallFactor.value = 1
        bare.costModel = .mcu(counts)
        return networks.map { Profile(plan: $0.plan, target: bare).seconds }
    }

    /// Refits the roofline coefficients of each target to all six ncnn figures and writes the target to `out`.
    static func fit(_ targets: [Target], ncnnDirectory: String?, out: String, force: Bool) throws {
        guard targets.count == 1, let target = targets.first else { throw CommandError("--fit refits one target") }
        var outputs = OutputPlan(inputs: [])
        try outputs.add(out, force: force)
        if case .mcu(var coefficients) = target.costModel {
            let networks = try mlperfNetworks(target)
            let counted = countedSeconds(networks, target: target, coefficients: coefficients)
            coefficients.stallFactor = SourcedValue(
                MCUCoefficients.fittedStallFactor(counted: counted, measured: networks.map(\.seconds)),
                source: "fitted (pulse profile --fit) to the MLPerf Tiny v1.0 latencies of \(networks.map(\.name).joined(separator: ", ")) "
                    + "on the NUCLEO-L4R5ZI (microTVM + CMSIS-NN, COSTMODELS.md): geometric mean of measured over counted latency")
            var fitted = target
            fitted.costModel = .mcu(coefficients)
            try fitted.validate(origin: out)
            try OutputFile.write(String(decoding: try fitted.encoded(), as: UTF8.self) + "\n", to: out, force: force)
            return print("wrote \(out): stall factor \(format(coefficients.stallFactor.value, 4)) fitted to \(networks.count) networks")
        }
        guard case .roofline(let coefficients) = target.costModel else {
            throw CommandError("--fit refits a roofline target (rpi3, redmi7s) or stm32l4r5's stall factor")
        }
        let networks = try ncnnNetworks(target, directory: ncnnDirectory)
        let fit = RooflineFit(target: target, free: RooflineFit.ncnnCoefficients)
        var fitted = target
        let result = fit.fitted(networks, start: coefficients)
        fitted.costModel = .roofline(result)
        try fitted.validate(origin: out)
        try OutputFile.write(String(decoding: try fitted.encoded(), as: UTF8.self) + "\n", to: out, force: force)
        print("wrote \(out): \(target.name) fitted to \(networks.count) networks")
        for network in networks {
            let predicted = fit.predictedSeconds(network.plan, result)
            print(pad(network.name, 16) + pad(format(predicted * 1e3, 1) + " ms", 12) + " against " + pad(format(network.seconds * 1e3, 1) + " ms", 10)
                + pad(format((predicted / network.seconds - 1) * 100, 1) + " %", 9))
        }
        for coefficient in RooflineFit.ncnnCoefficients {
            print("\(coefficient.name) = \(coefficient.keyPaths.first.map { result[keyPath: $0].value } ?? .nan)")
        }
    }

    /// The six ncnn graphs with their published latency on `target`.
    private static func ncnnNetworks(_ target: Target, directory: String?) throws -> [(name: String, plan: KernelPlan, seconds: Double)] {
        let folder = directory ?? defaultNCNNDirectory
        let published = PublishedMeasurement.ncnnSingleThread.filter { $0.target == target.name }
        guard !published.isEmpty else { throw CommandError("no published ncnn figures for target \(target.name) (rpi3 and redmi7s have them)") }
        return try published.map { measurement in
            let path = (folder as NSString).appendingPathComponent(measurement.network + ".param")
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandError("\(path) is missing: give --ncnn-dir, the folder of ncnn's benchmark graphs (../shared/devices/ncnn)")
            }
            let graph = try NCNNImporter.graph(contentsOf: URL(fileURLWithPath: path))
            return (measurement.network, KernelPlan(graph: graph), measurement.milliseconds / 1e3)
        }
    }

    /// `devices/ncnn` beside the shared data folder (`PULSE_SHARED_DATA`'s parent), else `../shared/devices/ncnn`.
    private static var defaultNCNNDirectory: String {
        if let data = ProcessInfo.processInfo.environment["PULSE_SHARED_DATA"] {
            return ((data as NSString).deletingLastPathComponent as NSString).appendingPathComponent("devices/ncnn")
        }
        return "../shared/devices/ncnn"
    }

    /// Host predictions against timings here, for every validation graph at batch 1 and 64.
    private static func hostCases(_ target: Target) throws -> ValidationSummary {
        let graphs = try HostValidationGraphs.all()
        let progress = Progress(total: graphs.count, label: "timing validation graphs")
        var cases: [ValidationCase] = []
        for (position, (name, graph)) in graphs.enumerated() {
            progress.update(position, detail: name)
            let executor = try HostTiming.executor(graph)
            let plan = KernelPlan(graph: graph)
            for batch in [1, 64] {
                let measured = try HostTiming.inferenceSeconds(executor, graph: graph, batch: batch)
                let predicted = Profile(plan: plan, target: target, batch: batch, threads: 1).seconds
                cases.append(ValidationCase(name: "\(name), batch \(batch)", predictedSeconds: predicted, measuredSeconds: measured))
            }
        }
        progress.finish()
        return ValidationSummary(cases: cases)
    }

    private static func text(_ summary: ValidationSummary, target: Target, note: String) -> String {
        var lines = ["\(target.name): predicted against measured (\(note))", "",
                     pad("graph", 44) + pad("predicted ms", 14) + pad("measured ms", 13) + pad("error", 9)]
        for item in summary.cases {
            lines.append(pad(String(item.name.prefix(43)), 44) + pad(format(item.predictedSeconds * 1e3, 4), 14)
                + pad(format(item.measuredSeconds * 1e3, 4), 13) + pad(format(item.relativeError * 100, 1) + " %", 9))
        }
        lines.append("")
        lines.append("within ±10 %: \(format(summary.shareWithin(0.10) * 100, 0)) %, ±15 %: \(format(summary.shareWithin(0.15) * 100, 0)) %, "
            + "±20 %: \(format(summary.shareWithin(0.20) * 100, 0)) %, ±35 %: \(format(summary.shareWithin(0.35) * 100, 0)) %")
        lines.append("median |error| \(format(summary.medianAbsoluteError * 100, 1)) %, worst \(summary.worst.map { "\(format($0.relativeError * 100, 1)) % (\($0.name))" } ?? "-"), "
            + "Spearman \(format(summary.spearman, 3)), measured order \(summary.ordersAsMeasured ? "kept" : "not kept")")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func json(_ summary: ValidationSummary, target: Target, note: String) -> [String: Any] {
        [
            "target": target.name, "note": note,
            "cases": summary.cases.map { ["name": $0.name, "predicted_seconds": $0.predictedSeconds, "measured_seconds": $0.measuredSeconds,
                                          "relative_error": $0.relativeError] as [String: Any] },
            "within_10": summary.shareWithin(0.10), "within_15": summary.shareWithin(0.15), "within_20": summary.shareWithin(0.20),
            "within_35": summary.shareWithin(0.35), "median_absolute_error": summary.medianAbsoluteError,
            "worst_error": summary.worst?.relativeError as Any, "spearman": summary.spearman, "orders_as_measured": summary.ordersAsMeasured,
        ]
    }
}
