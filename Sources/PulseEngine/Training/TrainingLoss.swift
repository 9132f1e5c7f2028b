import Foundation
import PulseGraph

/// A training objective as a value: its mean over a batch and its gradient with respect to the predictions.
/// `teacher` holds a teacher model's outputs on the same (augmented) inputs when the trainer has a teacher.
public protocol TrainingLoss: Sendable {
    /// The mean loss over the batch and `∂loss/∂predictions`, for tensors of shape `[batch, ...]`.
    func evaluate(predictions: Tensor, targets: Tensor, teacher: Tensor?) -> (value: Float, gradient: Tensor)
}

extension Loss: TrainingLoss {
    /// The loss against `targets`; a teacher's outputs are not used.
    public func evaluate(predictions: Tensor, targets: Tensor, teacher: Tensor?) -> (value: Float, gradient: Tensor) {
        evaluate(predictions: predictions, targets: targets)
    }
}

/// Knowledge distillation (Hinton et al. 2015) over logits:
/// `(1 − α) · label(p, y) + α · T² · CE(softmax(t / T), softmax(p / T))`, with teacher logits `t`, weight
/// `α = teacherWeight` and temperature `T`. Its gradient in `p` is
/// `(1 − α) · ∂label + α · T · (softmax(p / T) − softmax(t / T))`, per sample over the batch.
/// Without teacher outputs it is the label term alone.
public struct DistillationLoss: TrainingLoss, Equatable {
    /// The loss against the labels.
    public var label: Loss
    /// The teacher term's share `α`, in `0...1`.
    public var teacherWeight: Float
    /// The softmax temperature `T` of the teacher term, at least 1 in practice.
    public var temperature: Float

    /// Distillation with label loss `label`, teacher share `teacherWeight` and temperature `temperature`.
    public init(label: Loss, teacherWeight: Float, temperature: Float) {
        self.label = label
        self.teacherWeight = teacherWeight
        self.temperature = temperature
    }

    /// The mixed loss and its gradient; the label term alone without `teacher`.
    public func evaluate(predictions: Tensor, targets: Tensor, teacher: Tensor?) -> (value: Float, gradient: Tensor) {
        var (value, gradient) = label.evaluate(predictions: predictions, targets: targets)
        guard let teacher, teacher.shape == predictions.shape, teacherWeight > 0 else { return (value, gradient) }
        let alpha = teacherWeight
        let t = temperature
        let batch = max(1, predictions.shape.first ?? 1)
        let width = predictions.count / batch
        value *= 1 - alpha
        for i in gradient.scalars.indices { gradient.scalars[i] *= 1 - alpha }
        for b in 0..<batch {
            let row = (b * width)..<((b + 1) * width)
            let student = Self.softmax(predictions.scalars[row], temperature: t)
            let soft = Self.softmax(teacher.scalars[row], temperature: t)
            var crossEntropy: Float = 0
            for (offset, i) in row.enumerated() {
                crossEntropy -= soft[offset] * Foundation.log(max(student[offset], 1e-30))
                gradient.scalars[i] += alpha * t * (student[offset] - soft[offset]) / Float(batch)
            }
            value += alpha * t * t * crossEntropy / Float(batch)
        }
        return (value, gradient)
    }

    static func softmax(_ logits: ArraySlice<Float>, temperature: Float) -> [Float] {
        let peak = logits.max() ?? 0
        let exps = logits.map { Foundation.exp(($0 - peak) / temperature) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }
}
