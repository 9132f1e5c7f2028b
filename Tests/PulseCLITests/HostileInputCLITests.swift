import CHDF5
import Foundation
import PulseGraph
import PulseModels
import PulseSignals
import PulseTestSupport
import Testing
@testable import pulse

/// The hardening classes through the command line: outputs never destroy inputs, numbers from files are
/// range-checked, output code survives extreme values, one extreme sample costs only its windows, large work is
/// bounded, odd model files are named, messages say what is wrong, and outputs stay well-formed.
@Suite struct HostileInputCLITests {
    func recording(_ directory: TemporaryDirectory, _ name: String = "synthetic", seconds: Double = 40,
                   edit: (inout Recording) -> Void = { _ in }) throws -> String {
        var recording = SyntheticRecording.make(name: name, seconds: seconds, bpm: 84)
        edit(&recording)
        let path = directory.path(name + ".h5")
        try recording.writeHDF5(to: path)
        return path
    }

    func model(_ directory: TemporaryDirectory, _ name: String, edit: (inout ModelFile) -> Void) throws -> String {
        let architecture = SpectralCNN(input: .standard, bins: SpectralCNN.baseline.bins, width: 4, kernelSize: 3, dilations: [1])
        let graph = try architecture.graph()
        var model = ModelFile(graph: graph, parameters: graph.initialParameters(seed: 1), input: .standard, output: architecture.bins)
        edit(&model)
        let path = directory.path(name)
        try model.write(to: path)
        return path
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    // MARK: 1. An output never destroys an input or an unrelated file

    @Test func anOutputThatIsAnInputOrAnotherOutputIsRefusedBeforeAnyWork() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try recording(directory)
        let original = bytes(path)
        let plotOverInput = try PulseProcess.run(["estimate", path, "--plot", directory.url.appendingPathComponent("./x/../synthetic.h5").path, "--force"])
        #expect(plotOverInput.status == 1 && plotOverInput.standardError.contains("is also an input of this run"), "\(plotOverInput.standardError)")
        #expect(bytes(path) == original)
        let model = directory.path("m.h5")
        let sameTwice = try PulseProcess.run(["train", "--data", path, "--out", model, "--json", model, "--epochs", "1"])
        #expect(sameTwice.status == 1 && sameTwice.standardError.contains("is also another output of this run"))
        #expect(!sameTwice.standardError.contains("epoch") && !FileManager.default.fileExists(atPath: model))
        let jsonOverData = try PulseProcess.run(["train", "--data", path, "--out", model, "--json", path, "--force"])
        #expect(jsonOverData.status == 1 && bytes(path) == original)
    }

