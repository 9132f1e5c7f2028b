import ArgumentParser

/// Where `pulse search run` evaluates candidates: here, or as Slurm job arrays.
enum SearchExecutorKind: String, ExpressibleByArgument, CaseIterable {
    case local, slurm
}
