import CHDF5
import Foundation
import PulseSignals
import PulseTestSupport
import Testing

/// HDF5 files that lead elsewhere, declare data they do not hold, or crash libhdf5, given to the `pulse` binary:
/// each ends with exit status 1 and `Error: FILE: ...` naming the field, quickly, and pulse itself never crashes.
@Suite struct HDF5HostileCLITests {
    /// A valid recording at `name`.h5 in `directory`, with one text attribute (`activity`) kept in the global heap.
    func recording(_ directory: TemporaryDirectory, _ name: String) throws -> String {
        var recording = SyntheticRecording.make(name: name, seconds: 20)
        recording.metadata = ["activity": "rest"]
        let path = directory.path(name + ".h5")
        try recording.writeHDF5(to: path)
        return path
    }

    /// A valid recording whose `/ppg` is then replaced by what `makePPG` creates on the file opened for writing.
    func recording(_ directory: TemporaryDirectory, _ name: String, replacingPPG makePPG: (hid_t) -> Void) throws -> String {
        let path = try recording(directory, name)
        HDF5File.withLibrary {
            let file = H5Fopen(path, pulse_h5f_acc_rdwr(), pulse_h5p_default())
            H5Ldelete(file, "ppg", pulse_h5p_default())
            makePPG(file)
            H5Fclose(file)
        }
        return path
    }

    /// Creates `/ppg` as Float32 `[2, count]` with a creation property list set up by `configure`, writing no data.
    func unwrittenPPG(_ file: hid_t, count: Int, configure: (hid_t) -> Void) {
        var dims: [hsize_t] = [2, hsize_t(count)]
        let space = H5Screate_simple(2, &dims, nil)
        let plist = H5Pcreate(pulse_h5p_dataset_create())
        configure(plist)
        H5Dclose(H5Dcreate2(file, "ppg", pulse_h5t_ieee_f32le(), space, pulse_h5p_default(), plist, pulse_h5p_default()))
        H5Pclose(plist)
        H5Sclose(space)
    }

    /// Expects `pulse estimate PATH` to fail with `Error: PATH: ` and every one of `phrases` on standard error.
    func expectRefusal(_ path: String, _ phrases: [String], command: String = "estimate") throws {
        let result = try PulseProcess.run([command, path])
        #expect(result.status == 1, "\(command): status \(result.status)")
        #expect(result.standardError.contains("Error: \(path): "), "\(result.standardError)")
        for phrase in phrases {
            #expect(result.standardError.contains(phrase), "\(command): no '\(phrase)' in \(result.standardError)")
        }
    }

    @Test func anExternalLinkAtPPGIsRefusedByName() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let other = try recording(directory, "other")
        let path = try recording(directory, "linked") { file in
            H5Lcreate_external(other, "/ppg", file, "ppg", pulse_h5p_default(), pulse_h5p_default())
        }
        try expectRefusal(path, ["/ppg is an external link to another file (\(other)); pulse reads only data stored in the file itself"])
    }

    /// Raw data kept in a FIFO used to hang pulse in `open`. If it ever blocks again, the watchdog opens the FIFO
    /// for writing after 15 s (which releases a blocked reader), so the test fails on time instead of hanging.
    @Test func externalStorageInAFIFOIsRefusedWithoutOpeningIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.path("samples.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let path = try recording(directory, "fifo-storage") { file in
            unwrittenPPG(file, count: 2500) { plist in H5Pset_external(plist, fifo, 0, hsize_t(2 * 2500 * 4)) }
        }
        let watchdog = DispatchWorkItem {
            let descriptor = open(fifo, O_RDWR | O_NONBLOCK)
            if descriptor >= 0 { close(descriptor) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 15, execute: watchdog)
        defer { watchdog.cancel() }
        let started = Date()
        try expectRefusal(path, ["/ppg is a dataset whose data lie in external files"])
        #expect(Date().timeIntervalSince(started) < 10)
    }

    /// A file of a few kilobytes that declares 2²⁸ values in chunks it never wrote (1 GiB of fill if read).
    @Test func unwrittenChunksDeclaring2To28ValuesAreRefusedBySize() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try recording(directory, "unwritten") { file in
            unwrittenPPG(file, count: 1 << 27) { plist in
                var chunk: [hsize_t] = [2, 1 << 16]
                H5Pset_chunk(plist, 2, &chunk)
            }
        }
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? .max) < 1 << 20)
        try expectRefusal(path, ["/ppg", "268435456 values", "never written"])
    }

    /// libhdf5 1.10 reads a global-heap object by the index stored in the file without checking it: one changed
    /// byte (the top byte of the index of the `activity` text) makes it read 100 GB past its table and segfault.
    /// The byte is found from the file's own structure, not a fixed offset.
    @Test func aByteThatCrashesLibHDF5IsReportedAsACorruptFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try recording(directory, "corrupt")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let heap = try #require(bytes.range(of: Data("GCOL".utf8))).lowerBound
        // The attribute's value on disk: text length (4, "rest"), heap address, index of the object in the heap.
        var reference = Data([4, 0, 0, 0])
        withUnsafeBytes(of: UInt64(heap).littleEndian) { reference.append(contentsOf: $0) }
        let value = try #require(bytes.range(of: reference)).lowerBound
        bytes[value + reference.count + 3] = 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        for command in ["estimate", "evaluate"] {
            try expectRefusal(path, ["libhdf5 crashed reading it (signal 11): the file is corrupt"], command: command)
        }
    }
}
