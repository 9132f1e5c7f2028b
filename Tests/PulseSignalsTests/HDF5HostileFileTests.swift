import CHDF5
import Foundation
import PulseSignals
import PulseTestSupport
import Testing

/// HDF5 objects that lead elsewhere (links, external storage, virtual datasets), storage that was never written,
/// and a corrupt file that crashes libhdf5: each is refused by name, quickly, and nothing hangs or crashes.
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
        #expect(refusal(external) == .storedElsewhere(field: "/ppg", detail: "an external link to another file"))
        let soft = directory.path("soft.h5")
        try hostileFile(soft) { id in H5Lcreate_soft("/acc", id, "ppg", pulse_h5p_default(), pulse_h5p_default()) }
        #expect(refusal(soft) == .storedElsewhere(field: "/ppg", detail: "a soft link"))
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
        #expect(field == "/ppg" && detail.contains("268435456 values") && detail.contains("never written"), "\(detail)")
    }

    /// One changed byte of a shipped recording made libhdf5 1.10 segfault; now the read fails with a message.
    @Test func aFileThatCrashesLibHDF5IsReportedAsCorrupt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("signals/rest.h5")
        var bytes = try Data(contentsOf: shipped)
        bytes[2037] ^= 0xFF
        let path = directory.path("corrupt.h5")
        try bytes.write(to: URL(fileURLWithPath: path))
        guard case .unreadable(let detail)? = refusal(path) else { Issue.record("not refused"); return }
        #expect(detail.contains("libhdf5 crashed reading it"), "\(detail)")
        #expect(refusal(shipped.path) == nil)
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
