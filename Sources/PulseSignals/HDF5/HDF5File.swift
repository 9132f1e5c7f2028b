import CHDF5
import Foundation

/// A scalar attribute of an HDF5 object: a number or a text.
public enum HDF5Attribute: Sendable, Equatable {
    case number(Double)
    case text(String)
}

/// An HDF5 file open for writing, closed when the value is released. (Files are read as `HDF5Contents`, in a child
/// process.)
///
/// libhdf5 here is built without thread safety, so every call into it runs under `HDF5File.lock`;
/// callers that make several calls in a row hold the lock through `HDF5File.withLibrary`.
public final class HDF5File {
    /// The path the file was opened or created at.
    public let path: String
    private let id: hid_t

    private static let lock = NSRecursiveLock()

    /// The most values pulse reads from one file, over all its datasets (`HDF5Contents`): 2²⁸, 1 GiB as Float32,
    /// days of multi-channel signals. The child reader (`Sources/CHDF5/reader.h`) holds the same number.
    public static let maximumElements = 1 << 28

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

    /// Creates (or truncates) a file for writing.
    public static func create(_ path: String) throws -> HDF5File {
        try withLibrary {
            let id = H5Fcreate(path, pulse_h5f_acc_trunc(), pulse_h5p_default(), pulse_h5p_default())
            guard id >= 0 else { throw RecordingError(path: path, .writeFailed("libhdf5 could not create it")) }
            return HDF5File(path: path, id: id)
        }
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
