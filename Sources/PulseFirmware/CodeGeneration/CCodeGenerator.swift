import Foundation

/// Writes a quantised model as portable C99: the kernel library (one function per kernel kind), the weights and
/// constants as `const` arrays (which go to flash), one static arena laid out by the memory plan (no malloc), and
/// `pulse_model_run(input, output)`, which calls `pulse_mark()` on entry, before each kernel, after the last and before
/// it returns, so that an emulator can count the input copy, each kernel and the output copy apart (the default
/// `pulse_mark` is an empty weak function).
public struct CCodeGenerator: Sendable {
    /// The model it writes.
    public let model: QuantisedModel
    /// A line naming the model in the files' headers.
    public let title: String

    /// A generator of `model`, described as `title`.
    public init(model: QuantisedModel, title: String) {
        self.model = model
        self.title = title
    }

    /// The files of the model (`pulse_model.h`, `pulse_model.c`) and of the kernel library (`pulse_kernels.h`,
    /// `pulse_kernels.c`), by name.
    /// - Throws: `FirmwareError.file` when the kernel library is missing from the package's resources.
    public func files() throws -> [String: String] {
        try Self.library(["pulse_kernels.h", "pulse_kernels.c"]).merging(["pulse_model.h": header, "pulse_model.c": source]) { $1 }
    }

