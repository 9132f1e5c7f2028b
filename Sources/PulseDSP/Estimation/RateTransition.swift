/// The cost (nats) of the heart rate moving between bins of the tracker's grid over `windows` shifts: a
/// Gaussian step, `d² / 2σ²` for a move of `d` BPM, with a wider `σ` for rises than for falls, and `σ` growing as
/// `√windows` across windows that could not be analysed.
struct RateTransition {
    /// Moves longer than these (in bins) cost more than a jump, so the search for a predecessor stops there.
    let riseReach: Int
    let fallReach: Int
    /// Cost by distance in bins.
    let risePenalty: [Double]
    let fallPenalty: [Double]

    init(riseSigmaBpm: Double, fallSigmaBpm: Double, jumpCost: Double, binBpm: Double, binCount: Int, windows: Int) {
        let spread = Double(max(windows, 1)).squareRoot()
        func reach(_ sigma: Double) -> Int {
            Int(min(Double(binCount - 1), ((2 * jumpCost).squareRoot() * sigma * spread / binBpm).rounded(.up)))
        }
        func penalties(_ sigma: Double, _ reach: Int) -> [Double] {
            (0...reach).map { distance in
                let z = Double(distance) * binBpm / (sigma * spread)
                return 0.5 * z * z
            }
        }
        riseReach = reach(riseSigmaBpm)
        fallReach = reach(fallSigmaBpm)
        risePenalty = penalties(riseSigmaBpm, riseReach)
        fallPenalty = penalties(fallSigmaBpm, fallReach)
    }
}
