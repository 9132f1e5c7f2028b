/// A build of the firmware harness (`firmware-sim/build.sh`).
public enum FirmwareTarget: String, Sendable, CaseIterable, Codable {
    /// This machine, with gcc.
    case host
    /// A Cortex-M4F (arm-none-eabi-gcc, newlib-nano), run under `qemu-system-arm -M mps2-an386`.
    case m4
    /// AArch64 Linux (aarch64-linux-gnu-gcc, static), run under `qemu-aarch64 -cpu cortex-a53`.
    case aarch64

    /// The toolchain's `size`, which gives an image's text, data and bss.
    public var imageSizeTool: String {
        switch self {
        case .host: return "size"
        case .m4: return "arm-none-eabi-size"
        case .aarch64: return "aarch64-linux-gnu-size"
        }
    }

    /// The toolchain's `nm`, which gives each symbol's size.
    public var sizeTool: String {
        switch self {
        case .host: return "nm"
        case .m4: return "arm-none-eabi-nm"
        case .aarch64: return "aarch64-linux-gnu-nm"
        }
    }
}