    /// The kernel library files `names` from the package's resources, by name.
    /// - Throws: `FirmwareError.file` naming the file missing from the resources.
    static func library(_ names: [String]) throws -> [String: String] {
        try Dictionary(uniqueKeysWithValues: names.map { name in
            let parts = name.split(separator: ".")
            guard let url = Bundle.module.url(forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: "C"),
                  let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw FirmwareError(location: name, .file("the kernel library is missing from pulse's resources"))
            }
            return (name, text)
        })
    }

    /// Writes `files()` into `directory`, creating it.
    /// - Throws: `FirmwareError.file` naming the path that could not be written.
    public func write(to directory: String, extra: [String: String] = [:]) throws {
        try Self.write(try files().merging(extra, uniquingKeysWith: { $1 }), to: directory)
    }

    /// Writes `files` (contents by name) into `directory`, creating it.
    static func write(_ files: [String: String], to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FirmwareError(location: directory, .file("cannot create the directory: \(error.localizedDescription)"))
        }
        for (name, text) in files {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw FirmwareError(location: path, .file("cannot write: \(error.localizedDescription)"))
            }
        }
    }

    /// A header `pulse_windows.h` holding int8 input windows, for the firmware harness.
    public static func windowsHeader(_ windows: [[Int8]], inputSize: Int) -> String {
        windowsHeader(windows.map { $0.map(String.init) }, inputSize: inputSize)
    }

    /// A header `pulse_windows.h` holding input windows as C literals of `pulse_value`.
    static func windowsHeader(_ windows: [[String]], inputSize: Int) -> String {
        var text = "/* Input windows for the pulse firmware harness, written by pulse. */\n"
        text += "#define PULSE_WINDOW_COUNT \(windows.count)\n"
        text += "static const pulse_value pulse_windows[PULSE_WINDOW_COUNT][\(inputSize)] = {\n"
        for window in windows { text += "{\n" + array(window) + "},\n" }
        return text + "};\n"
    }

    var header: String {
        """
        /* \(Self.comment(title)): int8 model written by pulse. Input: \(model.input.count) values, real = \(model.input.quantisation.scale) \
        * (q - \(model.input.quantisation.zeroPoint)). Output: \(model.output.count) values, real = \
        \(model.output.quantisation.scale) * (q - \(model.output.quantisation.zeroPoint)). */
        #ifndef PULSE_MODEL_H
        #define PULSE_MODEL_H

        #include <stdint.h>

        /* The type of the model's inputs and outputs. */
        typedef int8_t pulse_value;

        #define PULSE_MODEL_INPUT_SIZE \(model.input.count)
        #define PULSE_MODEL_OUTPUT_SIZE \(model.output.count)
        #define PULSE_MODEL_KERNEL_COUNT \(model.kernels.count)
        #define PULSE_MODEL_ARENA_BYTES \(model.arenaBytes)

        /* Runs the model on one window; returns 0. */
        int pulse_model_run(const int8_t *input, int8_t *output);
        /* Called on entry, before each kernel, after the last and on return (an empty weak function unless the
         * program defines one). */
        void pulse_mark(void);

        #endif

        """
    }

    var source: String {
        var text = "/* \(Self.comment(title)): int8 model written by pulse. */\n#include <string.h>\n#include \"pulse_model.h\"\n#include \"pulse_kernels.h\"\n\n"
        text += "__attribute__((weak)) void pulse_mark(void) {}\n\n"
        text += "static int8_t arena[\(model.arenaBytes)] __attribute__((aligned(4)));\n"
        if columnValues > 0 { text += "static int16_t column[\(columnValues)] __attribute__((aligned(4)));\n" }
        text += "\n"
        for (index, values) in model.constants.enumerated() {
            text += "static const int8_t constant_\(index)[\(values.count)] = {\n\(Self.array(values.map(String.init)))};\n"
        }
        var calls: [String] = []
        for (position, kernel) in model.kernels.enumerated() {
            let (declarations, call) = declare(kernel, position: position)
            text += "\n/* kernel \(kernel.kernel): \(Self.comment(kernel.layer)) */\n" + declarations
            calls.append(call)
        }
        text += "\nint pulse_model_run(const int8_t *input, int8_t *output) {\n    pulse_mark();\n"
        text += "    memcpy(arena + \(model.input.offset), input, \(model.input.count));\n"
        for call in calls { text += "    pulse_mark();\n    \(call)\n" }
        text += "    pulse_mark();\n"
        text += "    memcpy(output, arena + \(model.output.offset), \(model.output.count));\n    pulse_mark();\n    return 0;\n}\n"
        return text
    }

    /// Values of the im2col column the convolutions share.
    var columnValues: Int { model.columnValues }

    /// The C expression of the address `operand` reads: into `arena`, or the array `constant_N`.
    static func pointer(_ operand: IntegerOperand) -> String {
        switch operand {
        case .arena(let offset): return "arena + \(offset)"
        case .constant(let index): return "constant_\(index)"
        }
    }

    private func pointer(_ operand: IntegerOperand) -> String { Self.pointer(operand) }

    /// `text` safe inside a C block comment.
    static func comment(_ text: String) -> String { text.replacingOccurrences(of: "*/", with: "* /") }

    static func array(_ values: [String]) -> String {
        stride(from: 0, to: values.count, by: 24).map { "    " + values[$0..<min($0 + 24, values.count)].joined(separator: ", ") + ",\n" }
            .joined()
    }

    /// The weights as the C kernel reads them: in each filter row, every whole group of four values stored as
    /// w0, w2, w1, w3 (the even bytes of the packed word then pair with the first two column values in one SMLAD).
    static func pairedForSMLAD(_ c: IntegerConvolution) -> [Int8] {
        var weights = c.weights
        let rowLength = c.channelsPerGroup * c.kernelSize
        for row in stride(from: 0, to: weights.count, by: rowLength) {
            for group in stride(from: row, to: row + rowLength - 3, by: 4) { weights.swapAt(group + 1, group + 2) }
        }
        return weights
    }

    static func four(_ values: [Int]) -> String { "{" + values.map(String.init).joined(separator: ", ") + "}" }

    private static func multiplier(_ m: FixedPointMultiplier) -> String { "{\(m.multiplier), \(m.shift)}" }

    /// The declarations of one kernel's constant data and parameters, and its call.
    private func declare(_ kernel: IntegerKernel, position n: Int) -> (String, String) {
        let output = "arena + \(kernel.outputOffset)"
        switch kernel.operation {
        case .convolution(let input, let c):
            var text = "static const int8_t weights_\(n)[\(c.weights.count)] = {\n\(Self.array(Self.pairedForSMLAD(c).map(String.init)))};\n"
            text += "static const int32_t bias_\(n)[\(c.bias.count)] = {\n\(Self.array(c.bias.map(String.init)))};\n"
            text += "static const pulse_multiplier multipliers_\(n)[\(c.multipliers.count)] = {\n\(Self.array(c.multipliers.map(Self.multiplier)))};\n"
            text += """
                static const pulse_convolution_params params_\(n) = {
                    .input_channels = \(c.inputChannels), .input_length = \(c.inputLength), .output_channels = \(c.outputChannels),
                    .output_length = \(c.outputLength), .groups = \(c.groups), .kernel_size = \(c.kernelSize), .stride = \(c.stride),
                    .dilation = \(c.dilation), .pad_before = \(c.padBefore), .input_zero_point = \(c.inputZeroPoint),
                    .output_zero_point = \(c.outputZeroPoint), .activation_min = \(c.activationMin), .activation_max = \(c.activationMax),
                    .weights = weights_\(n), .bias = bias_\(n), .multipliers = multipliers_\(n),
                    .residual_zero_point = \(c.residual?.zeroPoint ?? 0),
                    .residual_multiplier = \(Self.multiplier(c.residual?.multiplier ?? FixedPointMultiplier(0))),
                };

                """
            let residual = c.residual.map { pointer($0.operand) } ?? "0"
            return (text, "pulse_convolution_s8(&params_\(n), \(pointer(input)), \(residual), \(output), column);")
        case .binary(let b):
            let (code, left, right, out): (String, FixedPointMultiplier, FixedPointMultiplier, FixedPointMultiplier)
            switch b.arithmetic {
            case .add(let l, let r, let o): (code, left, right, out) = ("PULSE_ADD", l, r, o)
            case .subtract(let l, let r, let o): (code, left, right, out) = ("PULSE_SUBTRACT", l, r, o)
            case .multiply(let m): (code, left, right, out) = ("PULSE_MULTIPLY", FixedPointMultiplier(0), FixedPointMultiplier(0), m)
            case .divide(let m): (code, left, right, out) = ("PULSE_DIVIDE", FixedPointMultiplier(0), FixedPointMultiplier(0), m)
            }
            let text = """
                static const pulse_binary_params params_\(n) = {
                    .arithmetic = \(code), .shape = \(Self.four(b.shape)), .left_strides = \(Self.four(b.leftStrides)),
                    .right_strides = \(Self.four(b.rightStrides)), .left_zero_point = \(b.leftZeroPoint),
                    .right_zero_point = \(b.rightZeroPoint), .output_zero_point = \(b.outputZeroPoint),
                    .left_multiplier = \(Self.multiplier(left)), .right_multiplier = \(Self.multiplier(right)),
                    .output_multiplier = \(Self.multiplier(out)),
                };

                """
            return (text, "pulse_binary_s8(&params_\(n), \(pointer(b.left)), \(pointer(b.right)), \(output));")
        case .lookup(let input, let count, let table):
            let text = "static const int8_t table_\(n)[256] = {\n\(Self.array(table.map(String.init)))};\n"
            return (text, "pulse_lookup_s8(table_\(n), \(pointer(input)), \(output), \(count));")
        case .reduction(let input, let r):
            let text = """
                static const pulse_reduction_params params_\(n) = {
                    .maximum = \(r.maximum ? 1 : 0), .shape = \(Self.four(r.shape)), .strides = \(Self.four(r.strides)),
                    .reduced_shape = \(Self.four(r.reducedShape)), .reduced_strides = \(Self.four(r.reducedStrides)),
                    .input_zero_point = \(r.inputZeroPoint), .output_zero_point = \(r.outputZeroPoint),
                    .multiplier = \(Self.multiplier(r.multiplier)),
                };

                """
            return (text, "pulse_reduction_s8(&params_\(n), \(pointer(input)), \(output));")
        case .pooling(let input, let p):
            let text = """
                static const pulse_pooling_params params_\(n) = {
                    .maximum = \(p.maximum ? 1 : 0), .outer = \(p.outer), .length = \(p.length), .inner = \(p.inner), .size = \(p.size),
                    .stride = \(p.stride), .dilation = \(p.dilation), .pad_before = \(p.padBefore), .count = \(p.count),
                    .input_zero_point = \(p.inputZeroPoint), .output_zero_point = \(p.outputZeroPoint),
                    .multiplier = \(Self.multiplier(p.multiplier)),
                };

                """
            return (text, "pulse_pooling_s8(&params_\(n), \(pointer(input)), \(output));")
        case .contraction(let c):
            let text = """
                static const pulse_contraction_params params_\(n) = {
                    .shape = \(Self.four(c.shape)), .left_strides = \(Self.four(c.leftStrides)), .right_strides = \(Self.four(c.rightStrides)),
                    .summed_shape = \(Self.four(c.summedShape)), .left_summed_strides = \(Self.four(c.leftSummedStrides)),
                    .right_summed_strides = \(Self.four(c.rightSummedStrides)), .left_zero_point = \(c.leftZeroPoint),
                    .right_zero_point = \(c.rightZeroPoint), .output_zero_point = \(c.outputZeroPoint),
                    .multiplier = \(Self.multiplier(c.multiplier)),
                };

                """
            return (text, "pulse_contraction_s8(&params_\(n), \(pointer(c.left)), \(pointer(c.right)), \(output));")
        case .move(let m):
            let pieces = m.pieces.map { piece in
                let q = piece.requantisation
                return "{\(piece.sourceLength), \(piece.sourceStart), \(piece.destinationStart), \(piece.count), \(q == nil ? 0 : 1), "
                    + "\(q?.inputZeroPoint ?? 0), \(q?.outputZeroPoint ?? 0), \(Self.multiplier(q?.multiplier ?? FixedPointMultiplier(0)))}"
            }
            let text = """
                static const pulse_move_params params_\(n) = {
                    .outer = \(m.outer), .length = \(m.length), .inner = \(m.inner), .fills = \(m.fill == nil ? 0 : 1), .fill = \(m.fill ?? 0),
                };
                static const pulse_move_piece pieces_\(n)[\(m.pieces.count)] = {\(pieces.joined(separator: ", "))};

                """
            let sources = m.pieces.map { pointer($0.source) }.joined(separator: ", ")
            return (text, "{ const int8_t *sources[] = {\(sources)}; pulse_move_s8(&params_\(n), pieces_\(n), sources, \(m.pieces.count), \(output)); }")
        }
    }
}
