import CheckerCore
import Z3Kit

#if canImport(Glibc)
import Glibc
#endif

/// Proves `always` properties for every depth by 1-induction, strengthened
/// with lemmas.
///
/// A set of state predicates is an inductive invariant when every initial
/// state satisfies all of them (base case) and every transition from any
/// state satisfying all of them (within the declared slot ranges, reachable
/// or not) leads to a state satisfying all of them (inductive step). Then
/// each holds in every reachable state. `prove` checks that for the goals
/// together with the given lemmas, dropping lemmas that fail (Houdini:
/// Flanagan and Leino, FME 2001): what remains is inductive, so every lemma
/// kept and every goal is proved, whatever lemma the input contained. A goal
/// that fails is never dropped: the run ends with a counterexample to
/// induction.
///
/// `synthesize` finds such lemmas: mined candidates plus blocking clauses for
/// the pre-states of counterexamples to induction, generalised against the
/// whole reachable set (so every clause is an invariant); its result is only a
/// suggestion until `prove` has checked it.
public final class InductiveProver {
  public let system: GuardedSystem
  let goals: [SymbolicProperty]
  let timeout: UInt32?

  public init(system: GuardedSystem, goals: [SymbolicProperty], timeoutMilliseconds: UInt32? = nil) {
    self.system = system
    self.goals = goals.filter { $0.kind == .always }
    self.timeout = timeoutMilliseconds
  }

  /// A counterexample to induction: `pre` satisfies every predicate still in
  /// play, `post` (after `command`) breaks `failing`.
  public struct CTI: Sendable {
    public var pre: StateVector
    public var post: StateVector
    public var command: Int
    public var failing: [String]
  }

  public struct Dropped: Sendable {
    public var lemma: String
    /// "false in the initial state" or "not preserved by <step>".
    public var reason: String
  }

  public enum Outcome: Sendable {
    /// Every goal holds in every reachable state; `used` are the lemmas the
    /// final inductive argument needs (a subset of those kept).
    case proved(used: [String], kept: Int, dropped: [Dropped], rounds: Int)
    /// A goal is false in an initial state.
    case initialViolation(goal: String)
    /// A goal is not inductive relative to the lemmas that survived.
    case notProved(goal: String, cti: CTI, dropped: [Dropped])
    case unknown(reason: String)
  }

  /// Adds the goals to `q`, then the slot-range obligation (a step target,
  /// last): entry names, state goals and step targets, in goal order.
  func register(goalsIn q: InductionQuery) throws(Z3Error) -> (names: [Int: String], state: [Int], step: [Int]) {
    var names: [Int: String] = [:]
    var state: [Int] = [], step: [Int] = []
    for g in goals {
      let i = g.isStep ? try q.addStep(g.expr, events: g.events) : try q.addState(g.expr)
      names[i] = g.name
      if g.isStep { step.append(i) } else { state.append(i) }
    }
    let range = try q.addRangeObligation()
    names[range] = BoundedModelChecker.rangeViolation
    step.append(range)
    return (names, state, step)
  }

  // MARK: - Checking given lemmas

