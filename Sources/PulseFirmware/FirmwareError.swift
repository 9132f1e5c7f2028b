import PulseGraph

/// Why a model cannot be quantised, run in integers or generated as C, naming the kernel, layer or file.
public struct FirmwareError: Error, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Equatable, Sendable {
        /// The code generator has no integer kernel for this operation.
        case unsupportedKernel(String)
        /// The calibration has no range for an activation the model computes.
        case missingRange
        /// A constant or parameter the model reads has no value.
        case missingValue
        /// An input of the wrong size or with values that are not finite.
        case badInput(String)
        /// A file could not be written or read.
        case file(String)
        /// A tool (compiler, emulator) is missing, failed or timed out.
        case tool(String)
        /// The builds disagree.
        case mismatch(String)
    }

    /// The kernel (its index in the plan) the error concerns, if any.
    public var kernel: Int?
    /// The layer, instruction or file the error concerns.
    public var location: String
    /// What went wrong.
    public var reason: Reason

    /// An error at `location` (and kernel `kernel`, if any).
    public init(kernel: Int? = nil, location: String, _ reason: Reason) {
        self.kernel = kernel
        self.location = location
        self.reason = reason
    }

    public var description: String {
        let place = kernel.map { "kernel \($0) (\(location))" } ?? location
        switch reason {
        case .unsupportedKernel(let what): return "\(place): the int8 code generator does not support \(what)"
        case .missingRange: return "\(place): the calibration saw no value of this activation"
        case .missingValue: return "\(place): no value for this constant or parameter"
        case .badInput(let what): return "\(place): \(what)"
        case .file(let what): return "\(place): \(what)"
        case .tool(let what): return "\(place): \(what)"
        case .mismatch(let what): return "\(place): \(what)"
        }
    }
}
