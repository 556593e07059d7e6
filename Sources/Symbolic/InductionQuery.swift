import CheckerCore
import Z3Kit

/// One transition s0 → s1 of a system in a Z3 solver, over which predicates
/// are checked for 1-induction: "if every active predicate holds in s0, does
/// each target still hold in s1?"
///
/// Each state predicate gets an activation literal `a_i` with `a_i ⇒ P_i(s0)`
/// asserted once, so a query assumes any subset of them (Houdini drops a
/// predicate by no longer assuming it) and the unsat core names the
/// predicates a proof used. The targets' negations are asserted in a scope,
/// as one disjunction: one query finds a transition breaking any of them,
/// and its model says which.
///
/// Both states range over every vector within the declared slot ranges (not
/// only reachable ones): an `.inductive` answer is a proof about all of them.
public final class InductionQuery {
  let unrolling: Unrolling
  var ctx: Z3Context { unrolling.ctx }
  var solver: Z3Solver { unrolling.solver }

  /// A predicate of the query: a state predicate (activation literal, its
  /// terms in s0 and s1) or a step obligation (the transition formula only).
  struct Entry {
    var literal: Z3Term?
    var before: Z3Term?
    var after: Z3Term
  }
  private(set) var entries: [Entry] = []
  private var byLiteral: [Z3Term: Int] = [:]
  private var initial: Z3Term?

  init(system: GuardedSystem, timeoutMilliseconds: UInt32?) throws(Z3Error) {
    unrolling = try Unrolling(system: system, timeoutMilliseconds: timeoutMilliseconds)
    try unrolling.addStateVariables()
    try unrolling.addTransition()
  }

  /// Adds a state predicate; returns its index.
  func addState(_ e: Expr) throws(Z3Error) -> Int {
    let i = entries.count
    let lit = try ctx.boolVar("a\(i)")
    let before = try unrolling.stateFormula(e, at: 0)
    try solver.assert(ctx.implies(lit, before))
    entries.append(Entry(literal: lit, before: before, after: try unrolling.stateFormula(e, at: 1)))
    byLiteral[lit] = i
    return i
  }

  /// Adds a step obligation over s0 → s1 (never assumed, only checked).
  func addStep(_ e: Expr, events: [String]) throws(Z3Error) -> Int {
    entries.append(Entry(literal: nil, before: nil, after: try unrolling.stepFormula(e, events: events, at: 0)))
    return entries.count - 1
  }

  /// Adds the obligation that s1 stays within the declared slot ranges (s0
  /// is constrained to them; s1 holds the updates' unwrapped values).
  func addRangeObligation() throws(Z3Error) -> Int {
    entries.append(Entry(literal: nil, before: nil, after: try unrolling.inRange(1)))
    return entries.count - 1
  }

  public enum Answer: Sendable {
    /// Every target holds after every transition from a state satisfying the
    /// active predicates.
    case inductive
    /// A counterexample to induction: s0 satisfies every active predicate,
    /// s1 is its successor (by `command`), `failing` the targets false there.
    case cti(pre: StateVector, post: StateVector, command: Int, failing: [Int])
    case unknown(String)
  }

  /// After an `.inductive` answer of `check(..., recordCore: true)`: the
  /// active predicates Z3's unsat core names (a sufficient subset).
  private(set) var lastCore: [Int]?

  func check(active: [Int], targets: [Int], recordCore: Bool = false, timeoutMilliseconds: UInt32? = nil) throws(Z3Error) -> Answer {
    lastCore = nil
    guard !targets.isEmpty else { return .inductive }
    try solver.push()
    defer { try? solver.pop() }
    var bad: [Z3Term] = []
    for t in targets { bad.append(try ctx.not(entries[t].after)) }
    try solver.assert(ctx.or(bad))
    let assumptions = active.compactMap { entries[$0].literal }
    switch try solver.check(assuming: assumptions, timeoutMilliseconds: timeoutMilliseconds) {
    case .unsat:
      if recordCore { lastCore = try solver.unsatCore().compactMap { byLiteral[$0] }.sorted() }
      return .inductive
    case .unknown(let why): return .unknown(why)
    case .sat:
      let m = try solver.model()
      var failing: [Int] = []
      for t in targets {
        if try m.boolValue(of: entries[t].after) == false { failing.append(t) }
      }
      return .cti(
        pre: try unrolling.state(from: m, at: 0), post: try unrolling.state(from: m, at: 1),
        command: Int(try m.bvValue(of: unrolling.choices[0])), failing: failing)
    }
  }

  /// Base case: the indices of `predicates` false in some initial state
  /// (decided by Z3 over the initial-state constraint, not by evaluation).
  func falseInitially(_ predicates: [Int]) throws(Z3Error) -> [Int]? {
    let u = unrolling
    if initial == nil {
      var alternatives: [Z3Term] = []
      for s0 in u.system.initial { alternatives.append(try u.equals(0, s0)) }
      initial = try ctx.or(alternatives)
    }
    var out: [Int] = []
    var remaining = predicates.filter { entries[$0].before != nil }
    while !remaining.isEmpty {
      try solver.push()
      defer { try? solver.pop() }
      try solver.assert(initial!)
      var bad: [Z3Term] = []
      for p in remaining { bad.append(try ctx.not(entries[p].before!)) }
      try solver.assert(ctx.or(bad))
      switch try solver.check() {
      case .unsat: return out.sorted()
      case .unknown: return nil
      case .sat:
        let m = try solver.model()
        var f: [Int] = []
        for p in remaining {
          if try m.boolValue(of: entries[p].before!) == false { f.append(p) }
        }
        out += f
        remaining.removeAll { f.contains($0) }
      }
    }
    return out.sorted()
  }
}
