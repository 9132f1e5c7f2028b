/// What goes wrong in the operator search, naming the rewrite, layer, candidate or file concerned.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    /// A rewrite that does not apply to the model as it is, naming the rewrite and why.
    case rewrite(String, reason: String)
    /// A LAPACK routine that failed.
    case linearAlgebra(String)
    /// A setting of the search that cannot work.
    case setting(String, reason: String)
    /// A work dir the search cannot use.
    case workDirectory(String, reason: String)
    /// A target the model cannot meet at any rewrite depth.
    case unreachable(target: String, reason: String)

    public var description: String {
        switch self {
        case .rewrite(let rewrite, let reason): return "\(rewrite): \(reason)"
        case .linearAlgebra(let detail): return "linear algebra: \(detail)"
        case .setting(let name, let reason): return "\(name): \(reason)"
        case .workDirectory(let path, let reason): return "work dir \(path): \(reason)"
        case .unreachable(let target, let reason): return "target \(target): \(reason)"
        }
    }
}
