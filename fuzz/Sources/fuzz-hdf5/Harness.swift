// Fuzzes the HDF5 recording reader, `Recording(hdf5Path:)`, and the spectral estimator over what it accepts.
//
// An input that starts with the HDF5 signature is written as it is and read (libhdf5's parser, then pulse's
// checks). Any other input describes a recording that the harness writes with pulse's own HDF5 writer: which
// datasets exist, their shapes and values, which attributes exist and whether each is a number or a text. That
// reaches pulse's shape, rate and reference checks far more often than bit flips in a valid file do.
import CFuzzerDriver
import Foundation
import FuzzSupport
import PulseSignals

let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

/// The most values the builder writes into one file.
let maximumValues = 1 << 18

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    pulse_fuzz_reset_forked_children()
    let path: String
    if bytes.starts(with: signature) {
        path = Scratch.write(bytes, as: "recording.h5")
    } else {
        path = Scratch.path("recording.h5")
        guard build(FuzzBytes(bytes), at: path) else { return 0 }
    }
    if let recording = attempt("Recording(hdf5Path:)", { try Recording(hdf5Path: path) }) {
        Downstream.estimateIfSmall(recording)
    }
    return 0
}

/// Writes the recording `input` describes; false when the writer refuses it (no finding: the writer is not fuzzed).
func build(_ input: FuzzBytes, at path: String) -> Bool {
    var input = input
    guard let file = try? HDF5File.create(path) else { return false }
    var budget = maximumValues
    for name in ["ppg", "acc", "ecg", "hr_bpm"] {
        let mode = input.byte()
        // ppg and acc are mostly present, ecg and hr_bpm half of the time.
        let present = name == "ppg" || name == "acc" ? mode % 8 != 0 : mode % 2 == 0
        guard present else { continue }
        let shape = shapeOf(&input, name: name)
        let count = shape.reduce(1, *)
        guard count <= budget else { continue }
        budget -= count
        let values = valuesOf(&input, count: count)
        try? file.write(values, shape: shape, as: name)
    }
    for name in ["fs_ppg", "fs_acc", "fs_ecg", "window_s", "shift_s", "subject", "fs_ppg"] {
        switch input.byte() % 6 {
        case 0: continue
        case 1, 2, 3: try? file.write(.number(input.pick(interestingDoubles)), as: name)
        case 4: try? file.write(.number(input.double()), as: name)
        default: try? file.write(.text(text(&input)), as: name)
        }
    }
    for _ in 0..<Int(input.byte() % 4) {
        let name = text(&input)
        if input.bool() { try? file.write(.text(text(&input)), as: name) } else { try? file.write(.number(input.double()), as: name) }
    }
    return true
}

/// A dataset shape: rank 0 to 3, extents from a list of interesting ones or from the input.
func shapeOf(_ input: inout FuzzBytes, name: String) -> [Int] {
    let rank = [2, 2, 2, 1, 1, 0, 3, 2][Int(input.byte() % 8)]
    let channels = name == "acc" ? 3 : (name == "ppg" ? 2 : 1)
    let common = [channels, 1, 0, 2, 3, 6, 8, 25, 200, 256, 1000, 2000]
    return (0..<rank).map { axis in
        let choice = input.byte()
        if choice < 128 {
            return axis == 0 && rank == 2 ? channels : Int(input.uint16() % 4096)
        }
        return common[Int(choice) % common.count]
    }
}

/// Values for a dataset: a pulse-like wave, a constant, or raw floats from the input, with optional NaN and ∞.
func valuesOf(_ input: inout FuzzBytes, count: Int) -> [Float] {
    let kind = input.byte() % 4
    let special = input.byte()
    var values: [Float]
    switch kind {
    case 0:
        values = [Float](repeating: input.pick([0, 1, -1, Float.nan, .infinity, 1e30, 70]), count: count)
    case 1:
        var raw: [Float] = []
        for _ in 0..<min(64, input.remaining / 4) { raw.append(input.float()) }
        values = raw.isEmpty ? [Float](repeating: 0, count: count) : (0..<count).map { raw[$0 % raw.count] }
    default:
        let step = Float(input.byte() % 16 + 1) * 0.01
        values = (0..<count).map { sin(Float($0) * step) * 100 + Float($0 % 7) }
    }
    if count > 0 {
        switch special % 8 {
        case 1: values[Int(special) % count] = .nan
        case 2: values[count - 1] = .infinity
        case 3: for i in stride(from: 0, to: count, by: 3) { values[i] = .nan }
        default: break
        }
    }
    return values
}

/// A short text from the input (may be empty, may be invalid as a name).
func text(_ input: inout FuzzBytes) -> String {
    let length = Int(input.byte() % 12)
    let words = ["subject", "fs_ppg", "", "ppg", "source", "window_s", "metadata", "é", "a/b", ".", "x y"]
    if length >= 10 { return input.pick(words) }
    return String(decoding: (0..<length).map { _ in input.byte() }, as: UTF8.self)
}

/// The entry point SwiftPM links as `main` (see CFuzzerDriver.h): hands the command line to libFuzzer.
@_cdecl("fuzz_hdf5_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}
