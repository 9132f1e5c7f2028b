import CHDF5
import Foundation

/// A scalar attribute of an HDF5 object: a number or a text.
public enum HDF5Attribute: Sendable, Equatable {
    case number(Double)
    case text(String)
}

/// An open HDF5 file, closed when the value is released.
///
/// libhdf5 here is built without thread safety, so every call into it runs under `HDF5File.lock`;
/// callers that make several calls in a row hold the lock through `HDF5File.withLibrary`.
public final class HDF5File {
    /// The path the file was opened or created at.
    public let path: String
    private let id: hid_t

    private static let lock = NSRecursiveLock()

    /// Runs `body` while holding the library lock, with HDF5's own error printing silenced.
    public static func withLibrary<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        pulse_h5_silence_errors()
        return try body()
    }

    private init(path: String, id: hid_t) {
        self.path = path
        self.id = id
    }

    deinit {
        HDF5File.withLibrary { _ = H5Fclose(id) }
    }

    /// How long the probe of a file (`open`) may take before the file is refused as one that hangs libhdf5.
    public static let probeTimeoutSeconds = 30

    /// Opens an existing file for reading.
    ///
    /// libhdf5 1.10 (the newest Debian bookworm offers) can crash on a corrupt file: one changed byte in a valid
    /// recording made it segfault. So the file is first read whole, as pulse reads it, in a child process; only
    /// when that child finishes is the file opened here. A crash or a hang of the child is reported as a corrupt
    /// file. The probe costs a fork and a second read of the file.
    /// - Throws: `RecordingError` when the file is missing, not HDF5, corrupt or unreadable.
    public static func open(_ path: String) throws -> HDF5File {
        try withLibrary {
            try InputFile.checkReadable(path)
            switch pulse_h5_probe_file(path, Int32(probeTimeoutSeconds * 1000)) {
            case 0: break
            case -1: throw RecordingError(path: path, .unreadable("no process could be started to check it"))
            case -2: throw RecordingError(path: path, .unreadable("libhdf5 hung reading it for \(probeTimeoutSeconds) s: the file is corrupt"))
            case let signal: throw RecordingError(path: path, .unreadable("libhdf5 crashed reading it (signal \(signal)): the file is corrupt"))
            }
            guard H5Fis_hdf5(path) > 0 else { throw RecordingError(path: path, .notHDF5) }
            let id = H5Fopen(path, pulse_h5f_acc_rdonly(), pulse_h5p_default())
            guard id >= 0 else {
                throw RecordingError(path: path, .unreadable(isLockedByAnotherProcess(path)
                    ? "another process holds it locked, as libhdf5 does while it writes a file" : "libhdf5 could not open it"))
            }
            return HDF5File(path: path, id: id)
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

    /// Creates (or truncates) a file for writing.
    public static func create(_ path: String) throws -> HDF5File {
        try withLibrary {
            let id = H5Fcreate(path, pulse_h5f_acc_trunc(), pulse_h5p_default(), pulse_h5p_default())
            guard id >= 0 else { throw RecordingError(path: path, .writeFailed("libhdf5 could not create it")) }
            return HDF5File(path: path, id: id)
        }
    }

    /// Whether a dataset (or any link) named `name` exists at the root.
    public func contains(_ name: String) -> Bool {
        HDF5File.withLibrary { H5Lexists(id, name, pulse_h5p_default()) > 0 }
    }

    /// Reads a dataset of any numeric type as Float32, with its shape (row-major).
    public func readFloats(_ name: String) throws -> (shape: [Int], values: [Float]) {
        try HDF5File.withLibrary {
            guard H5Lexists(id, name, pulse_h5p_default()) > 0 else {
                throw RecordingError(path: path, .missingDataset("/" + name))
            }
            switch pulse_h5_link_type(id, name) {
            case pulse_h5l_type_hard(): break
            case pulse_h5l_type_soft():
                throw RecordingError(path: path, .storedElsewhere(field: "/" + name, detail: "a soft link"))
            case pulse_h5l_type_external():
                throw RecordingError(path: path, .storedElsewhere(field: "/" + name, detail: "an external link to another file"))
            default:
                throw RecordingError(path: path, .storedElsewhere(field: "/" + name, detail: "a link of a kind pulse does not follow"))
            }
            let dataset = H5Dopen2(id, name, pulse_h5p_default())
            guard dataset >= 0 else { throw RecordingError(path: path, .unreadable("cannot open /\(name)")) }
            defer { H5Dclose(dataset) }
            switch pulse_h5_dataset_storage_elsewhere(dataset) {
            case 0: break
            case 1: throw RecordingError(path: path, .storedElsewhere(field: "/" + name, detail: "a virtual dataset"))
            case 2: throw RecordingError(path: path, .storedElsewhere(field: "/" + name, detail: "a dataset whose data lie in external files"))
            default: throw RecordingError(path: path, .unreadable("cannot read the storage of /\(name)"))
            }
            let type = H5Dget_type(dataset)
            defer { H5Tclose(type) }
            let typeClass = H5Tget_class(type)
            guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER else {
                throw RecordingError(path: path, .badShape(field: "/" + name, detail: "not numeric"))
            }
            let shape = try extent(of: dataset, name: name)
            let count = try elementCount(shape, name: name)
            guard count == 0 || pulse_h5_dataset_fully_allocated(dataset) == 1 else {
                throw RecordingError(path: path, .badShape(field: "/" + name, detail: "declares \(shape) (\(count) values) but "
                    + "holds no data for some of them: chunks or storage never written"))
            }
            var values = [Float](repeating: 0, count: count)
            if count > 0 {
                let status = values.withUnsafeMutableBytes {
                    H5Dread(dataset, pulse_h5t_native_float(), pulse_h5s_all(), pulse_h5s_all(), pulse_h5p_default(),
                            $0.baseAddress)
                }
                guard status >= 0 else {
                    throw RecordingError(path: path, .unreadable("/\(name) cannot be read: corrupt or truncated data, or a compression filter this libhdf5 lacks"))
                }
            }
            return (shape, values)
        }
    }

    /// The number of elements of `shape`, refused when it overflows or exceeds `maximumElements`.
    private func elementCount(_ shape: [Int], name: String) throws -> Int {
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= HDF5File.maximumElements else {
                throw RecordingError(path: path, .badShape(field: "/" + name, detail: "\(shape) holds more than \(HDF5File.maximumElements) values"))
            }
            count = product
        }
        return count
    }

    /// The largest dataset read into memory: 2²⁸ values (1 GiB as Float32), days of multi-channel signals.
    public static let maximumElements = 1 << 28

    private func extent(of dataset: hid_t, name: String) throws -> [Int] {
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0 else { throw RecordingError(path: path, .unreadable("cannot read the shape of /\(name)")) }
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return rank == 0 ? [] : dims.map { Int($0) }
    }

    /// Names of the root group's attributes, in creation-independent name order.
    public func attributeNames() -> [String] {
        HDF5File.withLibrary {
            final class Names { var values: [String] = [] }
            let names = Names()
            var index: hsize_t = 0
            _ = withUnsafeMutablePointer(to: &index) { indexPointer in
                H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, indexPointer, { _, name, _, context in
                    guard let name, let context else { return 0 }
                    Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().values.append(String(cString: name))
                    return 0
                }, Unmanaged.passUnretained(names).toOpaque())
            }
            return names.values
        }
    }

    /// Reads a scalar root attribute, or returns `nil` when there is none.
    public func attribute(_ name: String) throws -> HDF5Attribute? {
        try HDF5File.withLibrary {
            guard H5Aexists(id, name) > 0 else { return nil }
            let attribute = H5Aopen(id, name, pulse_h5p_default())
            guard attribute >= 0 else { throw RecordingError(path: path, .unreadable("cannot open attribute \(name)")) }
            defer { H5Aclose(attribute) }
            let space = H5Aget_space(attribute)
            defer { H5Sclose(space) }
            guard H5Sget_simple_extent_npoints(space) == 1 else {
                throw RecordingError(path: path, .unsupported("attribute \(name) holds an array, expected one value"))
            }
            let type = H5Aget_type(attribute)
            defer { H5Tclose(type) }
            switch H5Tget_class(type) {
            case H5T_FLOAT, H5T_INTEGER:
                var value = 0.0
                guard H5Aread(attribute, pulse_h5t_native_double(), &value) >= 0 else {
                    throw RecordingError(path: path, .unreadable("cannot read attribute \(name)"))
                }
                return .number(value)
            case H5T_STRING:
                return .text(try readText(attribute, type: type, name: name))
            default:
                throw RecordingError(path: path, .unsupported("attribute \(name) is neither a number nor a text"))
            }
        }
    }

    private func readText(_ attribute: hid_t, type: hid_t, name: String) throws -> String {
        let memoryType = H5Tcopy(pulse_h5t_c_s1())
        defer { H5Tclose(memoryType) }
        if H5Tis_variable_str(type) > 0 {
            H5Tset_size(memoryType, pulse_h5t_variable())
            H5Tset_cset(memoryType, H5Tget_cset(type))
            var pointer: UnsafeMutablePointer<CChar>? = nil
            guard H5Aread(attribute, memoryType, &pointer) >= 0 else {
                throw RecordingError(path: path, .unreadable("cannot read attribute \(name)"))
            }
            defer { if let pointer { H5free_memory(pointer) } }
            return pointer.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(type)
        H5Tset_size(memoryType, size + 1)
        var buffer = [CChar](repeating: 0, count: size + 1)
        guard H5Aread(attribute, memoryType, &buffer) >= 0 else {
            throw RecordingError(path: path, .unreadable("cannot read attribute \(name)"))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes a Float32 dataset of `shape` (row-major `values`) at the root.
    public func write(_ values: [Float], shape: [Int], as name: String) throws {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        try HDF5File.withLibrary {
            var dims = shape.map { hsize_t($0) }
            let space = H5Screate_simple(Int32(dims.count), &dims, nil)
            defer { H5Sclose(space) }
            let dataset = H5Dcreate2(id, name, pulse_h5t_ieee_f32le(), space, pulse_h5p_default(),
                                     pulse_h5p_default(), pulse_h5p_default())
            guard dataset >= 0 else { throw RecordingError(path: path, .writeFailed("cannot create /\(name)")) }
            defer { H5Dclose(dataset) }
            let status = values.withUnsafeBytes {
                H5Dwrite(dataset, pulse_h5t_native_float(), pulse_h5s_all(), pulse_h5s_all(), pulse_h5p_default(),
                         $0.baseAddress)
            }
            guard status >= 0 else { throw RecordingError(path: path, .writeFailed("cannot write /\(name)")) }
        }
    }

    /// Writes a scalar root attribute: a Float64 number or a variable-length UTF-8 text.
    public func write(_ value: HDF5Attribute, as name: String) throws {
        try HDF5File.withLibrary {
            let space = H5Screate(H5S_SCALAR)
            defer { H5Sclose(space) }
            let status: herr_t
            switch value {
            case .number(var number):
                let attribute = H5Acreate2(id, name, pulse_h5t_ieee_f64le(), space, pulse_h5p_default(),
                                           pulse_h5p_default())
                guard attribute >= 0 else { throw RecordingError(path: path, .writeFailed("attribute \(name)")) }
                defer { H5Aclose(attribute) }
                status = H5Awrite(attribute, pulse_h5t_native_double(), &number)
            case .text(let text):
                let type = H5Tcopy(pulse_h5t_c_s1())
                defer { H5Tclose(type) }
                H5Tset_size(type, pulse_h5t_variable())
                H5Tset_cset(type, H5T_CSET_UTF8)
                let attribute = H5Acreate2(id, name, type, space, pulse_h5p_default(), pulse_h5p_default())
                guard attribute >= 0 else { throw RecordingError(path: path, .writeFailed("attribute \(name)")) }
                defer { H5Aclose(attribute) }
                status = text.withCString { cString in
                    var pointer: UnsafePointer<CChar>? = cString
                    return H5Awrite(attribute, type, &pointer)
                }
            }
            guard status >= 0 else { throw RecordingError(path: path, .writeFailed("attribute \(name)")) }
        }
    }
}
