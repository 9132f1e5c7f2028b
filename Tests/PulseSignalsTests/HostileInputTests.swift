import CHDF5
import Foundation
import PulseSignals
import PulseTestSupport
import Testing

/// Inputs crafted to break readers: arrays where scalars belong, absurd sizes and rates, special files.
@Suite struct HostileInputTests {
    /// Adds a Float64 array attribute of `count` values to the file at `path` (the project's writer only
    /// writes scalars, as the layout has them).
    func addArrayAttribute(_ name: String, count: Int, to path: String) {
        HDF5File.withLibrary {
            let file = H5Fopen(path, pulse_h5f_acc_rdwr(), pulse_h5p_default())
            var dims = [hsize_t(count)]
            let space = H5Screate_simple(1, &dims, nil)
            let attribute = H5Acreate2(file, name, pulse_h5t_ieee_f64le(), space, pulse_h5p_default(), pulse_h5p_default())
            var values = [Double](repeating: 125, count: count)
            H5Awrite(attribute, pulse_h5t_native_double(), &values)
            H5Aclose(attribute)
            H5Sclose(space)
            H5Fclose(file)
        }
    }

    func writeWithoutRate(_ directory: TemporaryDirectory, name: String) throws -> String {
        let path = directory.path(name)
        let file = try HDF5File.create(path)
        let recording = SyntheticRecording.make()
        try file.write(recording.ppg.channels.flatMap { $0 }, shape: [2, recording.ppg.sampleCount], as: "ppg")
        try file.write(recording.acc.channels.flatMap { $0 }, shape: [3, recording.acc.sampleCount], as: "acc")
        try file.write(.number(125), as: "fs_acc")
        return path
    }

    @Test func arrayWhereASampleRateBelongs() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try writeWithoutRate(directory, name: "array.h5")
        addArrayAttribute("fs_ppg", count: 1000, to: path)
        #expect(throws: RecordingError(path: path, .unsupported("attribute fs_ppg holds an array, expected one value"))) {
            try Recording(hdf5Path: path)
        }
    }

    @Test func arrayMetadataIsLeftOut() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("meta.h5")
        try SyntheticRecording.make().writeHDF5(to: path)
        addArrayAttribute("calibration", count: 5000, to: path)
        let recording = try Recording(hdf5Path: path)
        #expect(recording.metadata["calibration"] == nil && recording.metadata["subject"] == "synthetic")
    }

    @Test(arguments: [1e300, 2e18, 5e-324, 0.001])
    func absurdSampleRates(_ rate: Double) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var recording = SyntheticRecording.make()
        recording.ppg.sampleRateHz = rate
        let path = directory.path("rate.h5")
        try recording.writeHDF5(to: path)
        #expect(throws: RecordingError(path: path, .badSampleRate(field: "fs_ppg", value: rate))) { try Recording(hdf5Path: path) }
    }

    @Test func specialFilesAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.path("fifo.h5")
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(throws: RecordingError(path: fifo, .unreadable("not a regular file"))) { try Recording(hdf5Path: fifo) }
        #expect(throws: RecordingError(path: directory.url.path, .unreadable("not a regular file"))) {
            try Recording(hdf5Path: directory.url.path)
        }
    }

    @Test func symbolicLinksAreFollowed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try SyntheticRecording.make().writeHDF5(to: directory.path("real.h5"))
        try FileManager.default.createSymbolicLink(atPath: directory.path("link.h5"), withDestinationPath: directory.path("real.h5"))
        #expect(try Recording(hdf5Path: directory.path("link.h5")).ppg.sampleCount == 5000)
    }

    @Test func referenceOfAnotherLayoutOrLength() throws {
        var recording = SyntheticRecording.make(seconds: 40)
        recording.reference?.windowSeconds = 4
        #expect(throws: RecordingError.self) { try recording.validate(source: "x") }
        recording = SyntheticRecording.make(seconds: 40)
        recording.reference?.bpm += [Float](repeating: 70, count: 17)
        #expect(throws: RecordingError(path: "x", .referenceMismatch("34 labels, but the signals hold 17 windows"))) {
            try recording.validate(source: "x")
        }
        recording.reference?.bpm = [Float](repeating: 70, count: 18)  // one label beyond the last window is tolerated
        try recording.validate(source: "x")
    }
}
