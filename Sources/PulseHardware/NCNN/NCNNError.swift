/// An ncnn `.param` file that cannot be imported: the file, the line and the layer at fault, and what is wrong.
/// It reads `mobilenet.param:12: layer conv1 (Convolution): …`, leaving out the parts that are not known.
public struct NCNNError: Error, Equatable, CustomStringConvertible {
    /// The file's name, as given to the importer.
    public var file: String
    /// The line at fault, counted from 1; `nil` when the error concerns the whole file.
    public var line: Int?
    /// The name of the layer at fault, if one is.
    public var layer: String?
    /// The type of the layer at fault (`Convolution`), if one is.
    public var layerType: String?
    /// What is wrong.
    public var message: String

    /// An error in `file` at `line`, in the layer `layer` of type `layerType`.
    public init(file: String, line: Int? = nil, layer: String? = nil, layerType: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.layer = layer
        self.layerType = layerType
        self.message = message
    }

    /// `file:line: layer name (Type): message`.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let layer {
            text += ": layer \(layer)"
            if let layerType { text += " (\(layerType))" }
        }
        return text + ": " + message
    }
}