  public func prove(lemmas: [Lemma], progress: (String) -> Void = { _ in }) throws(Z3Error) -> Outcome {
    let q = try InductionQuery(system: system, timeoutMilliseconds: timeout)
    let registered = try register(goalsIn: q)
    var names = registered.names
    let goalIndices = registered.state, stepGoals = registered.step
    var exprs: [Int: Expr] = [:]
    for (i, g) in zip(goalIndices, goals.filter { !$0.isStep }) { exprs[i] = g.expr }
    let range = stepGoals.last!
    var lemmaIndices: [Int] = []
    for l in lemmas {
      let i = try q.addState(l.expr)
      names[i] = l.name
      exprs[i] = l.expr
      lemmaIndices.append(i)
    }
    let goalSet = Set(goalIndices + stepGoals)
    var dropped: [Dropped] = []
    // Base case.
    guard let initiallyFalse = try q.falseInitially(goalIndices + lemmaIndices) else {
      return .unknown(reason: "the base case query was not decided")
    }
    if let g = initiallyFalse.first(where: { goalSet.contains($0) }) { return .initialViolation(goal: names[g]!) }
    for i in initiallyFalse { dropped.append(Dropped(lemma: names[i]!, reason: "false in the initial state")) }
    var alive = (goalIndices + lemmaIndices).filter { !initiallyFalse.contains($0) }
    // Inductive step, Houdini. Each query asks about `targetsPerQuery`
    // targets (a disjunction of many negated targets is far harder for
    // Z3's finite-domain solver than several small ones); if one runs out
    // of time, a sixteenth as many per query, down to one.
    // A target shown preserved stays shown while the premises in its unsat
    // core stand; a drop removes premises: a new round for the others.
    var rounds = 1
    var pending = stepGoals + alive
    var cores: [Int: [Int]] = [:]
    var chunk = Self.targetsPerQuery
    let started = clock()
    func elapsed() -> String { secs(Double(clock() - started) / Double(CLOCKS_PER_SEC)) }
    while !pending.isEmpty {
      let batch = Array(pending.prefix(chunk))
      let budget: UInt32? = batch.count == 1 ? nil : min(timeout ?? .max, Self.batchMilliseconds)
      let answer = try q.check(active: alive, targets: batch, recordCore: true, timeoutMilliseconds: budget)
      switch answer {
      case .unknown(let why):
        if batch.count > 1 {
          chunk = max(1, batch.count / 16)
          progress("round \(rounds): a query about \(batch.count) targets was not decided in time (\(why)); \(chunk) per query")
          continue
        }
        return .unknown(reason: "Z3 (\(names[batch[0]]!)): \(why)")
      case .inductive:
        for t in batch { cores[t] = q.lastCore ?? alive }
        pending.removeFirst(batch.count)
      case .cti(let pre, let post, let command, let failing):
        let cti = CTI(pre: pre, post: post, command: command, failing: failing.map { names[$0]! })
        let stateFailing = failing.compactMap { exprs[$0] }
        guard
          replays(
            pre: pre, post: post, command: command, premises: alive.map { exprs[$0]! }, failing: stateFailing,
            rangeFails: failing.contains(range))
        else {
          return .unknown(reason: "internal error: Z3's counterexample to induction does not replay on the explicit stepper")
        }
        if let g = failing.first(where: { goalSet.contains($0) }) {
          progress("round \(rounds): \(names[g]!) not preserved (\(elapsed()))")
          return .notProved(goal: names[g]!, cti: cti, dropped: dropped)
        }
        // Every other predicate the post-state breaks falls too (the
        // explicit evaluation is exact, and saves a query per predicate).
        let alsoFailing = alive.filter { i in
          !failing.contains(i) && !goalSet.contains(i) && exprs[i].map { $0.evaluate { post[$0] } == 0 } == true
        }
        for t in failing + alsoFailing {
          dropped.append(Dropped(lemma: names[t]!, reason: "not preserved by \(system.describe(command))"))
        }
        let gone = Set(failing + alsoFailing)
        alive.removeAll { gone.contains($0) }
        // A target shown preserved by premises none of which fell is still
        // preserved (its unsat core is intact): only the rest are asked again.
        cores = cores.filter { t, core in !gone.contains(t) && core.allSatisfy { !gone.contains($0) } }
        pending = (stepGoals + alive).filter { cores[$0] == nil }
        if pending.count > chunk {
          progress("round \(rounds): \(gone.count) dropped, \(pending.count) of \(alive.count + stepGoals.count) to ask again (\(elapsed()))")
        }
        rounds += 1
      }
    }
    progress("round \(rounds): \(alive.count + stepGoals.count) predicates, inductive (\(elapsed()))")
    // What the proof uses: the goals and, transitively, the premises each
    // needed (every member's preservation uses only members of its core, so
    // the closure is inductive by itself).
    var used = Set<Int>()
    var queue = goalIndices + stepGoals
    while let x = queue.popLast() {
      for c in cores[x] ?? [] where used.insert(c).inserted { queue.append(c) }
    }
    let usedNames = lemmaIndices.filter { used.contains($0) }.map { names[$0]! }
    // The certificate, once more, on a fresh solver without activation
    // literals: every kept predicate asserted in s0, each target's negation
    // in s1 in turn.
    let kept = lemmaIndices.filter { alive.contains($0) }.map { exprs[$0]! }
    switch try confirm(kept, solverKind: confirmationSolver) {
    case .inductive: break
    case .unknown(let why): return .unknown(reason: "confirmation: \(why)")
    case .cti: return .unknown(reason: "internal error: the fresh confirmation query does not find the lemmas inductive")
    }
    return .proved(used: usedNames, kept: alive.count - goalIndices.count, dropped: dropped, rounds: rounds)
  }

  /// How long a query about several targets may take before the prover
  /// asks about fewer at a time.
  public static let batchMilliseconds: UInt32 = 20_000

