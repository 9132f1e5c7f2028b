import Foundation

/// What the counting plugin (`firmware-sim/plugin/insn-count.c`) saw: every translation block with its
/// instructions, and how often each ran in each region (regions split at each call of `pulse_mark`, region −1
/// before the first).
public struct InstructionCounts: Sendable {
    /// A translation block: its start address and the disassembly of its instructions.
    public struct Block: Sendable, Equatable {
        /// The block's first address.
        public var address: UInt64
        /// The disassembly of each instruction, in order.
        public var instructions: [String]
    }

    /// The blocks, by the plugin's id.
    public private(set) var blocks: [Int: Block] = [:]
    /// Executions of each block in each region: `[region: [block: count]]`.
    public private(set) var executions: [Int: [Int: Int]] = [:]

    /// Reads the plugin's file at `path`.
    /// - Throws: `FirmwareError.file` naming the line that does not parse.
    public init(path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw FirmwareError(location: path, .file("cannot read the instruction counts"))
        }
        for (number, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: " ", maxSplits: 3)
            func fail() -> FirmwareError { FirmwareError(location: "\(path):\(number + 1)", .file("cannot parse '\(line.prefix(60))'")) }
            switch fields.first {
            case "tb":
                guard fields.count == 4, let id = Int(fields[1]), let address = UInt64(fields[2], radix: 16) else { throw fail() }
                blocks[id] = Block(address: address, instructions: [])
            case "insn":
                guard fields.count == 4, let id = Int(fields[1]), blocks[id] != nil else { throw fail() }
                blocks[id]?.instructions.append(String(fields[3]))
            case "exec":
                guard fields.count == 4, let region = Int(fields[1]), let id = Int(fields[2]), let count = Int(fields[3]) else { throw fail() }
                executions[region, default: [:]][id, default: 0] += count
            default:
                throw fail()
            }
        }
    }

    /// Instructions executed in `region`.
    public func instructions(inRegion region: Int) -> Int {
        (executions[region] ?? [:]).reduce(0) { $0 + (blocks[$1.key]?.instructions.count ?? 0) * $1.value }
    }

    /// Executions of each mnemonic over the regions `regions` selects.
    public func mnemonics(where regions: (Int) -> Bool) -> [String: Int] {
        var counts: [String: Int] = [:]
        for (region, blockCounts) in executions where regions(region) {
            for (id, count) in blockCounts {
                for instruction in blocks[id]?.instructions ?? [] { counts[Self.mnemonic(instruction), default: 0] += count }
            }
        }
        return counts
    }

    /// Executions of each block over the regions `regions` selects.
    public func blockExecutions(where regions: (Int) -> Bool) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for (region, blockCounts) in executions where regions(region) {
            for (id, count) in blockCounts { counts[id, default: 0] += count }
        }
        return counts
    }

    /// The mnemonic of a disassembled instruction, with its operands' register list kept for `push`, `pop`,
    /// `ldm` and `stm` (their cost depends on it): `"ldr"`, `"push {r4, r5, lr}"`.
    static func mnemonic(_ instruction: String) -> String {
        let trimmed = instruction.trimmingCharacters(in: .whitespaces)
        let name = String(trimmed.prefix { !$0.isWhitespace }).lowercased()
        if name.hasPrefix("push") || name.hasPrefix("pop") || name.hasPrefix("ldm") || name.hasPrefix("stm")
            || name.hasPrefix("vpush") || name.hasPrefix("vpop") {
            let registers = trimmed.split(separator: "{").last.map { $0.split(separator: ",").count } ?? 1
            let pc = trimmed.contains("pc") ? " pc" : ""
            return "\(name) \(registers)\(pc)"
        }
        return name
    }
}
