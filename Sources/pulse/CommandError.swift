/// A request that the command line cannot carry out once the run has started, naming the option at fault. The CLI
/// prints it as `Error: message` and exits with status 1 (options that are wrong on their own are checked in
/// `validate()` and print the usage).
struct CommandError: Error, CustomStringConvertible {
    let message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
