import CheckerCore

/// A liveness property as data, as the property language lowers it.
public struct LivenessProperty: Sendable {
  public enum Kind: Sendable {
    /// Every fair run reaches a state where the predicate holds.
    case eventually(Expr)
    /// Every state where the trigger holds is followed by one where the
    /// response holds.
    case leadsTo(Expr, Expr)
    /// No fair cycle without a step where the step predicate holds (over
    /// [pre][post][event flags], with each command's flags).
    case progress(SlotProperty)
  }

  public var name: String
  public var kind: Kind

  public init(name: String, kind: Kind) {
    self.name = name
    self.kind = kind
  }
}

/// The liveness checks of one model: what the exhaustive search records
/// for them, the fair-lasso search over the recorded graph, and the
/// independent re-verification of every lasso before it is reported.
///
/// The graph is the one the safety search explores: states that violate
/// an `always` property (or are reached by a step that violates one) are
/// not followed. Liveness is therefore judged on the runs that stay safe; a
/// run that reaches a violation is reported as that violation.
public struct LivenessPass: Sendable {
  public let system: GuardedSystem
  public let properties: [LivenessProperty]
  /// Per thread.
  public let fairness: [FairCycleSearch.Fairness]

  public init(system: GuardedSystem, properties: [LivenessProperty], fairness: [FairCycleSearch.Fairness]) {
    self.system = system
    self.properties = properties
    self.fairness = fairness
  }

  /// Bit of each property's predicates in the recorded graph.
  var layout: (statePredicates: [Expr], stepPredicates: [SlotProperty], goals: [FairCycleSearch.Goal]) {
    var states: [Expr] = [], steps: [SlotProperty] = [], goals: [FairCycleSearch.Goal] = []
    for p in properties {
      switch p.kind {
      case .eventually(let e):
        states.append(e)
        goals.append(.eventually(states.count - 1))
      case .leadsTo(let a, let b):
        states += [a, b]
        goals.append(.leadsTo(trigger: states.count - 2, response: states.count - 1))
      case .progress(let sp):
        steps.append(sp)
        goals.append(.nonProgressWhere(edgeBit: steps.count - 1))
      }
    }
    return (states, steps, goals)
  }

  /// What the packed search must record; nil when the properties need more
  /// predicate bits than a graph holds (split them over several runs).
  public var recording: PackedBFSExplorer.GraphRecording? {
    let l = layout
    guard l.statePredicates.count <= LivenessGraph.maxStatePredicates, l.stepPredicates.count <= LivenessGraph.maxStepPredicates
    else { return nil }
    return PackedBFSExplorer.GraphRecording(statePredicates: l.statePredicates, stepPredicates: l.stepPredicates)
  }

  public struct Violation: Sendable {
    public var property: String
    public var path: ActionPath<Int>
    /// Index of the loop's first state; nil for a finite run.
    public var loop: Int?
  }

  /// Checks every property over a complete recorded graph; each lasso is
  /// re-verified state by state (`confirms`) and an unconfirmed one is an
  /// internal error (returned as the thrown message).
  public func check(_ graph: LivenessGraph, progress: ((String) -> Void)? = nil) throws -> [Violation] {
    precondition(graph.complete, "liveness needs the whole graph")
    let search = FairCycleSearch(graph: graph, fairness: fairness, defaultFairness: .weak)
    var out: [Violation] = []
    for (p, goal) in zip(properties, layout.goals) {
      progress?(p.name)
      guard let lasso = search.check(goal) else { continue }
      let path = ActionPath(initial: lasso.initial, actions: lasso.actions)
      let loop: Int? = lasso.isFinite ? nil : lasso.loopStart
      guard confirms(p, path, loop: loop) else {
        throw LivenessError("the lasso found for \(p.name) does not re-verify state by state")
      }
      out.append(Violation(property: p.name, path: path, loop: loop))
    }
    return out
  }

  /// Re-verifies a lasso independently of the graph search, with the
  /// reference evaluator (`Expr.evaluate`): it replays, its loop returns to
  /// the loop's first state (or the run ends with nothing enabled), the
  /// goal is never met where it must not be, and every weakly or strongly
  /// fair thread is served by the loop.
  public func confirms(_ p: LivenessProperty, _ path: ActionPath<Int>, loop: Int?) -> Bool {
    guard let states = try? PathReplay.states(system, path) else { return false }
    let last = states.count - 1
    var acts: [Int] = []
    func threadsEnabled(_ s: StateVector) -> Set<Int> {
      acts.removeAll()
      system.enabledActions(in: s, into: &acts)
      return Set(acts.map { system.commands[$0].thread })
    }
    if let loop {
      guard loop < last, states[loop] == states[last] else { return false }
      let taken = Set(path.actions[loop...].map { system.commands[$0].thread })
      var everywhere: Set<Int>? = nil
      var somewhere = Set<Int>()
      for s in states[loop..<last] {
        let en = threadsEnabled(s)
        somewhere.formUnion(en)
        everywhere = everywhere.map { $0.intersection(en) } ?? en
      }
      for (t, f) in fairness.enumerated() {
        if f == .weak && everywhere?.contains(t) == true && !taken.contains(t) { return false }
        if f == .strong && somewhere.contains(t) && !taken.contains(t) { return false }
      }
    } else {
      guard threadsEnabled(states[last]).isEmpty else { return false }
    }
    func holds(_ e: Expr, _ s: StateVector) -> Bool { e.evaluate { s[$0] } != 0 }
    switch p.kind {
    case .eventually(let e):
      return states.allSatisfy { !holds(e, $0) }
    case .leadsTo(let a, let b):
      guard let i = states.firstIndex(where: { holds(a, $0) && !holds(b, $0) }) else { return false }
      return states[i...].allSatisfy { !holds(b, $0) } && (loop.map { $0 >= i } ?? true)
    case .progress(let sp):
      guard let loop else { return false }
      let n = system.schema.slotCount
      return (loop..<last).allSatisfy { k in
        let pre = states[k], post = states[k + 1], flags = sp.commandFlags[path.actions[k]]
        return sp.expr.evaluate { x in
          x < n ? pre[x] : x < 2 * n ? post[x - n] : x - 2 * n < flags.count ? Int(flags[x - 2 * n]) : 0
        } == 0
      }
    }
  }
}

/// A lasso that does not re-verify: an hmmcheck bug.
public struct LivenessError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ d: String) { description = d }
}
