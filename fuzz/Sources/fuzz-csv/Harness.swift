// Fuzzes the CSV importer, `CSVImporter(...).recording(path:referencePath:)`, and the spectral estimator over
// what it accepts.
//
// Input: an optional first line of options, `#!fs_ppg=HZ fs_acc=HZ ppg=NAME,NAME acc=NAME,NAME,NAME` (the
// `pulse import csv` flags; default 25 Hz for both, columns found by name), then the CSV file. A line
// `#!reference` ends the CSV: what follows is the reference file (`--reference`).
import CFuzzerDriver
import Foundation
import FuzzSupport
import PulseSignals

let referenceMarker = "\n#!reference\n"

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // Options are read from the UTF-8 prefix; the CSV bytes themselves go to the file untouched (invalid UTF-8 too).
    var csv = bytes[...]
    var options = LineOptions()
    if bytes.starts(with: Array("#!".utf8)) {
        let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        options = LineOptions.split(Substring(String(decoding: bytes[..<end], as: UTF8.self))).0
        csv = bytes[min(end + 1, bytes.endIndex)...]
    }
    var reference: ArraySlice<UInt8>?
    if let marker = csv.firstRange(of: Array(referenceMarker.utf8)) {
        reference = csv[marker.upperBound...]
        csv = csv[..<marker.lowerBound]
    }
    let path = Scratch.write(csv, as: "export.csv")
    let referencePath = reference.map { Scratch.write($0, as: "reference.csv") }
    let ppgRate = options.double("fs_ppg") ?? 25
    let importer = CSVImporter(ppgRateHz: ppgRate, accRateHz: options.double("fs_acc") ?? ppgRate,
                               ppgColumns: options.list("ppg"), accColumns: options.list("acc"))
    if let recording = attempt("CSVImporter.recording", { try importer.recording(path: path, referencePath: referencePath) }) {
        Downstream.estimateIfSmall(recording)
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see CFuzzerDriver.h): hands the command line to libFuzzer.
@_cdecl("fuzz_csv_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}
