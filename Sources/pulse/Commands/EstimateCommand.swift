import ArgumentParser
import Foundation
import PulseSignals

struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Estimate heart rate every 2 s from 8 s windows of recordings (HDF5, shared layout).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @Argument(help: "Recordings (.h5).")
    var files: [String]

    @OptionGroup var estimator: EstimatorOptions

    @Option(help: "Output format: table, csv or json.")
    var format: Format = .table

    @Option(help: "Also draw estimate against reference over time into this SVG file.")
    var plot: String?

    func run() throws {
        let estimator = try estimator.makeEstimator()
        let results = try RecordingPaths.expand(files).map { try EstimationRun.estimate(estimator, path: $0) }
        if let plot {
            try OutputFile.write(SVGPlot.timeline(results.map { ($0.0.name, $0.1) }), to: plot)
        }
        switch format {
        case .table: print(EstimateReport.table(results), terminator: "")
        case .csv: print(EstimateReport.csv(results), terminator: "")
        case .json: print(try EstimateReport.json(results, method: estimator.name))
        }
    }
}
