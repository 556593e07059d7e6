import CheckerCore
import Z3Kit

#if canImport(Glibc)
import Glibc
#endif

/// Bounded model checking, depth by depth, on one incremental solver.
///
/// At depth d the solver holds the initial state and d transitions; it asks
/// whether any `always` property can fail at step d (state properties) or on
/// the transition d-1 → d (step properties). Earlier depths were clean, so
/// the first depth with a model is the length of a shortest counterexample,
/// the same length BFS reports.
public final class BoundedModelChecker {
  public struct DepthReport: Sendable {
    public var depth: Int
    public var seconds: Double
    public var result: String
  }

  public enum Outcome: Sendable {
    /// A violation of `property` after `path` (replay it before trusting it).
    case violation(property: String, path: ActionPath<Int>)
    /// No violation in any path of at most `depth` steps.
    case clean(depth: Int)
    /// The solver gave up (timeout or incompleteness) at `depth`.
    case unknown(depth: Int, reason: String)
  }

  /// The name under which a path leaving the declared slot ranges is
  /// reported (the explicit explorers report it as a model error).
  public static let rangeViolation = "(declared slot ranges)"

  let unrolling: Unrolling
  let properties: [SymbolicProperty]
  /// Depths already shown clean; `run` resumes after them.
  public private(set) var cleanDepth = -1
  /// Properties no longer looked for (already found violated): `run`
  /// resumes at the depth of the last violation and looks for the others.
  public var ignored: Set<String> = []

  public init(system: GuardedSystem, properties: [SymbolicProperty], timeoutMilliseconds: UInt32? = nil) throws(Z3Error) {
    unrolling = try Unrolling(system: system, timeoutMilliseconds: timeoutMilliseconds)
    self.properties = properties.filter { $0.kind == .always }
    try unrolling.assertInitial()
  }

  public func run(maxDepth: Int, progress: (DepthReport) -> Void = { _ in }) throws(Z3Error) -> Outcome {
    let u = unrolling
    guard maxDepth > cleanDepth else { return .clean(depth: cleanDepth) }
    for depth in (cleanDepth + 1)...maxDepth {
      let start = clock()
      if depth > 0 { try u.addTransition() }
      var bad: [(String, Z3Term)] = []
      for p in properties where !ignored.contains(p.name) {
        if p.isStep {
          guard depth > 0 else { continue }
          bad.append((p.name, try u.ctx.not(u.stepFormula(p.expr, events: p.events, at: depth - 1))))
        } else {
          bad.append((p.name, try u.ctx.not(u.stateFormula(p.expr, at: depth))))
        }
      }
      if depth > 0 { bad.append((Self.rangeViolation, try u.ctx.not(u.inRange(depth)))) }
      guard !bad.isEmpty else {
        cleanDepth = depth
        continue
      }
      try u.solver.push()
      try u.solver.assert(u.ctx.or(bad.map(\.1)))
      let r = try u.solver.check()
      let seconds = Double(clock() - start) / Double(CLOCKS_PER_SEC)
      switch r {
      case .sat:
        let m = try u.solver.model()
        let path = try u.path(from: m, depth: depth)
        var name = bad[0].0
        for (n, t) in bad where (try? m.boolValue(of: t)) == true {
          name = n
          break
        }
        try u.solver.pop()
        progress(DepthReport(depth: depth, seconds: seconds, result: "violation of \(name)"))
        return .violation(property: name, path: ActionPath(initial: 0, actions: path))
      case .unsat:
        try u.solver.pop()
        cleanDepth = depth
        progress(DepthReport(depth: depth, seconds: seconds, result: "no violation"))
      case .unknown(let why):
        try u.solver.pop()
        progress(DepthReport(depth: depth, seconds: seconds, result: "unknown (\(why))"))
        return .unknown(depth: depth, reason: why)
      }
    }
    return .clean(depth: maxDepth)
  }
}
