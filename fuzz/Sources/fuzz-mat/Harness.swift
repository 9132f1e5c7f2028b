// Fuzzes the MATLAB 5 reader (`MATFile`) and the SPC 2015 importer that uses it.
//
// The input is one `.mat` file. It is parsed from memory and from disk; when it holds `sig` or `BPM0`, the same file
// serves as the signal file and the reference file of an SPC 2015 pair (one file may hold both variables), and the
// imported recording is validated and estimated as `pulse import spc2015` and `pulse estimate` would.
import CFuzzerDriver
import Foundation
import FuzzSupport
import PulseSignals

let folder: String = {
    let path = Scratch.path("spc")
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let file = attempt("MATFile", { try MATFile(bytes: bytes, path: "input.mat") }) else { return 0 }
    note("variables \(file.variables.mapValues(\.dimensions)), skipped \(file.skipped)")
    for (_, array) in file.variables where array.dimensions.count == 2 && !array.values.isEmpty {
        // The accessor the importer uses, at the corners of each matrix.
        _ = array[0, 0]
        _ = array[array.dimensions[0] - 1, array.dimensions[1] - 1]
    }
    _ = try? file.variable("sig")
    guard file.variables["sig"] != nil || file.variables["BPM0"] != nil || file.skipped["sig"] != nil else { return 0 }
    // `Pair` has no public initialiser: the importer finds the pair in a folder, as `pulse import spc2015` does.
    let path = Scratch.write(bytes, as: "spc/DATA_01_TYPE01.mat")
    Scratch.write(bytes, as: "spc/DATA_01_TYPE01_BPMtrace.mat")
    guard let pairs = try? SPC2015Importer.pairs(in: folder) else { return 0 }
    for pair in pairs {
        if let recording = attempt("SPC2015Importer.recording", { try SPC2015Importer.recording(pair) }),
           attempt("validate", { try recording.validate(source: path) }) != nil {
            Downstream.estimateIfSmall(recording)
        }
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see CFuzzerDriver.h): hands the command line to libFuzzer.
@_cdecl("fuzz_mat_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}
