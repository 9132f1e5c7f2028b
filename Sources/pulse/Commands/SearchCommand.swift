import ArgumentParser

/// `pulse search`: the operator search (`run`, the default), the evaluation of a batch of candidates into a search's
/// work dir (`candidates`) and the cross-validation of a searched model (`cv`).
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Adapt a model to a target by grassroots operator search, evaluate candidates, cross-validate the result.",
        subcommands: [SearchRunCommand.self, SearchCandidatesCommand.self, SearchCVCommand.self],
        defaultSubcommand: SearchRunCommand.self)
}
