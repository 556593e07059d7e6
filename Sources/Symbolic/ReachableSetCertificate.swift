import CheckerCore
import Dispatch
import Z3Kit

/// The reachable set itself as the inductive invariant: the proof for a
/// finite model whose strengthening lemmas are not found (mining that does
/// not converge, no lemma file).
///
/// Explicit enumeration proposes the set as a multi-valued decision diagram
/// over the slots (program counters first); Z3 then checks, on the same
/// transition encoding every other proof uses, that it holds in the initial
/// states, is closed under every command from every state in it (the
/// successor within the declared ranges) and implies every goal. Nothing of
/// the enumeration is trusted: a successor the explorer missed makes the
/// diagram not closed, and the check fails with a counterexample that
/// replays. What it does not give is an argument a human can read, nor any
/// reach beyond what enumeration reaches.
public struct ReachableSetCertificate: Sendable {
  /// Slots in diagram order, top first.
  public let order: [Int]
  /// Node 0 is the accepting terminal; every other node tests `order[level]`
  /// and has one edge per value that some state below it takes.
  public private(set) var level: [Int] = [-1]
  public private(set) var edges: [[(value: Int, child: Int)]] = [[]]
  public private(set) var root = 0
  public let stateCount: Int

  public var nodeCount: Int { level.count }

  public init(system: GuardedSystem, reachable: ReachableStates) {
    // Program counters first (they decide most of the rest), then the
    // slots that vary, then those constant on the whole set (one chain every
    // path shares).
    let pcs = system.threads.map(\.pcSlot)
    let pcSet = Set(pcs)
    let first = reachable.states.first
    let data = (0..<system.schema.slotCount).filter { !pcSet.contains($0) }
    let varies = Set(data.filter { x in reachable.states.contains { $0[x] != first?[x] } })
    order = pcs + data.filter { varies.contains($0) } + data.filter { !varies.contains($0) }
    stateCount = reachable.states.count
    var unique: [NodeKey: Int] = [:]
    root = build(0, Array(reachable.states.indices), reachable.states, &unique)
  }

  struct NodeKey: Hashable {
    var level: Int
    var values: [Int]
    var children: [Int]
  }

  /// The node for the states `rows` below `depth` (hash-consed: equal
  /// sub-diagrams are one node).
  private mutating func build(_ depth: Int, _ rows: [Int], _ states: [StateVector], _ unique: inout [NodeKey: Int]) -> Int {
    guard depth < order.count else { return 0 }
    let x = order[depth]
    var groups: [Int: [Int]] = [:]
    for r in rows { groups[states[r][x], default: []].append(r) }
    var key = NodeKey(level: depth, values: [], children: [])
    for v in groups.keys.sorted() {
      key.values.append(v)
      key.children.append(build(depth + 1, groups[v]!, states, &unique))
    }
    if let n = unique[key] { return n }
    let n = level.count
    level.append(depth)
    edges.append(zip(key.values, key.children).map { (value: $0, child: $1) })
    unique[key] = n
    return n
  }

  /// Whether the diagram holds `s` (the explicit side of a replay).
  public func contains(_ s: StateVector) -> Bool {
    guard stateCount > 0 else { return false }
    var n = root
    while n != 0 {
      guard let e = edges[n].first(where: { $0.value == s[order[level[n]]] }) else { return false }
      n = e.child
    }
    return true
  }

  /// Every reachable control point (the program counters, the diagram's
  /// top levels) with the sub-diagram of the states there.
  public func controlPoints(pcCount: Int) -> [(pcs: [Int], node: Int)] {
    var out: [(pcs: [Int], node: Int)] = []
    func walk(_ n: Int, _ prefix: [Int]) {
      if prefix.count == pcCount {
        out.append((prefix, n))
        return
      }
      for e in edges[n] { walk(e.child, prefix + [e.value]) }
    }
    if stateCount > 0 { walk(root, []) }
    return out
  }

