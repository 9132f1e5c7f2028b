import PulseGraph

/// A device a model is costed on, as data: its clock, cores, memory limits, number format, power and the
/// coefficients of its cost model, each constant with its source (`SourcedValue`). Targets are read from JSON
/// (`Target.named(_:)` for the shipped ones, `Target.load(contentsOf:)` for a user's own).
public struct Target: Sendable, Equatable, Codable {
    /// The name `--target` takes (`mcu`, `rpi3`, ...).
    public var name: String
    /// The device, in words.
    public var device: String
    /// The processor core.
    public var core: String
    /// Core clock, in hertz.
    public var clockHz: SourcedValue
    /// Cores the device has.
    public var cores: SourcedValue
    /// Cores used when `--threads` is not given.
    public var threads: SourcedValue
    /// The number format models run in on this target.
    public var dataType: DataType
    /// Memory limits and cache sizes.
    public var memory: MemoryLimits
    /// Power drawn while computing, in watts, where known: energy is latency times this.
    public var powerWatts: SourcedValue?
    /// The cost model and its coefficients.
    public var costModel: CostModelCoefficients

    /// A target with every field given.
    public init(name: String, device: String, core: String, clockHz: SourcedValue, cores: SourcedValue, threads: SourcedValue,
                dataType: DataType, memory: MemoryLimits, powerWatts: SourcedValue?, costModel: CostModelCoefficients) {
        self.name = name
        self.device = device
        self.core = core
        self.clockHz = clockHz
        self.cores = cores
        self.threads = threads
        self.dataType = dataType
        self.memory = memory
        self.powerWatts = powerWatts
        self.costModel = costModel
    }

    enum CodingKeys: String, CodingKey {
        case name, device, core, cores, threads, memory
        case clockHz = "clock_hz", dataType = "data_type", powerWatts = "power_watts", costModel = "cost_model"
    }
}

/// What a target can hold, and the caches its cost model reads. A limit that is absent does not apply.
public struct MemoryLimits: Sendable, Equatable, Codable {
    /// On-chip RAM, in bytes: activations, scratch and (unless in flash) parameters must fit.
    public var sramBytes: SourcedValue?
    /// On-chip flash, in bytes: parameters and code must fit.
    public var flashBytes: SourcedValue?
    /// Main memory, in bytes: everything must fit.
    public var ramBytes: SourcedValue?
    /// Level-1 data cache per core, in bytes.
    public var l1DataBytes: SourcedValue?
    /// Last-level cache, in bytes.
    public var l2Bytes: SourcedValue?

    /// Limits and caches; those not given do not apply.
    public init(sramBytes: SourcedValue? = nil, flashBytes: SourcedValue? = nil, ramBytes: SourcedValue? = nil,
                l1DataBytes: SourcedValue? = nil, l2Bytes: SourcedValue? = nil) {
        self.sramBytes = sramBytes
        self.flashBytes = flashBytes
        self.ramBytes = ramBytes
        self.l1DataBytes = l1DataBytes
        self.l2Bytes = l2Bytes
    }

    enum CodingKeys: String, CodingKey {
        case sramBytes = "sram_bytes", flashBytes = "flash_bytes", ramBytes = "ram_bytes", l1DataBytes = "l1_data_bytes", l2Bytes = "l2_bytes"
    }
}

/// The cost model a target uses, with its coefficients.
public enum CostModelCoefficients: Sendable, Equatable, Codable {
    /// The loop structure of CMSIS-NN-class int8 kernels on a Cortex-M (`MCUCostModel`).
    case mcu(MCUCoefficients)
    /// pulse's generated float32 C on an application core: the loop counts of `MCUCostModel` with coefficients that
    /// `pulse firmware fit` fits to llvm-mca cycles of the executed blocks. Compute only: llvm-mca sees no cache misses.
    case generatedC(MCUCoefficients)
    /// Per-kernel compute and memory time plus a fixed overhead (`RooflineCostModel`).
    case roofline(RooflineCoefficients)
    /// Per-class linear models fitted to micro-benchmarks of pulse's own kernels (`FittedCostModel`).
    case fitted(FittedCoefficients)

    enum CodingKeys: String, CodingKey { case kind, coefficients }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        switch kind {
        case "mcu": self = .mcu(try container.decode(MCUCoefficients.self, forKey: .coefficients))
        case "generated_c": self = .generatedC(try container.decode(MCUCoefficients.self, forKey: .coefficients))
        case "roofline": self = .roofline(try container.decode(RooflineCoefficients.self, forKey: .coefficients))
        case "fitted": self = .fitted(try container.decode(FittedCoefficients.self, forKey: .coefficients))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container,
                                                   debugDescription: "unknown cost model \"\(kind)\" (mcu, generated_c, roofline or fitted)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .mcu(let coefficients):
            try container.encode("mcu", forKey: .kind)
            try container.encode(coefficients, forKey: .coefficients)
        case .generatedC(let coefficients):
            try container.encode("generated_c", forKey: .kind)
            try container.encode(coefficients, forKey: .coefficients)
        case .roofline(let coefficients):
            try container.encode("roofline", forKey: .kind)
            try container.encode(coefficients, forKey: .coefficients)
        case .fitted(let coefficients):
            try container.encode("fitted", forKey: .kind)
            try container.encode(coefficients, forKey: .coefficients)
        }
    }
}
