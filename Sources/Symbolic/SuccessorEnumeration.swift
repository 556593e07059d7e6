import CheckerCore
import Z3Kit

/// Enumerates, through Z3, every (command, successor) of a concrete state:
/// the cross-check that the symbolic transition relation and the explicit
/// stepper are the same relation.
public final class SymbolicSuccessors {
  let unrolling: Unrolling

  public init(system: GuardedSystem) throws(Z3Error) {
    unrolling = try Unrolling(system: system)
    try unrolling.addStateVariables()
    try unrolling.addTransition()
  }

  /// Every pair (command, next state) the relation allows from `state`.
  public func successors(of state: StateVector) throws(Z3Error) -> [(command: Int, next: StateVector)] {
    let u = unrolling
    try u.solver.push()
    defer { try? u.solver.pop() }
    try u.solver.assert(u.equals(0, state))
    var out: [(Int, StateVector)] = []
    while true {
      let r = try u.solver.check()
      guard r == .sat else {
        if case .unknown(let why) = r { throw Z3Error(code: .exception, message: "unknown: \(why)") }
        break
      }
      let m = try u.solver.model()
      let c = Int(try m.bvValue(of: u.choices[0]))
      out.append((c, try u.state(from: m, at: 1)))
      try u.solver.assert(u.ctx.neq(u.choices[0], u.num(c)))
    }
    return out.sorted { $0.0 < $1.0 }
  }
}
