import CHDF5
import Foundation

/// The root of an HDF5 file as pulse reads it: every dataset that a hard link names, converted to Float32, and every
/// scalar attribute, read in a child process.
///
/// libhdf5 1.10 (the newest Debian bookworm offers) can crash on a corrupt file: one changed byte in a valid
/// recording made it segfault. So pulse never parses a file it reads in its own process: a forked child reads the
/// root (`Sources/CHDF5/reader.h`) and sends what it found through a pipe, and a crash or hang of the child is
/// reported as a corrupt file. What cannot be read as data stored in the file itself is recorded as refused, by
/// name, and reported when it is asked for: soft and external links, virtual datasets, external raw storage,
/// storage (chunks) never written, non-numeric data, and more than `HDF5File.maximumElements` values in all.
public struct HDF5Contents: Sendable {
    /// The file read.
    public let path: String
    private var datasets: [String: Dataset] = [:]
    private var attributes: [String: Attribute] = [:]
    /// Attribute names in the order libhdf5 lists them (by name).
    public private(set) var attributeNames: [String] = []

    private enum Dataset: Sendable {
        case values(shape: [Int], values: [Float])
        case refused(RecordingError.Reason)
    }

    private enum Attribute: Sendable {
        case value(HDF5Attribute)
        case refused(RecordingError.Reason)
    }

    /// How long the child may take to read a file before the file is refused as one that hangs libhdf5.
    public static let readTimeoutSeconds = 60

    /// Reads the root of the file at `path`.
    /// - Throws: `RecordingError` when the file is missing, not a regular file, not HDF5, locked by a writer,
    ///   or corrupt (libhdf5 crashed or hung reading it).
    public init(path: String) throws {
        self.path = path
        try InputFile.checkReadable(path)
        let result = HDF5File.withLibrary { pulse_h5_read_in_child(path, Int32(Self.readTimeoutSeconds * 1000)) }
        defer { pulse_h5_free(result) }
        switch result.status {
        case 0: break
        case -1: throw RecordingError(path: path, .unreadable("no process could be started to read it"))
        case -2: throw RecordingError(path: path, .unreadable("libhdf5 hung reading it for \(Self.readTimeoutSeconds) s: the file is corrupt"))
        case -3: throw RecordingError(path: path, .unreadable("libhdf5 ended the process reading it: the file is corrupt"))
        case let signal: throw RecordingError(path: path, .unreadable("libhdf5 crashed reading it (signal \(signal)): the file is corrupt"))
        }
        var reader = RecordReader(bytes: UnsafeBufferPointer(start: result.bytes, count: result.count))
        try parse(&reader)
    }

    /// Whether the root has a link (to a dataset or anything else) named `name`.
    public func contains(_ name: String) -> Bool { datasets[name] != nil }

    /// The dataset `name` as Float32, with its shape (row-major).
    /// - Throws: `RecordingError` naming the dataset: missing, or refused for the reason the reader found.
    public func readFloats(_ name: String) throws -> (shape: [Int], values: [Float]) {
        switch datasets[name] {
        case nil: throw RecordingError(path: path, .missingDataset("/" + name))
        case .refused(let reason)?: throw RecordingError(path: path, reason)
        case .values(let shape, let values)?: return (shape, values)
        }
    }

    /// The scalar root attribute `name`, or `nil` when there is none.
    /// - Throws: `RecordingError` when it is an array, of another type, or unreadable.
    public func attribute(_ name: String) throws -> HDF5Attribute? {
        switch attributes[name] {
        case nil: return nil
        case .refused(let reason)?: throw RecordingError(path: path, reason)
        case .value(let value)?: return value
        }
    }

