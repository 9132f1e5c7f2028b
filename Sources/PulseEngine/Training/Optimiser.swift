import PulseGraph
import Foundation

/// Updates parameters from their gradients, one step at a time.
public protocol Optimiser {
    /// Applies one update with learning rate `learningRate` to `parameters`.
    mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], learningRate: Float)
}

/// Adam with decoupled weight decay (AdamW, Loshchilov & Hutter 2019):
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `θ ← θ − η (m̂ / (√v̂ + ε) + λθ)` with bias-corrected `m̂`, `v̂`.
/// Weight decay applies to weights only, not to `.bias`, `.scale` or `.shift`.
public struct Adam: Optimiser, Sendable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    private var firstMoments: [String: [Float]] = [:]
    private var secondMoments: [String: [Float]] = [:]
    private var steps = 0

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], learningRate: Float) {
        steps += 1
        let correction1 = 1 - pow(beta1, Float(steps))
        let correction2 = 1 - pow(beta2, Float(steps))
        for (name, gradient) in gradients {
            guard var tensor = parameters[name] else { continue }
            var m = firstMoments[name] ?? [Float](repeating: 0, count: tensor.count)
            var v = secondMoments[name] ?? [Float](repeating: 0, count: tensor.count)
            let decay = isDecayed(name) ? weightDecay : 0
            for i in 0..<tensor.count {
                let g = gradient.scalars[i]
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                let update = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + epsilon)
                tensor.scalars[i] -= learningRate * (update + decay * tensor.scalars[i])
            }
            firstMoments[name] = m
            secondMoments[name] = v
            parameters[name] = tensor
        }
    }
}

/// Stochastic gradient descent with momentum: `u ← μu + g`, `θ ← θ − η u`.
public struct SGD: Optimiser, Sendable {
    public var momentum: Float
    private var velocities: [String: [Float]] = [:]

    public init(momentum: Float = 0.9) { self.momentum = momentum }

    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], learningRate: Float) {
        for (name, gradient) in gradients {
            guard var tensor = parameters[name] else { continue }
            var u = velocities[name] ?? [Float](repeating: 0, count: tensor.count)
            for i in 0..<tensor.count {
                u[i] = momentum * u[i] + gradient.scalars[i]
                tensor.scalars[i] -= learningRate * u[i]
            }
            velocities[name] = u
            parameters[name] = tensor
        }
    }
}

/// Whether weight decay applies to a parameter: weights yes; biases and affine scales and shifts no.
func isDecayed(_ name: String) -> Bool {
    !(name.hasSuffix(".bias") || name.hasSuffix(".scale") || name.hasSuffix(".shift"))
}

/// Learning rate over training: a linear warm-up, then a cosine decay to `floor · peak`.
public struct LearningRateSchedule: Sendable, Equatable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var floor: Float

    public init(peak: Float, warmupSteps: Int, totalSteps: Int, floor: Float = 0.02) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.floor = floor
    }

    /// The rate at step `step` (from 0).
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let progress = Float(step - warmupSteps) / Float(max(1, totalSteps - warmupSteps))
        let cosine = 0.5 * (1 + cos(Float.pi * min(1, progress)))
        return peak * (floor + (1 - floor) * cosine)
    }
}
