import Foundation
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct SPC2015ImporterTests {
    /// Every raw pair reproduces the values of the shipped HDF5 file exactly (PPG, ACC, ECG, reference).
    @Test(SharedData.required) func reproducesTheShippedFiles() throws {
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

    @Test(SharedData.required) func truncatedMATFile() throws {
        let source = SharedData.root.appendingPathComponent("spc2015/raw/Training_data/DATA_01_TYPE01_BPMtrace.mat")
        let bytes = [UInt8](try Data(contentsOf: source))
        for length in [60, 130, 200, bytes.count - 9] {
            #expect(throws: RecordingError.self) { try MATFile(bytes: Array(bytes.prefix(length)), path: "cut.mat") }
        }
        #expect(try MATFile(bytes: bytes, path: "whole.mat").variable("BPM0").dimensions == [148, 1])
    }

    /// A MATLAB 5 file with one uncompressed `miMATRIX` element of `arrayClass`, dimensions given as
    /// Float64 `dimensions`, and `values` as Float64 data.
    static func matFile(name: String, arrayClass: UInt32, dimensions: [Double], values: [Double]) -> [UInt8] {
        func element(_ type: UInt32, _ payload: [UInt8]) -> [UInt8] {
            let padding = (8 - payload.count % 8) % 8
            return bytes(type) + bytes(UInt32(payload.count)) + payload + [UInt8](repeating: 0, count: padding)
        }
        func bytes(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        func bytes(_ value: Double) -> [UInt8] { (0..<8).map { UInt8((value.bitPattern >> (8 * UInt64($0))) & 0xFF) } }
        var header = [UInt8](repeating: 0x20, count: 128)
        header[124] = 0; header[125] = 1; header[126] = UInt8(ascii: "I"); header[127] = UInt8(ascii: "M")
        let body = element(6, bytes(arrayClass) + bytes(UInt32(0))) + element(9, dimensions.flatMap(bytes))
            + element(1, Array(name.utf8)) + element(9, values.flatMap(bytes))
        return header + element(14, body)
    }

    @Test func craftedMatrices() throws {
        let good = try MATFile(bytes: Self.matFile(name: "BPM0", arrayClass: 6, dimensions: [3, 1], values: [70, 71, 72]), path: "ok.mat")
        #expect(try good.variable("BPM0").values == [70, 71, 72])
        let cell = try MATFile(bytes: Self.matFile(name: "sig", arrayClass: 1, dimensions: [1, 1], values: [0]), path: "cell.mat")
        #expect(throws: RecordingError(path: "cell.mat", .unsupported("variable sig is a cell array, a real numeric array is needed"))) {
            try cell.variable("sig")
        }
        for dimensions in [[Double.nan, 1], [1e300, 6], [65536, 65536, 65536, 65536]] {
            #expect(throws: RecordingError.self) {
                try MATFile(bytes: Self.matFile(name: "sig", arrayClass: 6, dimensions: dimensions, values: [1]), path: "dims.mat")
            }
        }
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
