// swift-tools-version: 6.1
import PackageDescription

/// The engine's kernels are written with SIMD8<Float> and fused multiply-adds: on x86-64 they need AVX2 and FMA
/// (Haswell, 2013, and later), without which each fused multiply-add becomes a call to fmaf().
#if arch(x86_64)
let engineSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let engineSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "pulse",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pulse", targets: ["pulse"]),
        .library(name: "PulseSignals", targets: ["PulseSignals"]),
        .library(name: "PulseDSP", targets: ["PulseDSP"]),
        .library(name: "PulseGraph", targets: ["PulseGraph"]),
        .library(name: "PulseEngine", targets: ["PulseEngine"]),
        .library(name: "PulseModels", targets: ["PulseModels"]),
        .library(name: "PulseRuntime", targets: ["PulseRuntime"]),
        .library(name: "PulseONNX", targets: ["PulseONNX"]),
        .library(name: "PulseHardware", targets: ["PulseHardware"]),
        .library(name: "PulseSearch", targets: ["PulseSearch"]),
        .library(name: "PulseFirmware", targets: ["PulseFirmware"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CHDF5", pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(
            name: "CFFTW", pkgConfig: "fftw3f",
            providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .target(name: "PulseSignals", dependencies: ["CHDF5", "CZlib"]),
        .target(
            name: "PulseDSP",
            dependencies: ["PulseSignals", "CFFTW", .product(name: "Numerics", package: "swift-numerics")]),
        .target(name: "PulseGraph"),
        .target(name: "PulseEngine", dependencies: ["PulseGraph", "CBLAS", "CMalloc"], swiftSettings: engineSettings),
        .target(name: "PulseModels", dependencies: ["PulseGraph", "PulseEngine", "PulseDSP", "PulseSignals"], resources: [.copy("Bundled")]),
        .target(name: "PulseRuntime", dependencies: ["PulseModels", "PulseDSP", "PulseSignals", "PulseGraph"]),
        .target(name: "PulseHardware", dependencies: ["PulseGraph"], resources: [.copy("Targets")]),
        .target(name: "PulseFirmware", dependencies: ["PulseGraph"], resources: [.copy("C")]),
        .target(name: "PulseSearch", dependencies: ["PulseModels", "PulseHardware", "PulseEngine", "PulseGraph", "PulseSignals", "PulseDSP", "CBLAS"]),
        .target(
            name: "PulseONNX",
            dependencies: ["PulseGraph", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Generated/README.md"]),
        .executableTarget(
            name: "pulse",
            dependencies: [
                "PulseSignals", "PulseDSP", "PulseGraph", "PulseEngine", "PulseModels", "PulseRuntime", "PulseONNX", "PulseHardware", "PulseSearch", "PulseFirmware",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "PulseTestSupport", dependencies: ["PulseSignals", "PulseGraph"], path: "Tests/PulseTestSupport"),
        .testTarget(name: "PulseSignalsTests", dependencies: ["PulseSignals", "PulseTestSupport", "CHDF5"]),
        .testTarget(name: "PulseDSPTests", dependencies: ["PulseDSP", "PulseGraph", "PulseSignals", "PulseTestSupport"]),
        .testTarget(name: "PulseGraphTests", dependencies: ["PulseGraph"]),
        .testTarget(name: "PulseEngineTests", dependencies: ["PulseEngine", "PulseGraph"]),
        .testTarget(name: "PulseModelsTests", dependencies: ["PulseModels", "PulseEngine", "PulseTestSupport"]),
        .testTarget(name: "PulseRuntimeTests", dependencies: ["PulseRuntime", "PulseDSP", "PulseTestSupport"]),
        .testTarget(name: "PulseHardwareTests", dependencies: ["PulseHardware", "PulseGraph", "PulseEngine"]),
        .testTarget(name: "PulseSearchTests", dependencies: ["PulseSearch", "PulseModels", "PulseEngine", "PulseGraph", "PulseHardware", "PulseTestSupport"]),
        .testTarget(name: "PulseFirmwareTests", dependencies: ["PulseFirmware", "PulseGraph", "PulseEngine", "PulseTestSupport"]),
        .testTarget(name: "PulseONNXTests", dependencies: ["PulseONNX", "PulseEngine", "PulseGraph", "PulseModels", "PulseSignals", "PulseTestSupport"]),
        .testTarget(name: "PulseCLITests", dependencies: ["pulse", "PulseModels", "PulseSearch", "PulseGraph", "PulseEngine", "PulseSignals", "PulseTestSupport", "CHDF5"]),
    ]
)
