import Testing
import Foundation
import PulseGraph

@Suite struct KernelPlanTests {
    /// Every instruction but the leaves belongs to exactly one kernel, and each kernel's operands are made earlier.
    static func checkCoverage(_ plan: KernelPlan) {
        var seen = Set<InstructionID>()
        var made = Set(plan.inputs)
        for kernel in plan.kernels {
            for instruction in kernel.instructions { #expect(seen.insert(instruction).inserted, "\(instruction) is in two kernels") }
            for input in kernel.inputs { #expect(made.contains(input), "\(kernel.layer) reads \(input) before it is made") }
            made.insert(kernel.output)
        }
        for (index, instruction) in plan.graph.instructions.enumerated() {
            switch instruction.primitive {
            case .input, .param, .const: #expect(!seen.contains(InstructionID(index)))
            default: #expect(seen.contains(InstructionID(index)), "instruction \(index) is in no kernel")
            }
        }
        for output in plan.outputs { #expect(made.contains(output)) }
    }

    static func convolution(_ kernel: Kernel) -> ConvolutionKernel? {
        if case .convolution(let convolution) = kernel.operation { return convolution }
        return nil
    }

    @Test func residualNetworkCompilesToFusedConvolutions() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 64], layer: "input")
        var y = try Conv1d("conv0", inputChannels: 4, outputChannels: 8, kernelSize: 5)(x, in: &graph)
        y = try graph.append(.relu, [y], layer: "conv0")
        y = try ResidualBlock("block1", channels: 8, kernelSize: 5, dilation: 2)(y, in: &graph)
        y = try Pool1d("pool", kind: .max, size: 4)(y, in: &graph)
        y = try Conv1d("head", inputChannels: 8, outputChannels: 1, kernelSize: 1)(y, in: &graph)
        graph.outputs = [try graph.append(.reshape(shape: [16]), [y], layer: "head")]
        let plan = KernelPlan(graph: graph)
        Self.checkCoverage(plan)
        #expect(plan.kernels.map(\.kind) == [.convolution, .convolution, .convolution, .pooling, .pointwise, .dataMove])
        let convolutions = plan.kernels.compactMap(Self.convolution)
        #expect(convolutions[0].padBefore == [2] && convolutions[0].padAfter == [2] && convolutions[0].activation == .relu)
        #expect(convolutions[0].bias != nil && convolutions[0].residual == nil)
        #expect(convolutions[1].dilation == [2] && convolutions[1].activation == .relu && convolutions[1].residual == nil)
        // The block's second convolution takes the skip connection and the block's ReLU.
        #expect(convolutions[2].residual == plan.kernels[1].inputs.first && convolutions[2].activation == .relu)
        #expect(convolutions[0].multiplyAccumulates == 8 * 4 * 5 * 64)
        guard case .pooling(let pooling) = plan.kernels[3].operation else { Issue.record("no pooling kernel"); return }
        #expect(pooling.reduction == .max && pooling.size == 4 && pooling.stride == 4)
        // Without fusion every instruction is a kernel.
        let generic = KernelPlan(graph: graph, fusing: false)
        Self.checkCoverage(generic)
        #expect(generic.kernels.allSatisfy { $0.instructions.count == 1 })
    }

    @Test func everyConvolutionFormIsRecognised() throws {
        struct Case { var layer: any Layer; var input: [Int]; var kind: KernelKind; var groups: Int; var kernel: [Int]; var output: [Int] }
        let cases = [
            Case(layer: Conv1d("c", inputChannels: 6, outputChannels: 4, kernelSize: 3, dilation: 2, stride: 2, padding: .causal),
                 input: [6, 20], kind: .convolution, groups: 1, kernel: [3], output: [4, 10]),
            Case(layer: Conv1d("c", inputChannels: 6, outputChannels: 9, kernelSize: 3, groups: 3),
                 input: [6, 20], kind: .convolution, groups: 3, kernel: [3], output: [9, 20]),
            Case(layer: DepthwiseConv1d("c", channels: 5, kernelSize: 5, dilation: 3),
                 input: [5, 30], kind: .depthwise, groups: 5, kernel: [5], output: [5, 30]),
            Case(layer: Conv1d("c", inputChannels: 6, outputChannels: 2, kernelSize: 1),
                 input: [6, 20], kind: .pointwise, groups: 1, kernel: [1], output: [2, 20]),
            Case(layer: Dense("c", inputs: 12, outputs: 3), input: [12], kind: .pointwise, groups: 1, kernel: [], output: [3]),
            Case(layer: Conv2d("c", inputChannels: 3, outputChannels: 4, kernelSize: (3, 2), stride: (2, 1), padding: (1, 1, 0, 1)),
                 input: [3, 9, 7], kind: .convolution, groups: 1, kernel: [3, 2], output: [4, 5, 7]),
            Case(layer: Conv2d("c", inputChannels: 4, outputChannels: 4, kernelSize: (3, 3), dilation: (1, 2), groups: 4),
                 input: [4, 8, 9], kind: .depthwise, groups: 4, kernel: [3, 3], output: [4, 6, 5]),
            Case(layer: Conv2d("c", inputChannels: 4, outputChannels: 6, kernelSize: (1, 3), groups: 2),
                 input: [4, 5, 6], kind: .convolution, groups: 2, kernel: [1, 3], output: [6, 5, 4]),
        ]
        for (number, test) in cases.enumerated() {
            var graph = Graph()
            let x = try graph.append(.input(name: "x"), shape: test.input, layer: "input")
            let y = try test.layer(x, in: &graph)
            graph.outputs = [try graph.append(.clip(lower: -1, upper: 1), [y], layer: "c")]
            let plan = KernelPlan(graph: graph)
            Self.checkCoverage(plan)
            #expect(plan.kernels.count == 1, "case \(number): \(plan.kernels.map(\.kind))")
            let convolution = try #require(plan.kernels.first.flatMap(Self.convolution), "case \(number)")
            #expect(plan.kernels[0].kind == test.kind, "case \(number)")
            #expect(convolution.groups == test.groups && convolution.kernelSize == test.kernel, "case \(number)")
            #expect([convolution.outputChannels] + convolution.outputExtent == test.output, "case \(number)")
            #expect(convolution.activation == .clip(lower: -1, upper: 1) && convolution.bias != nil, "case \(number)")
            let weight = graph.instructions[convolution.weight.index].shape.reduce(1, *)
            #expect(convolution.weightCount == weight, "case \(number)")
            #expect(plan.multiplyAccumulates(of: plan.kernels[0]) >= convolution.multiplyAccumulates, "case \(number)")
        }
    }

