import Foundation
import PulseModels
import PulseSignals

/// A search's work dir: `search.json` (the settings: the dir's identity, see `differences`), then one `candidates/ID.json` per
/// evaluated candidate and `candidates/ID.h5` for each fine-tuned one, each written atomically as soon as it is
/// done. Nothing in it is ever deleted.
public struct WorkDirectory: Sendable {
    /// The format `search.json` is written in.
    public static let format = "pulse-search-1"
    /// The folder.
    public let path: String

    private var candidates: String { path + "/candidates" }

    /// Opens `path` for a search with `settings`, creating it when it does not exist.
    /// - Throws: `SearchError.workDirectory` when the path cannot be written, holds files of something else, or
    ///   holds a search with other settings (naming what differs).
    public init(path: String, settings: SearchSettings) throws {
        self.path = path
        let manager = FileManager.default
        let manifest = path + "/search.json"
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw SearchError.workDirectory(path, reason: "is a file, not a folder") }
            let entries = (try? manager.contentsOfDirectory(atPath: path)) ?? []
            if manager.fileExists(atPath: manifest) {
                let stored: Manifest
                do {
                    stored = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifest)))
                } catch DecodingError.keyNotFound(let key, _) {
                    throw SearchError.workDirectory(path, reason: "search.json has no setting \(key.stringValue): another version of pulse wrote it; "
                                                    + "use another --workdir")
                } catch {
                    throw SearchError.workDirectory(path, reason: "search.json is not a \(Self.format) manifest")
                }
                guard stored.format == Self.format else { throw SearchError.workDirectory(path, reason: "search.json is \(stored.format)") }
                let differences = Self.differences(stored.settings, settings)
                guard differences.isEmpty else {
                    throw SearchError.workDirectory(path, reason: "holds a search with other settings (\(differences.joined(separator: ", "))); "
                                                    + "use another --workdir or the same settings")
                }
            } else if !entries.filter({ !$0.hasPrefix(".") }).isEmpty {
                throw SearchError.workDirectory(path, reason: "is not empty and holds no search.json: it belongs to something else")
            }
        }
        do {
            try manager.createDirectory(atPath: path + "/candidates", withIntermediateDirectories: true)
            if !manager.fileExists(atPath: manifest) {
                try Self.write(Manifest(format: Self.format, settings: settings), to: manifest)
            }
        } catch let error as SearchError {
            throw error
        } catch {
            throw SearchError.workDirectory(path, reason: "cannot be written (\(error.localizedDescription))")
        }
    }

    /// The settings of the search whose work dir is at `path`.
    /// - Throws: `SearchError.workDirectory` when there is no readable `search.json`.
    public static func settings(at path: String) throws -> SearchSettings {
        guard let data = FileManager.default.contents(atPath: path + "/search.json"),
              let manifest = try? JSONDecoder().decode(Manifest.self, from: data), manifest.format == format else {
            throw SearchError.workDirectory(path, reason: "holds no \(format) search.json")
        }
        return manifest.settings
    }

    private struct Manifest: Codable {
        var format: String
        var settings: SearchSettings
    }

    /// The settings that tell two searches apart: all but the generations and the final fine-tuning, which a
    /// resumed search may extend without changing the path it has taken.
    static func differences(_ a: SearchSettings, _ b: SearchSettings) -> [String] {
        let mirrorA = Mirror(reflecting: a).children
        let mirrorB = Mirror(reflecting: b).children
        let free: Set<String> = ["generations", "finalEpochs"]
        return zip(mirrorA, mirrorB).compactMap { x, y in
            guard let label = x.label, !free.contains(label) else { return nil }
            return "\(x.value)" == "\(y.value)" ? nil : label
        }
    }

    static func write<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(value)
        try AtomicFile.write(to: path, replacing: true) { temporary in try data.write(to: URL(fileURLWithPath: temporary)) }
    }

    /// The result of candidate `id`, when it was evaluated.
    public func result(_ id: String) -> CandidateResult? {
        guard let data = FileManager.default.contents(atPath: "\(candidates)/\(id).json") else { return nil }
        return try? JSONDecoder().decode(CandidateResult.self, from: data)
    }

    /// Whether `candidate` has a result in the dir (under its id, for the same rewrites).
    public func hasResult(of candidate: Candidate) -> Bool { result(candidate.id)?.candidate == candidate }

    /// Every result in the dir.
    public func results() -> [CandidateResult] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: candidates)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { result(String($0.dropLast(5))) }
    }

    /// Records a result, and its fine-tuned model first when there is one.
    public func record(_ result: CandidateResult, model: ModelFile?) throws {
        if let model { try model.write(to: modelPath(result.id), replacing: true) }
        try Self.write(result, to: "\(candidates)/\(result.id).json")
    }

    /// Where candidate `id`'s fine-tuned model is.
    public func modelPath(_ id: String) -> String { "\(candidates)/\(id).h5" }
}
