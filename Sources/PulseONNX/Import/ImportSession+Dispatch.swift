extension ImportSession {
    /// Reads one node: checks its domain and hands it to the reader of its operator.
    /// - Throws: `ONNXError` naming the node for an operator outside `ONNXImporter.supportedOperators`, another
    ///   domain, a second output in use (every operator read has one), or anything its reader refuses.
    mutating func importNode(_ node: ONNXNode) throws {
        guard node.proto.domain.isEmpty || node.proto.domain == "ai.onnx" else {
            throw node.error("domain \(node.proto.domain) is not supported (only the default ONNX domain)")
        }
        try node.checkSingleOutput()
        switch node.opType {
        case "Conv": try importConvolution(node)
        case "BatchNormalization": try importBatchNormalization(node)
        case "Gemm": try importGemm(node)
        case "MatMul": try importMatMul(node)
        case "Add", "Sub", "Mul", "Div": try importArithmetic(node)
        case "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Abs": try importUnary(node)
        case "Clip": try importClip(node)
        case "Softmax": try importSoftmax(node)
        case "AveragePool", "MaxPool": try importPooling(node)
        case "GlobalAveragePool", "GlobalMaxPool": try importGlobalPooling(node)
        case "ReduceMean", "ReduceSum", "ReduceMax": try importReduction(node)
        case "Reshape": try importReshape(node)
        case "Flatten": try importFlatten(node)
        case "Squeeze": try importSqueeze(node)
        case "Unsqueeze": try importUnsqueeze(node)
        case "Transpose": try importTranspose(node)
        case "Concat": try importConcat(node)
        case "Pad": try importPad(node)
        case "Slice": try importSlice(node)
        case "Constant": try importConstant(node)
        case "Identity", "Dropout": try importIdentity(node)
        default:
            throw node.error("operator \(node.opType) is not supported (pulse reads \(ONNXImporter.supportedOperators.joined(separator: ", ")))")
        }
    }
}