  /// Targets per induction query. Measured on the 4-page family's 144
  /// predicates: all in one query did not finish in 20 s, 9 per query took
  /// 2.6 s in all.
  public static let targetsPerQuery = 16

  /// Which solver `confirm` uses (`.finiteDomain`, or `.simple`, Z3's SMT
  /// core: an independent decision procedure, much slower, for tests).
  public var confirmationSolver: Z3Solver.Kind = .finiteDomain

  /// The goals and `lemmas` are inductive, decided on a fresh solver
  /// without activation literals: every predicate asserted in s0, then the
  /// negation of each target in s1 (every state predicate, every step goal,
  /// the slot ranges) in its own scope.
  public func confirm(_ lemmas: [Expr], solverKind: Z3Solver.Kind = .finiteDomain) throws(Z3Error) -> InductionQuery.Answer {
    let u = try Unrolling(system: system, timeoutMilliseconds: timeout, solverKind: solverKind)
    try u.addStateVariables()
    try u.addTransition()
    let state = goals.filter { !$0.isStep }.map(\.expr) + lemmas
    var targets: [Z3Term] = [try u.inRange(1)]
    for e in state {
      try u.solver.assert(u.stateFormula(e, at: 0))
      targets.append(try u.stateFormula(e, at: 1))
    }
    for g in goals where g.isStep { targets.append(try u.stepFormula(g.expr, events: g.events, at: 0)) }
    // `targetsPerQuery` targets per query; one per target where that takes
    // too long.
    func refuted(_ ts: ArraySlice<Z3Term>, budget: UInt32?) throws(Z3Error) -> Z3Result {
      try u.solver.push()
      defer { try? u.solver.pop() }
      try u.solver.assert(u.ctx.or(ts.map { t throws(Z3Error) in try u.ctx.not(t) }))
      return try u.solver.check(timeoutMilliseconds: budget)
    }
    let cti = InductionQuery.Answer.cti(pre: StateVector(slots: []), post: StateVector(slots: []), command: -1, failing: [])
    for start in stride(from: 0, to: targets.count, by: Self.targetsPerQuery) {
      let chunk = targets[start..<min(start + Self.targetsPerQuery, targets.count)]
      switch try refuted(chunk, budget: chunk.count == 1 ? nil : min(timeout ?? .max, Self.batchMilliseconds)) {
      case .unsat: continue
      case .sat: return cti
      case .unknown(let why):
        if chunk.count == 1 { return .unknown(why) }
      }
      for t in chunk.indices {
        switch try refuted(chunk[t...t], budget: nil) {
        case .unsat: continue
        case .sat: return cti
        case .unknown(let why): return .unknown(why)
        }
      }
    }
    return .inductive
  }

  /// A counterexample to induction read from Z3, checked on the explicit
  /// side: the pre-state is within range and satisfies the premises, the
  /// command is enabled there and yields the post-state, which breaks the
  /// failing state predicates (command -1: no step, `pre` breaks them).
  /// False means the encoder or the solver and the stepper disagree (an
  /// internal error, never a result).
  func replays(
    pre: StateVector, post: StateVector, command: Int, premises: [Expr], failing: [Expr], rangeFails: Bool
  ) -> Bool {
    guard system.validate(pre) == nil, command < 0 || system.isEnabled(command, in: pre) else { return false }
    guard premises.allSatisfy({ $0.evaluate { pre[$0] } != 0 }) else { return false }
    if command < 0 { return failing.allSatisfy { $0.evaluate { pre[$0] } == 0 } }
    if rangeFails { return true }
    guard system.successor(of: pre, via: command) == post else { return false }
    return failing.allSatisfy { $0.evaluate { post[$0] } == 0 }
  }

  /// A small inductive subset of `full` (itself inductive with the goals),
  /// built upwards: start from the goals; while the set is not inductive,
  /// add a member of `full` false in the counterexample's pre-state (one
  /// exists, since `full` is inductive), the earliest in `full`'s order
  /// (simple templates before blocking clauses). Unsat cores of the whole
  /// set are far larger (Z3 4.8.12's `core.minimize` for the SAT solver
  /// returned cores that were not sufficient, so it is not used).
  func reduce(
    _ q: InductionQuery, full: [Int], goals: [Int], holds: (Int, StateVector) -> Bool
  ) throws(Z3Error) -> [Int]? {
    let stepGoals = goals.filter { q.entries[$0].literal == nil }
    var chosen = goals.filter { q.entries[$0].literal != nil }
    var taken = Set(chosen)
    while true {
      switch try q.check(active: chosen, targets: chosen + stepGoals) {
      case .inductive: return chosen.filter { !goals.contains($0) }
      case .unknown: return nil
      case .cti(let pre, _, _, _):
        guard let c = full.first(where: { !taken.contains($0) && !holds($0, pre) }) else { return nil }
        chosen.append(c)
        taken.insert(c)
      }
    }
  }

