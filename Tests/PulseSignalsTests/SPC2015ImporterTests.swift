import Foundation
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct SPC2015ImporterTests {
    /// Every raw pair reproduces the values of the shipped HDF5 file exactly (PPG, ACC, ECG, reference).
    @Test func reproducesTheShippedFiles() throws {
        guard SharedData.isAvailable else { print(SharedData.skipMessage); return }
        let pairs = try SPC2015Importer.pairs(in: SharedData.root.appendingPathComponent("spc2015/raw").path)
        #expect(pairs.count == 13)
        for pair in pairs {
            let imported = try SPC2015Importer.recording(pair)
            let shipped = try Recording(hdf5Path: SharedData.root.appendingPathComponent("spc2015/h5/\(pair.name).h5").path)
            #expect(imported.ppg == shipped.ppg, "\(pair.name) /ppg")
            #expect(imported.acc == shipped.acc, "\(pair.name) /acc")
            #expect(imported.ecg == shipped.ecg, "\(pair.name) /ecg")
            #expect(imported.reference == shipped.reference, "\(pair.name) /hr_bpm")
            for key in ["subject", "activity", "recording_id", "split"] {
                #expect(imported.metadata[key] == shipped.metadata[key], "\(pair.name) \(key)")
            }
        }
    }

    @Test func truncatedMATFile() throws {
        guard SharedData.isAvailable else { print(SharedData.skipMessage); return }
        let source = SharedData.root.appendingPathComponent("spc2015/raw/Training_data/DATA_01_TYPE01_BPMtrace.mat")
        let bytes = [UInt8](try Data(contentsOf: source))
        for length in [60, 130, 200, bytes.count - 9] {
            #expect(throws: RecordingError.self) { try MATFile(bytes: Array(bytes.prefix(length)), path: "cut.mat") }
        }
        #expect(try MATFile(bytes: bytes, path: "whole.mat").variable("BPM0").dimensions == [148, 1])
    }

    @Test func notAMATFile() {
        let bytes = [UInt8](repeating: 0x20, count: 300)
        #expect(throws: RecordingError(path: "x.mat", .unsupported("not a MATLAB 5 file (no endian indicator)"))) {
            try MATFile(bytes: bytes, path: "x.mat")
        }
    }

    @Test func folderWithoutSignals() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: RecordingError.self) { try SPC2015Importer.pairs(in: directory.url.path) }
        #expect(throws: RecordingError(path: directory.path("none"), .fileNotFound)) {
            try SPC2015Importer.pairs(in: directory.path("none"))
        }
    }
}
