import Foundation
import PulseGraph

/// Float32 arrays in NumPy's `.npy` format (version 1.0, little-endian, C order): how the tests hand inputs and
/// outputs to `scripts/onnx-check.py`.
enum NumPyFile {
    /// Writes `tensor` to `path`.
    static func write(_ tensor: Tensor, to path: String) throws {
        let shape = tensor.shape.map(String.init).joined(separator: ", ") + (tensor.shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }"
        // Magic (6) + version (2) + header length (2) + header + newline, padded to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        for value in tensor.scalars {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Reads a little-endian Float32 array written by `write` or by NumPy.
    static func read(_ path: String) throws -> Tensor {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count >= 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else { throw NumPyError("\(path) is not a .npy file") }
        let headerLength = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
        guard data.count >= 10 + headerLength else { throw NumPyError("\(path): truncated header") }
        let header = String(decoding: data[(data.startIndex + 10)..<(data.startIndex + 10 + headerLength)], as: UTF8.self)
        guard header.contains("'<f4'"), header.contains("'fortran_order': False"),
              let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw NumPyError("\(path): not a C-order little-endian float32 array (\(header))")
        }
        let shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let body = data.dropFirst(10 + headerLength)
        let count = shape.reduce(1, *)
        guard body.count == 4 * count else { throw NumPyError("\(path): \(body.count) bytes for shape \(shape)") }
        let scalars = stride(from: body.startIndex, to: body.endIndex, by: 4).map { start -> Float in
            let bits = UInt32(body[start]) | UInt32(body[start + 1]) << 8 | UInt32(body[start + 2]) << 16 | UInt32(body[start + 3]) << 24
            return Float(bitPattern: bits)
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// A `.npy` file that cannot be read.
    struct NumPyError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
