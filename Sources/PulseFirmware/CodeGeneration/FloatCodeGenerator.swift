import Foundation
import PulseGraph

/// Writes the float32 variant of a model as C99 for targets with an FPU and main memory (the Pi and the phone):
/// the same kernels, geometry and arena layout as the int8 model (`QuantisedModel`), with the float weights and
/// constants, `pulse_kernels_f32.c` (NEON dot products on AArch64) and `pulse_model_run(const float *, float *)`.
public struct FloatCodeGenerator: Sendable {
    /// The model whose kernels and memory plan are written.
    public let model: QuantisedModel
    /// The float parameters, by name.
    public let parameters: [String: Tensor]
    /// A line naming the model in the files' headers.
    public let title: String

    /// A generator of `model`'s float variant with `parameters`, described as `title`.
    public init(model: QuantisedModel, parameters: [String: Tensor], title: String) {
        self.model = model
        self.parameters = parameters
        self.title = title
    }

    /// A header `pulse_windows.h` holding float input windows.
    public static func windowsHeader(_ windows: [[Float]], inputSize: Int) -> String {
        CCodeGenerator.windowsHeader(windows.map { $0.map(literal) }, inputSize: inputSize)
    }

    /// Writes the model (`pulse_model.h`, `pulse_model.c`) and the float kernel library into `directory`.
    /// - Throws: `FirmwareError` naming the parameter without a value, or the file that could not be written.
    public func write(to directory: String, extra: [String: String] = [:]) throws {
        let files = try CCodeGenerator.library(["pulse_kernels_f32.h", "pulse_kernels_f32.c"])
            .merging(["pulse_model.h": header, "pulse_model.c": try source()]) { $1 }.merging(extra) { $1 }
        try CCodeGenerator.write(files, to: directory)
    }

    /// `value` as a C99 hexadecimal float literal, which reads back exactly.
    static func literal(_ value: Float) -> String {
        value.isFinite ? String(format: "%af", Double(value)) : (value.isNaN ? "NAN" : (value > 0 ? "INFINITY" : "-INFINITY"))
    }

    var header: String {
        """
        /* \(CCodeGenerator.comment(title)): float32 model written by pulse. Input: \(model.input.count) values; output: \(model.output.count) values. */
        #ifndef PULSE_MODEL_H
        #define PULSE_MODEL_H

        #include <stdint.h>

        /* The type of the model's inputs and outputs. */
        typedef float pulse_value;
        #define PULSE_MODEL_FLOAT 1

        #define PULSE_MODEL_INPUT_SIZE \(model.input.count)
        #define PULSE_MODEL_OUTPUT_SIZE \(model.output.count)
        #define PULSE_MODEL_KERNEL_COUNT \(model.kernels.count)
        #define PULSE_MODEL_ARENA_VALUES \(model.arenaBytes)

        /* Runs the model on one window; returns 0. */
        int pulse_model_run(const float *input, float *output);
        /* Called on entry, before each kernel, after the last and on return (an empty weak function unless the
         * program defines one). */
        void pulse_mark(void);

        #endif

        """
    }

    private func value(_ id: InstructionID, kernel: Int) throws -> [Float] {
        switch model.plan.graph.instructions[id.index].primitive {
        case .const(let tensor): return tensor.scalars
        case .param(let name):
            guard let tensor = parameters[name] else { throw FirmwareError(kernel: kernel, location: name, .missingValue) }
            return tensor.scalars
        default:
            throw FirmwareError(kernel: kernel, location: model.plan.graph.instructions[id.index].layer, .missingValue)
        }
    }

    private func pointer(_ operand: IntegerOperand) -> String { CCodeGenerator.pointer(operand) }

    private static func floats(_ values: [Float]) -> String { CCodeGenerator.array(values.map(literal)) }

