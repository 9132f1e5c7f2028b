import PulseGraph
import Foundation

/// A training objective over a batch: its mean value and its gradient with respect to the predictions.
public enum Loss: Sendable, Equatable {
    /// `|p − y|`.
    case l1
    /// `½(p − y)²` within `±delta`, `delta (|p − y| − ½ delta)` beyond.
    case huber(delta: Float)
    /// Cross-entropy `−Σ y log softmax(p)` over each sample's logits, `y` a distribution (rows sum to 1).
    case softmaxCrossEntropy

    /// The mean loss over the batch and `∂loss/∂predictions`, for predictions and targets of shape `[batch, ...]`.
    public func evaluate(predictions: Tensor, targets: Tensor) -> (value: Float, gradient: Tensor) {
        let batch = max(1, predictions.shape.first ?? 1)
        let scale = 1 / Float(batch)
        var gradient = [Float](repeating: 0, count: predictions.count)
        var total: Float = 0
        switch self {
        case .l1:
            for i in 0..<predictions.count {
                let d = predictions.scalars[i] - targets.scalars[i]
                total += abs(d)
                gradient[i] = (d > 0 ? 1 : (d < 0 ? -1 : 0)) * scale
            }
        case .huber(let delta):
            for i in 0..<predictions.count {
                let d = predictions.scalars[i] - targets.scalars[i]
                if abs(d) <= delta {
                    total += 0.5 * d * d
                    gradient[i] = d * scale
                } else {
                    total += delta * (abs(d) - 0.5 * delta)
                    gradient[i] = delta * (d > 0 ? 1 : -1) * scale
                }
            }
        case .softmaxCrossEntropy:
            let width = predictions.count / batch
            for b in 0..<batch {
                let row = (b * width)..<((b + 1) * width)
                let peak = predictions.scalars[row].max() ?? 0
                let sum = predictions.scalars[row].reduce(0) { $0 + exp($1 - peak) }
                let logSum = log(sum) + peak
                for i in row {
                    let probability = exp(predictions.scalars[i] - logSum)
                    total -= targets.scalars[i] * (predictions.scalars[i] - logSum)
                    gradient[i] = (probability - targets.scalars[i]) * scale
                }
            }
        }
        return (total * scale, Tensor(shape: predictions.shape, scalars: gradient))
    }
}
