import Foundation
import Testing
import PulseFirmware
import PulseGraph
import PulseTestSupport

/// The generated C, built by the firmware harness, computes the integer reference's outputs bit for bit.
@Suite struct GeneratedCodeTests {
    /// The repository's `firmware-sim` directory.
    static let harnessDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("firmware-sim").path

    /// Whether every tool is an executable on `PATH`.
    static func installed(_ tools: String...) -> Bool {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return tools.allSatisfy { tool in directories.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") } }
    }

    /// Builds the `everything` model for `target`, runs it on random, silent, constant and saturating windows, and
    /// compares each window's outputs with `IntegerExecutor.run`.
    static func expectBuildMatchesReference(_ target: FirmwareTarget) throws {
        let model = try FloatModel(try FirmwareTestGraph.everything.graph, seed: 7)
        let quantised = try model.quantise(model.windows(32, seed: 1))
        let size = quantised.input.count
        let windows = model.windows(3, seed: 2) + [[Float](repeating: 0, count: size), [Float](repeating: 0.7, count: size),
                                                   model.windows(1, seed: 3)[0].map { 4 * $0 }]
        let inputs = try windows.enumerated().map { try quantised.quantise(window: $1, name: "window \($0)") }
        let executor = IntegerExecutor(model: quantised)
        let reference = try inputs.map(executor.run)

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try CCodeGenerator(model: quantised, title: "firmware test model").write(
            to: directory.path("generated"), extra: ["pulse_windows.h": CCodeGenerator.windowsHeader(inputs, inputSize: size)])
        let harness = try FirmwareHarness(directory: harnessDirectory)
        let elf = try harness.build(target, generated: directory.path("generated"), build: directory.path("build"))
        let run = try harness.run(target, elf: elf, outputSize: quantised.output.count)
        #expect(run.outputs.count == reference.count)
        for (index, (got, expected)) in zip(run.outputs, reference).enumerated() where got != expected {
            let position = expected.indices.first { got[$0] != expected[$0] } ?? 0
            Issue.record("\(target) window \(index): output \(position) is \(got[position]), the reference has \(expected[position])")
        }
    }

    @Test func hostBuildMatchesReference() throws {
        try #require(Self.installed("gcc"), "gcc is missing: apt-get install --no-install-recommends gcc libc6-dev")
        try Self.expectBuildMatchesReference(.host)
    }

    @Test(.enabled(if: installed("arm-none-eabi-gcc", "qemu-system-arm"), "needs arm-none-eabi-gcc and qemu-system-arm"))
    func cortexM4BuildMatchesReference() throws {
        try Self.expectBuildMatchesReference(.m4)
    }

    @Test(.enabled(if: installed("aarch64-linux-gnu-gcc", "qemu-aarch64"), "needs aarch64-linux-gnu-gcc and qemu-aarch64"))
    func aarch64BuildMatchesReference() throws {
        try Self.expectBuildMatchesReference(.aarch64)
    }
}
