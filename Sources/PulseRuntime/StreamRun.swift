/// Drives a stream from a source to its end.
extension HeartRateStream {
    /// Pushes every chunk of `source`, then finishes; hands each estimate to `receive` as it comes out.
    /// - Throws: `StreamError` from the stream, or what the source throws.
    public func run<S: SensorSource>(_ source: inout S, receive: (StreamEstimate) throws -> Void) throws {
        while let chunk = try source.next() {
            for estimate in try push(chunk.group, timestampsSeconds: chunk.timestampsSeconds, samples: chunk.samples) {
                try receive(estimate)
            }
        }
        for estimate in try finish() { try receive(estimate) }
    }
}
