import Foundation

/// The layer records of an ncnn `.param` text file. The file is a line `7767517` (the magic number), a line
/// `layer_count blob_count`, then one layer per line: `Type name bottom_count top_count bottom… top… key=value…`.
/// A value is an integer, or a float when it holds `.`, `e` or `E` (ncnn's rule); a key `-23300 − k` holds the
/// array parameter `k`, written `count,v1,…,vcount`.
public struct NCNNParamFile: Sendable, Equatable {
    /// One parameter value, typed as the file writes it.
    public enum Value: Sendable, Equatable, CustomStringConvertible {
        /// A value written without `.`, `e` or `E`.
        case integer(Int)
        /// A value written with `.`, `e` or `E`.
        case float(Double)

        /// The value as written: `3`, `0.5`.
        public var description: String {
            switch self {
            case .integer(let value): return String(value)
            case .float(let value): return String(value)
            }
        }

        /// The value as a real number.
        public var real: Double {
            switch self {
            case .integer(let value): return Double(value)
            case .float(let value): return value
            }
        }

        /// The value as an integer: an integer, or a float that is a whole number in `Int`'s range; else `nil`.
        public var integer: Int? {
            switch self {
            case .integer(let value): return value
            case .float(let value): return Int(exactly: value)
            }
        }
    }

    /// One layer line.
    public struct Layer: Sendable, Equatable {
        /// The layer type (`Convolution`, `Pooling`, …).
        public var type: String
        /// The layer's name.
        public var name: String
        /// The blobs the layer reads, in order.
        public var bottoms: [String]
        /// The blobs the layer writes, in order.
        public var tops: [String]
        /// Scalar parameters by key.
        public var values: [Int: Value]
        /// Array parameters by key `k` (written with the key `-23300 − k`).
        public var arrays: [Int: [Value]]
        /// The line in the file, counted from 1.
        public var line: Int
    }

    /// The layers in file order.
    public var layers: [Layer]
    /// The number of blobs the header declares.
    public var blobCount: Int

    /// The magic number of the text format's first line.
    public static let magic = "7767517"

    /// Parses `text`; `file` names it in errors.
    /// - Throws: `NCNNError` for a wrong magic number, a header whose counts disagree with the layers (a truncated
    ///   file), or a token that does not parse (named with its line).
    public init(text: String, file: String) throws {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.first == Self.magic else {
            throw NCNNError(file: file, line: 1, "the first line `\(lines.first?.prefix(40) ?? "")` is not ncnn's magic number \(Self.magic)")
        }
        guard lines.count > 1 else { throw NCNNError(file: file, line: 2, "the file ends before the line `layer_count blob_count`") }
        let header = lines[1].split(whereSeparator: \.isWhitespace)
        guard header.count == 2 else { throw NCNNError(file: file, line: 2, "expected `layer_count blob_count`, found `\(lines[1])`") }
        guard let layerCount = Int(header[0]), layerCount > 0 else { throw NCNNError(file: file, line: 2, "layer count `\(header[0])` is not a positive integer") }
        guard let blobCount = Int(header[1]), blobCount > 0 else { throw NCNNError(file: file, line: 2, "blob count `\(header[1])` is not a positive integer") }
        var layers: [Layer] = []
        for (offset, line) in lines.enumerated().dropFirst(2) where !line.isEmpty {
            guard layers.count < layerCount else {
                throw NCNNError(file: file, line: offset + 1, "the header promises \(layerCount) layers, the file has more")
            }
            layers.append(try Self.layer(line, line: offset + 1, file: file))
        }
        guard layers.count == layerCount else {
            throw NCNNError(file: file, line: lines.count, "the header promises \(layerCount) layers, the file has \(layers.count) (truncated?)")
        }
        let blobs = Set(layers.flatMap(\.tops))
        guard blobs.count <= blobCount else {
            throw NCNNError(file: file, line: 2, "the header declares \(blobCount) blobs, the layers write \(blobs.count)")
        }
        self.layers = layers
        self.blobCount = blobCount
    }

    /// One layer line.
    private static func layer(_ text: String, line: Int, file: String) throws -> Layer {
        let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard tokens.count >= 4 else {
            throw NCNNError(file: file, line: line, "expected `Type name bottom_count top_count …`, found `\(text.prefix(80))`")
        }
        let (type, name) = (tokens[0], tokens[1])
        func failure(_ message: String) -> NCNNError { NCNNError(file: file, line: line, layer: name, layerType: type, message) }
        guard let bottomCount = Int(tokens[2]), bottomCount >= 0 else { throw failure("bottom count `\(tokens[2])` is not a count") }
        guard let topCount = Int(tokens[3]), topCount >= 0 else { throw failure("top count `\(tokens[3])` is not a count") }
        guard bottomCount <= tokens.count - 4, topCount <= tokens.count - 4 - bottomCount else {
            throw failure("declares \(bottomCount) bottoms and \(topCount) tops but names \(tokens.count - 4) blobs and parameters")
        }
        let blobsEnd = 4 + bottomCount + topCount
        var values: [Int: Value] = [:]
        var arrays: [Int: [Value]] = [:]
        for token in tokens[blobsEnd...] {
            let parts = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let key = Int(parts[0]) else { throw failure("parameter `\(token)` is not key=value") }
            if key <= -23300 {
                let items = parts[1].split(separator: ",", omittingEmptySubsequences: false)
                guard let count = items.first.flatMap({ Int($0) }), count == items.count - 1 else {
                    throw failure("array parameter `\(token)` does not start with the count of its values")
                }
                arrays[-23300 - key] = try items.dropFirst().map { item in
                    guard let value = Self.value(item) else { throw failure("array parameter `\(token)` holds `\(item)`, not a number") }
                    return value
                }
            } else {
                guard let value = Self.value(parts[1]) else { throw failure("parameter `\(token)`: `\(parts[1])` is not a number") }
                values[key] = value
            }
        }
        return Layer(type: type, name: name, bottoms: Array(tokens[4..<(4 + bottomCount)]), tops: Array(tokens[(4 + bottomCount)..<blobsEnd]),
                     values: values, arrays: arrays, line: line)
    }

    /// A value token: a float when it holds `.`, `e` or `E` (finite), else an integer.
    private static func value(_ token: Substring) -> Value? {
        if token.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            guard let value = Double(token), value.isFinite else { return nil }
            return .float(value)
        }
        return Int(token).map(Value.integer)
    }
}
