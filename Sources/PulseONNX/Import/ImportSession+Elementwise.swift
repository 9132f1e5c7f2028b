import Foundation
import PulseGraph

extension ImportSession {
    /// `Add`, `Sub`, `Mul`, `Div` with ONNX's broadcasting.
    mutating func importArithmetic(_ node: ONNXNode) throws {
        try node.checkAttributes([])
        let primitive: Primitive
        switch node.opType {
        case "Add": primitive = .add
        case "Sub": primitive = .sub
        case "Mul": primitive = .mul
        default: primitive = .div
        }
        try setOutput(node, try arithmetic(primitive, try input(node, 0), try input(node, 1), node: node))
    }

    /// `a ∘ b` for arithmetic `primitive`, broadcast as ONNX does: aligned on the last axis. Constants are folded; an
    /// activation with a constant keeps its inserted unit axes when the constant is 1 along them.
    /// - Throws: `ONNXError` when the broadcast would line the batch axis up with another axis (two activations of
    ///   different ranks, a constant with more axes than the activation or a leading axis other than 1 in the
    ///   batch axis's place).
    mutating func arithmetic(_ primitive: Primitive, _ a: ImportedValue, _ b: ImportedValue, node: ONNXNode) throws -> ImportedValue {
        switch (a, b) {
        case (.constant(let x), .constant(let y)):
            return .constant(try Self.fold(primitive, x, y, location: node.location))
        case (.activation(let x), .activation(let y)):
            let (xShape, yShape) = (onnxShape(x), onnxShape(y))
            guard xShape.count == yShape.count else {
                throw node.error("activations of ranks \(xShape.count + 1) and \(yShape.count + 1) broadcast the batch axis of one against "
                    + "another axis of the other; pulse needs activations of one rank")
            }
            if x.unitAxes == y.unitAxes {
                return .activation(ImportedActivation(try append(primitive, [x.index, y.index], node: node), unitAxes: x.unitAxes))
            }
            let operands = [try plain(x, node: node), try plain(y, node: node)]
            return .activation(ImportedActivation(try append(primitive, operands, node: node)))
        case (.activation(let x), .constant(let c)):
            return .activation(try arithmetic(primitive, x, c, activationFirst: true, node: node))
        case (.constant(let c), .activation(let x)):
            return .activation(try arithmetic(primitive, x, c, activationFirst: false, node: node))
        }
    }

    private mutating func arithmetic(_ primitive: Primitive, _ x: ImportedActivation, _ c: ONNXConstant, activationFirst: Bool,
                                     node: ONNXNode) throws -> ImportedActivation {
        let xShape = onnxShape(x)
        var constantShape = c.shape
        if constantShape.count == xShape.count + 1 {
            guard constantShape[0] == 1 else {
                throw node.error("a constant of shape \(c.shape) broadcasts its leading axis of \(constantShape[0]) against the batch axis")
            }
            constantShape.removeFirst()
        }
        guard constantShape.count <= xShape.count else {
            throw node.error("a constant of shape \(c.shape) has more axes than the activation [N] + \(xShape)")
        }
        let padded = [Int](repeating: 1, count: xShape.count - constantShape.count) + constantShape
        func combine(_ activation: Int, _ constant: Int) throws -> Int {
            try append(primitive, activationFirst ? [activation, constant] : [constant, activation], node: node)
        }
        let base = node.layer + ".constant"
        if x.unitAxes.allSatisfy({ padded[$0 - 1] == 1 }) {
            let kept = padded.enumerated().filter { !x.unitAxes.contains($0.offset + 1) }.map(\.element)
            let trimmed = Array(kept.drop { $0 == 1 })
            let operand = try constantOperand(c, shape: trimmed, base: base, node: node)
            return ImportedActivation(try combine(x.index, operand), unitAxes: x.unitAxes)
        }
        let operand = try constantOperand(c, shape: constantShape, base: base, node: node)
        return ImportedActivation(try combine(try plain(x, node: node), operand))
    }

