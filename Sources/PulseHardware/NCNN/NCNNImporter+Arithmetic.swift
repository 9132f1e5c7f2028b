import PulseGraph

extension NCNNImportSession {
    /// `Eltwise` over two or more bottoms of one shape, by 0 op_type (default 0): 0 product; 1 sum, weighted by the
    /// coefficients of array 1 when given (`Σ cᵢ xᵢ`); 2 maximum, `max(a, b) = a + relu(b − a)`.
    mutating func eltwise() throws {
        let values = try bottoms()
        guard values.count >= 2 else { throw error("needs two or more bottoms, has \(values.count)") }
        let operation = try int(0, 0)
        let coefficients = reals(1).flatMap { $0.isEmpty ? nil : $0 }
        if operation == 1, let coefficients, coefficients.count != values.count {
            throw error("has \(values.count) bottoms but \(coefficients.count) coefficients")
        }
        func term(_ position: Int) throws -> Int {
            guard operation == 1, let coefficients, coefficients[position] != 1 else { return values[position] }
            return try append(.mul, [values[position], try constant(coefficients[position])])
        }
        var result = try term(0)
        for position in values.indices.dropFirst() {
            switch operation {
            case 0: result = try append(.mul, [result, values[position]])
            case 1: result = try append(.add, [result, try term(position)])
            case 2: result = try maximum(result, values[position])
            default: throw error("op_type \(operation) is not supported (0 product, 1 sum, 2 maximum)")
            }
        }
        try setTop(result)
    }

    /// `max(a, b) = a + relu(b − a)`.
    mutating func maximum(_ a: Int, _ b: Int) throws -> Int {
        try append(.add, [a, try append(.relu, [try append(.sub, [b, a])])])
    }

    /// `BinaryOp` of two bottoms `a`, `b` (or `a` and the scalar 2 `b` when 1 with_scalar = 1), by 0 op_type: 0 a + b,
    /// 1 a − b, 2 a · b, 3 a / b, 4 max(a, b) = a + relu(b − a), 5 min(a, b) = a − relu(a − b), 6 aᵇ = exp(b · log a)
    /// (for positive a), 7 b − a, 8 b / a. Broadcasting is ncnn's: a blob of fewer axes lines up with the other's
    /// leading ones (`[c]` against `[c, h, w]` is per channel), then NumPy's rule.
    mutating func binaryOp() throws {
        var a = try bottom()
        var b = try int(1, 0) != 0 ? try constant(float(2, 0)) : try bottom(1)
        let rank = max(shape(a).count, shape(b).count)
        a = try leading(a, rank: rank)
        b = try leading(b, rank: rank)
        let result: Int
        switch try int(0, 0) {
        case 0: result = try append(.add, [a, b])
        case 1: result = try append(.sub, [a, b])
        case 2: result = try append(.mul, [a, b])
        case 3: result = try append(.div, [a, b])
        case 4: result = try maximum(a, b)
        case 5: result = try append(.sub, [a, try append(.relu, [try append(.sub, [a, b])])])
        case 6: result = try append(.exp, [try append(.mul, [b, try append(.log, [a])])])
        case 7: result = try append(.sub, [b, a])
        case 8: result = try append(.div, [b, a])
        case let other: throw error("op_type \(other) is not supported (0 to 8: add, sub, mul, div, max, min, pow, rsub, rdiv)")
        }
        try setTop(result)
    }

    /// `value` with trailing axes of 1 up to `rank` axes, so that its axes line up with the leading ones of a blob of
    /// `rank` axes (a single value is left as it is: it broadcasts anyway).
    mutating func leading(_ value: Int, rank: Int) throws -> Int {
        let dims = shape(value)
        guard dims.count < rank, dims.reduce(1, *) > 1 else { return value }
        return try append(.reshape(shape: dims + Array(repeating: 1, count: rank - dims.count)), [value])
    }

    /// `Dropout` at inference: `x · scale` (0 scale, default 1: the identity, no instruction).
    mutating func dropout() throws {
        try setTop(try affine(try bottom(), scale: float(0, 1), shift: 0))
    }
}