  /// Membership in the sub-diagram below node `n` of the state at step `i`
  /// of `unrolling`, one Z3 term per node (memoised in `memo`, shared).
  func term(_ n: Int, _ unrolling: Unrolling, at i: Int, memo: inout [Int: Z3Term]) throws(Z3Error) -> Z3Term {
    if let t = memo[n] { return t }
    let ctx = unrolling.ctx
    let t: Z3Term
    if n == 0 {
      t = try ctx.bool(true)
    } else {
      let x = order[level[n]]
      var alternatives: [Z3Term] = []
      for e in edges[n] {
        let test = try ctx.eq(unrolling.states[i][x], unrolling.num(e.value))
        alternatives.append(e.child == 0 ? test : try ctx.and([test, term(e.child, unrolling, at: i, memo: &memo)]))
      }
      t = try ctx.or(alternatives)
    }
    memo[n] = t
    return t
  }
}

/// A value handed to concurrent workers that only read it (or, for a
/// closure, call it on their own index).
private struct Unchecked<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}

/// One result slot per worker, each written by its own worker only.
private final class WorkerResults: @unchecked Sendable {
  private var slots: UnsafeMutableBufferPointer<Result<(group: Int, outcome: InductiveProver.Outcome)?, Z3Error>?>
  init(_ n: Int) { slots = .allocate(capacity: n); slots.initialize(repeating: nil) }
  deinit { slots.deallocate() }
  func set(_ k: Int, _ r: Result<(group: Int, outcome: InductiveProver.Outcome)?, Z3Error>) { slots[k] = r }
  var all: [Result<(group: Int, outcome: InductiveProver.Outcome)?, Z3Error>] { slots.compactMap { $0 } }
}

extension InductiveProver {
  /// The most groups of control points the certificate is checked in.
  public static let certificateGroups = 600
  /// Solvers checking the closure at once.
  public static let certificateWorkers = 2

