import Foundation
import PulseGraph
import PulseHardware
import PulseModels

/// The graph `pulse profile` costs: a model file, an ncnn `.param` file, or a network pulse can build.
struct ProfileSubject {
    /// What to call it in reports.
    var name: String
    var graph: Graph

    /// The networks `--network` builds: pulse's baseline and the four MLPerf Tiny networks.
    static let networkNames = ["baseline"] + MLPerfTinyNetwork.allCases.map(\.rawValue)

    /// The graph of a model file (.h5 or .onnx).
    static func model(_ path: String) throws -> ProfileSubject {
        ProfileSubject(name: path, graph: try ModelSource.load(path).graph)
    }

    /// The graph of an ncnn `.param` file.
    static func ncnn(_ path: String) throws -> ProfileSubject {
        ProfileSubject(name: path, graph: try NCNNImporter.graph(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The network called `name` (one of `networkNames`).
    static func network(_ name: String) throws -> ProfileSubject {
        if name == "baseline" { return ProfileSubject(name: name, graph: try SpectralCNN.baseline.graph()) }
        guard let network = MLPerfTinyNetwork(rawValue: name) else {
            throw CommandError("--network \(name) is not a network pulse builds (\(networkNames.joined(separator: ", ")))")
        }
        return ProfileSubject(name: "\(name) (MLPerf Tiny \(network.benchmark))", graph: try network.graph())
    }
}
