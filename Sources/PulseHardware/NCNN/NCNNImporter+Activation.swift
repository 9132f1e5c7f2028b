import Foundation
import PulseGraph

extension NCNNImportSession {
    /// The activation fused into a `Convolution` or `InnerProduct`: key 9 selects it, array key 10 (`-23310`) holds
    /// its parameters. 0 none, 1 ReLU, 2 leaky ReLU (slope), 3 clip (min, max), 4 sigmoid, 5 mish, 6 hard swish
    /// (alpha, beta).
    mutating func fusedActivation(_ x: Int) throws -> Int {
        let type = try int(9, 0)
        let parameters = reals(10) ?? []
        func needs(_ count: Int, _ names: String) throws {
            guard parameters.count == count else { throw error("activation \(type) needs \(names) in -23310, has \(parameters.count) values") }
        }
        switch type {
        case 0: return x
        case 1: return try append(.relu, [x])
        case 2:
            try needs(1, "a slope")
            return try leakyReLU(x, slope: parameters[0])
        case 3:
            try needs(2, "min and max")
            return try clip(x, lower: parameters[0], upper: parameters[1])
        case 4: return try append(.sigmoid, [x])
        case 5: return try mish(x)
        case 6:
            try needs(2, "alpha and beta")
            return try hardSwish(x, alpha: parameters[0], beta: parameters[1])
        default: throw error("fused activation type \(type) is not supported")
        }
    }

    /// Leaky ReLU, `x` for `x ≥ 0` and `slope · x` below: `relu(x) − slope · relu(−x)` (a plain ReLU for slope 0).
    mutating func leakyReLU(_ x: Int, slope: Double) throws -> Int {
        let positive = try append(.relu, [x])
        guard slope != 0 else { return positive }
        let negative = try append(.relu, [try append(.mul, [x, try constant(-1)])])
        return try append(.sub, [positive, try append(.mul, [negative, try constant(slope)])])
    }

    /// `min(max(x, lower), upper)`.
    mutating func clip(_ x: Int, lower: Double, upper: Double) throws -> Int {
        guard lower <= upper else { throw error("clip minimum \(lower) is above its maximum \(upper)") }
        return try append(.clip(lower: Float(lower), upper: Float(upper)), [x])
    }

    /// Hard sigmoid, `clip(alpha · x + beta, 0, 1)`.
    mutating func hardSigmoid(_ x: Int, alpha: Double, beta: Double) throws -> Int {
        let affine = try append(.add, [try append(.mul, [x, try constant(alpha)]), try constant(beta)])
        return try append(.clip(lower: 0, upper: 1), [affine])
    }

    /// Hard swish, `x · clip(alpha · x + beta, 0, 1)`.
    mutating func hardSwish(_ x: Int, alpha: Double, beta: Double) throws -> Int {
        try append(.mul, [x, try hardSigmoid(x, alpha: alpha, beta: beta)])
    }

    /// Mish, `x · tanh(log(1 + exp(x)))`.
    mutating func mish(_ x: Int) throws -> Int {
        let softplus = try append(.log, [try append(.add, [try append(.exp, [x]), try constant(1)])])
        return try append(.mul, [x, try append(.tanh, [softplus])])
    }

    /// `shift + scale · x`, leaving out the identity parts.
    mutating func affine(_ x: Int, scale: Double, shift: Double) throws -> Int {
        var y = x
        if scale != 1 { y = try append(.mul, [y, try constant(scale)]) }
        if shift != 0 { y = try append(.add, [y, try constant(shift)]) }
        return y
    }

    /// The element-wise layers with one bottom, with ncnn's defaults: `ReLU` (0 slope = 0), `Clip` (0 min = −FLT_MAX,
    /// 1 max = FLT_MAX), `Sigmoid`, `TanH`, `AbsVal`, `Swish` (`x · sigmoid(x)`), `Mish`, `HardSigmoid` (0 alpha = 0.2,
    /// 1 beta = 0.5), `HardSwish` (0 alpha = 1/6, 1 beta = 0.5), `Exp` (`exp(shift + scale · x)`, or
    /// `base^(shift + scale · x)`; 0 base = −1 for e, 1 scale = 1, 2 shift = 0) and `Log` (`log(shift + scale · x)`,
    /// divided by `log(base)` unless base = −1). `nil` for any other type.
    mutating func elementwise(_ type: String) throws -> Int? {
        switch type {
        case "ReLU": return try leakyReLU(try bottom(), slope: float(0, 0))
        case "Clip":
            let limit = Double(Float.greatestFiniteMagnitude)
            return try clip(try bottom(), lower: float(0, -limit), upper: float(1, limit))
        case "Sigmoid": return try append(.sigmoid, [try bottom()])
        case "TanH": return try append(.tanh, [try bottom()])
        case "AbsVal": return try append(.abs, [try bottom()])
        case "Swish":
            let x = try bottom()
            return try append(.mul, [x, try append(.sigmoid, [x])])
        case "Mish": return try mish(try bottom())
        case "HardSigmoid": return try hardSigmoid(try bottom(), alpha: float(0, 0.2), beta: float(1, 0.5))
        case "HardSwish": return try hardSwish(try bottom(), alpha: float(0, 1.0 / 6), beta: float(1, 0.5))
        case "Exp":
            let exponent = try affine(try bottom(), scale: float(1, 1), shift: float(2, 0))
            return try append(.exp, [try affine(exponent, scale: try logarithm(ofBase: float(0, -1)), shift: 0)])
        case "Log":
            let argument = try affine(try bottom(), scale: float(1, 1), shift: float(2, 0))
            return try affine(try append(.log, [argument]), scale: 1 / (try logarithm(ofBase: float(0, -1))), shift: 0)
        default: return nil
        }
    }

    /// The natural logarithm of an `Exp` or `Log` layer's base: 1 for base −1 (meaning e).
    func logarithm(ofBase base: Double) throws -> Double {
        if base == -1 { return 1 }
        guard base > 0, base != 1 else { throw error("base \(base) must be positive and not 1 (or −1 for e)") }
        return Foundation.log(base)
    }
}
