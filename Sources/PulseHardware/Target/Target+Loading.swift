import Foundation

extension Target {
    /// The names of the targets shipped with pulse, which `named(_:)` loads.
    public static let shippedNames = ["mcu", "stm32l4r5", "rpi3", "redmi7s", "rpi3-pulse-c", "redmi7s-pulse-c", "host"]

    /// The shipped target called `name`.
    /// - Throws: `TargetError` when no shipped target has that name or its file is unreadable.
    public static func named(_ name: String) throws -> Target {
        guard shippedNames.contains(name),
              let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Targets") else {
            throw TargetError(target: name, "unknown target (shipped: \(shippedNames.joined(separator: ", ")); --target-file FILE reads your own)")
        }
        return try load(contentsOf: url)
    }

    /// The target described by the JSON file at `url`.
    /// - Throws: `TargetError` naming the file and the field when the file cannot be read, a field is missing or
    ///   has the wrong type, or a constant is not positive and finite.
    public static func load(contentsOf url: URL) throws -> Target {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TargetError(target: url.path, "cannot be read: \(error.localizedDescription)")
        }
        return try decode(data, origin: url.path)
    }

    /// The target described by JSON `data`; `origin` names it in errors.
    /// - Throws: `TargetError` as `load(contentsOf:)` does.
    public static func decode(_ data: Data, origin: String) throws -> Target {
        let target: Target
        do {
            target = try JSONDecoder().decode(Target.self, from: data)
        } catch let error as DecodingError {
            throw TargetError(decoding: error, origin: origin)
        } catch {
            throw TargetError(target: origin, "is not valid JSON: \(error.localizedDescription)")
        }
        try target.validate(origin: origin)
        return target
    }

    /// The target as pretty-printed JSON with sorted keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Checks every constant: finite, positive (fitted terms and an mcu model's per-count cycles may be zero), with a
    /// source; whole counts of cores and
    /// threads, no more threads than cores; a fitted model with terms for every kernel class.
    /// - Throws: `TargetError` naming `origin` and the field.
    public func validate(origin: String) throws {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let tree = try JSONSerialization.jsonObject(with: encoder.encode(self))
        try Self.checkConstants(in: tree, path: [], origin: origin, zeroable: zeroableTerms)
        for (field, value) in [("cores", cores.value), ("threads", threads.value)] where value.rounded() != value {
            throw TargetError(target: origin, field: field + ".value", "\(value) is not a whole number")
        }
        if threads.value > cores.value {
            throw TargetError(target: origin, field: "threads.value", "\(Int(threads.value)) threads on \(Int(cores.value)) cores")
        }
        if case .fitted(let coefficients) = costModel {
            for kernelClass in FittedCostModel.KernelClass.allCases where coefficients.classes[kernelClass.rawValue] == nil {
                throw TargetError(target: origin, field: "cost_model.coefficients.classes.\(kernelClass.rawValue)", "is missing")
            }
        }
    }

    /// The mcu model's terms a fit may set to zero: flash wait states an emulator cannot see, and the terms that
    /// describe pulse's own kernels (the non-negative fit sets a term to zero where the others cover its cost).
    static let zeroableMCUTerms: Set<String> = ["flash_cycles_per_weight_byte", "cycles_per_rescale", "cycles_per_im2col_row",
                                                 "cycles_per_transcendental", "cycles_per_division", "cycles_per_element_output",
                                                 "cycles_per_reduced_element", "cycles_per_pooled_element", "cycles_per_unary_output",
                                                 "cycles_per_moved_value", "cycles_per_moved_row"]

    /// The per-count terms of a generated-C model, any of which a fit to llvm-mca cycles may find to cost nothing
    /// beside the others (the stall factor excepted).
    static let zeroableGeneratedCTerms: Set<String> = Set(MCUCoefficients.CodingKeys.allCases.map(\.rawValue)).subtracting(["stall_factor"])

    /// The terms of this target's cost model that may be zero.
    var zeroableTerms: Set<String> {
        if case .generatedC = costModel { return Self.zeroableGeneratedCTerms }
        return Self.zeroableMCUTerms
    }

    private static func checkConstants(in node: Any, path: [String], origin: String, zeroable: Set<String>) throws {
        guard let object = node as? [String: Any] else { return }
        if object.keys.contains("value"), object.keys.contains("source") {
            let field = path.joined(separator: ".")
            guard let value = (object["value"] as? NSNumber)?.doubleValue, let source = object["source"] as? String else {
                throw TargetError(target: origin, field: field + ".value", "\(object["value"] ?? "nothing") must be a positive finite number")
            }
            let mayBeZero = path.contains("classes") || (path.contains("coefficients") && path.last.map(zeroable.contains) == true)
            guard value.isFinite, value > 0 || (mayBeZero && value == 0) else {
                throw TargetError(target: origin, field: field + ".value", "\(value) must be \(mayBeZero ? "non-negative" : "positive") and finite")
            }
            guard !source.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw TargetError(target: origin, field: field + ".source", "every constant needs its source")
            }
            return
        }
        for (key, child) in object.sorted(by: { $0.key < $1.key }) {
            try checkConstants(in: child, path: path + [key], origin: origin, zeroable: zeroable)
        }
    }
}

extension TargetError {
    /// The error for a JSON decoding failure, naming the field's path.
    init(decoding error: DecodingError, origin: String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(target: origin, field: path(context.codingPath + [key]), "is missing")
        case .valueNotFound(_, let context):
            self.init(target: origin, field: path(context.codingPath), "is null")
        case .typeMismatch(let type, let context):
            self.init(target: origin, field: path(context.codingPath), "is not a \(type)")
        case .dataCorrupted(let context):
            self.init(target: origin, field: context.codingPath.isEmpty ? nil : path(context.codingPath), context.debugDescription)
        @unknown default:
            self.init(target: origin, "\(error)")
        }
    }
}
