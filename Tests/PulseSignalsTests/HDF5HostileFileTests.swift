import CHDF5
import Foundation
import PulseSignals
import PulseTestSupport
import Testing

/// HDF5 objects that lead elsewhere (links, external storage, virtual datasets), storage that was never written,
/// corrupt sizes, and a corrupt file that crashes libhdf5: each is refused by name, quickly, and nothing hangs or
/// crashes; valid files still read.
@Suite struct HDF5HostileFileTests {
    /// A recording file whose `/ppg` is made by `makePPG` on the open file; the rest is a valid recording.
    func hostileFile(_ path: String, makePPG: (hid_t) -> Void) throws {
        let recording = SyntheticRecording.make(seconds: 20)
        do {
            let file = try HDF5File.create(path)
            try file.write(recording.acc.channels.flatMap { $0 }, shape: [3, recording.acc.sampleCount], as: "acc")
            try file.write(.number(recording.ppg.sampleRateHz), as: "fs_ppg")
            try file.write(.number(recording.acc.sampleRateHz), as: "fs_acc")
        }
        HDF5File.withLibrary {
            let id = H5Fopen(path, pulse_h5f_acc_rdwr(), pulse_h5p_default())
            makePPG(id)
            H5Fclose(id)
        }
    }

    /// Creates `/ppg` as `[2, count]` Float32 with the creation property list `configure` sets up, writing nothing.
    func emptyDataset(_ id: hid_t, count: Int, configure: (hid_t) -> Void) {
        var dims: [hsize_t] = [2, hsize_t(count)]
        let space = H5Screate_simple(2, &dims, nil)
        let plist = H5Pcreate(pulse_h5p_dataset_create())
        configure(plist)
        H5Dclose(H5Dcreate2(id, "ppg", pulse_h5t_ieee_f32le(), space, pulse_h5p_default(), plist, pulse_h5p_default()))
        H5Pclose(plist)
        H5Sclose(space)
    }

    /// A valid recording with one text attribute (`activity`, "rest"), whose value libhdf5 keeps in the global heap.
    func recordingWithText(_ path: String) throws -> Data {
        var recording = SyntheticRecording.make(seconds: 20)
        recording.metadata = ["activity": "rest"]
        try recording.writeHDF5(to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Where the file stores the value of the `activity` text: its length (4), the address of the global heap
    /// collection, and the index of the text in it (4 bytes), found from the file's structure, not a fixed offset.
    func activityValueOffset(_ bytes: Data) throws -> Int {
        let heap = try #require(bytes.range(of: Data("GCOL".utf8))).lowerBound
        var value = Data([4, 0, 0, 0])
        withUnsafeBytes(of: UInt64(heap).littleEndian) { value.append(contentsOf: $0) }
        return try #require(bytes.range(of: value)).lowerBound
    }

    func refusal(_ path: String) -> RecordingError.Reason? {
        do {
            _ = try Recording(hdf5Path: path)
            return nil
        } catch let error as RecordingError {
            return error.reason
        } catch {
            return .unreadable("\(error)")
        }
    }

    @Test func linksToOtherObjectsOrFilesAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try SyntheticRecording.make(seconds: 20).writeHDF5(to: directory.path("other.h5"))
        let external = directory.path("external.h5")
        try hostileFile(external) { id in
            H5Lcreate_external(directory.path("other.h5"), "/ppg", id, "ppg", pulse_h5p_default(), pulse_h5p_default())
        }
        #expect(refusal(external) == .storedElsewhere(field: "/ppg", detail: "an external link to another file (\(directory.path("other.h5")))"))
        let soft = directory.path("soft.h5")
        try hostileFile(soft) { id in H5Lcreate_soft("/acc", id, "ppg", pulse_h5p_default(), pulse_h5p_default()) }
        #expect(refusal(soft) == .storedElsewhere(field: "/ppg", detail: "a soft link to /acc"))
        #expect(RecordingError(path: external, try #require(refusal(external))).description
            == "\(external): /ppg is an external link to another file (\(directory.path("other.h5"))); pulse reads only data stored in the file itself")
    }

