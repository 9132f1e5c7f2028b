/// A latency measured on a device and published, which pulse's cost models are judged against.
public struct PublishedMeasurement: Sendable, Equatable {
    /// The network: an ncnn benchmark graph's file name without `.param`, or an `MLPerfTinyNetwork` raw value.
    public var network: String
    /// The target it was measured on.
    public var target: String
    /// Milliseconds per inference.
    public var milliseconds: Double
    /// Where the figure comes from.
    public var source: String

    /// The single-thread float32 ncnn benchmark figures for the Raspberry Pi 3 B+ and the Snapdragon 660's big core
    /// (COSTMODELS.md), for the six graphs in `devices/ncnn/`.
    public static let ncnnSingleThread: [PublishedMeasurement] = {
        let source = "Tencent/ncnn benchmark/README.md @ a4d2ea1d"
        let figures: [(String, Double, Double)] = [
            ("mobilenet", 205.65, 108.82), ("mobilenet_v2", 158.80, 76.38), ("resnet18", 379.57, 236.90),
            ("squeezenet", 125.58, 70.38), ("shufflenet_v2", 74.44, 38.32), ("alexnet", 270.55, 206.63),
        ]
        return figures.flatMap { network, pi, phone in
            [PublishedMeasurement(network: network, target: "rpi3", milliseconds: pi, source: source + ", benchncnn 4 1 0 -1 1 (RPi 3 B+)"),
             PublishedMeasurement(network: network, target: "redmi7s", milliseconds: phone, source: source + ", benchncnn 4 1 2 -1 1 (SD660 \"lavender\")")]
        }
    }()

    /// MLPerf Tiny v1.0 latencies of the microTVM + CMSIS-NN submission on the NUCLEO-L4R5ZI (COSTMODELS.md).
    public static let mlperfTiny: [PublishedMeasurement] = {
        let source = "mlcommons/tiny_results_v1.0 closed/OctoML, NUCLEO_L4R5ZI, median throughput"
        return [("fc-autoencoder", 8.60), ("resnet8", 389.6), ("ds-cnn", 99.8), ("mobilenet-v1-0.25", 301.2)].map {
            PublishedMeasurement(network: $0.0, target: "stm32l4r5", milliseconds: $0.1, source: source)
        }
    }()
}
