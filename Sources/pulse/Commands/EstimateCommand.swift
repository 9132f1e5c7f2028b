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
        let estimator = estimator.makeEstimator()
        var results: [(Recording, [WindowEstimate])] = []
        for path in try RecordingPaths.expand(files) {
            let recording = try Recording(hdf5Path: path)
            results.append((recording, try estimator.estimate(recording, layout: .standard)))
        }
        switch format {
        case .table: print(EstimateReport.table(results), terminator: "")
        case .csv: print(EstimateReport.csv(results), terminator: "")
        case .json: print(try EstimateReport.json(results, method: estimator.name))
        }
        if let plot {
            try SVGPlot.timeline(results.map { ($0.0.name, $0.1) }).write(toFile: plot, atomically: true, encoding: .utf8)
        }
    }
}
