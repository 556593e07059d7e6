import CheckerCore
import Z3Kit

#if canImport(Glibc)
import Glibc
#endif

/// k-induction (Sheeran, Singh and Stålmarck, FMCAD 2000) of the
/// conjunction of state invariants.
///
/// Base case: no violation in the first k steps from the initial states
/// (bounded model checking). Inductive step: no path of k+1 states, each
/// within the declared slot ranges, whose first k states satisfy every
/// invariant and are pairwise distinct (simple-path strengthening), ends in a
/// state violating one. Both unsatisfiable ⇒ the invariants hold at every
/// depth. Lemmas are proved together with the goals (their conjunction is
/// what is inductive), so nothing is assumed that is not proved.
public final class KInduction {
  public enum Outcome: Sendable {
    case proved(k: Int)
    /// The base case failed: a real counterexample of that length.
    case counterexample(property: String, path: [Int])
    /// The step case is still satisfiable at the largest k tried: a
    /// counterexample to induction, as concrete states (first … last).
    case unknown(k: Int, cti: [StateVector], failing: String, reason: String)
  }

  let system: GuardedSystem
  let invariants: [SymbolicProperty]
  let timeout: UInt32?

  public init(system: GuardedSystem, invariants: [SymbolicProperty], timeoutMilliseconds: UInt32? = nil) {
    self.system = system
    self.invariants = invariants.filter { $0.kind == .always && !$0.isStep }
    self.timeout = timeoutMilliseconds
  }

  public func run(maxK: Int, progress: (Int, String, Double) -> Void = { _, _, _ in }) throws(Z3Error) -> Outcome {
    let bmc = try BoundedModelChecker(system: system, properties: invariants, timeoutMilliseconds: timeout)
    // One step-case unrolling, grown by one state per k.
    let step = try Unrolling(system: system, timeoutMilliseconds: timeout)
    try step.addStateVariables()
    var lastCTI: [StateVector] = []
    var lastFailing = ""
    for k in 1...maxK {
      let started = clock()
      // Base case up to depth k - 1.
      switch try bmc.run(maxDepth: k - 1) {
      case .violation(let p, let path): return .counterexample(property: p, path: path.actions)
      case .unknown(_, let why): return .unknown(k: k, cti: [], failing: "", reason: why)
      case .clean: break
      }
      // Step case: states 0..k; invariants on 0..k-1; distinct; violation at k.
      let i = k - 1
      for p in invariants { try step.solver.assert(step.stateFormula(p.expr, at: i)) }
      for j in 0..<i { try step.solver.assert(differ(step, j, i)) }
      try step.addTransition()
      try step.solver.push()
      var bad: [Z3Term] = [try step.ctx.not(step.inRange(k))]
      for p in invariants { bad.append(try step.ctx.not(step.stateFormula(p.expr, at: k))) }
      try step.solver.assert(step.ctx.or(bad))
      for j in 0..<k { try step.solver.assert(differ(step, j, k)) }
      let r = try step.solver.check()
      let seconds = Double(clock() - started) / Double(CLOCKS_PER_SEC)
      switch r {
      case .unsat:
        try step.solver.pop()
        progress(k, "inductive", seconds)
        return .proved(k: k)
      case .sat:
        let m = try step.solver.model()
        lastCTI = []
        for j in 0...k { lastCTI.append(try step.state(from: m, at: j)) }
        lastFailing =
          invariants.first { p in
            (try? m.boolValue(of: step.stateFormula(p.expr, at: k))) == false
          }?.name ?? BoundedModelChecker.rangeViolation
        try step.solver.pop()
        try step.solver.assert(step.inRange(k))
        progress(k, "not yet inductive (counterexample to induction violates \(lastFailing))", seconds)
      case .unknown(let why):
        try step.solver.pop()
        return .unknown(k: k, cti: lastCTI, failing: lastFailing, reason: why)
      }
    }
    return .unknown(k: maxK, cti: lastCTI, failing: lastFailing, reason: "not inductive up to k = \(maxK)")
  }

  /// States j and i differ in some slot.
  private func differ(_ u: Unrolling, _ j: Int, _ i: Int) throws(Z3Error) -> Z3Term {
    var ds: [Z3Term] = []
    for s in 0..<system.schema.slotCount { ds.append(try u.ctx.neq(u.states[j][s], u.states[i][s])) }
    return try u.ctx.or(ds)
  }
}