    /// External raw storage in a FIFO used to hang pulse; short external data read as zeros.
    @Test func externalRawStorageIsRefusedWithoutOpeningIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let path = directory.path("external-storage.h5")
        try hostileFile(path) { id in
            emptyDataset(id, count: 2500) { plist in H5Pset_external(plist, fifo, 0, hsize_t(2 * 2500 * 4)) }
        }
        let started = Date()
        #expect(refusal(path) == .storedElsewhere(field: "/ppg", detail: "a dataset whose data lie in external files"))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aVirtualDatasetIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("virtual.h5")
        try hostileFile(path) { id in
            emptyDataset(id, count: 2500) { plist in
                var dims: [hsize_t] = [2, 2500]
                let source = H5Screate_simple(2, &dims, nil)
                H5Pset_virtual(plist, source, directory.path("missing.h5"), "/ppg", source)
                H5Sclose(source)
            }
        }
        #expect(refusal(path) == .storedElsewhere(field: "/ppg", detail: "a virtual dataset"))
    }

    /// libhdf5 opens the sources of a virtual dataset with an unlimited mapping as soon as it is asked the shape:
    /// one in a FIFO blocked the reader until its time limit. The layout is now checked first.
    @Test func aVirtualDatasetWhoseSourceIsAFIFOIsRefusedWithoutOpeningIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.path("source.h5")
        #expect(mkfifo(fifo, 0o600) == 0)
        let path = directory.path("virtual-fifo.h5")
        try hostileFile(path) { id in
            var dims: [hsize_t] = [2500]
            var unlimited: [hsize_t] = [hsize_t.max]
            var start: [hsize_t] = [0], stride: [hsize_t] = [1], count: [hsize_t] = [hsize_t.max], block: [hsize_t] = [1]
            let space = H5Screate_simple(1, &dims, &unlimited)
            H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, &stride, &count, &block)
            let plist = H5Pcreate(pulse_h5p_dataset_create())
            H5Pset_virtual(plist, space, fifo, "/ppg", space)
            H5Dclose(H5Dcreate2(id, "ppg", pulse_h5t_ieee_f32le(), space, pulse_h5p_default(), plist, pulse_h5p_default()))
            H5Pclose(plist)
            H5Sclose(space)
        }
        let started = Date()
        #expect(refusal(path) == .storedElsewhere(field: "/ppg", detail: "a virtual dataset"))
        #expect(Date().timeIntervalSince(started) < 5)
    }

    /// A 2²⁸-value chunked dataset whose chunks were never written: refused by its size, not read as 1 GiB of fill.
    @Test func unwrittenChunksAreRefusedBySize() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("unwritten.h5")
        try hostileFile(path) { id in
            emptyDataset(id, count: 1 << 27) { plist in
                var chunk: [hsize_t] = [2, 1 << 16]
                H5Pset_chunk(plist, 2, &chunk)
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count < 100_000)
        guard case .badShape(let field, let detail)? = refusal(path) else { Issue.record("not refused"); return }
        #expect(field == "/ppg" && detail.contains("268435456 values, 1.0 GiB stored") && detail.contains("never written"),
                "\(detail)")
    }

    /// A 1.4 KB file can declare 2⁷⁰ values in chunks never written; saying so overflowed Int64 and crashed pulse.
    @Test func aShapeBeyondEveryIntegerIsRefusedWithoutOverflow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("enormous.h5")
        try hostileFile(path) { id in
            var dims: [hsize_t] = [1 << 40, 1 << 30]
            var chunk: [hsize_t] = [1, 1 << 16]
            let space = H5Screate_simple(2, &dims, nil)
            let plist = H5Pcreate(pulse_h5p_dataset_create())
            H5Pset_chunk(plist, 2, &chunk)
            H5Dclose(H5Dcreate2(id, "ppg", pulse_h5t_ieee_f32le(), space, pulse_h5p_default(), plist, pulse_h5p_default()))
            H5Pclose(plist)
            H5Sclose(space)
        }
        guard case .badShape(let field, let detail)? = refusal(path) else { Issue.record("not refused"); return }
        #expect(field == "/ppg" && detail.contains("1.1805916207174113e+21 values") && detail.contains("never written"), "\(detail)")
    }

    /// libhdf5 1.10 reads a global-heap object by the index stored in the file without checking it. One changed
    /// byte (the top byte of the index of a text, found at 0x7f5–0x7f7 in `signals/rest.h5`) makes it read far past
    /// its table and segfault; now the read fails with a message. The top byte puts the read 100 GB away, so it
    /// crashes whatever this process's heap holds.
    @Test func aFileThatCrashesLibHDF5IsReportedAsCorrupt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("corrupt.h5")
        var bytes = try recordingWithText(path)
        bytes[try activityValueOffset(bytes) + 15] = 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(refusal(path) == .unreadable("libhdf5 crashed reading it (signal 11): the file is corrupt"))
    }

    /// libhdf5 allocates what sizes in the file declare. One changed byte made a stored value 4 GB wide (reading took
    /// 4 GB and 8 s) or a text 4 GB long (8 GB and 24 s, then read); both now fail at once in the child, whose
    /// memory is capped. A corrupt text is refused by name; as optional metadata it leaves the recording readable.
    @Test func corruptSizesFailAtOnceInsteadOfTakingMemory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wide = directory.path("wide.h5")
        var bytes = try recordingWithText(wide)
        let float32Type = Data([0x11, 0x20, 0x1F, 0x00, 0x04, 0x00, 0x00, 0x00])
        var found = 0
        while let type = bytes.range(of: float32Type) {
            bytes[type.lowerBound + 7] = 0xFF
            found += 1
        }
        #expect(found >= 2)
        try bytes.write(to: URL(fileURLWithPath: wide))
        var started = Date()
        #expect(refusal(wide) == .unreadable("/ppg declares 4278190084 bytes per value, where a number takes at most 8: the file is corrupt"))
        #expect(Date().timeIntervalSince(started) < 5)

        let long = directory.path("long.h5")
        bytes = try recordingWithText(long)
        bytes[try activityValueOffset(bytes) + 3] = 0xFF
        try bytes.write(to: URL(fileURLWithPath: long))
        started = Date()
        let contents = try HDF5Contents(path: long)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(throws: RecordingError(path: long, .unreadable("cannot read attribute activity"))) { try contents.attribute("activity") }
        #expect(try Recording(hdf5Path: long).metadata["activity"] == nil)
    }

    /// The shipped recordings (`signals/*.h5`) still read, with their reference and text metadata.
    @Test func validRecordingsStillRead() throws {
        let signals = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("signals")
        let shipped = try FileManager.default.contentsOfDirectory(atPath: signals.path).filter { $0.hasSuffix(".h5") }
        #expect(shipped.count >= 3)
        for name in shipped {
            let recording = try Recording(hdf5Path: signals.appendingPathComponent(name).path)
            #expect(recording.reference != nil && recording.metadata["activity"] != nil, "\(name)")
        }
    }

    /// A few of each real dataset (all of them are read by the accuracy tests).
    @Test(SharedData.required) func sharedRecordingsStillRead() throws {
        let files = SharedData.recordings("spc2015").prefix(3) + SharedData.recordings("bami1").prefix(3)
        #expect(!files.isEmpty)
        for file in files {
            #expect(refusal(file.path) == nil, "\(file.lastPathComponent): \(String(describing: refusal(file.path)))")
        }
    }

    /// A file that a writer holds locked is named as such, not as "folder missing or not writable".
    @Test func aFileLockedByAWriterIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("busy.h5")
        try SyntheticRecording.make(seconds: 20).writeHDF5(to: path)
        let descriptor = open(path, O_RDWR)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX) == 0)
        guard case .unreadable(let detail)? = refusal(path) else { Issue.record("not refused"); return }
        #expect(detail.contains("another process holds it locked"), "\(detail)")
    }

    /// The files the HDF5 fuzzer found crashing pulse (`fuzz/regressions/hdf5`): each is now refused by name.
    @Test func fuzzerFindingsAreRefused() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz/regressions/hdf5")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".h5") }
        #expect(!files.isEmpty)
        for file in files {
            let reason = refusal(folder.appendingPathComponent(file).path)
            #expect(reason != nil, "\(file) was read")
        }
    }
}