    private mutating func parse(_ reader: inout RecordReader) throws {
        func truncated() -> RecordingError {
            RecordingError(path: path, .unreadable("the process reading it ended early: the file is corrupt"))
        }
        while let kind = reader.byte() {
            switch Character(UnicodeScalar(kind)) {
            case "Z":
                return
            case "F":
                guard let code = reader.u32() else { throw truncated() }
                switch Int(code) {
                case PULSE_H5_FILE_NOT_HDF5: throw RecordingError(path: path, .notHDF5)
                case PULSE_H5_FILE_LINKS_UNREADABLE:
                    throw RecordingError(path: path, .unreadable("libhdf5 could not list its datasets: the file is corrupt"))
                case PULSE_H5_FILE_ATTRIBUTES_UNREADABLE:
                    throw RecordingError(path: path, .unreadable("libhdf5 could not list its attributes: the file is corrupt"))
                default:
                    throw RecordingError(path: path, .unreadable(Self.isLockedByAnotherProcess(path)
                        ? "another process holds it locked, as libhdf5 does while it writes a file" : "libhdf5 could not open it"))
                }
            case "D":
                guard let name = reader.name(), let shape = reader.shape(), let count = shape.count(maximum: HDF5File.maximumElements),
                      let values = reader.floats(count) else { throw truncated() }
                datasets[name] = .values(shape: shape, values: values)
            case "d":
                guard let name = reader.name(), let code = reader.u32(), let shape = reader.shape(),
                      let valueBytes = reader.u64(), let leadsTo = reader.name() else { throw truncated() }
                datasets[name] = .refused(Self.datasetRefusal(Int(code), field: "/" + name, shape: shape, valueBytes: valueBytes,
                                                              leadsTo: leadsTo))
            case "N":
                guard let name = reader.name(), let value = reader.f64() else { throw truncated() }
                attributes[name] = .value(.number(value))
                attributeNames.append(name)
            case "T":
                guard let name = reader.name(), let length = reader.u64(), let text = reader.text(Int(clamping: length)) else {
                    throw truncated()
                }
                attributes[name] = .value(.text(text))
                attributeNames.append(name)
            case "a":
                guard let name = reader.name(), let code = reader.u32() else { throw truncated() }
                attributes[name] = .refused(Self.attributeRefusal(Int(code), name: name))
                attributeNames.append(name)
            default:
                throw truncated()
            }
        }
        throw truncated()
    }

    /// Why the dataset (or link) `field` was refused, from the child's `code`: `valueBytes` is the size of one stored
    /// value (0 when unknown), `leadsTo` the path of a soft link or the file of an external one (empty when unknown).
    private static func datasetRefusal(_ code: Int, field: String, shape: [Int], valueBytes: UInt64,
                                       leadsTo: String) -> RecordingError.Reason {
        let values = shape.reduce(1.0) { $0 * Double($1) }
        let declared = "\(describeCount(values)) values, \(describeBytes(values * Double(valueBytes))) stored"
        switch code {
        case PULSE_H5_DATASET_SOFT_LINK:
            return .storedElsewhere(field: field, detail: leadsTo.isEmpty ? "a soft link" : "a soft link to \(leadsTo)")
        case PULSE_H5_DATASET_EXTERNAL_LINK:
            return .storedElsewhere(field: field, detail: "an external link to another file" + (leadsTo.isEmpty ? "" : " (\(leadsTo))"))
        case PULSE_H5_DATASET_OTHER_LINK: return .storedElsewhere(field: field, detail: "a link of a kind pulse does not follow")
        case PULSE_H5_DATASET_VIRTUAL: return .storedElsewhere(field: field, detail: "a virtual dataset")
        case PULSE_H5_DATASET_EXTERNAL_STORAGE:
            return .storedElsewhere(field: field, detail: "a dataset whose data lie in external files")
        case PULSE_H5_DATASET_UNWRITTEN:
            return .badShape(field: field, detail: "declares \(shape) (\(declared)) but holds no data for some of them: "
                + "chunks or storage never written")
        case PULSE_H5_DATASET_NOT_NUMERIC: return .badShape(field: field, detail: "not numeric")
        case PULSE_H5_DATASET_WIDE_VALUES:
            return .unreadable("\(field) declares \(valueBytes) bytes per value, where a number takes at most 8: the file is corrupt")
        case PULSE_H5_DATASET_TOO_LARGE:
            return .badShape(field: field, detail: "declares \(shape) (\(declared)), beyond the \(HDF5File.maximumElements) values "
                + "pulse reads from one file")
        case PULSE_H5_DATASET_CANNOT_OPEN: return .unreadable("cannot open \(field)")
        case PULSE_H5_DATASET_SHAPE_UNREADABLE: return .unreadable("cannot read the shape of \(field)")
        default:
            return .unreadable("\(field) cannot be read: corrupt or truncated data, or a compression filter this libhdf5 lacks")
        }
    }

