import Foundation
import Testing
@testable import PulseFirmware

@Suite struct LLVMMCATimingTests {
    @Test func absoluteBranchTargetsBecomeTheCurrentLocation() {
        #expect(LLVMMCATiming.assemblable("b.ne #0x401cfc") == "b.ne .")
        #expect(LLVMMCATiming.assemblable("tbz w3, #2, #0x4010a0") == "tbz w3, #2, .")
        #expect(LLVMMCATiming.assemblable("cbnz x1, #0x400800") == "cbnz x1, .")
        #expect(LLVMMCATiming.assemblable("add x9, x9, #0x10") == "add x9, x9, #0x10")
        #expect(LLVMMCATiming.assemblable("ret") == "ret")
    }

    /// A dot-product loop body: the in-order A53 needs more cycles per execution than the out-of-order A73 model, and
    /// a single add costs about half a cycle on both (two ALUs).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/llvm-mca"), "needs llvm-mca (apt-get install llvm)"))
    func blocksAreTimedPerExecution() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-mca-test-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = """
            tb 0 401cf0 6
            insn 0 401cf0 ldr q7, [x10, x9]
            insn 0 401cf4 ldr q0, [x11, x9]
            insn 0 401cf8 add x9, x9, #0x10
            insn 0 401cfc cmp x19, x9
            insn 0 401d00 fmla v1.4s, v7.4s, v0.4s
            insn 0 401d04 b.ne #0x401cf0
            tb 1 402000 1
            insn 1 402000 add x1, x2, x3
            exec 0 0 10
            exec 0 1 4

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let counts = try InstructionCounts(path: path)
        let a53 = try LLVMMCATiming.cyclesPerExecution(of: [0, 1], in: counts, cpu: "cortex-a53")
        let a73 = try LLVMMCATiming.cyclesPerExecution(of: [0, 1], in: counts, cpu: "cortex-a73")
        let (loop53, loop73) = (try #require(a53[0]), try #require(a73[0]))
        #expect(loop53 > loop73)
        #expect(loop53 >= 3 && loop53 <= 20)
        #expect(abs(try #require(a53[1]) - 0.5) < 0.1)
        #expect(abs(LLVMMCATiming.cycles(counts, perExecution: a53) { $0 == 0 } - (10 * loop53 + 4 * (a53[1] ?? 0))) < 1e-9)
    }
}
