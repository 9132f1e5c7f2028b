import Foundation
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct CLITests {
    /// A short synthetic recording written to a temporary folder.
    func recordingFile(_ directory: TemporaryDirectory, seconds: Double = 40, nanAt: Int? = nil) throws -> String {
        var recording = SyntheticRecording.make(name: "synthetic", seconds: seconds, bpm: 84)
        if let nanAt { recording.ppg.channels[0][nanAt] = .nan }
        let path = directory.path("synthetic.h5")
        try recording.writeHDF5(to: path)
        return path
    }

    @Test func estimateJSONHasTheDocumentedKeys() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try recordingFile(directory)
        let result = try PulseProcess.run(["estimate", path, "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let recordings = try #require(try result.json()["recordings"] as? [[String: Any]])
        #expect(recordings.count == 1 && recordings[0]["name"] as? String == "synthetic")
        let windows = try #require(recordings[0]["windows"] as? [[String: Any]])
        #expect(windows.count == 17)
        let last = try #require(windows.last)
        #expect(last["t_s"] as? Double == 40)
        #expect(abs((last["hr_bpm"] as? Double ?? 0) - 84) < 3)
        #expect(last["confidence"] is Double && last["ref_bpm"] as? Double == 84)
    }

    @Test func estimateTableCSVAndPlot() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try recordingFile(directory)
        let plot = directory.path("plot.svg")
        let table = try PulseProcess.run(["estimate", path, "--plot", plot])
        #expect(table.status == 0 && table.standardOutput.contains("MAE"))
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("polyline") && svg.contains("synthetic"))
        let csv = try PulseProcess.run(["estimate", path, "--format", "csv"])
        let lines = csv.standardOutput.split(separator: "\n")
        #expect(lines.first == "recording,window,t_s,hr_bpm,confidence,ref_bpm,error_bpm" && lines.count == 18)
    }

    @Test func nanGapMakesInvalidWindowsNotAFailure() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try recordingFile(directory, nanAt: 125 * 21)
        let result = try PulseProcess.run(["evaluate", path, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try result.json()
        #expect(json["invalid_windows"] as? Int == 4 && json["scored_windows"] as? Int == 13)
        #expect(json["windows"] as? Int == 17 && json["mae_bpm"] is Double && json["windows_per_second"] is Double)
        let recordings = try #require(json["recordings"] as? [[String: Any]])
        #expect(recordings.first?["name"] as? String == "synthetic" && recordings.first?["mae_bpm"] is Double)
    }

    @Test func badInputExitsNonZeroNamingTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = try PulseProcess.run(["estimate", directory.path("absent.h5")])
        #expect(missing.status != 0 && missing.standardError.contains("absent.h5") && missing.standardError.contains("no such file"))
        let text = directory.path("text.h5")
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        let notHDF5 = try PulseProcess.run(["evaluate", text])
        #expect(notHDF5.status != 0 && notHDF5.standardError.contains("text.h5: not an HDF5 file"))
        let short = try recordingFile(directory, seconds: 6)
        let tooShort = try PulseProcess.run(["estimate", short])
        #expect(tooShort.status != 0 && tooShort.standardError.contains("shorter than one 8 s window"))
    }

    @Test func everyBadInputExitsNonZeroWithItsReason() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var cases: [(path: String, reason: String)] = []
        let noPPG = directory.path("noppg.h5")
        try BrokenRecordingFile.withoutPPG(at: noPPG)
        cases.append((noPPG, "dataset /ppg is missing"))
        var infinite = SyntheticRecording.make()
        infinite.acc.channels[1][77] = -.infinity
        try infinite.writeHDF5(to: directory.path("infinite.h5"))
        cases.append((directory.path("infinite.h5"), "/acc channel 1 has an infinite value at sample 77"))
        var short = SyntheticRecording.make()
        short.acc.channels = short.acc.channels.map { Array($0.prefix(125 * 20)) }
        try short.writeHDF5(to: directory.path("short.h5"))
        cases.append((directory.path("short.h5"), "PPG lasts 40 s but the accelerometer 20 s"))
        var zeroRate = SyntheticRecording.make()
        zeroRate.ppg.sampleRateHz = 0
        try zeroRate.writeHDF5(to: directory.path("zero.h5"))
        cases.append((directory.path("zero.h5"), "fs_ppg must be a sample rate"))
        var allNaN = SyntheticRecording.make()
        allNaN.ppg.channels = allNaN.ppg.channels.map { $0.map { _ in .nan } }
        try allNaN.writeHDF5(to: directory.path("nan.h5"))
        cases.append((directory.path("nan.h5"), "no window without missing samples"))
        for (path, reason) in cases {
            let result = try PulseProcess.run(["estimate", path])
            #expect(result.status == 1 && result.standardError.contains(path + ": ") && result.standardError.contains(reason),
                    "\(path): \(result.standardError)")
        }
        let csv = directory.path("bad.csv")
        try "t,ppg,ax,ay,az\n0,1,2,3,4\n0.02,1,x,3,4\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let malformed = try PulseProcess.run(["import", "csv", csv, "--fs-ppg", "50", "--out", directory.path("out")])
        #expect(malformed.status == 1 && malformed.standardError.contains("bad.csv: line 3: column ax: 'x' is not a number"))
    }

    @Test func evaluateNeedsAReferenceAndErrorsNameTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var recording = SyntheticRecording.make(name: "unlabelled")
        recording.reference = nil
        try recording.writeHDF5(to: directory.path("unlabelled.h5"))
        let evaluate = try PulseProcess.run(["evaluate", directory.path("unlabelled.h5")])
        #expect(evaluate.status != 0 && evaluate.standardError.contains("unlabelled.h5: has no reference heart rate"))
        try SyntheticRecording.make(name: "slow", ppgRateHz: 6, accRateHz: 6).writeHDF5(to: directory.path("slow.h5"))
        let slow = try PulseProcess.run(["estimate", directory.path("slow.h5")])
        #expect(slow.status != 0 && slow.standardError.contains("slow.h5: cannot be estimated: fs_ppg is 6.0 Hz, the model's input needs more than 8.0 Hz"))
        let slowSpectral = try PulseProcess.run(["estimate", directory.path("slow.h5"), "--method", "spectral"])
        #expect(slowSpectral.status != 0 && slowSpectral.standardError.contains("fs_ppg is 6.0 Hz, the spectral estimator needs more than 8.0 Hz"))
        let plot = try PulseProcess.run(["estimate", directory.path("unlabelled.h5"), "--plot", directory.path("no/such/plot.svg")])
        #expect(plot.status != 0 && plot.standardError.contains("plot.svg: cannot be written") && plot.standardOutput.isEmpty)
    }

    @Test func trainThenEstimateWithTheModel() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = try recordingFile(directory)
        let model = directory.path("model.h5")
        let train = try PulseProcess.run(["train", "--data", data, "--out", model, "--epochs", "1", "--json", directory.path("train.json")])
        #expect(train.status == 0, "\(train.standardError)")
        #expect(train.standardError.contains("epoch 1/1") && train.standardOutput.contains("MACs per window"))
        let again = try PulseProcess.run(["train", "--data", data, "--out", model, "--epochs", "1"])
        #expect(again.status != 0 && again.standardError.contains("already exists"))
        let estimate = try PulseProcess.run(["estimate", data, "--model", model, "--format", "json"])
        #expect(estimate.status == 0, "\(estimate.standardError)")
        let recordings = try #require(try estimate.json()["recordings"] as? [[String: Any]])
        let windows = try #require(recordings.first?["windows"] as? [[String: Any]])
        #expect(windows.count == 17 && windows.allSatisfy { $0["hr_bpm"] is Double && $0["t_s"] is Double && $0["ref_bpm"] is Double })
        let evaluate = try PulseProcess.run(["evaluate", data, "--model", model, "--json"])
        let evaluation = try evaluate.json()
        #expect(evaluate.status == 0 && evaluation["mae_bpm"] is Double)
        let notAModel = try PulseProcess.run(["estimate", data, "--model", data])
        #expect(notAModel.status != 0 && notAModel.standardError.contains("synthetic.h5: attribute format is missing"))
    }

    @Test func simulateThenEvaluate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("walk.h5")
        let simulate = try PulseProcess.run(["simulate", "--duration", "60", "--activity", "walk", "--seed", "3", "--dropouts", "--out", path])
        #expect(simulate.status == 0 && simulate.standardOutput.contains("27 windows"), "\(simulate.standardError)")
        let again = try PulseProcess.run(["simulate", "--duration", "60", "--out", path])
        #expect(again.status != 0 && again.standardError.contains("already exists"))
        let evaluate = try PulseProcess.run(["evaluate", path, "--json"])
        let json = try evaluate.json()
        #expect(evaluate.status == 0 && json["mae_bpm"] is Double && (json["invalid_windows"] as? Int ?? 0) > 0)
        let short = try PulseProcess.run(["simulate", "--duration", "3", "--out", directory.path("short.h5")])
        #expect(short.status != 0 && short.standardError.contains("duration must be between 8 s and 7 days"))
    }

    @Test func importCSVThenEstimate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var lines = ["t,ppg_1,ax,ay,az"]
        for i in 0..<(30 * 50) {
            let t = Double(i) / 50
            lines.append(String(format: "%.2f,%.3f,%.3f,0.1,0.9", t, 500 + 20 * sin(2 * .pi * 1.5 * t), 0.3 * sin(2 * .pi * 2.2 * t)))
        }
        let csv = directory.path("device.csv")
        try lines.joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = try PulseProcess.run(["import", "csv", csv, "--fs-ppg", "50", "--out", directory.path("out")])
        #expect(imported.status == 0, "\(imported.standardError)")
        let again = try PulseProcess.run(["import", "csv", csv, "--fs-ppg", "50", "--out", directory.path("out")])
        #expect(again.status != 0 && again.standardError.contains("already exists"))
        let estimate = try PulseProcess.run(["estimate", directory.path("out/device.h5"), "--format", "json"])
        let windows = try #require((try estimate.json()["recordings"] as? [[String: Any]])?.first?["windows"] as? [[String: Any]])
        #expect(abs((windows.last?["hr_bpm"] as? Double ?? 0) - 90) < 3)
    }

    @Test(SharedData.required) func importSPC2015FromTheOrganisersFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let raw = SharedData.root.appendingPathComponent("spc2015/raw/Training_data")
        try FileManager.default.createDirectory(atPath: directory.path("raw"), withIntermediateDirectories: true)
        for name in ["DATA_05_TYPE02.mat", "DATA_05_TYPE02_BPMtrace.mat"] {
            try FileManager.default.copyItem(atPath: raw.appendingPathComponent(name).path, toPath: directory.path("raw/" + name))
        }
        let result = try PulseProcess.run(["import", "spc2015", directory.path("raw"), "--out", directory.path("h5")])
        #expect(result.status == 0, "\(result.standardError)")
        let imported = try Recording(hdf5Path: directory.path("h5/DATA_05_TYPE02.h5"))
        let shipped = try Recording(hdf5Path: SharedData.root.appendingPathComponent("spc2015/h5/DATA_05_TYPE02.h5").path)
        #expect(imported.ppg == shipped.ppg && imported.acc == shipped.acc && imported.reference == shipped.reference)

        let truncated = directory.path("cut/DATA_05_TYPE02.mat")
        try FileManager.default.createDirectory(atPath: directory.path("cut"), withIntermediateDirectories: true)
        let bytes = try Data(contentsOf: raw.appendingPathComponent("DATA_05_TYPE02.mat"))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: truncated))
        try FileManager.default.copyItem(atPath: raw.appendingPathComponent("DATA_05_TYPE02_BPMtrace.mat").path,
                                        toPath: directory.path("cut/DATA_05_TYPE02_BPMtrace.mat"))
        let cut = try PulseProcess.run(["import", "spc2015", directory.path("cut"), "--out", directory.path("h5cut")])
        #expect(cut.status != 0 && cut.standardError.contains("DATA_05_TYPE02.mat") && cut.standardError.contains("truncated"))
    }
}