    /// Arithmetic on two constants.
    static func fold(_ primitive: Primitive, _ a: ONNXConstant, _ b: ONNXConstant, location: String) throws -> ONNXConstant {
        switch primitive {
        case .add: return try ONNXConstant.broadcast(a, b, location: location, floats: +) { $0.addingReportingOverflow($1).overflow ? nil : $0 + $1 }
        case .sub: return try ONNXConstant.broadcast(a, b, location: location, floats: -) { $0.subtractingReportingOverflow($1).overflow ? nil : $0 - $1 }
        case .mul: return try ONNXConstant.broadcast(a, b, location: location, floats: *) { $0.multipliedReportingOverflow(by: $1).overflow ? nil : $0 * $1 }
        default: return try ONNXConstant.broadcast(a, b, location: location, floats: /) { $1 == 0 || ($0 == .min && $1 == -1) ? nil : $0 / $1 }
        }
    }

    /// `Relu`, `Sigmoid`, `Tanh`, `Exp`, `Log`, `Abs`.
    mutating func importUnary(_ node: ONNXNode) throws {
        try node.checkAttributes([])
        let primitive: Primitive
        let function: (Float) -> Float
        switch node.opType {
        case "Relu": (primitive, function) = (.relu, { max($0, 0) })
        case "Sigmoid": (primitive, function) = (.sigmoid, { 1 / (1 + Foundation.exp(-$0)) })
        case "Tanh": (primitive, function) = (.tanh, { Foundation.tanh($0) })
        case "Exp": (primitive, function) = (.exp, { Foundation.exp($0) })
        case "Log": (primitive, function) = (.log, { Foundation.log($0) })
        default: (primitive, function) = (.abs, { Swift.abs($0) })
        }
        try setOutput(node, try unary(primitive, function, try input(node, 0), node: node))
    }

    /// `primitive` on an activation (keeping its inserted axes), `function` folded on a constant.
    private mutating func unary(_ primitive: Primitive, _ function: (Float) -> Float, _ value: ImportedValue, node: ONNXNode) throws -> ImportedValue {
        switch value {
        case .constant(let constant):
            return .constant(constant.mapped(function))
        case .activation(let x):
            return .activation(ImportedActivation(try append(primitive, [x.index], node: node), unitAxes: x.unitAxes))
        }
    }

    /// `Clip` with its bounds as inputs (opset 11 and later; each optional, a scalar constant).
    mutating func importClip(_ node: ONNXNode) throws {
        try node.checkAttributes([])
        func bound(_ position: Int, _ role: String, _ otherwise: Float) throws -> Float {
            guard let constant = try constantInput(node, position, role) else { return otherwise }
            guard constant.count == 1, constant.floats[0].isFinite else {
                throw node.error("\(role) must be one finite value, got \(constant.count) values of shape \(constant.shape)")
            }
            return constant.floats[0]
        }
        let lower = try bound(1, "min", -Float.greatestFiniteMagnitude)
        let upper = try bound(2, "max", Float.greatestFiniteMagnitude)
        guard lower <= upper else { throw node.error("min \(lower) is above max \(upper)") }
        try setOutput(node, try unary(.clip(lower: lower, upper: upper), { min(max($0, lower), upper) }, try input(node, 0), node: node))
    }

    /// `Softmax`, numerically stable: `exp(x − max) / Σ exp(x − max)` over the axis (opset 13 and later) or over every
    /// axis from it on (earlier opsets, which flatten them).
    mutating func importSoftmax(_ node: ONNXNode) throws {
        try node.checkAttributes(["axis"])
        let x = try activationInput(node, 0)
        let source = try plain(x, node: node)
        let rank = shape(source).count + 1
        var axis = try node.int("axis", default: opset >= 13 ? -1 : 1)
        if axis < 0 { axis += rank }
        guard axis >= 1, axis < rank else { throw node.error("axis \(axis) must be one of the axes after the batch axis (1...\(rank - 1))") }
        let axes = opset >= 13 ? [axis - 1] : Array((axis - 1)..<(rank - 1))
        var kept = shape(source)
        for reduced in axes { kept[reduced] = 1 }
        let peak = try append(.reshape(shape: kept), [try append(.reduce(kind: .max, axes: axes), [source], node: node)], node: node)
        let exponentials = try append(.exp, [try append(.sub, [source, peak], node: node)], node: node)
        let total = try append(.reshape(shape: kept), [try append(.reduce(kind: .sum, axes: axes), [exponentials], node: node)], node: node)
        try setOutput(node, .activation(ImportedActivation(try append(.div, [exponentials, total], node: node))))
    }
}