    @Test func existingFilesNeedForceAndNothingElseIsTouched() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try recording(directory)
        let plot = directory.path("plot.svg")
        try Data("mine".utf8).write(to: URL(fileURLWithPath: plot))
        let refused = try PulseProcess.run(["estimate", path, "--plot", plot])
        #expect(refused.status == 1 && refused.standardError.contains("already exists") && bytes(plot) == Data("mine".utf8))
        let forced = try PulseProcess.run(["estimate", path, "--plot", plot, "--force"])
        #expect(forced.status == 0 && String(decoding: bytes(plot) ?? Data(), as: UTF8.self).hasPrefix("<svg"))
        // Training used to delete `<out>.probe`; now it touches nothing but its outputs, and leaves no temporary file.
        let model = directory.path("m.h5")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: model + ".probe"))
        let before = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
        let train = try PulseProcess.run(["train", "--data", path, "--out", model, "--epochs", "1"])
        #expect(train.status == 0, "\(train.standardError)")
        #expect(bytes(model + ".probe") == Data("keep".utf8))
        let after = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
        #expect(after == (before + ["m.h5"]).sorted())
    }

    @Test func twoImportsOfOneNameAreRefusedBeforeAnyWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let csv = "ppg,acc_x,acc_y,acc_z\n" + (0..<1500).map { i in
            "\(1000 + 50 * sin(Double(i) * 0.088)),\(sin(Double(i) * 0.2)),0.1,0.2"
        }.joined(separator: "\n")
        for folder in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: directory.path(folder), withIntermediateDirectories: true)
            try csv.write(toFile: directory.path("\(folder)/x.csv"), atomically: true, encoding: .utf8)
        }
        let out = directory.path("out")
        let result = try PulseProcess.run(["import", "csv", directory.path("a/x.csv"), directory.path("b/x.csv"), "--fs-ppg", "50", "--out", out])
        #expect(result.status == 1 && result.standardError.contains("both import to this name"), "\(result.standardError)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: out))?.isEmpty ?? true)
    }

    /// A file that appears at the destination while the content is written is not replaced without `--force`.
    @Test func aFileThatAppearsDuringTheWriteIsKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("out.h5")
        #expect(throws: RecordingError(path: path, .exists)) {
            try AtomicFile.write(to: path, replacing: false) { temporary in
                try Data("content".utf8).write(to: URL(fileURLWithPath: temporary))
                try Data("someone else's".utf8).write(to: URL(fileURLWithPath: path))
            }
        }
        #expect(bytes(path) == Data("someone else's".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["out.h5"])
        try AtomicFile.write(to: path, replacing: true) { try Data("new".utf8).write(to: URL(fileURLWithPath: $0)) }
        #expect(bytes(path) == Data("new".utf8))
    }

    // MARK: 2 and 7. Numbers and structure of model files

    @Test func outOfRangeOrOddModelFilesAreNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = try recording(directory)
        let cases: [(String, (inout ModelFile) -> Void, String)] = [
            ("bins.h5", { $0.output.binBpm = 1e-300 }, "attribute output: binBpm"),
            ("first.h5", { $0.output.firstBpm = -300 }, "attribute output: the bins span"),
            ("order.h5", { $0.input.bandOrder = 1 << 30 }, "attribute input: bandOrder"),
            ("rate.h5", { $0.input.sampleRateHz = 1e-300 }, "attribute input: sampleRateHz"),
            ("nan.h5", { model in
                let name = model.parameters.keys.sorted()[0]
                model.parameters[name]?.scalars[0] = .nan
            }, "every weight must be finite"),
            ("constant-output.h5", { model in
                var graph = model.graph
                if let index = try? graph.append(.param(name: "odd"), shape: [113], layer: "odd") { graph.outputs = [index] }
                model.graph = graph
                model.parameters["odd"] = Tensor(shape: [113], scalars: Array(repeating: 0, count: 113))
            }, "does not depend on the input"),
        ]
        for (name, edit, message) in cases {
            let path = try model(directory, name, edit: edit)
            for command in [["estimate", data, "--model", path], ["stream", "--replay", data, "--model", path, "--speed", "max"]] {
                let result = try PulseProcess.run(command)
                #expect(result.status == 1 && result.standardError.contains(name) && result.standardError.contains(message),
                        "\(command): \(result.standardError)")
            }
        }
    }

    // MARK: 3. Output code and extreme values

    @Test func plotAndLiveViewSurviveExtremeValues() {
        let estimates = (0..<5).map { k in
            WindowEstimate(index: k, endSeconds: Double(8 + 2 * k), bpm: k == 2 ? 1e300 : 70, confidence: 0.5,
                           referenceBpm: k == 3 ? 1e12 : 72)
        }
        let svg = SVGPlot.timeline([("extreme", estimates)])
        #expect(svg.hasPrefix("<svg") && svg.count < 100_000)
        #expect(StreamView.sparkline([70, .infinity, 1e308, -1e308, nil, .nan]).count < 1000)
        let invalid = WindowEstimate(index: 0, endSeconds: 8, bpm: .infinity, confidence: 0.9, referenceBpm: .nan)
        #expect(invalid.bpm == nil && !invalid.isValid && invalid.confidence == 0 && invalid.referenceBpm == nil)
    }

    // MARK: 4. One extreme sample

    @Test(arguments: [Float.leastNonzeroMagnitude, 1e-20, .greatestFiniteMagnitude])
    func oneExtremeFirstSampleKeepsTheEstimates(extreme: Float) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try recording(directory) { $0.ppg.channels[0][0] = extreme; $0.acc.channels[1][0] = extreme }
        let result = try PulseProcess.run(["evaluate", path, "--causal", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect((try result.json()["mae_bpm"] as? Double ?? .infinity) < 1.5)
        let lines = ["t,ppg,ax,ay,az"] + (0..<(40 * 50)).map { i -> String in
            let t = Double(i) / 50
            let ppg = i == 0 ? Double(extreme) : 1000 + 50 * sin(2 * .pi * 1.4 * t)
            return "\(t),\(ppg),\(sin(2 * .pi * 2.6 * t)),0.1,0.2"
        }
        let stream = try PulseProcess.run(["stream", "--stdin", "--format", "jsonl"], input: lines.joined(separator: "\n") + "\n")
        #expect(stream.status == 0, "\(stream.standardError)")
        let rates = stream.standardOutput.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["hr_bpm"] as? Double
        }
        #expect(!rates.isEmpty && rates.allSatisfy { abs($0 - 84) < 3 }, "\(rates)")
    }

    // MARK: 5. Work bounded before it starts

    @Test func aStdinGapOfMillionsOfSamplesIsRefusedBySize() throws {
        let input = "t,ppg,ax,ay,az\n0,1000,0,0,1\n0.000001,1001,0,0,1\n600,1000,0,0,1\n"
        let result = try PulseProcess.run(["stream", "--stdin", "--rate-hz", "1000000", "--format", "jsonl"], input: input)
        #expect(result.status == 1 && result.standardError.contains("would fill") && result.standardError.contains("samples"),
                "\(result.standardError)")
    }

    // MARK: 6. HDF5 objects that lead elsewhere, and files that crash libhdf5

    @Test func linksElsewhereAndCorruptFilesAreNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try recording(directory, "target")
        let linked = try recording(directory, "linked")
        HDF5File.withLibrary {
            let id = H5Fopen(linked, pulse_h5f_acc_rdwr(), pulse_h5p_default())
            H5Ldelete(id, "ppg", pulse_h5p_default())
            H5Lcreate_external(target, "/ppg", id, "ppg", pulse_h5p_default(), pulse_h5p_default())
            H5Fclose(id)
        }
        let external = try PulseProcess.run(["estimate", linked])
        #expect(external.status == 1 && external.standardError.contains("linked.h5: /ppg is an external link to another file"),
                "\(external.standardError)")
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("signals/rest.h5")
        var bytes = try Data(contentsOf: shipped)
        bytes[2039] ^= 0xFF
        let corrupt = directory.path("corrupt.h5")
        try bytes.write(to: URL(fileURLWithPath: corrupt))
        for command in [["estimate", corrupt], ["stream", "--replay", corrupt, "--speed", "max"], ["evaluate", corrupt]] {
            let result = try PulseProcess.run(command)
            #expect(result.status == 1 && result.standardError.contains("corrupt.h5") && result.standardError.contains("libhdf5 crashed"),
                    "\(command): \(result.standardError)")
        }
    }

    // MARK: 8 and 5. The simulator's options and sizes

    @Test func simulatorOptionsRejectNonFiniteValuesAndHugeRecordings() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("sim.h5")
        let cases: [([String], String)] = [
            (["--duration", "60", "--noise", "nan"], "noise level (--noise)"),
            (["--duration", "60", "--noise", "inf"], "noise level (--noise)"),
            (["--duration", "nan"], "duration must be between"),
            (["--duration", "60", "--fs-ppg", "inf"], "fs_ppg (--fs-ppg)"),
            (["--duration", "604800", "--fs-ppg", "1000000"], "PPG values"),
        ]
        for (options, message) in cases {
            let result = try PulseProcess.run(["simulate"] + options + ["--out", out])
            #expect(result.status == 1 && result.standardError.contains(message), "\(options): \(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let stream = try PulseProcess.run(["stream", "--simulate", "--duration", "nan"])
        #expect(stream.status == 1 && stream.standardError.contains("duration must be between"), "\(stream.standardError)")
    }

    // MARK: 9. Messages

    @Test func messagesSayWhatIsWrong() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try recording(directory)
        let model = directory.path("m.h5")
        let folds = try PulseProcess.run(["train", "--data", path, "--out", model, "--folds", "3"])
        #expect(folds.status == 1 && folds.standardError.contains("--folds 3 needs at least 3 recordings"), "\(folds.standardError)")
        let twice = try PulseProcess.run(["train", "--data", path, directory.url.path, "--out", model, "--folds", "2"])
        #expect(twice.status == 1 && twice.standardError.contains("is the same file as"), "\(twice.standardError)")
        let unlabelled = try recording(directory, "unlabelled") { $0.reference = nil }
        let noLabels = try PulseProcess.run(["train", "--data", unlabelled, "--out", model])
        #expect(noLabels.status == 1 && noLabels.standardError.contains("no labelled window"), "\(noLabels.standardError)")
        #expect(!FileManager.default.fileExists(atPath: model))
        let badJSON = try PulseProcess.run(["train", "--data", path, "--out", model, "--json", directory.path("missing/t.json")])
        #expect(badJSON.status == 1 && badJSON.standardError.contains("does not exist") && !badJSON.standardError.contains("epoch"))
        let intoFolder = try PulseProcess.run(["estimate", path, "--plot", directory.url.path])
        #expect(intoFolder.status == 1 && intoFolder.standardError.contains("it is a folder"), "\(intoFolder.standardError)")
        // A [samples, channels] dataset is called transposed.
        let transposed = directory.path("transposed.h5")
        do {
            let file = try HDF5File.create(transposed)
            try file.write([Float](repeating: 1, count: 2 * 5000), shape: [5000, 2], as: "ppg")
            try file.write([Float](repeating: 1, count: 3 * 5000), shape: [3, 5000], as: "acc")
            try file.write(.number(125), as: "fs_ppg")
            try file.write(.number(125), as: "fs_acc")
        }
        let result = try PulseProcess.run(["estimate", transposed])
        #expect(result.status == 1 && result.standardError.contains("looks transposed"), "\(result.standardError)")
    }

    // MARK: 10. Well-formed outputs

    @Test func csvQuotesNamesAndJSONNeverCallsANullRateValid() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try recording(directory, "x,y \"z\"") { $0.ppg.channels[0][2000] = .nan }
        let csv = try PulseProcess.run(["estimate", path, "--format", "csv"])
        #expect(csv.status == 0)
        let rows = csv.standardOutput.split(separator: "\n").dropFirst()
        #expect(rows.count == 17 && rows.allSatisfy { $0.hasPrefix("\"x,y \"\"z\"\"\",") })
        let json = try PulseProcess.run(["estimate", path, "--format", "json"])
        let windows = try #require((try json.json()["recordings"] as? [[String: Any]])?.first?["windows"] as? [[String: Any]])
        #expect(windows.contains { $0["valid"] as? Bool == false })
        #expect(windows.allSatisfy { ($0["valid"] as? Bool) == ($0["hr_bpm"] is Double) })
    }
}
