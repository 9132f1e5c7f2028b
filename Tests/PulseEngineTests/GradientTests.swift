import Foundation
import Testing
import PulseGraph
@testable import PulseEngine

/// Every primitive's derivative, and a whole model's, against central finite differences.
@Suite struct GradientTests {
    /// Builds `x (input) ⊙ p (param) → body → output`, so that gradients reach `p` through the primitive, plus any
    /// parameters `body` declares.
    static func graph(inputShape: [Int], _ body: (inout Graph, Int) throws -> Int) throws -> Graph {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: inputShape, layer: "in")
        let p = try graph.append(.param(name: "p"), shape: inputShape, layer: "in")
        let scaled = try graph.append(.mul, [x, p], layer: "in")
        graph.outputs = [try body(&graph, scaled)]
        return graph
    }

    /// Checks ∂(Σ w ⊙ output)/∂θ for every parameter θ against central differences.
    static func check(_ graph: Graph, batch: Int = 2, positive: Bool = false, tolerance: Float = 3e-2, step: Float = 1e-2, seed: UInt64 = 17) throws {
        var generator = SeededGenerator(seed: seed)
        func random(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in
                positive ? Float.random(in: 0.5...1.5, using: &generator) : Float.random(in: -1...1, using: &generator)
            })
        }
        var parameters: [String: Tensor] = [:]
        for (name, shape) in graph.parameters { parameters[name] = random(shape) }
        let inputs = Dictionary(uniqueKeysWithValues: graph.inputs.map { ($0.name, random([batch] + $0.shape)) })
        var executor = try Executor(graph: graph, parameters: parameters)
        let evaluation = try executor.evaluate(inputs)
        let weights = evaluation.outputs.map { random($0.shape) }
        let gradients = try executor.gradients(evaluation, outputGradients: weights)
        func objective() throws -> Double {
            zip(try executor.run(inputs), weights).reduce(0.0) { total, pair in
                total + zip(pair.0.scalars, pair.1.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            }
        }

        let centre = try objective()
        var checked = 0
        var total = 0
        for (name, tensor) in parameters {
            for i in tensor.scalars.indices {
                total += 1
                executor.parameters[name]?.scalars[i] = tensor.scalars[i] + step
                let up = try objective()
                executor.parameters[name]?.scalars[i] = tensor.scalars[i] - step
                let down = try objective()
                executor.parameters[name]?.scalars[i] = tensor.scalars[i]
                // Where a kink (relu, clip, abs, max) lies within the step, the two one-sided slopes disagree and a
                // finite difference means nothing: such coordinates are skipped. Slopes within 5 % of each other bound
                // the central difference's error by 2.5 %, inside the tolerance.
                let (right, left) = (up - centre, centre - down)
                if abs(right - left) > 0.05 * max(abs(right), abs(left), 1e-4) { continue }
                checked += 1
                let numeric = Float((up - down) / (2 * Double(step)))
                let analytic = gradients[name]?.scalars[i] ?? .nan
                #expect(abs(numeric - analytic) <= tolerance * max(1, abs(numeric)), "\(name)[\(i)]: numeric \(numeric), analytic \(analytic)")
            }
        }
        #expect(checked * 4 >= total * 3, "only \(checked) of \(total) coordinates were smooth enough to check")
    }

    @Test func pad() throws {
        try Self.check(Self.graph(inputShape: [2, 5]) { g, x in try g.append(.pad(axis: 1, before: 2, after: 1), [x], layer: "t") })
    }

    @Test func window() throws {
        try Self.check(Self.graph(inputShape: [2, 9]) { g, x in try g.append(.window(axis: 1, size: 3, stride: 2, dilation: 2), [x], layer: "t") })
    }

    @Test func sliceConcatReshapeShift() throws {
        try Self.check(Self.graph(inputShape: [3, 6]) { g, x in
            let a = try g.append(.slice(axis: 1, start: 1, count: 4), [x], layer: "t")
            let b = try g.append(.shift(axis: 1, amount: 2), [a], layer: "t")
            let c = try g.append(.concat(axis: 0), [a, b], layer: "t")
            return try g.append(.reshape(shape: [4, 6]), [c], layer: "t")
        })
    }

    @Test(arguments: ["oi,it->ot", "ck,ckt->ct", "it,oi->to", "ab,ab->a"])
    func contract(_ spec: String) throws {
        let specs = try ContractSpec(spec)
        let shapes: [Character: Int] = ["o": 3, "i": 2, "t": 4, "c": 2, "k": 3, "a": 3, "b": 4]
        let leftShape = specs.left.map { shapes[$0] ?? 1 }
        let rightShape = specs.right.map { shapes[$0] ?? 1 }
        // The activation is the right operand (or the left for "it,oi"), the other is a parameter.
        let activationIsLeft = spec.hasPrefix("it")
        try Self.check(Self.graph(inputShape: activationIsLeft ? leftShape : rightShape) { g, x in
            let w = try g.append(.param(name: "w"), shape: activationIsLeft ? rightShape : leftShape, layer: "t")
            return try g.append(.contract(spec: specs), activationIsLeft ? [x, w] : [w, x], layer: "t")
        })
    }

    @Test func contractOfTwoActivations() throws {
        try Self.check(Self.graph(inputShape: [3, 4]) { g, x in
            let y = try g.append(.relu, [x], layer: "t")
            return try g.append(.contract(spec: try ContractSpec("ct,ct->c")), [x, y], layer: "t")
        })
    }

    @Test(arguments: [Primitive.add, .sub, .mul, .div])
    func broadcastingArithmetic(_ primitive: Primitive) throws {
        try Self.check(Self.graph(inputShape: [3, 4]) { g, x in
            let b = try g.append(.param(name: "b"), shape: [3, 1], layer: "t")
            return try g.append(primitive, [x, b], layer: "t")
        }, positive: true)
    }

    @Test(arguments: [Primitive.relu, .clip(lower: -0.3, upper: 0.4), .abs, .exp, .sigmoid, .tanh])
    func elementwise(_ primitive: Primitive) throws {
        try Self.check(Self.graph(inputShape: [2, 5]) { g, x in try g.append(primitive, [x], layer: "t") })
    }

    @Test func log() throws {
        try Self.check(Self.graph(inputShape: [2, 5]) { g, x in try g.append(.log, [x], layer: "t") }, positive: true)
    }

    @Test(arguments: [Primitive.ReduceKind.sum, .mean, .max])
    func reduce(_ kind: Primitive.ReduceKind) throws {
        try Self.check(Self.graph(inputShape: [3, 4, 2]) { g, x in try g.append(.reduce(kind: kind, axes: [1, 2]), [x], layer: "t") })
    }
}
