import PulseGraph

extension ConvolutionKernel {
    /// Adds the bias and the residual to one sample's channels-first product `y` (`[outputChannels, count]`) and
    /// applies the activation, in place.
    func finishChannelsFirst(_ y: UnsafeMutablePointer<Float>, count: Int, bias: [Float]?, residual: UnsafeMutablePointer<Float>?) {
        for channel in 0..<outputChannels {
            let shift = bias?[channel] ?? 0
            let row = y + channel * count
            for position in 0..<count {
                var value = row[position] + shift
                if let residual { value += residual[channel * count + position] }
                row[position] = activation.map { $0(value) } ?? value
            }
        }
    }
}