    private static func attributeRefusal(_ code: Int, name: String) -> RecordingError.Reason {
        switch code {
        case PULSE_H5_ATTRIBUTE_ARRAY: return .unsupported("attribute \(name) holds an array, expected one value")
        case PULSE_H5_ATTRIBUTE_OTHER_TYPE: return .unsupported("attribute \(name) is neither a number nor a text")
        default: return .unreadable("cannot read attribute \(name)")
        }
    }

    /// Whether another process holds a lock on `path` that a reader cannot share (libhdf5 locks a file it writes).
    private static func isLockedByAnotherProcess(_ path: String) -> Bool {
        let descriptor = Glibc.open(path, O_RDONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(descriptor, LOCK_UN)
        return false
    }
}

/// A count for messages: the integer, or a number in exponent form beyond 2⁶³ (a corrupt shape can declare more).
private func describeCount(_ count: Double) -> String {
    count < 0x1p63 ? String(Int64(count)) : String(count)
}

/// A byte count for messages: `12 B`, `4.0 KiB`, `1.0 GiB`, up to TiB.
private func describeBytes(_ bytes: Double) -> String {
    let units = ["KiB", "MiB", "GiB", "TiB"]
    guard bytes >= 1024 else { return "\(describeCount(bytes)) B" }
    var value = bytes / 1024
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return "\((value * 10).rounded() / 10) \(units[unit])"
}

extension [Int] {
    /// The product of the extents, or `nil` when it overflows or exceeds `maximum`.
    fileprivate func count(maximum: Int) -> Int? {
        var product = 1
        for extent in self {
            let (next, overflow) = product.multipliedReportingOverflow(by: extent)
            guard !overflow, next <= maximum else { return nil }
            product = next
        }
        return product
    }
}

/// Reads the records the child sends (`Sources/CHDF5/reader.h`), each field in native byte order; `nil` when the
/// bytes end inside a field.
private struct RecordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0

    mutating func take(_ count: Int) -> UnsafeBufferPointer<UInt8>? {
        guard count >= 0, count <= bytes.count - offset, let base = bytes.baseAddress else { return nil }
        defer { offset += count }
        return UnsafeBufferPointer(start: base + offset, count: count)
    }

    mutating func byte() -> UInt8? { take(1)?.first }

    mutating func value<T: FixedWidthInteger>(_: T.Type) -> T? {
        take(MemoryLayout<T>.size).map { UnsafeRawBufferPointer($0).loadUnaligned(as: T.self) }
    }

    mutating func u32() -> UInt32? { value(UInt32.self) }
    mutating func u64() -> UInt64? { value(UInt64.self) }
    mutating func f64() -> Double? { u64().map { Double(bitPattern: $0) } }

    mutating func text(_ length: Int) -> String? { take(length).map { String(decoding: $0, as: UTF8.self) } }

    mutating func name() -> String? {
        guard let length = u32() else { return nil }
        return text(Int(length))
    }

    /// A rank and that many extents; `nil` when an extent does not fit an `Int`.
    mutating func shape() -> [Int]? {
        guard let rank = u32(), rank <= 32 else { return nil }
        var shape: [Int] = []
        for _ in 0..<rank {
            guard let extent = u64(), extent <= UInt64(Int.max) else { return nil }
            shape.append(Int(extent))
        }
        return shape
    }

    mutating func floats(_ count: Int) -> [Float]? {
        let (size, overflow) = count.multipliedReportingOverflow(by: 4)
        guard !overflow, let raw = take(size) else { return nil }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(raw))
            initialised = count
        }
    }
}
