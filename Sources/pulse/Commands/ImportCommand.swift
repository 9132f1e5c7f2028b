import ArgumentParser
import Foundation
import PulseSignals

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert recordings (SPC 2015, CSV) or models (ONNX) from other formats into pulse's HDF5 files.",
        subcommands: [SPC2015.self, CSV.self, ImportONNXCommand.self])

    /// `--out` and `--force`, shared by the importers.
    struct Destination: ParsableArguments {
        @Option(help: "Folder for the .h5 files (created if missing).")
        var out: String

        @Flag(help: "Overwrite existing files.")
        var force = false

        /// The output path of each named recording, checked before any import: two inputs that would land on one
        /// file, an output that is an input, or an existing file without `--force` are refused.
        func plan(names: [String], inputs: [String]) throws -> [String] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw RecordingError(path: out, .notAFolder)
            }
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw RecordingError(path: out, .writeFailed("the folder cannot be created"))
            }
            var outputs = OutputPlan(inputs: inputs)
            var paths: [String] = []
            for (index, name) in names.enumerated() {
                let path = URL(fileURLWithPath: out).appendingPathComponent(name + ".h5").path
                if let earlier = paths.firstIndex(of: path) {
                    throw RecordingError(path: path, .outputTwice("\(inputs[earlier]) and \(inputs[index]) both import to this name"))
                }
                try outputs.add(path, force: force)
                paths.append(path)
            }
            return paths
        }

        func write(_ recording: Recording, to path: String) throws {
            try OutputFile.write(recording, to: path, force: force)
        }
    }

    struct SPC2015: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "spc2015",
            abstract: "Import the IEEE SPC 2015 MATLAB files (DATA_*.mat with their BPM files) from a folder.")

        @Argument(help: "Folder with the organisers' .mat files (searched recursively).")
        var directory: String

        @OptionGroup var destination: Destination

        func run() throws {
            let pairs = try SPC2015Importer.pairs(in: directory)
            let paths = try destination.plan(names: pairs.map(\.name), inputs: pairs.map(\.signalPath))
            for (pair, path) in zip(pairs, paths) {
                let recording = try SPC2015Importer.recording(pair)
                try recording.validate(source: pair.signalPath)
                try destination.write(recording, to: path)
                print("\(path): \(recording.windowCount()) windows, \(recording.reference?.bpm.count ?? 0) labels")
            }
        }
    }

    struct CSV: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "csv",
            abstract: "Import a CSV export: a header naming the columns, one row per sample.",
            discussion: """
                PPG columns are those named ppg*, bvp* or pleth*, accelerometer columns acc* (or ax, ay, az), \
                unless named with --ppg-columns / --acc-columns. When the accelerometer runs slower than the PPG, \
                leave its cells empty on the rows without a sample.
                """)

        @Argument(help: "CSV files.")
        var files: [String]

        @Option(name: .customLong("fs-ppg"), help: "PPG sample rate in Hz.")
        var ppgRateHz: Double

        @Option(name: .customLong("fs-acc"), help: "Accelerometer sample rate in Hz (default: the PPG rate).")
        var accRateHz: Double?

        @Option(help: "Comma-separated PPG column names.")
        var ppgColumns: String?

        @Option(help: "Comma-separated accelerometer column names.")
        var accColumns: String?

        @Option(help: "CSV with one reference heart rate (BPM) per 8 s window, 2 s shift.")
        var reference: String?

        @OptionGroup var destination: Destination

        func run() throws {
            let importer = CSVImporter(
                ppgRateHz: ppgRateHz, accRateHz: accRateHz ?? ppgRateHz,
                ppgColumns: ppgColumns?.split(separator: ",").map(String.init),
                accColumns: accColumns?.split(separator: ",").map(String.init))
            let names = files.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
            let paths = try destination.plan(names: names, inputs: files + [reference].compactMap { $0 })
            for (file, path) in zip(files, paths) {
                let recording = try importer.recording(path: file, referencePath: reference)
                try destination.write(recording, to: path)
                print("\(path): \(recording.ppg.channelCount) PPG, \(recording.acc.channelCount) ACC, \(recording.windowCount()) windows")
            }
        }
    }
}