  // MARK: - Synthesis

  public struct SynthesisOptions: Sendable {
    /// Most strengthening rounds before giving up.
    public var maxRounds: Int
    /// CPU seconds before giving up.
    public var timeLimit: Double
    public init(maxRounds: Int = 20_000, timeLimit: Double = 600) {
      self.maxRounds = maxRounds
      self.timeLimit = timeLimit
    }
  }

  public enum Synthesis: Sendable {
    /// An inductive set of lemmas (with the goals), reduced to what the
    /// proof uses. Still to be checked by `prove` (from their text).
    case lemmas([LemmaGroup], candidates: Int, clauses: Int, rounds: Int)
    /// A goal failed on a transition from a known reachable state: a real
    /// counterexample (bounded model checking will find it).
    case reachableViolation(goal: String, cti: CTI)
    /// Out of budget, or (with an incomplete sample) a goal not provable
    /// from the surviving candidates.
    case gaveUp(reason: String, cti: CTI?)
  }

  /// Slot pairs the miner and the generaliser relate (see
  /// `CandidateMiner.comparablePairs`).
  public var pairs: [(Int, Int)] { CandidateMiner.comparablePairs(system, goals: goals.map(\.expr)) }

  /// `candidates` must be true on every state of `reachable`: the miner's
  /// are by construction (a test checks it), and candidates from elsewhere
  /// (another instance's lemmas) are filtered by the caller. With the whole
  /// reachable set the upward search relies on it: a false one may end the
  /// search early or reach the lemma file, where `prove` rejects it (nothing
  /// mined is assumed).
  public func synthesize(
    candidates: [LemmaForm], reachable: ReachableStates, options: SynthesisOptions = SynthesisOptions(),
    progress: (String) -> Void = { _ in }
  ) throws(Z3Error) -> Synthesis {
    progress(
      "\(candidates.count) candidate facts true on \(reachable.states.count) "
        + (reachable.complete ? "reachable states (all of them)" : "sampled reachable states"))
    let groups = LemmaGroup.group(candidates, schema: system.schema, pcSlots: Set(system.threads.map(\.pcSlot)))
    if reachable.complete {
      return try upward(pool: groups, reachable: reachable, options: options, candidates: candidates.count, progress: progress)
    }
    return try houdini(groups: groups, reachable: reachable, options: options, candidates: candidates.count, progress: progress)
  }

