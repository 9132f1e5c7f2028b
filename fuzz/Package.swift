// swift-tools-version: 6.1
// libFuzzer harnesses for pulse's readers. Not part of `swift test`: build and run with scripts/fuzz.sh
// (which passes -sanitize=fuzzer,address and -parse-as-library; see fuzz/README.md).
import PackageDescription

let harnesses = ["fuzz-hdf5", "fuzz-mat", "fuzz-csv", "fuzz-stdin", "fuzz-model"]

let package = Package(
    name: "pulse-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "pulse", path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "PulseSignals", package: "pulse"),
                .product(name: "PulseDSP", package: "pulse"),
            ]),
    ] + harnesses.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport",
                "CFuzzerDriver",
                .product(name: "PulseSignals", package: "pulse"),
                .product(name: "PulseDSP", package: "pulse"),
                .product(name: "PulseGraph", package: "pulse"),
                .product(name: "PulseModels", package: "pulse"),
                .product(name: "PulseRuntime", package: "pulse"),
            ])
    }
)
