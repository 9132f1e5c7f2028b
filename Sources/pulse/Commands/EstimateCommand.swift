import ArgumentParser
import Foundation
import PulseSignals

struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Estimate heart rate every 2 s from 8 s windows of recordings (HDF5, shared layout).",
        discussion: """
            The default estimator is the fused one (--method fused): the baseline model shipped inside pulse and the \
            spectral evidence in one tracker, with weights cross-validation chose (pulse evaluate --folds; see the README). \
            --method spectral or neural runs either alone; --model uses another model.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @Argument(help: "Recordings (.h5).")
    var files: [String]

    @OptionGroup var estimator: EstimatorOptions

    @Option(help: "Output format: table, csv or json.")
    var format: Format = .table

    @Option(help: "Also draw estimate against reference over time into this SVG file.")
    var plot: String?

    @Flag(help: "Overwrite an existing --plot file.")
    var force = false

    func run() throws {
        let paths = try RecordingPaths.expand(files)
        var outputs = OutputPlan(inputs: paths + estimator.model)
        if let plot { try outputs.add(plot, force: force) }
        let estimator = try estimator.makeEstimator()
        let results = try paths.map { try EstimationRun.estimate(estimator, path: $0) }
        if let plot {
            try OutputFile.write(SVGPlot.timeline(results.map { ($0.0.name, $0.1) }), to: plot, force: force)
        }
        switch format {
        case .table: print(EstimateReport.table(results), terminator: "")
        case .csv: print(EstimateReport.csv(results), terminator: "")
        case .json: print(try EstimateReport.json(results, method: estimator.name))
        }
    }
}
