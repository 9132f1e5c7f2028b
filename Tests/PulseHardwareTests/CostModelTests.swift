import Testing
import PulseGraph
@testable import PulseHardware

@Suite struct CostModelTests {
    /// A graph of one 1-D convolution over `[channels, length]`.
    static func convolution(_ channels: Int, _ outputs: Int, kernel: Int, length: Int = 32) throws -> KernelPlan {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [channels, length], layer: "input")
        graph.outputs = [try Conv1d("conv", inputChannels: channels, outputChannels: outputs, kernelSize: kernel)(x, in: &graph)]
        return KernelPlan(graph: graph)
    }

    static func mcuCoefficients(_ target: Target) throws -> MCUCoefficients {
        guard case .mcu(let coefficients) = target.costModel else { throw TargetError(target: target.name, "not an mcu model") }
        return coefficients
    }

    @Test func theMCUConvolutionFollowsCMSISNNsLoops() throws {
        let target = try Target.named("stm32l4r5")
        let c = try Self.mcuCoefficients(target)
        let plan = try Self.convolution(8, 16, kernel: 3)
        let kernel = try #require(plan.kernels.first { $0.kind == .convolution })
        let macs = 16.0 * 8 * 3 * 32
        let expected = c.cyclesPerKernel.value + macs * c.cyclesPerAlignedMAC.value + 32 * 24 * c.cyclesPerIm2colValue.value
            + 16 * 32 * c.cyclesPerOutput.value + macs / 2 * c.flashCyclesPerWeightByte.value
        let counted = expected * c.stallFactor.value
        let cost = target.model.cost(of: kernel, in: plan, batch: 1, threads: 1)
        #expect(abs(cost.cycles - counted) < 1e-6)
        #expect(abs(cost.seconds - counted / 120e6) < 1e-12)
    }

    /// The mcu target describes pulse's own int8 kernels: every convolution copies its input into an im2col column,
    /// paying per value and per channel row, and a residual is rescaled before it is added.
    @Test func theMCUTargetCountsPulsesOwnKernels() throws {
        let target = try Target.named("mcu")
        let c = try Self.mcuCoefficients(target)
        #expect(c.pointwiseUsesIm2col == true)
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [8, 32], layer: "input")
        let y = try Conv1d("conv", inputChannels: 8, outputChannels: 8, kernelSize: 1)(x, in: &graph)
        graph.outputs = [try graph.append(.add, [x, y], layer: "residual")]
        let plan = KernelPlan(graph: graph)
        let kernel = try #require(plan.kernels.first { $0.kind == .pointwise })
        let macs = 8.0 * 8 * 32
        let rows = try #require(c.cyclesPerIm2colRow).value
        let rescale = try #require(c.cyclesPerRescale).value
        let expected = c.cyclesPerKernel.value + macs * c.cyclesPerAlignedMAC.value + 32 * 8 * (c.cyclesPerIm2colValue.value + rows)
            + 8 * 32 * (c.cyclesPerOutput.value + rescale) + macs / 2 * c.flashCyclesPerWeightByte.value
        #expect(abs(target.model.cost(of: kernel, in: plan, batch: 1, threads: 1).cycles - expected * c.stallFactor.value) < 1e-6)
    }

    /// A generated-C model counts pulse's float32 kernels, each count at its own (made-up) coefficient: a division and
    /// an exponential pay their own terms, a reduction reads at its own rate, a move per value written, and the
    /// im2col column holds float32.
    @Test func theGeneratedCModelCountsPulsesFloatKernels() throws {
        var target = try Target.named("rpi3-pulse-c")
        guard case .generatedC = target.costModel else { Issue.record("rpi3-pulse-c is not a generated-C target"); return }
        let c = (0..<MCUCostModel.Counts().values.count).map { Double(1 << $0) }
        target.costModel = .generatedC(MCUCoefficients(perCount: c.map { SourcedValue($0, source: "test") },
                                                       stallFactor: SourcedValue(1, source: "test"), pointwiseUsesIm2col: true))
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 64], layer: "input")
        let exponential = try graph.append(.exp, [x], layer: "exp")
        let quotient = try graph.append(.div, [x, exponential], layer: "div")
        let peak = try graph.append(.reduce(kind: .max, axes: [1]), [quotient], layer: "peak")
        let padded = try graph.append(.pad(axis: 1, before: 2, after: 2), [quotient], layer: "pad")
        let sum = try graph.append(.add, [padded, padded], layer: "add")
        graph.outputs = [try Conv1d("conv", inputChannels: 4, outputChannels: 8, kernelSize: 5)(sum, in: &graph), peak]
        let plan = KernelPlan(graph: graph)
        func cycles(_ layer: String) throws -> Double {
            let kernel = try #require(plan.kernels.first { $0.layer == layer })
            return target.model.cost(of: kernel, in: plan, batch: 1, threads: 1).cycles
        }
        // Columns: 6 element, 7 kernel call, 10 rescale, 12 transcendental, 13 division, 14 element-wise output,
        // 15 reduced element, 17 unary output, 18 moved value, 19 moved row.
        #expect(try cycles("exp") == c[7] + 256 * (c[17] + c[6] + c[12]))
        #expect(try cycles("div") == c[7] + 256 * (c[14] + 2 * c[6] + c[10] + c[13]))
        #expect(try cycles("add") == c[7] + 272 * (c[14] + 2 * c[6] + 2 * c[10]))
        #expect(try cycles("peak") == c[7] + 4 * c[14] + 256 * c[15])
        #expect(try cycles("pad") == c[7] + 272 * c[18] + 4 * 68 * c[19], "a pad along the last axis pays a row per value")
        let convolution = try #require(plan.kernels.first { $0.layer == "conv" })
        #expect(target.model.scratchBytes(of: convolution) == 4 * 4 * 5, "one float32 column of a filter row")
    }

    /// The terms a generated-C fit added are absent from the CMSIS-NN target, whose predictions they leave alone:
    /// reductions and pooling read at the element rate, their outputs cost a requantised output.
    @Test func absentTermsFallBackToTheOnesTheyRefine() throws {
        let c = try Self.mcuCoefficients(try Target.named("stm32l4r5"))
        #expect(c.cyclesPerElementOutput == nil && c.cyclesPerReducedElement == nil && c.cyclesPerPooledElement == nil && c.cyclesPerUnaryOutput == nil)
        let values = c.perCount
        #expect(values[14] == c.cyclesPerOutput.value && values[15] == c.cyclesPerElement.value && values[16] == c.cyclesPerElement.value)
        #expect(values[17] == c.cyclesPerOutput.value && values[18] == c.cyclesPerElement.value)
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 64], layer: "input")
        let peak = try graph.append(.reduce(kind: .max, axes: [1]), [try graph.append(.sigmoid, [x], layer: "sigmoid")], layer: "peak")
        graph.outputs = [try graph.append(.pad(axis: 0, before: 1, after: 1), [peak], layer: "pad")]
        let plan = KernelPlan(graph: graph)
        let target = try Target.named("stm32l4r5")
        func cycles(_ layer: String) throws -> Double {
            target.model.cost(of: try #require(plan.kernels.first { $0.layer == layer }), in: plan, batch: 1, threads: 1).cycles
        }
        let stall = c.stallFactor.value
        // As before the split: every value read at the element rate, every output requantised.
        #expect(abs(try cycles("sigmoid") - stall * (c.cyclesPerKernel.value + 256 * (c.cyclesPerOutput.value + c.cyclesPerElement.value))) < 1e-6)
        #expect(abs(try cycles("peak") - stall * (c.cyclesPerKernel.value + 4 * c.cyclesPerOutput.value + 256 * c.cyclesPerElement.value)) < 1e-6)
        #expect(abs(try cycles("pad") - stall * (c.cyclesPerKernel.value + 6 * c.cyclesPerElement.value)) < 1e-6)
        #expect(values[12] == 0 && values[13] == 0)
    }

    @Test func channelCountsDivisibleByFourAreCheaperPerMAC() throws {
        let target = try Target.named("stm32l4r5")
        func cyclesPerMAC(_ channels: Int, kernel: Int) throws -> Double {
            let plan = try Self.convolution(channels, 16, kernel: kernel)
            let convolution = try #require(plan.kernels.first { $0.kind == .convolution || $0.kind == .pointwise })
            return target.model.cost(of: convolution, in: plan, batch: 1, threads: 1).cycles / Double(plan.multiplyAccumulates(of: convolution))
        }
        #expect(try cyclesPerMAC(8, kernel: 1) < cyclesPerMAC(6, kernel: 1))
        #expect(try cyclesPerMAC(8, kernel: 1) < cyclesPerMAC(9, kernel: 1))
        #expect(try cyclesPerMAC(4, kernel: 3) < cyclesPerMAC(5, kernel: 3))
    }

    @Test func aKernelLargerThanTheCacheIsBoundByMemory() throws {
        let target = try Target.named("rpi3")
        guard case .roofline(let c) = target.costModel else { Issue.record("rpi3 is not a roofline target"); return }
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4096], layer: "input")
        graph.outputs = [try Dense("fc", inputs: 4096, outputs: 4096)(x, in: &graph)]
        let plan = KernelPlan(graph: graph)
        let kernel = try #require(plan.kernels.first { $0.kind == .pointwise })
        let bytes = Double(4 * (4096 + 4096 + 4096 * 4096 + 4096))
        let expected = bytes / c.memoryBytesPerSecond.value + c.cyclesPerKernel.value / target.clockHz.value
        #expect(abs(target.model.cost(of: kernel, in: plan, batch: 1, threads: 1).seconds / expected - 1) < 1e-9)
        #expect(RooflineCostModel.kernelClass(kernel) == .dense)
    }

    @Test func threadsDivideComputeButNotMemoryTime() throws {
        let target = try Target.named("rpi3")
        let plan = try Self.convolution(32, 32, kernel: 5, length: 256)
        let kernel = try #require(plan.kernels.first { $0.kind == .convolution })
        let one = target.model.cost(of: kernel, in: plan, batch: 1, threads: 1).seconds
        let four = target.model.cost(of: kernel, in: plan, batch: 1, threads: 4).seconds
        #expect(four < one / 2 && four > one / 4)
    }

    @Test func foldedKernelsAndReshapesCostNothing() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 8], layer: "input")
        let constant = try graph.append(.const(Tensor(shape: [4, 8], repeating: 2)), layer: "c")
        let folded = try graph.append(.exp, [constant], layer: "c")
        let sum = try graph.append(.add, [x, folded], layer: "sum")
        graph.outputs = [try graph.append(.reshape(shape: [32]), [sum], layer: "flatten")]
        let plan = KernelPlan(graph: graph)
        for name in Target.shippedNames where name != "host" {
            let model = try Target.named(name).model
            for kernel in plan.kernels where !kernel.dependsOnInput || kernel.kind == .dataMove {
                #expect(model.cost(of: kernel, in: plan, batch: 1, threads: 1) == .zero)
            }
        }
    }

    /// The host model's quantities against hand counts of what each implementation does.
    @Test func hostQuantitiesCountWhatTheKernelsDo() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 10], layer: "input")
        // Winograd F(4, 5), dilation 2: phases of 5 outputs each take 2 tiles; 4 input channels are padded to 8.
        let winograd = try Conv1d("winograd", inputChannels: 4, outputChannels: 32, kernelSize: 5, dilation: 2)(x, in: &graph)
        let grouped = try Conv1d("grouped", inputChannels: 32, outputChannels: 32, kernelSize: 3, groups: 4)(winograd, in: &graph)
        let flat = try graph.append(.reshape(shape: [320]), [grouped], layer: "flatten")
        graph.outputs = [try Dense("dense", inputs: 320, outputs: 7)(flat, in: &graph)]
        let plan = KernelPlan(graph: graph)
        func quantities(_ layer: String, tile: Double) throws -> FittedTerms.Quantities {
            let kernel = try #require(plan.kernels.first { $0.layer == layer })
            return FittedCostModel.quantities(of: kernel, features: KernelFeatures(kernel, in: plan), tile: tile)
        }
        #expect(try quantities("winograd", tile: 8) == FittedTerms.Quantities(calls: 1.0 / 8, work: 8 * 32 * 8 * 4, values: (8 + 32) * 8 * 4))
        // One BLAS call per group and sample; the unfolded input is 32 channels × 3 taps × 10 outputs. The plan counts
        // a bias as one multiply-accumulate per output.
        #expect(try quantities("grouped", tile: 8) == FittedTerms.Quantities(calls: 4, work: 32 * 8 * 3 * 10 + 320, values: 32 * 3 * 10 + 32 * 10))
        // A dense layer reads its 320 × 7 weights and 7 biases once per tile.
        #expect(try quantities("dense", tile: 8) == FittedTerms.Quantities(calls: 1.0 / 8, work: 320 * 7 + 7, values: 320 + 7 + (320.0 * 7 + 7) / 8))
    }

    @Test func fittedTermsRecoverTheTermsTheyWereMadeWith() throws {
        let truth: (call: Double, mac: Double, value: Double) = (2e-7, 3e-11, 5e-10)
        let observations = (1...12).flatMap { size in
            [1.0, 8].map { tile -> FittedTerms.Observation in
                let macs = Double(size * 1000)
                let values = Double(size * 50 + 107)
                let seconds: Double = truth.call / tile + truth.mac * macs + truth.value * values
                return FittedTerms.Observation(quantities: FittedTerms.Quantities(calls: 1 / tile, work: macs, values: values), seconds: seconds)
            }
        }
        let terms = try #require(FittedTerms.fitted(observations, source: "test"))
        #expect(abs(terms.secondsPerCall.value / truth.call - 1) < 1e-6)
        #expect(abs(terms.secondsPerMAC.value / truth.mac - 1) < 1e-6)
        #expect(abs(terms.secondsPerValue.value / truth.value - 1) < 1e-6)
    }

    @Test func theRooflineFitRecoversAnEfficiency() throws {
        let target = try Target.named("rpi3")
        guard case .roofline(var truth) = target.costModel else { Issue.record("rpi3 is not a roofline target"); return }
        truth.convolutionEfficiency.value = 0.37
        let fit = RooflineFit(target: target, free: [RooflineFit.FreeCoefficient("convolution", \.convolutionEfficiency, range: 0.02...2)])
        let plans = try [5, 7, 9].map { try Self.convolution(16, 32, kernel: $0, length: 512) }
        let measured = plans.enumerated().map { ("net\($0.offset)", $0.element, fit.predictedSeconds($0.element, truth)) }
        var start = truth
        start.convolutionEfficiency.value = 1.5
        let fitted = fit.fitted(measured, start: start)
        #expect(abs(fitted.convolutionEfficiency.value / 0.37 - 1) < 1e-3)
        #expect(fitted.convolutionEfficiency.source.contains("net0"))
    }
}
