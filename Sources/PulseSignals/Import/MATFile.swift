import CZlib
import Foundation

/// A real numeric array read from a MATLAB 5 file: its dimensions and its values in column-major order.
public struct MATArray: Sendable, Equatable {
    public var dimensions: [Int]
    public var values: [Double]

    /// The element at `row`, `column` of a 2-D array (column-major storage).
    public subscript(row: Int, column: Int) -> Double { values[column * dimensions[0] + row] }
}

/// The numeric variables of a little-endian MATLAB 5 (`-v5`, `-v6`, `-v7` non-HDF) `.mat` file, including
/// zlib-compressed (`miCOMPRESSED`) elements. Variables of other classes (cells, structs, text, sparse,
/// complex) are skipped.
public struct MATFile: Sendable {
    public let path: String
    public let variables: [String: MATArray]
    /// Variables that were skipped, with what they are (`a cell array`, `complex`, ...).
    public let skipped: [String: String]

    /// The largest decompressed element accepted: 1 GiB, well above a day of six channels at 125 Hz.
    public static let maximumElementBytes = 1 << 30
    /// The most values one variable may hold (2 GiB as Double), whatever type they are stored in.
    public static let maximumValues = 1 << 28

    /// Reads and parses the file at `path`.
    /// - Throws: `RecordingError` when the file is missing, not a MATLAB 5 file, or truncated.
    public init(path: String) throws {
        try InputFile.checkReadable(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecordingError(path: path, .unreadable("cannot read the file"))
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Parses the bytes of a `.mat` file; `path` only names the source in errors.
    public init(bytes: [UInt8], path: String) throws {
        self.path = path
        guard bytes.count >= 128 else {
            throw RecordingError(path: path, .truncated("header is \(bytes.count) bytes, a MATLAB 5 header has 128"))
        }
        guard bytes[126] == UInt8(ascii: "I"), bytes[127] == UInt8(ascii: "M") else {
            if bytes[126] == UInt8(ascii: "M"), bytes[127] == UInt8(ascii: "I") {
                throw RecordingError(path: path, .unsupported("big-endian MATLAB file"))
            }
            throw RecordingError(path: path, .unsupported("not a MATLAB 5 file (no endian indicator)"))
        }
        var parser = MATElementParser(path: path)
        variables = try parser.variables(in: bytes[128...], compressed: true)
        skipped = parser.skipped
    }

    /// The variable `name`.
    /// - Throws: `RecordingError.Reason.missingVariable` when the file has no numeric variable of that name.
    public func variable(_ name: String) throws -> MATArray {
        guard let array = variables[name] else {
            if let kind = skipped[name] {
                throw RecordingError(path: path, .unsupported("variable \(name) is \(kind), a real numeric array is needed"))
            }
            throw RecordingError(path: path, .missingVariable(name))
        }
        return array
    }
}

/// Walks MATLAB 5 data elements (tag + data, padded to 8 bytes) and decodes `miMATRIX` elements.
private struct MATElementParser {
    let path: String
    var skipped: [String: String] = [:]

    init(path: String) { self.path = path }

    private enum DataType: UInt32 {
        case int8 = 1, uint8, int16, uint16, int32, uint32, single, double = 9, int64 = 12, uint64, matrix, compressed
    }

    private struct Element {
        var type: UInt32
        var payload: ArraySlice<UInt8>
    }

    mutating func variables(in bytes: ArraySlice<UInt8>, compressed allowCompressed: Bool) throws -> [String: MATArray] {
        var result: [String: MATArray] = [:]
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let (element, next) = try element(at: offset, in: bytes, padded: true)
            offset = next
            switch DataType(rawValue: element.type) {
            case .compressed where allowCompressed:
                let inflated = try inflate(element.payload)
                try result.merge(variables(in: inflated[...], compressed: false)) { $1 }
            case .matrix:
                switch try matrix(element.payload) {
                case .numeric(let name, let array): result[name] = array
                case .skipped(let name, let kind): skipped[name] = kind
                }
            default:
                continue
            }
        }
        return result
    }

    /// Reads the element at `offset`; returns it and the offset of the next one.
    private func element(at offset: Int, in bytes: ArraySlice<UInt8>, padded: Bool) throws -> (Element, Int) {
        guard offset + 8 <= bytes.endIndex else {
            throw RecordingError(path: path, .truncated("data element tag at byte \(offset) is cut off"))
        }
        let first = readUInt32(bytes, offset)
        if first >> 16 != 0 {
            // Small data element: type and size share the first word, the data fits in the second.
            let size = Int(first >> 16)
            guard size <= 4 else { throw RecordingError(path: path, .unsupported("small element of \(size) bytes at byte \(offset)")) }
            return (Element(type: first & 0xFFFF, payload: bytes[(offset + 4)..<(offset + 4 + size)]), offset + 8)
        }
        let size = Int(readUInt32(bytes, offset + 4))
        let start = offset + 8
        guard start + size <= bytes.endIndex else {
            throw RecordingError(path: path, .truncated("element at byte \(offset) needs \(size) bytes, \(bytes.endIndex - start) remain"))
        }
        // Compressed elements are not padded; everything else is padded to a multiple of 8 bytes.
        let padding = (padded && first != DataType.compressed.rawValue) ? (8 - size % 8) % 8 : 0
        return (Element(type: first, payload: bytes[start..<(start + size)]), min(start + size + padding, bytes.endIndex))
    }

    private enum Matrix {
        case numeric(String, MATArray)
        case skipped(String, String)
    }

    private static let classNames: [UInt32: String] = [
        1: "a cell array", 2: "a struct", 3: "an object", 4: "a character array", 5: "a sparse matrix",
    ]

    /// Decodes one `miMATRIX` element: a real numeric array, or the name and kind of a skipped one.
    private func matrix(_ payload: ArraySlice<UInt8>) throws -> Matrix {
        var offset = payload.startIndex
        var parts: [Element] = []
        while offset < payload.endIndex && parts.count < 4 {
            let (part, next) = try element(at: offset, in: payload, padded: true)
            parts.append(part)
            offset = next
        }
        guard parts.count >= 3, parts[0].payload.count >= 4 else {
            throw RecordingError(path: path, .truncated("matrix element ends before its name"))
        }
        let flags = readUInt32(parts[0].payload, parts[0].payload.startIndex)
        let arrayClass = flags & 0xFF
        let name = String(decoding: parts[2].payload, as: UTF8.self)
        guard (6...15).contains(arrayClass) else { return .skipped(name, Self.classNames[arrayClass] ?? "of MATLAB class \(arrayClass)") }
        guard flags & 0x0800 == 0 else { return .skipped(name, "complex") }
        let dimensions = try decode(parts[1]).map { value -> Int in
            guard value.isFinite, value >= 0, value <= Double(Int32.max) else {
                throw RecordingError(path: path, .unsupported("variable \(name) has an impossible dimension \(value)"))
            }
            return Int(value)
        }
        var expected = 1
        for extent in dimensions {
            let (product, overflow) = expected.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= MATFile.maximumValues else {
                throw RecordingError(path: path, .unsupported("variable \(name) has dimensions \(dimensions), more than \(MATFile.maximumValues) values"))
            }
            expected = product
        }
        guard parts.count == 4 else { throw RecordingError(path: path, .truncated("variable \(name) has no data")) }
        guard parts[3].payload.count <= max(expected, 1) * 8 else {
            throw RecordingError(path: path, .unsupported("variable \(name) holds more data than its dimensions \(dimensions)"))
        }
        let values = try decode(parts[3])
        guard values.count == expected else {
            throw RecordingError(path: path, .truncated("variable \(name) holds \(values.count) of \(expected) values"))
        }
        return .numeric(name, MATArray(dimensions: dimensions, values: values))
    }

    /// The numbers of a numeric element, converted to Double.
    private func decode(_ element: Element) throws -> [Double] {
        let bytes = element.payload
        func values<T>(_ width: Int, _ convert: (Int) -> T) -> [T] {
            stride(from: bytes.startIndex, to: bytes.endIndex - width + 1, by: width).map(convert)
        }
        switch DataType(rawValue: element.type) {
        case .int8: return values(1) { Double(Int8(bitPattern: bytes[$0])) }
        case .uint8: return values(1) { Double(bytes[$0]) }
        case .int16: return values(2) { Double(Int16(bitPattern: UInt16(readUInt64(bytes, $0, width: 2)))) }
        case .uint16: return values(2) { Double(readUInt64(bytes, $0, width: 2)) }
        case .int32: return values(4) { Double(Int32(bitPattern: UInt32(readUInt64(bytes, $0, width: 4)))) }
        case .uint32: return values(4) { Double(readUInt64(bytes, $0, width: 4)) }
        case .int64: return values(8) { Double(Int64(bitPattern: readUInt64(bytes, $0, width: 8))) }
        case .uint64: return values(8) { Double(readUInt64(bytes, $0, width: 8)) }
        case .single: return values(4) { Double(Float(bitPattern: UInt32(readUInt64(bytes, $0, width: 4)))) }
        case .double: return values(8) { Double(bitPattern: readUInt64(bytes, $0, width: 8)) }
        default: throw RecordingError(path: path, .unsupported("numeric data of MATLAB type \(element.type)"))
        }
    }

    /// Inflates a zlib stream whose decompressed size is not known in advance.
    private func inflate(_ compressed: ArraySlice<UInt8>) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw RecordingError(path: path, .unreadable("zlib could not start"))
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(compressed.count * 4, 1024))
        var status: Int32 = Z_OK
        var input = Array(compressed)
        try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            while status != Z_STREAM_END {
                if Int(stream.total_out) == output.count {
                    guard output.count < MATFile.maximumElementBytes else {
                        throw RecordingError(path: path, .unsupported("a compressed element inflates beyond \(MATFile.maximumElementBytes) bytes"))
                    }
                    output.append(contentsOf: repeatElement(0, count: min(output.count, MATFile.maximumElementBytes - output.count)))
                }
                let produced = Int(stream.total_out)
                status = output.withUnsafeMutableBufferPointer { outputBuffer in
                    stream.next_out = outputBuffer.baseAddress! + produced
                    stream.avail_out = uInt(outputBuffer.count - produced)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                switch status {
                case Z_OK, Z_STREAM_END: continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw RecordingError(path: path, .truncated("compressed element ends after \(compressed.count) bytes"))
                case Z_BUF_ERROR: continue
                default:
                    throw RecordingError(path: path, .unreadable("compressed element is corrupt (zlib status \(status))"))
                }
            }
        }
        return Array(output.prefix(Int(stream.total_out)))
    }
}

private func readUInt32(_ bytes: ArraySlice<UInt8>, _ offset: Int) -> UInt32 {
    UInt32(readUInt64(bytes, offset, width: 4))
}

/// Little-endian unsigned integer of `width` bytes at `offset`.
private func readUInt64(_ bytes: ArraySlice<UInt8>, _ offset: Int, width: Int) -> UInt64 {
    var value: UInt64 = 0
    for i in 0..<width { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
    return value
}
