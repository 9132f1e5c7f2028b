import Foundation
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct CSVImporterTests {
    /// Writes a recording as CSV: PPG every row at 64 Hz, accelerometer on every other row at 32 Hz.
    func csv(seconds: Int = 20) -> String {
        var lines = ["time_s,ppg_green,acc_x,acc_y,acc_z"]
        for i in 0..<(seconds * 64) {
            let t = Double(i) / 64
            let ppg = String(format: "%.4f", 1000 + 40 * sin(2 * .pi * 1.2 * t))
            let acc = i % 2 == 0 ? String(format: "%.4f,%.4f,%.4f", sin(2 * .pi * 2 * t), 0.1, 0.98) : ",,"
            lines.append(String(format: "%.5f", t) + ",\(ppg),\(acc)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func readsGroupsAtTheirOwnRates() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("watch.csv")
        try csv().write(toFile: path, atomically: true, encoding: .utf8)
        let reference = directory.path("hr.csv")
        try "hr_bpm\n72\n73\n74\n".write(toFile: reference, atomically: true, encoding: .utf8)
        let recording = try CSVImporter(ppgRateHz: 64, accRateHz: 32).recording(path: path, referencePath: reference)
        #expect(recording.ppg.channelCount == 1 && recording.ppg.sampleCount == 1280)
        #expect(recording.acc.channelCount == 3 && recording.acc.sampleCount == 640)
        #expect(recording.reference?.bpm == [72, 73, 74])
        #expect(recording.metadata["acc_channels"] == "acc_x,acc_y,acc_z")
    }

    @Test func malformedLineIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var lines = csv().split(separator: "\n").map(String.init)
        lines[41] = "0.6,1000,abc,0,1"
        let path = directory.path("bad.csv")
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RecordingError(path: path, .malformedLine(line: 42, detail: "column acc_x: 'abc' is not a number"))) {
            try CSVImporter(ppgRateHz: 64, accRateHz: 32).recording(path: path)
        }
        lines[41] = "0.6,1000"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RecordingError(path: path, .malformedLine(line: 42, detail: "2 fields, the header has 5"))) {
            try CSVImporter(ppgRateHz: 64, accRateHz: 32).recording(path: path)
        }
    }

    @Test func missingColumnAndBadRate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("watch.csv")
        try csv().write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RecordingError(path: path, .missingColumn("ppg_red"))) {
            try CSVImporter(ppgRateHz: 64, accRateHz: 32, ppgColumns: ["ppg_red"]).recording(path: path)
        }
        #expect(throws: RecordingError.self) { try CSVImporter(ppgRateHz: 0, accRateHz: 32).recording(path: path) }
        // Declaring the wrong accelerometer rate makes the durations disagree.
        #expect(throws: RecordingError(path: path, .durationMismatch(ppgSeconds: 20, accSeconds: 10))) {
            try CSVImporter(ppgRateHz: 64, accRateHz: 64).recording(path: path)
        }
    }
}

@Suite struct CSVDialectTests {
    func write(_ text: String, _ directory: TemporaryDirectory, _ name: String = "device.csv") throws -> String {
        let path = directory.path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func rows(_ header: String, seconds: Int = 12, separator: String = "\n") -> String {
        ([header] + (0..<(seconds * 25)).map { i in
            let t = Double(i) / 25
            return String(format: "%.2f,%.3f,%.3f,0.5,%.3f,0.9", t, 100 + 10 * sin(2 * .pi * 1.2 * t), sin(2 * .pi * 2 * t), 0.2 * cos(2 * .pi * 2 * t))
        }).joined(separator: separator) + separator
    }

    @Test func windowsLineEndings() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try write(rows("t,ppg,acc_x,accuracy,acc_y,acc_z", separator: "\r\n"), directory)
        let reference = try write("hr_bpm\r\n72\r\n73\r\n", directory, "hr.csv")
        let recording = try CSVImporter(ppgRateHz: 25, accRateHz: 25).recording(path: path, referencePath: reference)
        #expect(recording.ppg.sampleCount == 300 && recording.reference?.bpm == [72, 73])
        // `accuracy` is not an accelerometer axis.
        #expect(recording.metadata["acc_channels"] == "acc_x,acc_y,acc_z")
    }

    @Test func columnSelectedTwice() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try write(rows("t,ppg,acc_x,accuracy,acc_y,acc_z"), directory)
        #expect(throws: RecordingError(path: path, .unsupported("column ppg is selected more than once"))) {
            try CSVImporter(ppgRateHz: 25, accRateHz: 25, accColumns: ["ppg", "acc_y", "acc_z"]).recording(path: path)
        }
        #expect(throws: RecordingError.self) { try CSVImporter(ppgRateHz: 25, accRateHz: 25, ppgColumns: []).recording(path: path) }
    }

    /// A header of 100,000 PPG columns is refused by count at once, before any row is read.
    @Test func tooManyColumnsAreRefusedByCount() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("wide.csv")
        try ((0..<100_000).map { "ppg\($0)" } + ["acc_x", "acc_y", "acc_z"]).joined(separator: ",").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RecordingError(path: path, .unsupported("100000 PPG columns, more than 64"))) {
            try CSVImporter(ppgRateHz: 64, accRateHz: 64).recording(path: path)
        }
    }
}
