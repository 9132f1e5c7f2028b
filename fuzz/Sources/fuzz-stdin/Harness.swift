// Fuzzes the stdin line source, `CSVLineSource`, and the stream it feeds, as `pulse stream --stdin` runs them:
// every line goes through the source's `readLine` closure, every chunk it yields through a `HeartRateStream` with
// a fresh `SpectralTracker`, then the stream is finished.
//
// Input: an optional first line of options, `#!rate=HZ ppg=N strict hold` (`--rate-hz`, `--ppg-columns`,
// `--strict`, `--invalid hold`; checked as the command checks them), then the lines of standard input. At most
// `maximumLines` lines are read, so that one input stays bounded.
import CFuzzerDriver
import Foundation
import FuzzSupport
import PulseDSP
import PulseRuntime
import PulseSignals

let maximumLines = 5_000

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var body = bytes[...]
    var options = LineOptions()
    if bytes.starts(with: Array("#!".utf8)) {
        let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        options = LineOptions.split(Substring(String(decoding: bytes[..<end], as: UTF8.self))).0
        body = bytes[min(end + 1, bytes.endIndex)...]
    }
    let rateHz = options.double("rate")
    let ppgColumns = options.int("ppg")
    // StreamCommand.validate() refuses these before anything is read.
    if let rateHz, !(rateHz.isFinite && rateHz > 0) { return 0 }
    if let ppgColumns, ppgColumns < 1 { return 0 }
    // Lines as Swift.readLine(strippingNewline: true) gives them: split at "\n", a trailing "\r" dropped, invalid
    // UTF-8 repaired, a last line without terminator included.
    var lines = body.split(separator: UInt8(ascii: "\n"), maxSplits: maximumLines, omittingEmptySubsequences: false)
    if lines.count > maximumLines { lines.removeLast(lines.count - maximumLines) }
    if body.last == UInt8(ascii: "\n") || body.isEmpty, !lines.isEmpty, lines.last!.isEmpty { lines.removeLast() }
    var next = 0
    let readLine = { () -> String? in
        guard next < lines.count else { return nil }
        defer { next += 1 }
        var line = lines[next]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return String(decoding: line, as: UTF8.self)
    }
    var warnings = 0
    do {
        var source = try CSVLineSource(readLine: readLine, ppgColumns: ppgColumns, rateHz: rateHz, strict: options.flag("strict")) { _ in
            warnings += 1
        }
        var settings = source.settings
        if options.flag("hold") { settings.invalidWindows = .hold }
        let tracker = try SpectralTracker(configuration: .standard, layout: .standard)
        let stream = try HeartRateStream(settings: settings, tracker: tracker)
        var estimates = 0
        while let chunk = try source.next() {
            estimates += try stream.push(chunk.group, timestampsSeconds: chunk.timestampsSeconds, samples: chunk.samples).count
        }
        estimates += try stream.finish().count
        _ = stream.latency
        note("\(source.acceptedLines) lines accepted, \(warnings) warnings, \(estimates) estimates, \(stream.placedSeconds) s placed")
    } catch {
        note("stream: \(error) (after \(next) lines, \(warnings) warnings)")
        // StreamError, DSPError: the stream refusing its input is not a finding.
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see CFuzzerDriver.h): hands the command line to libFuzzer.
@_cdecl("fuzz_stdin_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}
