import Foundation
import Testing

/// Where the real recordings live beside the repository (`../shared/data`), for tests that read them.
public enum SharedData {
    /// `../shared/data` relative to the package root, found from this file's location.
    public static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["PULSE_SHARED_DATA"] {
            return URL(fileURLWithPath: override)
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    }()

    /// Whether the shared data folder is present; tests that need it are skipped with a message otherwise.
    public static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("spc2015/h5").path)
    }

    /// The trait of tests that read the real recordings: they are reported as skipped where the folder is absent.
    public static let required = ConditionTrait.enabled(if: isAvailable, "needs ../shared/data (the real recordings), which is absent")

    /// Sorted `.h5` files of one dataset folder (`spc2015`, `bami1`).
    public static func recordings(_ dataset: String) -> [URL] {
        let folder = root.appendingPathComponent(dataset).appendingPathComponent("h5")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".h5") }.sorted().map { folder.appendingPathComponent($0) }
    }
}
