import Foundation
import Testing
import PulseFirmware
import PulseTestSupport

/// Reading the counting plugin's file, pricing Cortex-M4 instructions, and the harness's errors.
@Suite struct FirmwareSimulationTests {
    /// Two blocks: a three-instruction loop body and a function's prologue and epilogue, run in regions −1, 0 and 1.
    static let counts = """
        tb 0 8000 3
        insn 0 8000 ldr.w r3, [r0], #4
        insn 0 8004 smlad r2, r3, r4, r2
        insn 0 8008 bne.n 8000
        tb 1 9a0 2
        insn 1 9a0 push {r4, r5, lr}
        insn 1 9a2 pop {r4, r5, pc}
        exec -1 1 1
        exec 0 0 10
        exec 0 1 2
        exec 1 0 5
        exec 0 0 1

        """

    @Test func instructionCountsReadBlocksAndRegions() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("counts.txt")
        try Self.counts.write(toFile: path, atomically: true, encoding: .utf8)
        let counts = try InstructionCounts(path: path)
        #expect(counts.blocks[0]?.address == 0x8000)
        #expect(counts.blocks[0]?.instructions == ["ldr.w r3, [r0], #4", "smlad r2, r3, r4, r2", "bne.n 8000"])
        #expect(counts.blocks[1]?.address == 0x9a0)
        // Region 0: block 0 ran 10 + 1 times (3 instructions), block 1 twice (2).
        #expect(counts.instructions(inRegion: 0) == 11 * 3 + 2 * 2)
        #expect(counts.instructions(inRegion: 1) == 5 * 3)
        #expect(counts.instructions(inRegion: -1) == 2)
        #expect(counts.instructions(inRegion: 7) == 0)
        #expect(counts.mnemonics { $0 >= 0 } == ["ldr.w": 16, "smlad": 16, "bne.n": 16, "push 3": 2, "pop 3 pc": 2])
        #expect(counts.mnemonics { $0 == 1 } == ["ldr.w": 5, "smlad": 5, "bne.n": 5])
        #expect(counts.blockExecutions { _ in true } == [0: 16, 1: 3])
        #expect(counts.blockExecutions { $0 < 0 } == [1: 1])
    }

    @Test(arguments: [
        ("exec 0 x 3", 3), ("insn 5 8000 nop", 2), ("tb 0 zz 1", 1), ("hello", 1), ("tb 0 8000", 1), ("exec 0 0", 3),
    ])
    func malformedCountLineIsNamed(_ line: String, _ number: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("counts.txt")
        let lines = ["tb 0 8000 1", "insn 0 8000 nop"].prefix(number - 1) + [line]
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: FirmwareError.self) { try InstructionCounts(path: path) }
        #expect(error.location == "\(path):\(number)")
        guard case .file(let message) = error.reason else { Issue.record("\(error)"); return }
        #expect(message.contains(line))
    }

    @Test func missingCountFileIsAFileError() throws {
        let error = try #require(throws: FirmwareError.self) { try InstructionCounts(path: "/nonexistent/counts.txt") }
        #expect(error == FirmwareError(location: "/nonexistent/counts.txt", .file("cannot read the instruction counts")))
    }

    @Test(arguments: [
        ("smlad", 1.0), ("mla", 1), ("ldr.w", 2), ("ldrsb", 2), ("ldrd", 3), ("str", 1), ("strb.w", 1), ("strd", 2),
        ("bne.n", 2), ("b.w", 2), ("bl", 2), ("cbz", 2), ("bic", 1), ("push 4", 5), ("pop 3 pc", 5), ("ldm 2", 3),
        ("sdiv", 7), ("udiv", 7), ("vdiv.f32", 14), ("vsqrt.f32", 14), ("vmla.f32", 3), ("vldr", 2), ("vstr", 1),
    ])
    func cortexM4CyclesPerInstruction(_ mnemonic: String, _ cycles: Double) {
        #expect(CortexM4Timing.cycles(mnemonic) == cycles)
    }

    @Test func cortexM4CyclesOfAMix() {
        #expect(CortexM4Timing.cycles(of: ["smlad": 10, "ldr.w": 4, "pop 3 pc": 1]) == 10 + 8 + 5)
        #expect(CortexM4Timing.cycles(of: [:]) == 0)
    }

    @Test func harnessNeedsItsScripts() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = try #require(throws: FirmwareError.self) { try FirmwareHarness(directory: directory.url.path) }
        #expect(error.location == directory.url.path)
        guard case .file = error.reason else { Issue.record("\(error)"); return }
    }

    @Test func runOfMissingProgramIsAToolError() throws {
        let harness = try FirmwareHarness(directory: GeneratedCodeTests.harnessDirectory)
        let elf = "/nonexistent/pulse-fw-host"
        let error = try #require(throws: FirmwareError.self) { try harness.run(.host, elf: elf, outputSize: 4) }
        #expect(error.location == "host run of \(elf)")
        guard case .tool(let message) = error.reason else { Issue.record("\(error)"); return }
        #expect(message.hasPrefix("exit status 127"))
    }

    @Test func buildOfMissingSourcesIsAToolError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let harness = try FirmwareHarness(directory: GeneratedCodeTests.harnessDirectory)
        let error = try #require(throws: FirmwareError.self) {
            try harness.build(.host, generated: directory.path("nothing"), build: directory.path("build"))
        }
        #expect(error.location == "build.sh host")
        guard case .tool(let message) = error.reason else { Issue.record("\(error)"); return }
        #expect(!message.isEmpty)
    }
}

@Suite struct MarkedRegionTests {
    /// Two runs of a model of 2 kernels: input copy, kernel 0, kernel 1, output copy, harness, then again.
    @Test func regionsRepeatPerRun() {
        let expected: [MarkedRegion] = [.harness, .inputCopy, .kernel(0), .kernel(1), .outputCopy, .harness,
                                        .inputCopy, .kernel(0), .kernel(1), .outputCopy, .harness]
        #expect((-1...9).map { MarkedRegion(region: $0, kernelCount: 2) } == expected)
        #expect(!MarkedRegion.harness.isModel && MarkedRegion.kernel(1).isModel)
    }
}
