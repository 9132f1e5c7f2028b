/// Cycles of Cortex-M4F instructions (Cortex-M4 TRM, TI SWCU192 Table 3-25; COSTMODELS.md), for turning an
/// executed instruction mix into cycles:
///
/// - data processing, multiplies and multiply-accumulates (MUL, MLA, SMULL, SMLAL, SMLAD, SXTB16…): 1;
/// - SDIV, UDIV: 2–12, counted as 7;
/// - a load: 2 (1 + 1; back-to-back loads overlap, which this does not see); a store: 1; LDRD/STRD: 3/2;
/// - LDM, STM, PUSH, POP of n registers: 1 + n, plus the pipeline refill when POP writes the PC;
/// - a branch: 1 + P with the refill P counted as 1, whether or not taken (loop branches mostly are);
/// - VFP: VMLA/VMLS/VFMA 3, VDIV and VSQRT 14, VLDR 2, VSTR 1, others 1.
public enum CortexM4Timing {
    /// The pipeline refill of a taken branch, in cycles.
    public static let refillCycles = 1.0

    /// Cycles of one execution of `mnemonic` (as `InstructionCounts.mnemonic` gives it).
    public static func cycles(_ mnemonic: String) -> Double {
        let parts = mnemonic.split(separator: " ")
        let name = String(parts.first ?? "")
        if parts.count >= 2, let registers = Double(parts[1]) {
            return 1 + registers + (parts.count == 3 ? refillCycles : 0)
        }
        let base = name.split(separator: ".").first.map(String.init) ?? name
        switch base {
        case "sdiv", "udiv": return 7
        case "ldrd": return 3
        case "strd": return 2
        case "vmla", "vmls", "vfma", "vfms", "vnmla", "vnmls": return 3
        case "vdiv", "vsqrt": return 14
        case "vldr": return 2
        case "vstr": return 1
        default: break
        }
        if base.hasPrefix("ldr") || base.hasPrefix("ldrex") { return 2 }
        if base.hasPrefix("str") { return 1 }
        if isBranch(base) { return 1 + refillCycles }
        return 1
    }

    /// Whether `name` (without a `.w` or `.n` width suffix) is a branch (B, BL, BX, BLX, CBZ, CBNZ, TBB, TBH and
    /// conditional forms).
    static func isBranch(_ name: String) -> Bool {
        if ["bl", "blx", "bx", "cbz", "cbnz", "tbb", "tbh"].contains(name) { return true }
        guard name.hasPrefix("b") else { return false }
        let condition = name.dropFirst()
        let conditions: Set<Substring> = ["", "eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"]
        return conditions.contains(condition)
    }

    /// Cycles of an instruction mix.
    public static func cycles(of mnemonics: [String: Int]) -> Double {
        mnemonics.reduce(0) { $0 + Double($1.value) * cycles($1.key) }
    }
}