  /// With the whole reachable set: build the invariant upwards from the
  /// goals. While the chosen set is not inductive, its counterexample's
  /// pre-state is unreachable (every chosen predicate is true on every
  /// reachable state, so a reachable pre-state would have a reachable,
  /// hence satisfying, successor): rule it out with the first group of the
  /// pool false there, or else with a new blocking clause. Only what the
  /// goals need is ever proved, and each query holds only the chosen set.
  func upward(
    pool: [LemmaGroup], reachable: ReachableStates, options: SynthesisOptions, candidates: Int,
    progress: (String) -> Void
  ) throws(Z3Error) -> Synthesis {
    let started = clock()
    func elapsed() -> Double { Double(clock() - started) / Double(CLOCKS_PER_SEC) }
    let q = try InductionQuery(system: system, timeoutMilliseconds: timeout)
    let registered = try register(goalsIn: q)
    let names = registered.names
    var chosen = registered.state
    let stepGoals = registered.step
    let goalSet = Set(names.keys)
    var lemmas: [Int: LemmaGroup] = [:]
    var unused = Array(pool.indices)
    let generalizer = CTIGeneralizer(system: system, reachable: reachable, pairs: pairs)
    var clauses = 0, rounds = 0
    var lastReport = 0.0
    // One target at a time (a query about one predicate is far easier than
    // one about all of them). The chosen set only grows, so a target shown
    // preserved stays preserved; when none is pending, all are.
    var pending = stepGoals + chosen
    while true {
      rounds += 1
      guard let target = pending.first else {
        // Every target was shown preserved under a subset of the final
        // premises (the chosen set only grows): the set is inductive. `prove`
        // checks it again from the lemma file's text.
        let used = chosen.compactMap { lemmas[$0] }
        progress(
          "inductive after \(rounds) rounds: \(used.count) lemmas (\(used.reduce(0) { $0 + $1.forms.count }) facts), "
            + "\(clauses) blocking clauses (\(secs(elapsed())))")
        return .lemmas(used.sorted { $0.kind < $1.kind }, candidates: candidates, clauses: clauses, rounds: rounds)
      }
      switch try q.check(active: chosen, targets: [target]) {
      case .unknown(let why): return .gaveUp(reason: "Z3: \(why)", cti: nil)
      case .inductive:
        pending.removeFirst()
      case .cti(let pre, let post, let command, let failing):
        let cti = CTI(
          pre: pre, post: post, command: command,
          failing: failing.map { names[$0] ?? lemmas[$0].map { "\($0.kind)" } ?? "?" })
        let premiseHolds = chosen.allSatisfy { i in
          lemmas[i].map { $0.holds(pre) } ?? (goals.first { $0.name == names[i] }!.expr.evaluate { pre[$0] } != 0)
        }
        guard premiseHolds, system.isEnabled(command, in: pre) else {
          return .gaveUp(reason: "internal error: Z3's counterexample to induction does not replay on the explicit stepper", cti: cti)
        }
        // Z3 ranges over every renaming of the value classes; the reachable
        // set holds canonical states only, and the goals and lemmas cannot
        // tell a state from its canonical form (ValueRenaming).
        if reachable.contains(system.renaming?.canonical(pre) ?? pre) {
          let g = failing.first { goalSet.contains($0) }
          return g.map { .reachableViolation(goal: names[$0]!, cti: cti) }
            ?? .gaveUp(reason: "a lemma fails after a reachable state (internal error)", cti: cti)
        }
        guard rounds < options.maxRounds, elapsed() < options.timeLimit else {
          return .gaveUp(reason: "budget exhausted after \(rounds) rounds", cti: cti)
        }
        let group: LemmaGroup
        if let k = unused.firstIndex(where: { !pool[$0].holds(pre) }) {
          group = pool[unused.remove(at: k)]
        } else {
          guard let clause = generalizer.block(pre) else {
            return .gaveUp(reason: "could not generalise a counterexample to induction", cti: cti)
          }
          group = LemmaGroup(kind: .clause(clauses), forms: generalizer.strengthen(clause))
          clauses += 1
        }
        let i = try q.addState(group.expr)
        lemmas[i] = group
        chosen.append(i)
        pending.append(i)
        if elapsed() - lastReport >= 5 {
          lastReport = elapsed()
          progress("\(rounds) rounds, \(chosen.count - goals.count) lemmas, \(clauses) blocking clauses (\(secs(elapsed())))")
        }
      }
    }
  }

  /// With a sample of the reachable states: candidates may be false, so
  /// keep the largest inductive subset of them (Houdini, fact by fact: a
  /// group would fall with its weakest fact), as `prove` does with a lemma
  /// file, then what the proof's unsat cores use.
  func houdini(
    groups: [LemmaGroup], reachable: ReachableStates, options: SynthesisOptions, candidates: Int,
    progress: (String) -> Void
  ) throws(Z3Error) -> Synthesis {
    let forms = groups.flatMap(\.forms)
    let lemmas = forms.enumerated().map { k, f in Lemma(name: "fact\(k)", text: "", expr: f.expr) }
    switch try prove(lemmas: lemmas, progress: { progress("Houdini: " + $0) }) {
    case .proved(let used, let kept, _, let rounds):
      progress("Houdini: \(kept) facts kept, the proof uses \(used.count)")
      let usedForms = used.map { forms[Int($0.dropFirst(4))!] }
      let lemmas = LemmaGroup.group(usedForms, schema: system.schema, pcSlots: Set(system.threads.map(\.pcSlot)))
      return .lemmas(lemmas.sorted { $0.kind < $1.kind }, candidates: candidates, clauses: 0, rounds: rounds)
    case .initialViolation(let goal):
      return .gaveUp(reason: "\(goal) is false initially", cti: nil)
    case .notProved(let goal, let cti, _):
      return .gaveUp(reason: "\(goal) is not inductive relative to the surviving candidates", cti: cti)
    case .unknown(let why):
      return .gaveUp(reason: why, cti: nil)
    }
  }
}

/// "1.23 s" without Foundation.
func secs(_ x: Double) -> String {
  let c = Int((x * 100).rounded())
  let frac = c % 100
  return "\(c / 100).\(frac < 10 ? "0" : "")\(frac) s"
}
