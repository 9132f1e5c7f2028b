import Foundation
import Synchronization

/// Threads that help one call split its work into parts with little delay. Parts are claimed from a shared
/// counter by the calling thread and by helpers alike, so a helper that is slow to start (descheduled on a busy
/// machine) leaves its parts to the caller instead of holding it up. Between calls helpers spin a while (a part of
/// a batch-1 convolution takes microseconds, less than waking a sleeping thread), then sleep.
///
/// One process-wide team serves every inference program; a call that finds it busy runs its parts itself.
final class WorkerTeam: @unchecked Sendable {
    /// The team, with one helper thread per core beyond the first (at most 7).
    static let shared = WorkerTeam(helpers: max(0, min(7, ProcessInfo.processInfo.activeProcessorCount - 1)))

    /// Spins a helper waits for the next call before it sleeps.
    static let idleSpins = 100_000

    /// Helper threads.
    let helpers: Int
    /// The most parts one call can usefully split into.
    var maximumParts: Int { helpers + 1 }

    private let generation = Atomic<Int>(0)
    private let next = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let parts = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// The current call's body, set before its parts can be claimed and cleared after all are finished.
    private var body: ((Int) -> Void)?
    private let sleepers = NSCondition()

    private init(helpers: Int) {
        self.helpers = helpers
        for index in 0..<helpers {
            let thread = Thread { [self] in work() }
            thread.name = "pulse-worker-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `body(part)` for every part in `0..<parts` on the calling thread and the helpers, and returns when all
    /// are done. When the team is busy with another call, the calling thread runs every part.
    func run(parts count: Int, _ body: (Int) -> Void) {
        guard count > 1, count < 1 << 16, helpers > 0, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for part in 0..<count { body(part) }
            return
        }
        withoutActuallyEscaping(body) { escaping in
            self.body = escaping
            parts.store(count, ordering: .releasing)
            finished.store(0, ordering: .relaxed)
            let call = generation.load(ordering: .relaxed) + 1
            next.store(call << 16, ordering: .releasing)
            sleepers.lock()
            generation.store(call, ordering: .releasing)
            sleepers.broadcast()
            sleepers.unlock()
            claimParts(of: call)
            var spins = 0
            while finished.load(ordering: .acquiring) < count {
                spins += 1
                if spins > 1_000 { sched_yield() }
            }
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// Claims and runs parts of call `call` until none is left. A claim packs the call's number with the part's
    /// (`call << 16 | part`), so a helper that wakes late for a finished call cannot claim a part of the next one.
    private func claimParts(of call: Int) {
        while true {
            let ticket = next.load(ordering: .acquiring)
            guard ticket >> 16 == call, ticket & 0xFFFF < parts.load(ordering: .acquiring) else { return }
            guard next.compareExchange(expected: ticket, desired: ticket + 1, ordering: .acquiringAndReleasing).exchanged else { continue }
            runPart(ticket & 0xFFFF)
            finished.add(1, ordering: .releasing)
        }
    }

    /// Runs one part. A function of its own, so that the reference to the body is released before the part counts
    /// as finished (`run` lends the body only until every part is done).
    @inline(never)
    private func runPart(_ part: Int) {
        body?(part)
    }

    private func work() {
        var seen = 0
        while true {
            var spins = 0
            var current = generation.load(ordering: .acquiring)
            while current == seen {
                spins += 1
                if spins > Self.idleSpins {
                    sleepers.lock()
                    while generation.load(ordering: .acquiring) == seen { sleepers.wait() }
                    sleepers.unlock()
                }
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            claimParts(of: current)
        }
    }
}