    /// Two convolutions summed (a projection shortcut): the first takes the sum and the ReLU with the second's
    /// output as its residual; the second ends at its bias, so that its output is stored.
    @Test func twoConvolutionsSummedFuseOnce() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 16], layer: "input")
        let a = try Conv1d("a", inputChannels: 4, outputChannels: 8, kernelSize: 3)(x, in: &graph)
        let b = try Conv1d("b", inputChannels: 4, outputChannels: 8, kernelSize: 1)(x, in: &graph)
        graph.outputs = [try graph.append(.relu, [try graph.append(.add, [a, b], layer: "sum")], layer: "sum")]
        let plan = KernelPlan(graph: graph)
        Self.checkCoverage(plan)
        let convolutions = plan.kernels.compactMap(Self.convolution)
        #expect(convolutions.count == 2)
        #expect(convolutions.filter { $0.residual != nil }.count == 1 && convolutions.filter { $0.activation == .relu }.count == 1)
        for kernel in plan.kernels {
            for input in kernel.inputs { #expect(plan.kernels.contains { $0.output == input } || plan.inputs.contains(input)) }
        }
    }

    @Test func valuesReadTwiceOrReturnedAreNotFused() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [2, 16], layer: "input")
        let conv = try Conv1d("conv", inputChannels: 2, outputChannels: 2, kernelSize: 3)(x, in: &graph)
        let activated = try graph.append(.relu, [conv], layer: "conv")
        // The pre-activation value is an output too, so the ReLU stays a kernel of its own.
        graph.outputs = [conv, activated]
        let plan = KernelPlan(graph: graph)
        Self.checkCoverage(plan)
        #expect(plan.kernels.map(\.kind) == [.convolution, .elementwise])
        #expect(Self.convolution(plan.kernels[0])?.activation == nil)
    }

    @Test func spectrumContractionsAreConstantContractions() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 32], layer: "input")
        let basis = try graph.append(.const(Tensor(shape: [10, 32], repeating: 0.5)), layer: "spectrum")
        let other = try graph.append(.relu, [x], layer: "spectrum")
        let product = try graph.append(.contract(spec: try ContractSpec("ft,ct->cf")), [basis, x], layer: "spectrum")
        let pair = try graph.append(.contract(spec: try ContractSpec("ct,ct->c")), [x, other], layer: "spectrum")
        graph.outputs = [product, pair]
        let plan = KernelPlan(graph: graph)
        Self.checkCoverage(plan)
        guard case .constantContraction(let contraction) = plan.kernels[1].operation else { Issue.record("\(plan.kernels[1].kind)"); return }
        #expect(contraction.constantIsLeft && contraction.m == 10 && contraction.k == 32 && contraction.n == 4 && contraction.batch == 1)
        guard case .contraction(let general) = plan.kernels[2].operation else { Issue.record("\(plan.kernels[2].kind)"); return }
        #expect(general.batch == 4 && general.k == 32)
        #expect(plan.kernels[1].parameters == [InstructionID(basis)])
    }

    @Test func contractSpecsParseOnceAndEncodeAsText() throws {
        let spec = try ContractSpec("oik,ikt->ot")
        #expect(spec.canonicalText == "abc,bcd->ad")
        #expect(try ContractSpec("xyz,yzw->xw").canonicalText == spec.canonicalText)
        #expect(spec.contractedLabels == ["i", "k"] && spec.leftFreeLabels == ["o"] && spec.rightFreeLabels == ["t"])
        #expect(spec.swapped.text == "ikt,oik->ot")
        let encoded = try JSONEncoder().encode(Primitive.contract(spec: spec))
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"oik,ikt->ot\""))
        #expect(try JSONDecoder().decode(Primitive.self, from: encoded) == .contract(spec: spec))
        let malformed = Data(#"{"contract":{"spec":"oik,ik->oq"}}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Primitive.self, from: malformed) }
        for text in ["ab,bc", "ab,bc,cd->ad", "aa,ab->b", "a1,1b->ab", "ab,cd->ax"] {
            #expect(throws: GraphError.self) { try ContractSpec(text) }
        }
    }
}
