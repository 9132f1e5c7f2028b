import PulseGraph

extension ConvolutionKernel {
    /// For tap `k` of a convolution over one spatial axis, the outputs `t` whose input position
    /// `t · stride + k · dilation − padBefore` lies inside the input; the others read padding.
    func validOutputs(tap k: Int) -> Range<Int> {
        let (length, count) = (inputExtent[0], outputExtent[0])
        let (stride, shift) = (self.stride[0], k * dilation[0] - padBefore[0])
        let first = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let last = min(count, length - 1 - shift >= 0 ? (length - 1 - shift) / stride + 1 : 0)
        return first < last ? first..<last : 0..<0
    }
}
