import Foundation

/// Cycles of executed AArch64 translation blocks from llvm-mca's scheduling model of one core (`cortex-a53`, or
/// `cortex-a73`, which LLVM 14 models as a Cortex-A57): each block is analysed as a code region repeated 100 times,
/// and its cycles per execution are the region's total cycles over the iterations. llvm-mca assumes every load hits
/// L1 and every branch is predicted (COSTMODELS.md).
public enum LLVMMCATiming {
    /// Cycles per execution of each of `blocks` of `counts` on `cpu`, analysed in one llvm-mca run.
    /// - Throws: `FirmwareError.tool` when llvm-mca is missing or fails.
    public static func cyclesPerExecution(of blocks: [Int], in counts: InstructionCounts, cpu: String) throws -> [Int: Double] {
        var source = ""
        let analysed = blocks.sorted().filter { !(counts.blocks[$0]?.instructions.isEmpty ?? true) }
        for id in analysed {
            source += "# LLVM-MCA-BEGIN \(id)\n"
            for instruction in counts.blocks[id]?.instructions ?? [] { source += assemblable(instruction) + "\n" }
            source += "# LLVM-MCA-END\n"
        }
        guard !analysed.isEmpty else { return [:] }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-mca-\(UUID().uuidString).s").path
        defer { try? FileManager.default.removeItem(atPath: input) }
        guard FileManager.default.createFile(atPath: input, contents: Data(source.utf8)) else {
            throw FirmwareError(location: input, .file("cannot write the blocks for llvm-mca"))
        }
        let result = try FirmwareHarness.execute("/usr/bin/env", ["llvm-mca", "-mtriple=aarch64", "-mcpu=\(cpu)", "-iterations=100",
                                                                  "-all-views=false", "-summary-view", input])
        guard result.status == 0 else {
            throw FirmwareError(location: "llvm-mca -mcpu=\(cpu)", .tool(result.errors.split(separator: "\n").prefix(3).joined(separator: "; ")
                                                                   + (result.status == 127 ? " (apt-get install llvm-14)" : "")))
        }
        var cycles: [Int: Double] = [:]
        for region in result.output.components(separatedBy: "Code Region - ").dropFirst() {
            let lines = region.split(separator: "\n")
            guard let id = lines.first.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
                  let iterations = value("Iterations:", lines), let total = value("Total Cycles:", lines), iterations > 0 else { continue }
            cycles[id] = total / iterations
        }
        return cycles
    }

    /// Cycles of the blocks `regions` selects: executions × cycles per execution.
    public static func cycles(_ counts: InstructionCounts, perExecution: [Int: Double], where regions: (Int) -> Bool) -> Double {
        counts.blockExecutions(where: regions).reduce(0) { $0 + Double($1.value) * (perExecution[$1.key] ?? 0) }
    }

    /// The instruction with an absolute branch target (`b.ne #0x401cfc`, as QEMU's disassembler prints it) turned into
    /// the current location, which llvm-mca's assembler accepts; the branch's cost does not depend on its target.
    static func assemblable(_ instruction: String) -> String {
        let name = instruction.prefix { !$0.isWhitespace }
        let branches: Set<Substring> = ["b", "bl", "cbz", "cbnz", "tbz", "tbnz"]
        guard branches.contains(name) || name.hasPrefix("b."), let hash = instruction.lastIndex(of: "#"),
              instruction[instruction.index(after: hash)...].hasPrefix("0x") else { return instruction }
        return instruction[..<hash] + "."
    }

    private static func value(_ label: String, _ lines: [Substring]) -> Double? {
        lines.first { $0.hasPrefix(label) }.flatMap { Double($0.dropFirst(label.count).trimmingCharacters(in: .whitespaces)) }
    }
}
