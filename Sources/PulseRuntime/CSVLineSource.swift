/// A device piped in as CSV lines, `timestamp,ppg₁,…,ppgₙ,ax,ay,az`: timestamps in seconds, both groups sampled
/// together at one rate. An empty field is a missing sample (NaN). A first line that is not numeric is a header.
///
/// A malformed line (wrong number of fields, a field that is not a number, no timestamp) is reported through
/// `report` as `line N: …` and skipped, or, with `strict`, stops the stream with a `StreamError`.
public struct CSVLineSource: SensorSource {
    public let settings: StreamSettings
    public let strict: Bool
    private let readLine: () -> String?
    private let report: (String) -> Void
    private var lineNumber = 0
    private var buffered: [(Int, String)] = []
    private var pendingAcc: SensorChunk?

    /// Lines read to infer the sample rate (and the column count) when none is given.
    public static let rateProbeLines = 16

    /// Rates an inference may give: those of wrist sensors, with room to spare.
    public static let inferableRateHz = 1.0...5_000.0

    /// Lines that gave a sample so far.
    public private(set) var acceptedLines = 0

    /// - Parameters:
    ///   - readLine: the next line without its terminator, `nil` at the end.
    ///   - ppgColumns: PPG columns per line; by default every column between the timestamp and the last three.
    ///   - rateHz: the sample rate; by default the median interval of the first `rateProbeLines` lines.
    /// - Throws: `StreamError` when the first lines give no column count or rate.
    public init(readLine: @escaping () -> String?, ppgColumns: Int? = nil, rateHz: Double? = nil, strict: Bool = false,
                report: @escaping (String) -> Void) throws {
        self.readLine = readLine
        self.strict = strict
        self.report = report
        var probe: [(Int, String)] = []
        var number = 0
        while probe.count < Self.rateProbeLines, let line = readLine() {
            number += 1
            if number == 1, Self.isHeader(line) { continue }
            if !line.trimmingWhitespace.isEmpty { probe.append((number, line)) }
        }
        lineNumber = number
        buffered = probe
        guard !probe.isEmpty else { throw StreamError("no data lines") }
        // The column count most of the first lines agree on, so that one malformed first line cannot set it.
        let counts = Dictionary(grouping: probe.map { Self.fields($0.1).count }, by: { $0 })
        let fields = counts.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key ?? 0
        let ppg = ppgColumns ?? (fields - 4)
        guard ppg >= 1, ppg == fields - 4 else {
            throw StreamError("the first lines have \(fields) fields; expected the timestamp, "
                + (ppgColumns.map { "\($0) PPG columns" } ?? "at least one PPG column") + ", ax, ay, az")
        }
        let rate: Double
        if let rateHz {
            rate = rateHz
        } else {
            let times = probe.compactMap { Self.fields($0.1).first.flatMap { Double($0) } }.filter(\.isFinite)
            let steps = zip(times.dropFirst(), times).map { $0 - $1 }.filter { $0 > 0 }.sorted()
            guard steps.count >= 2 else {
                throw StreamError("cannot infer the sample rate from the first \(probe.count) lines; give --rate-hz")
            }
            rate = 1 / steps[steps.count / 2]
            guard Self.inferableRateHz.contains(rate) else {
                throw StreamError("the first \(probe.count) lines' timestamps give \(rate) Hz, outside \(Self.inferableRateHz); give --rate-hz")
            }
        }
        settings = StreamSettings(ppgRateHz: rate, accRateHz: rate, ppgChannels: ppg, accChannels: 3)
    }

    public mutating func next() throws -> SensorChunk? {
        if let pendingAcc {
            self.pendingAcc = nil
            return pendingAcc
        }
        while let (number, line) = nextLine() {
            guard !line.trimmingWhitespace.isEmpty else { continue }
            do {
                let (timestamp, ppg, acc) = try parse(line, number: number)
                acceptedLines += 1
                pendingAcc = SensorChunk(group: .acc, timestampsSeconds: [timestamp], samples: acc.map { [$0] })
                return SensorChunk(group: .ppg, timestampsSeconds: [timestamp], samples: ppg.map { [$0] })
            } catch let error as StreamError {
                if strict { throw error }
                report(error.message)
            }
        }
        return nil
    }

    public func referenceBpm(ofWindow index: Int) -> Double? { nil }

    private mutating func nextLine() -> (Int, String)? {
        if !buffered.isEmpty { return buffered.removeFirst() }
        guard let line = readLine() else { return nil }
        lineNumber += 1
        return (lineNumber, line)
    }

    private func parse(_ line: String, number: Int) throws -> (Double, [Float], [Float]) {
        let fields = Self.fields(line)
        let expected = 1 + settings.ppgChannels + 3
        guard fields.count == expected else {
            throw StreamError("line \(number): \(fields.count) fields, expected \(expected) (timestamp, \(settings.ppgChannels) PPG, ax, ay, az)")
        }
        guard let timestamp = Double(fields[0]), timestamp.isFinite else {
            throw StreamError("line \(number): timestamp '\(fields[0])' is not a finite number")
        }
        var values: [Float] = []
        for (column, field) in fields.dropFirst().enumerated() {
            if field.isEmpty { values.append(.nan); continue }
            guard let value = Float(field) else {
                throw StreamError("line \(number), column \(column + 2): '\(field)' is not a number")
            }
            values.append(value)
        }
        return (timestamp, Array(values[0..<settings.ppgChannels]), Array(values[settings.ppgChannels...]))
    }

    private static func isHeader(_ line: String) -> Bool {
        guard let first = fields(line).first else { return false }
        return Double(first) == nil
    }

    private static func fields(_ line: String) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line ends.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
