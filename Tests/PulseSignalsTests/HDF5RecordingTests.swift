import Foundation
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct HDF5RecordingTests {
    @Test func writeThenReadGivesTheSameRecording() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var recording = SyntheticRecording.make(name: "roundtrip", ppgRateHz: 64, accRateHz: 32)
        recording.ecg = SignalGroup(channels: [Array(recording.ppg.channels[0].prefix(5000))], sampleRateHz: 125)
        let path = directory.path("roundtrip.h5")
        try recording.writeHDF5(to: path)
        let read = try Recording(hdf5Path: path)
        #expect(read == recording)
    }

    @Test(SharedData.required) func readsTheSharedLayout() throws {
        let spc = try Recording(hdf5Path: SharedData.root.appendingPathComponent("spc2015/h5/DATA_01_TYPE01.h5").path)
        #expect(spc.ppg.channelCount == 2 && spc.ppg.sampleCount == 37937 && spc.ppg.sampleRateHz == 125)
        #expect(spc.acc.channelCount == 3 && spc.reference?.bpm.count == 148 && spc.windowCount() == 148)
        #expect(spc.metadata["subject"] == "01")
        let bami = try Recording(hdf5Path: SharedData.root.appendingPathComponent("bami1/h5/BAMI1_01.h5").path)
        #expect(bami.ppg.channelCount == 3 && bami.ppg.sampleRateHz == 50 && bami.reference?.bpm.count == 312)
    }

    @Test func missingFile() {
        #expect(throws: RecordingError(path: "/no/such/file.h5", .fileNotFound)) { try Recording(hdf5Path: "/no/such/file.h5") }
    }

    @Test func fileThatIsNotHDF5() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("text.h5")
        try "not hdf5".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RecordingError(path: path, .notHDF5)) { try Recording(hdf5Path: path) }
    }

    @Test func truncatedHDF5() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("cut.h5")
        try SyntheticRecording.make().writeHDF5(to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(throws: RecordingError.self) { try Recording(hdf5Path: path) }
    }

    @Test func missingDatasetOrAttribute() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let noPPG = directory.path("noppg.h5")
        try BrokenRecordingFile.withoutPPG(at: noPPG)
        #expect(throws: RecordingError(path: noPPG, .missingDataset("/ppg"))) { try Recording(hdf5Path: noPPG) }
        let noRate = directory.path("norate.h5")
        do {
            let file = try HDF5File.create(noRate)
            try file.write([Float](repeating: 0, count: 1000), shape: [1, 1000], as: "ppg")
            try file.write([Float](repeating: 0, count: 3000), shape: [3, 1000], as: "acc")
            try file.write(.number(125), as: "fs_acc")
        }
        #expect(throws: RecordingError(path: noRate, .missingAttribute("fs_ppg"))) { try Recording(hdf5Path: noRate) }
    }

    @Test(arguments: [0.0, -50.0, Double.nan, Double.infinity])
    func badSampleRate(_ rate: Double) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var recording = SyntheticRecording.make()
        recording.acc.sampleRateHz = rate
        let path = directory.path("rate.h5")
        try recording.writeHDF5(to: path)
        #expect {
            try Recording(hdf5Path: path)
        } throws: { error in
            guard let error = error as? RecordingError, case .badSampleRate(let field, _) = error.reason else { return false }
            return field == "fs_acc" && error.description.contains(path)
        }
    }
}
