import PulseGraph
import PulseModels

extension Rewrite {
    /// The spectral front end in another form, when the model's is pulse's direct one for its input and bins.
    static func spectrum(_ form: SpectrumFrontEnd.Form, _ model: ModelFile, name: String) throws -> ModelFile {
        let region: GraphRegion
        do { region = try model.graph.region(layer: SpectrumFrontEnd.layer) } catch {
            throw SearchError.rewrite(name, reason: "the model has no \(SpectrumFrontEnd.layer) layer")
        }
        var reference = try Replacement(inputs: [model.input.shape])
        reference.graph.outputs = [try SpectrumFrontEnd(input: model.input, bins: model.output)(reference.inputs[0], in: &reference.graph)]
        let present = try model.graph.extract(region)
        func body(_ graph: Graph) -> [(Primitive, [Int], [Int])] {
            graph.instructions.filter { if case .input = $0.primitive { return false } else { return true } }.map { ($0.primitive, $0.inputs, $0.shape) }
        }
        guard region.inputs.count == 1, body(present).elementsEqual(body(reference.graph), by: { $0 == $1 }) else {
            throw SearchError.rewrite(name, reason: "the model's spectrum is not the direct DFT front end of its input and bins")
        }
        var replacement = try Replacement(inputs: [model.input.shape])
        replacement.graph.outputs = [try SpectrumFrontEnd(input: model.input, bins: model.output, form: form)(replacement.inputs[0], in: &replacement.graph)]
        return try model.replacing(region, with: replacement, rewrite: name)
    }
}
