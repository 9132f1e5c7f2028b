/// A layer is a builder: it appends the instructions of one operator to a graph, tagged with its name, and says
/// how its parameters start.
public protocol Layer {
    /// The name that tags every instruction the layer emits and prefixes its parameters (`conv3.weight`).
    var name: String { get }

    /// Appends the layer's instructions after instruction `input`; returns the index of its output.
    func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int
}

/// How a parameter starts before training.
public enum ParameterInitialisation: Sendable, Equatable {
    case zeros
    case ones
    /// Uniform in `±√(6 / fanIn)` (He et al. 2015), for weights feeding a ReLU.
    case heUniform(fanIn: Int)
}

extension Graph {
    /// The initialisation of each parameter, by name: `.bias` and `.shift` start at zero, `.scale` at one,
    /// everything else He-uniform with the fan-in of all axes but the first.
    public func initialParameters(seed: UInt64) -> [String: Tensor] {
        var generator = SeededGenerator(seed: seed)
        var result: [String: Tensor] = [:]
        for (name, shape) in parameters {
            let rule: ParameterInitialisation
            if name.hasSuffix(".bias") || name.hasSuffix(".shift") {
                rule = .zeros
            } else if name.hasSuffix(".scale") {
                rule = .ones
            } else {
                rule = .heUniform(fanIn: max(1, shape.dropFirst().reduce(1, *)))
            }
            let count = shape.reduce(1, *)
            switch rule {
            case .zeros: result[name] = Tensor(shape: shape, repeating: 0)
            case .ones: result[name] = Tensor(shape: shape, repeating: 1)
            case .heUniform(let fanIn):
                let bound = Float((6 / Double(fanIn)).squareRoot())
                result[name] = Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: -bound...bound, using: &generator) })
            }
        }
        return result
    }
}

/// A deterministic random number generator (SplitMix64): the same seed gives the same model.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator started from `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
