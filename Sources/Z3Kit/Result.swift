/// Outcome of `Z3Solver.check`. `unknown` carries Z3's free-text reason ("canceled"
/// after a timeout or interrupt, "(incomplete (theory arithmetic))" for non-linear
/// problems, ...) so a checker can report *why* a bound was not decided.
public enum Z3Result: Sendable, Equatable, CustomStringConvertible {
  case sat
  case unsat
  case unknown(reason: String)

  public var description: String {
    switch self {
    case .sat: "sat"
    case .unsat: "unsat"
    case .unknown(let reason): "unknown (\(reason))"
    }
  }
}
