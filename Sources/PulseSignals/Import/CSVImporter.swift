import Foundation

/// Reads a recording exported from a device as CSV: a header naming the columns, then one row per sample.
///
/// PPG and accelerometer may run at different rates in one file: a group's cells are left empty on the rows
/// where it has no sample, and each group's column is read as the sequence of its non-empty cells. `nan` marks
/// a missing sample (a gap). Columns not selected (a timestamp, say) are ignored.
public struct CSVImporter: Sendable {
    /// PPG sample rate in Hz.
    public var ppgRateHz: Double
    /// Accelerometer sample rate in Hz.
    public var accRateHz: Double
    /// PPG columns by header name; `nil` takes every column whose name starts with `ppg`, `bvp` or `pleth`.
    public var ppgColumns: [String]?
    /// Accelerometer columns by header name; `nil` takes the columns named like `acc_x`, `accel_y`, `az`,
    /// `acc_z_g` (a prefix `a`, `acc`, `accel` or `accelerometer`, an axis, an optional unit).
    public var accColumns: [String]?

    public init(ppgRateHz: Double, accRateHz: Double, ppgColumns: [String]? = nil, accColumns: [String]? = nil) {
        self.ppgRateHz = ppgRateHz
        self.accRateHz = accRateHz
        self.ppgColumns = ppgColumns
        self.accColumns = accColumns
    }

    /// Reads the CSV file at `path`, with an optional reference (`referencePath`: one heart rate in BPM per
    /// line for consecutive windows of `layout`, an optional header line first).
    /// - Throws: `RecordingError` naming the file and line for a malformed row, a missing column, a bad rate,
    ///   or any failure of `Recording.validate`.
    public func recording(path: String, referencePath: String? = nil, layout: WindowLayout = .standard) throws -> Recording {
        try Recording.checkSampleRate(ppgRateHz, field: "fs_ppg (--fs-ppg)", source: path)
        try Recording.checkSampleRate(accRateHz, field: "fs_acc (--fs-acc)", source: path)
        let lines = try Self.lines(path)
        guard let headerLine = lines.first(where: { !$0.text.isEmpty }) else {
            throw RecordingError(path: path, .malformedLine(line: 1, detail: "the file is empty, expected a header"))
        }
        let separator: Character = headerLine.text.contains(",") ? "," : (headerLine.text.contains(";") ? ";" : "\t")
        let header = headerLine.text.split(separator: separator, omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        let ppgIndices = try columnIndices(ppgColumns, header: header, path: path, group: "PPG", automatic: Self.isPPGColumn)
        let accIndices = try columnIndices(accColumns, header: header, path: path, group: "accelerometer", automatic: Self.isAccColumn)
        for (group, indices) in [("PPG", ppgIndices), ("accelerometer", accIndices)] where indices.count > Recording.maximumChannels {
            throw RecordingError(path: path, .unsupported("\(indices.count) \(group) columns, more than \(Recording.maximumChannels)"))
        }
        var selected = Set<Int>()
        for index in ppgIndices + accIndices where !selected.insert(index).inserted {
            throw RecordingError(path: path, .unsupported("column \(header[index]) is selected more than once"))
        }
        var columns = [[Float]](repeating: [], count: header.count)
        for line in lines where line.number > headerLine.number && !line.text.isEmpty {
            let cells = line.text.split(separator: separator, omittingEmptySubsequences: false)
            guard cells.count == header.count else {
                throw RecordingError(path: path, .malformedLine(line: line.number, detail: "\(cells.count) fields, the header has \(header.count)"))
            }
            for index in ppgIndices + accIndices {
                let cell = cells[index].trimmingCharacters(in: .whitespaces)
                if cell.isEmpty { continue }
                guard let value = Float(cell) else {
                    throw RecordingError(path: path, .malformedLine(line: line.number, detail: "column \(header[index]): '\(cell)' is not a number"))
                }
                columns[index].append(value)
            }
        }
        let ppg = try group(ppgIndices, columns: columns, header: header, rate: ppgRateHz, path: path)
        let acc = try group(accIndices, columns: columns, header: header, rate: accRateHz, path: path)
        let reference = try referencePath.map { try Self.reference($0, layout: layout) }
        let recording = Recording(
            name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, ppg: ppg, acc: acc,
            reference: reference,
            metadata: ["source": URL(fileURLWithPath: path).lastPathComponent,
                       "ppg_channels": ppgIndices.map { header[$0] }.joined(separator: ","),
                       "acc_channels": accIndices.map { header[$0] }.joined(separator: ",")])
        try recording.validate(source: path, layout: layout)
        return recording
    }

    private func group(_ indices: [Int], columns: [[Float]], header: [String], rate: Double, path: String) throws -> SignalGroup {
        let channels = indices.map { columns[$0] }
        if let short = indices.first(where: { columns[$0].count != channels[0].count }) {
            throw RecordingError(path: path, .badShape(
                field: "column \(header[short])",
                detail: "\(columns[short].count) samples, column \(header[indices[0]]) has \(channels[0].count)"))
        }
        return SignalGroup(channels: channels, sampleRateHz: rate)
    }

    private func columnIndices(
        _ names: [String]?, header: [String], path: String, group: String, automatic: (String) -> Bool
    ) throws -> [Int] {
        if let names {
            guard !names.isEmpty else { throw RecordingError(path: path, .missingColumn("\(group) (the list of column names is empty)")) }
            return try names.map { name in
                guard let index = header.firstIndex(of: name) else { throw RecordingError(path: path, .missingColumn(name)) }
                return index
            }
        }
        let indices = header.indices.filter { automatic(header[$0].lowercased()) }
        guard !indices.isEmpty else {
            throw RecordingError(path: path, .missingColumn("\(group) (no column found in header \(header.joined(separator: ",")); name them with a flag)"))
        }
        return indices
    }

    private static func isPPGColumn(_ name: String) -> Bool {
        name.hasPrefix("ppg") || name.hasPrefix("bvp") || name.hasPrefix("pleth")
    }

    private static func isAccColumn(_ name: String) -> Bool {
        let letters = name.filter { $0.isLetter || $0.isNumber }
        for prefix in ["accelerometer", "accel", "acc", "a"] where letters.hasPrefix(prefix) {
            let rest = letters.dropFirst(prefix.count)
            guard let axis = rest.first, "xyz".contains(axis) else { continue }
            if ["", "g", "mg", "ms2", "counts", "raw"].contains(String(rest.dropFirst())) { return true }
        }
        return false
    }

    private static func lines(_ path: String) throws -> [(number: Int, text: String)] {
        try InputFile.checkReadable(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecordingError(path: path, .unreadable("cannot read the file"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RecordingError(path: path, .unreadable("not UTF-8 text"))
        }
        // "\r\n" is one Character in Swift, so lines are split on every kind of line break, not on "\n".
        return text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().map {
            ($0.offset + 1, String($0.element))
        }
    }

    private static func reference(_ path: String, layout: WindowLayout) throws -> ReferenceHeartRate {
        var bpm: [Float] = []
        for line in try lines(path) where !line.text.trimmingCharacters(in: .whitespaces).isEmpty {
            let cell = line.text.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if let value = Float(cell) {
                bpm.append(value)
            } else if line.number != 1 {
                throw RecordingError(path: path, .malformedLine(line: line.number, detail: "'\(cell)' is not a heart rate in BPM"))
            }
        }
        return ReferenceHeartRate(bpm: bpm, windowSeconds: layout.windowSeconds, shiftSeconds: layout.shiftSeconds)
    }
}