  /// The goals, proved with the reachable set as the invariant.
  ///
  /// Per group c of reachable control points (the first threads' program
  /// counters), with R_c the diagram's states there: every command that can
  /// be enabled in c leads from R_c into R_c' for the group c' it reaches,
  /// within the declared ranges, and satisfies every step goal; every state
  /// goal holds on R_c (on a solver without the transition, since a state
  /// with no enabled command must satisfy them too); the initial states are
  /// in R. Each query holds one sub-diagram, not the whole set twice.
  /// `.proved` names the set as the one lemma used; `.notProved` carries a
  /// counterexample (an explorer that missed a successor, or a goal false
  /// on a reachable state), checked on the explicit stepper.
  public func prove(certificate: ReachableSetCertificate, progress: (String) -> Void = { _ in }) throws(Z3Error) -> Outcome {
    let started = monotonicSeconds()
    func elapsed() -> String { secs(monotonicSeconds() - started) }
    let pcSlots = system.threads.map(\.pcSlot)
    let name = "reachable_set"
    /// The first `pcs.count` threads are at `pcs` in state i.
    func pcsEqual(_ w: Unrolling, _ pcs: [Int], at i: Int) throws(Z3Error) -> Z3Term {
      var cs: [Z3Term] = []
      for (x, v) in zip(pcSlots, pcs) { cs.append(try w.ctx.eq(w.states[i][x], w.num(v))) }
      return try w.ctx.and(cs)
    }
    // Queries are per group of control points sharing the first threads'
    // program counters: the deepest grouping with at most
    // `certificateGroups` groups (one query per control point costs more
    // in all than fewer, larger ones).
    var depth = pcSlots.count
    while depth > 1 && certificate.controlPoints(pcCount: depth).count > Self.certificateGroups { depth -= 1 }
    let groups = certificate.controlPoints(pcCount: depth)
    var nodeAt: [[Int]: Int] = [:]
    for p in groups { nodeAt[p.pcs] = p.node }

    // Base case and state goals: one state, no transition.
    let u = try Unrolling(system: system, timeoutMilliseconds: timeout)
    try u.addStateVariables()
    var memo0: [Int: Z3Term] = [:]
    for s0 in system.initial {
      guard let n = nodeAt[pcSlots.prefix(depth).map({ s0[$0] })] else { return .initialViolation(goal: name) }
      try u.solver.push()
      try u.solver.assert(u.equals(0, s0))
      try u.solver.assert(u.ctx.not(certificate.term(n, u, at: 0, memo: &memo0)))
      let r = try u.solver.check()
      try u.solver.pop()
      if case .sat = r { return .initialViolation(goal: name) }
      if case .unknown(let why) = r { return .unknown(reason: "Z3 (base case): \(why)") }
    }
    let stateGoals = goals.filter { !$0.isStep }
    var goalTerms: [Z3Term] = []
    for g in stateGoals { goalTerms.append(try u.stateFormula(g.expr, at: 0)) }
    for p in goalTerms.isEmpty ? [] : groups {
      try u.solver.push()
      try u.solver.assert(pcsEqual(u, p.pcs, at: 0))
      try u.solver.assert(certificate.term(p.node, u, at: 0, memo: &memo0))
      try u.solver.assert(u.ctx.or(goalTerms.map { t throws(Z3Error) in try u.ctx.not(t) }))
      let r = try u.solver.check()
      if case .sat = r {
        let m = try u.solver.model()
        var failing: [String] = []
        for (g, t) in zip(stateGoals, goalTerms) where try m.boolValue(of: t) == false { failing.append(g.name) }
        let pre = try u.state(from: m, at: 0)
        try u.solver.pop()
        // The explicit side agrees: a state of the set, a goal false there.
        let exprs = stateGoals.filter { failing.contains($0.name) }.map(\.expr)
        guard certificate.contains(pre), replays(pre: pre, post: pre, command: -1, premises: [], failing: exprs, rangeFails: false)
        else {
          return .unknown(reason: "internal error: Z3's state outside the goals does not replay on the explicit side")
        }
        return .notProved(goal: failing.first ?? "?", cti: CTI(pre: pre, post: pre, command: 0, failing: failing), dropped: [])
      }
      try u.solver.pop()
      if case .unknown(let why) = r { return .unknown(reason: "Z3 (goals): \(why)") }
    }
    progress(
      "the initial states are in the set and every state goal holds on it (\(groups.count) groups of control points, \(elapsed()))")

    // Closure and step goals: one transition, per group; the groups are
    // split over `certificateWorkers` solvers (one Z3 context each), and
    // the first failing group in order is the one reported.
    let commandsAt = Dictionary(grouping: system.commands.indices) { [system.commands[$0].thread, system.commands[$0].pc] }
    // Threads past the grouping may be anywhere: their commands may be
    // enabled in every group, and keep the group unchanged.
    let ungrouped = system.commands.indices.filter { system.commands[$0].thread >= depth }
    func close(worker: Int, of workers: Int, report: (String) -> Void) throws(Z3Error) -> (group: Int, outcome: Outcome)? {
      let q = try InductionQuery(system: system, timeoutMilliseconds: timeout)
      let registered = try register(goalsIn: q)
      let w = q.unrolling
      var memoA: [Int: Z3Term] = [:], memoB: [Int: Z3Term] = [:]
      for (index, p) in groups.enumerated() where index % workers == worker {
        if worker == 0 && index % 100 == 0 && index > 0 { report("\(index) of \(groups.count) groups closed (\(elapsed()))") }
        // The commands that can be enabled here (the encoding's guard tests
        // the thread's pc) and the groups they lead to.
        var commands = ungrouped
        var next = Set<[Int]>()
        if !commands.isEmpty { next.insert(p.pcs) }
        for (t, pc) in p.pcs.enumerated() {
          for k in commandsAt[[t, pc]] ?? [] {
            commands.append(k)
            for v in pcTargets(k) ?? Array(0...Int(system.slotMax[pcSlots[t]])) {
              var c = p.pcs
              c[t] = v
              next.insert(c)
            }
          }
        }
        if commands.isEmpty { continue }
        var inSet: [Z3Term] = []
        for c in next.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
          guard let n = nodeAt[c] else { continue }
          inSet.append(try w.ctx.and([pcsEqual(w, c, at: 1), certificate.term(n, w, at: 1, memo: &memoB)]))
        }
        try w.solver.push()
        try w.solver.assert(pcsEqual(w, p.pcs, at: 0))
        try w.solver.assert(certificate.term(p.node, w, at: 0, memo: &memoA))
        try w.solver.assert(w.ctx.or(commands.map { k throws(Z3Error) in try w.ctx.eq(w.choices[0], w.num(k)) }))
        var bad: [Z3Term] = [try w.ctx.not(w.ctx.or(inSet))]
        for t in registered.step { bad.append(try w.ctx.not(q.entries[t].after)) }
        try w.solver.assert(w.ctx.or(bad))
        let r = try w.solver.check()
        if case .sat = r {
          let m = try w.solver.model()
          let pre = try w.state(from: m, at: 0), post = try w.state(from: m, at: 1)
          let command = Int(try m.bvValue(of: w.choices[0]))
          var failing: [String] = []
          if try m.boolValue(of: w.ctx.or(inSet)) == false { failing.append(name) }
          for t in registered.step where try m.boolValue(of: q.entries[t].after) == false { failing.append(registered.names[t]!) }
          try w.solver.pop()
          // Replayed: a state of the set, the command enabled there, Z3's
          // successor the stepper's (unless it leaves the declared ranges).
          let rangeFails = failing.contains(registered.names[registered.step.last!]!)
          guard certificate.contains(pre),
            replays(pre: pre, post: post, command: command, premises: [], failing: [], rangeFails: rangeFails)
          else {
            return (index, .unknown(reason: "internal error: Z3's counterexample to induction does not replay on the explicit stepper"))
          }
          let cti = CTI(pre: pre, post: post, command: command, failing: failing)
          return (index, .notProved(goal: failing.first ?? name, cti: cti, dropped: []))
        }
        try w.solver.pop()
        if case .unknown(let why) = r { return (index, .unknown(reason: "Z3 (closure): \(why)")) }
      }
      return nil
    }
    let workers = max(1, min(Self.certificateWorkers, groups.count))
    let results = WorkerResults(workers)
    // Each worker touches only its own solver and result slot; the shared
    // captures (certificate, groups, system) are read-only.
    withoutActuallyEscaping(progress) { report in
      let job = Unchecked { (k: Int) in
        do throws(Z3Error) {
          results.set(k, .success(try close(worker: k, of: workers, report: report)))
        } catch {
          results.set(k, .failure(error))
        }
      }
      DispatchQueue.concurrentPerform(iterations: workers) { k in job.value(k) }
    }
    var first: (group: Int, outcome: Outcome)?
    for r in results.all {
      switch r {
      case .failure(let e): throw e
      case .success(let found?): if first == nil || found.group < first!.group { first = found }
      case .success(nil): break
      }
    }
    if let first { return first.outcome }
    progress(
      "reachable set of \(certificate.stateCount) states in \(groups.count) groups of control points, a decision diagram of "
        + "\(certificate.nodeCount) nodes: closed under every step, implies every goal (\(elapsed()))")
    return .proved(used: [name], kept: 1, dropped: [], rounds: 1)
  }

  /// Where command `k` may move its thread's pc: the constants of its pc
  /// update (nil: not only constants).
  func pcTargets(_ k: Int) -> [Int]? {
    let c = system.commands[k]
    let pcSlot = system.threads[c.thread].pcSlot
    guard let update = c.updates.first(where: { $0.slot == pcSlot }) else { return [c.pc] }
    func constants(_ e: Expr) -> [Int]? {
      switch e {
      case .const(let v): return [v]
      case .ite(_, let a, let b):
        guard let x = constants(a), let y = constants(b) else { return nil }
        return x + y
      default: return nil
      }
    }
    return constants(update.value)
  }
}
