/// The integer kernels of `IntegerExecutor`, one per kernel kind, with the same integer arithmetic as
/// `pulse_kernels.c` (which sums in another order where SMLAD pairs values: wrapping sums agree in any order).
enum IntegerKernels {
    static func saturate(_ value: Int32) -> Int8 { Int8(max(-128, min(127, value))) }

    static func convolution(_ c: IntegerConvolution, _ x: UnsafePointer<Int8>, _ residual: UnsafePointer<Int8>?,
                            _ y: UnsafeMutablePointer<Int8>) {
        let perGroupOut = c.outputChannels / c.groups
        let perGroupIn = c.channelsPerGroup
        c.weights.withUnsafeBufferPointer { weights in
            for o in 0..<c.outputChannels {
                let firstInput = (o / perGroupOut) * perGroupIn
                let row = weights.baseAddress! + o * perGroupIn * c.kernelSize
                for t in 0..<c.outputLength {
                    var accumulator = c.bias[o]
                    let start = t * c.stride - c.padBefore
                    for i in 0..<perGroupIn {
                        let channel = x + (firstInput + i) * c.inputLength
                        let taps = row + i * c.kernelSize
                        for k in 0..<c.kernelSize {
                            let position = start + k * c.dilation
                            if position >= 0 && position < c.inputLength {
                                accumulator &+= Int32(taps[k]) &* (Int32(channel[position]) &- c.inputZeroPoint)
                            }
                        }
                    }
                    var value = c.multipliers[o].apply(accumulator)
                    if let residual, let r = c.residual {
                        value &+= r.multiplier.apply(Int32(residual[o * c.outputLength + t]) &- r.zeroPoint)
                    }
                    y[o * c.outputLength + t] = Int8(max(c.activationMin, min(c.activationMax, value &+ c.outputZeroPoint)))
                }
            }
        }
    }

    static func binary(_ b: IntegerBinary, _ left: UnsafePointer<Int8>, _ right: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>) {
        var position = 0
        for i0 in 0..<b.shape[0] {
            for i1 in 0..<b.shape[1] {
                for i2 in 0..<b.shape[2] {
                    for i3 in 0..<b.shape[3] {
                        let l = i0 * b.leftStrides[0] + i1 * b.leftStrides[1] + i2 * b.leftStrides[2] + i3 * b.leftStrides[3]
                        let r = i0 * b.rightStrides[0] + i1 * b.rightStrides[1] + i2 * b.rightStrides[2] + i3 * b.rightStrides[3]
                        y[position] = arithmetic(b, Int32(left[l]) &- b.leftZeroPoint, Int32(right[r]) &- b.rightZeroPoint)
                        position += 1
                    }
                }
            }
        }
    }

    static func arithmetic(_ b: IntegerBinary, _ a: Int32, _ c: Int32) -> Int8 {
        let value: Int32
        switch b.arithmetic {
        case .add(let left, let right, let output):
            value = output.apply(left.apply(a &<< IntegerBinary.additionShift) &+ right.apply(c &<< IntegerBinary.additionShift))
        case .subtract(let left, let right, let output):
            value = output.apply(left.apply(a &<< IntegerBinary.additionShift) &- right.apply(c &<< IntegerBinary.additionShift))
        case .multiply(let multiplier):
            value = multiplier.apply(a &* c)
        case .divide(let multiplier):
            if c == 0 { return a == 0 ? saturate(b.outputZeroPoint) : (a > 0 ? 127 : -128) }
            value = multiplier.apply((a &<< IntegerBinary.quotientBits) / c)
        }
        return saturate(value &+ b.outputZeroPoint)
    }