    func source() throws -> String {
        var text = "/* \(CCodeGenerator.comment(title)): float32 model written by pulse. */\n#include <math.h>\n#include <string.h>\n"
        text += "#include \"pulse_model.h\"\n#include \"pulse_kernels_f32.h\"\n\n__attribute__((weak)) void pulse_mark(void) {}\n\n"
        text += "static float arena[\(model.arenaBytes)];\n"
        if model.columnValues > 0 { text += "static float column[\(model.columnValues)];\n" }
        for (index, values) in model.realConstants.enumerated() {
            text += "static const float constant_\(index)[\(values.count)] = {\n\(Self.floats(values))};\n"
        }
        var calls: [String] = []
        for (n, kernel) in model.kernels.enumerated() {
            let planned = model.plan.kernels[kernel.kernel]
            let output = "arena + \(kernel.outputOffset)"
            text += "\n/* kernel \(kernel.kernel): \(CCodeGenerator.comment(kernel.layer)) */\n"
            let mismatch = FirmwareError(kernel: kernel.kernel, location: kernel.layer, .unsupportedKernel("an integer kernel that does not match its plan kernel"))
            switch kernel.operation {
            case .convolution(let input, let c):
                guard case .convolution(let fused) = planned.operation else { throw mismatch }
                let weights = try value(fused.weight, kernel: kernel.kernel)
                let bias = try fused.bias.map { try value($0, kernel: kernel.kernel) }
                var (low, high) = ("-INFINITY", "INFINITY")
                switch fused.activation {
                case .relu: low = "0.0f"
                case .clip(let lower, let upper): (low, high) = (Self.literal(lower), Self.literal(upper))
                case nil: break
                }
                text += "static const float weights_\(n)[\(weights.count)] = {\n\(Self.floats(weights))};\n"
                if let bias { text += "static const float bias_\(n)[\(bias.count)] = {\n\(Self.floats(bias))};\n" }
                text += """
                    static const pulse_convolution_f32_params params_\(n) = {
                        .input_channels = \(c.inputChannels), .input_length = \(c.inputLength), .output_channels = \(c.outputChannels),
                        .output_length = \(c.outputLength), .groups = \(c.groups), .kernel_size = \(c.kernelSize), .stride = \(c.stride),
                        .dilation = \(c.dilation), .pad_before = \(c.padBefore), .activation_min = \(low), .activation_max = \(high),
                        .weights = weights_\(n), .bias = \(bias == nil ? "0" : "bias_\(n)"),
                    };

                    """
                calls.append("pulse_convolution_f32(&params_\(n), \(pointer(input)), \(c.residual.map { pointer($0.operand) } ?? "0"), \(output), column);")
            case .binary(let b):
                let code: String
                switch b.arithmetic {
                case .add: code = "PULSE_F32_ADD"
                case .subtract: code = "PULSE_F32_SUBTRACT"
                case .multiply: code = "PULSE_F32_MULTIPLY"
                case .divide: code = "PULSE_F32_DIVIDE"
                }
                text += "static const pulse_binary_f32_params params_\(n) = {\(code), \(CCodeGenerator.four(b.shape)), "
                    + "\(CCodeGenerator.four(b.leftStrides)), \(CCodeGenerator.four(b.rightStrides))};\n"
                calls.append("pulse_binary_f32(&params_\(n), \(pointer(b.left)), \(pointer(b.right)), \(output));")
            case .lookup(let input, let count, _):
                guard case .elementwise(let primitive) = planned.operation else { throw mismatch }
                var (code, lower, upper) = ("", "0.0f", "0.0f")
                switch primitive {
                case .relu: code = "PULSE_F32_RELU"
                case .clip(let low, let high): (code, lower, upper) = ("PULSE_F32_CLIP", Self.literal(low), Self.literal(high))
                case .abs: code = "PULSE_F32_ABS"
                case .exp: code = "PULSE_F32_EXP"
                case .log: code = "PULSE_F32_LOG"
                case .sigmoid: code = "PULSE_F32_SIGMOID"
                case .tanh: code = "PULSE_F32_TANH"
                default: throw mismatch
                }
                calls.append("pulse_unary_f32(\(code), \(lower), \(upper), \(pointer(input)), \(output), \(count));")
            case .reduction(let input, let r):
                guard case .reduction(let kind, _) = planned.operation else { throw mismatch }
                text += "static const pulse_reduction_f32_params params_\(n) = {\(Self.code(kind)), \(CCodeGenerator.four(r.shape)), "
                    + "\(CCodeGenerator.four(r.strides)), \(CCodeGenerator.four(r.reducedShape)), \(CCodeGenerator.four(r.reducedStrides))};\n"
                calls.append("pulse_reduction_f32(&params_\(n), \(pointer(input)), \(output));")
            case .pooling(let input, let p):
                guard case .pooling(let pooling) = planned.operation else { throw mismatch }
                text += "static const pulse_pooling_f32_params params_\(n) = {\(Self.code(pooling.reduction)), \(p.outer), \(p.length), "
                    + "\(p.inner), \(p.size), \(p.stride), \(p.dilation), \(p.padBefore), \(p.count)};\n"
                calls.append("pulse_pooling_f32(&params_\(n), \(pointer(input)), \(output));")
            case .contraction(let c):
                text += "static const pulse_contraction_f32_params params_\(n) = {\(CCodeGenerator.four(c.shape)), "
                    + "\(CCodeGenerator.four(c.leftStrides)), \(CCodeGenerator.four(c.rightStrides)), \(CCodeGenerator.four(c.summedShape)), "
                    + "\(CCodeGenerator.four(c.leftSummedStrides)), \(CCodeGenerator.four(c.rightSummedStrides))};\n"
                calls.append("pulse_contraction_f32(&params_\(n), \(pointer(c.left)), \(pointer(c.right)), \(output));")
            case .move(let m):
                let pieces = m.pieces.map { "{\($0.sourceLength), \($0.sourceStart), \($0.destinationStart), \($0.count)}" }
                text += "static const pulse_move_f32_params params_\(n) = {\(m.outer), \(m.length), \(m.inner), \(m.fill == nil ? 0 : 1)};\n"
                text += "static const pulse_move_f32_piece pieces_\(n)[\(m.pieces.count)] = {\(pieces.joined(separator: ", "))};\n"
                let sources = m.pieces.map { pointer($0.source) }.joined(separator: ", ")
                calls.append("{ const float *sources[] = {\(sources)}; pulse_move_f32(&params_\(n), pieces_\(n), sources, \(m.pieces.count), \(output)); }")
            }
        }
        text += "\nint pulse_model_run(const float *input, float *output) {\n    pulse_mark();\n"
        text += "    memcpy(arena + \(model.input.offset), input, \(model.input.count) * sizeof(float));\n"
        for call in calls { text += "    pulse_mark();\n    \(call)\n" }
        text += "    pulse_mark();\n    memcpy(output, arena + \(model.output.offset), \(model.output.count) * sizeof(float));\n"
        text += "    pulse_mark();\n    return 0;\n}\n"
        return text
    }

    private static func code(_ kind: Primitive.ReduceKind) -> String {
        switch kind {
        case .sum: return "PULSE_F32_SUM"
        case .mean: return "PULSE_F32_MEAN"
        case .max: return "PULSE_F32_MAX"
        }
    }
}