    static func reduction(_ r: IntegerReduction, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>) {
        var position = 0
        for i0 in 0..<r.shape[0] {
            for i1 in 0..<r.shape[1] {
                for i2 in 0..<r.shape[2] {
                    for i3 in 0..<r.shape[3] {
                        let base = i0 * r.strides[0] + i1 * r.strides[1] + i2 * r.strides[2] + i3 * r.strides[3]
                        var maximum: Int32 = -128
                        var sum: Int32 = 0
                        for j0 in 0..<r.reducedShape[0] {
                            for j1 in 0..<r.reducedShape[1] {
                                for j2 in 0..<r.reducedShape[2] {
                                    for j3 in 0..<r.reducedShape[3] {
                                        let value = Int32(x[base + j0 * r.reducedStrides[0] + j1 * r.reducedStrides[1]
                                                            + j2 * r.reducedStrides[2] + j3 * r.reducedStrides[3]])
                                        maximum = max(maximum, value)
                                        sum &+= value &- r.inputZeroPoint
                                    }
                                }
                            }
                        }
                        y[position] = r.maximum ? Int8(maximum) : saturate(r.multiplier.apply(sum) &+ r.outputZeroPoint)
                        position += 1
                    }
                }
            }
        }
    }

    static func pooling(_ p: IntegerPooling, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>) {
        for outer in 0..<p.outer {
            for t in 0..<p.count {
                for inner in 0..<p.inner {
                    var maximum: Int32 = -128
                    var sum: Int32 = 0
                    for k in 0..<p.size {
                        let position = t * p.stride + k * p.dilation - p.padBefore
                        let value = position >= 0 && position < p.length
                            ? Int32(x[(outer * p.length + position) * p.inner + inner]) : p.inputZeroPoint
                        maximum = max(maximum, value)
                        sum &+= value &- p.inputZeroPoint
                    }
                    y[(outer * p.count + t) * p.inner + inner] = p.maximum
                        ? Int8(maximum) : saturate(p.multiplier.apply(sum) &+ p.outputZeroPoint)
                }
            }
        }
    }

    static func contraction(_ c: IntegerContraction, _ left: UnsafePointer<Int8>, _ right: UnsafePointer<Int8>,
                            _ y: UnsafeMutablePointer<Int8>) {
        var position = 0
        for i0 in 0..<c.shape[0] {
            for i1 in 0..<c.shape[1] {
                for i2 in 0..<c.shape[2] {
                    for i3 in 0..<c.shape[3] {
                        let l = i0 * c.leftStrides[0] + i1 * c.leftStrides[1] + i2 * c.leftStrides[2] + i3 * c.leftStrides[3]
                        let r = i0 * c.rightStrides[0] + i1 * c.rightStrides[1] + i2 * c.rightStrides[2] + i3 * c.rightStrides[3]
                        var sum: Int32 = 0
                        for j0 in 0..<c.summedShape[0] {
                            for j1 in 0..<c.summedShape[1] {
                                for j2 in 0..<c.summedShape[2] {
                                    for j3 in 0..<c.summedShape[3] {
                                        let a = l + j0 * c.leftSummedStrides[0] + j1 * c.leftSummedStrides[1]
                                            + j2 * c.leftSummedStrides[2] + j3 * c.leftSummedStrides[3]
                                        let b = r + j0 * c.rightSummedStrides[0] + j1 * c.rightSummedStrides[1]
                                            + j2 * c.rightSummedStrides[2] + j3 * c.rightSummedStrides[3]
                                        sum &+= (Int32(left[a]) &- c.leftZeroPoint) &* (Int32(right[b]) &- c.rightZeroPoint)
                                    }
                                }
                            }
                        }
                        y[position] = saturate(c.multiplier.apply(sum) &+ c.outputZeroPoint)
                        position += 1
                    }
                }
            }
        }
    }

    static func move(_ m: IntegerMove, _ sources: [UnsafePointer<Int8>], _ y: UnsafeMutablePointer<Int8>) {
        if let fill = m.fill {
            for index in 0..<(m.outer * m.length * m.inner) { y[index] = fill }
        }
        for (piece, source) in zip(m.pieces, sources) {
            for outer in 0..<m.outer {
                for t in 0..<piece.count {
                    let from = source + (outer * piece.sourceLength + piece.sourceStart + t) * m.inner
                    let to = y + (outer * m.length + piece.destinationStart + t) * m.inner
                    for inner in 0..<m.inner {
                        if let q = piece.requantisation {
                            to[inner] = saturate(q.multiplier.apply(Int32(from[inner]) &- q.inputZeroPoint) &+ q.outputZeroPoint)
                        } else {
                            to[inner] = from[inner]
                        }
                    }
                }
            }
        }
    }
}
