import CheckerCore
import Z3Kit

/// The transition relation of a `GuardedSystem` unrolled over time steps in
/// one incremental Z3 solver.
///
/// Step i has one integer per slot (`s<i>_<slot>`) and a choice variable
/// `c<i>` naming the command taken from step i to i+1. The relation asserts
/// that the chosen command's full guard (pc test included) holds in step i,
/// and that every slot of step i+1 is that command's update, or unchanged:
/// `next(s) = ite(c = k1, u_k1, ite(c = k2, u_k2, ..., s))`.
public final class Unrolling {
  public let system: GuardedSystem
  public let ctx: Z3Context
  public let solver: Z3Solver
  public private(set) var states: [[Z3Term]] = []
  public private(set) var choices: [Z3Term] = []
  /// Commands that write each slot, with the update expression.
  private let writers: [[(command: Int, value: Expr)]]
  private let guards: [Expr]

  /// `.finiteDomain` (Z3's incremental SAT solver over bit-vectors) is the
  /// default: 20-50x faster than the SMT core on these queries (see
  /// `Z3Solver.Kind`).
  public init(system: GuardedSystem, timeoutMilliseconds: UInt32? = nil, solverKind: Z3Solver.Kind = .finiteDomain) throws(Z3Error) {
    self.system = system
    ctx = try Z3Context()
    solver = try Z3Solver(context: ctx, kind: solverKind, timeoutMilliseconds: timeoutMilliseconds)
    var w: [[(command: Int, value: Expr)]] = Array(repeating: [], count: system.schema.slotCount)
    for (k, c) in system.commands.enumerated() {
      for u in c.updates { w[u.slot].append((k, u.value)) }
    }
    writers = w
    guards = (0..<system.commands.count).map { system.fullGuard($0) }
  }

  func enc(_ i: Int) -> ExprEncoder {
    let st = states[i]
    return ExprEncoder(ctx: ctx, slot: { s throws(Z3Error) in st[s] })
  }

  func num(_ v: Int) throws(Z3Error) -> Z3Term { try ctx.bv(v, bits: ExprEncoder.width) }

  /// Declares the variables of a new step, constrained to their declared
  /// ranges (the byte encoding's domain) unless `inRange` is false.
  ///
  /// A step computed by a transition is left unconstrained: its values are
  /// the updates' 16-bit results, and `inRange(i)` says whether they fit.
  /// Constraining it instead would silently drop every transition that
  /// leaves the declared ranges, which the explicit stepper reports as an
  /// error (a model bound too small); the engines check `inRange` instead.
  @discardableResult
  public func addStateVariables(inRange constrained: Bool = true) throws(Z3Error) -> Int {
    let i = states.count
    var vars: [Z3Term] = []
    vars.reserveCapacity(system.schema.slotCount)
    for s in 0..<system.schema.slotCount {
      vars.append(try ctx.bvVar("s\(i)_\(s)", bits: ExprEncoder.width))
    }
    states.append(vars)
    if constrained { try solver.assert(inRange(i)) }
    return i
  }

  /// Every slot of step `i` lies within its declared range.
  public func inRange(_ i: Int) throws(Z3Error) -> Z3Term {
    var cs: [Z3Term] = []
    for (s, v) in states[i].enumerated() {
      cs.append(try ctx.bvULE(v, ctx.bv(Int(system.slotMax[s]), bits: ExprEncoder.width)))
    }
    return try ctx.and(cs)
  }

  /// Asserts that step 0 is one of the system's initial states.
  public func assertInitial() throws(Z3Error) {
    if states.isEmpty { try addStateVariables() }
    var alternatives: [Z3Term] = []
    for s0 in system.initial {
      var eqs: [Z3Term] = []
      for (s, v) in s0.slots.enumerated() { eqs.append(try ctx.eq(states[0][s], num(Int(v)))) }
      alternatives.append(try ctx.and(eqs))
    }
    try solver.assert(ctx.or(alternatives))
  }

  /// Term: step `i` equals the concrete state.
  public func equals(_ i: Int, _ state: StateVector) throws(Z3Error) -> Z3Term {
    var eqs: [Z3Term] = []
    for (s, v) in state.slots.enumerated() { eqs.append(try ctx.eq(states[i][s], num(Int(v)))) }
    return try ctx.and(eqs)
  }

  /// Adds step i+1 and asserts the transition from step i (the last one);
  /// step i+1 is range-constrained only if `constrainNext`.
  public func addTransition(constrainNext: Bool = false) throws(Z3Error) {
    let i = states.count - 1
    try addStateVariables(inRange: constrainNext)
    let c = try ctx.bvVar("c\(i)", bits: ExprEncoder.width)
    choices.append(c)
    let e = enc(i)
    try solver.assert(ctx.bvULT(c, num(system.commands.count)))
    // The chosen command is enabled.
    var implications: [Z3Term] = []
    implications.reserveCapacity(guards.count)
    for (k, g) in guards.enumerated() {
      implications.append(try ctx.implies(ctx.eq(c, num(k)), e.bool(g)))
    }
    try solver.assert(ctx.and(implications))
    // Its updates, everything else unchanged; then the value classes
    // renamed canonically, as the explicit stepper does.
    var post: [Z3Term] = []
    for s in 0..<system.schema.slotCount {
      var value = states[i][s]
      for (k, u) in writers[s].reversed() {
        value = try ctx.ite(ctx.eq(c, num(k)), e.int(u), value)
      }
      post.append(value)
    }
    if let renaming = system.renaming {
      // Only a command that writes a class slot renames (as the stepper).
      let renamed = try canonical(post, renaming)
      var writes: [Z3Term] = []
      for (k, cmd) in system.commands.enumerated() where renaming.writesClassSlot(cmd) { writes.append(try ctx.eq(c, num(k))) }
      let renames = try ctx.or(writes)
      for s in renaming.classes.flatMap(\.slots) { post[s] = try ctx.ite(renames, renamed[s], post[s]) }
    }
    for s in 0..<system.schema.slotCount {
      try solver.assert(ctx.eq(states[i + 1][s], post[s]))
    }
  }

  /// `ValueRenaming.canonicalize` as terms: each class value's key becomes
  /// the number of distinct nonzero keys at most it (its rank), the parity
  /// bit kept. Quadratic in the class's slot count (a few dozen slots).
  func canonical(_ raw: [Z3Term], _ renaming: ValueRenaming) throws(Z3Error) -> [Z3Term] {
    var out = raw
    let zero = try num(0), one = try num(1), two = try num(2)
    for c in renaming.classes {
      var keys: [Z3Term] = [], bits: [Z3Term] = []
      for s in c.slots {
        keys.append(c.parity ? try ctx.bvUDiv(raw[s], two) : raw[s])
        bits.append(c.parity ? try ctx.bvURem(raw[s], two) : zero)
      }
      // counts[j]: key j is nonzero and the first of its value.
      var counts: [Z3Term] = []
      for j in keys.indices {
        var fresh: [Z3Term] = [try ctx.neq(keys[j], zero)]
        for k in 0..<j { fresh.append(try ctx.neq(keys[k], keys[j])) }
        counts.append(try ctx.and(fresh))
      }
      for (i, s) in c.slots.enumerated() {
        var terms: [Z3Term] = []
        for j in keys.indices {
          terms.append(try ctx.ite(ctx.and([counts[j], ctx.bvULE(keys[j], keys[i])]), one, zero))
        }
        var rank = terms[0]
        for t in terms.dropFirst() { rank = try ctx.bvAdd(rank, t) }
        let renamed = c.parity ? try ctx.bvAdd(ctx.bvMul(rank, two), bits[i]) : rank
        out[s] = try ctx.ite(ctx.eq(keys[i], zero), raw[s], renamed)
      }
    }
    return out
  }

  /// A state property at step `i` (an Expr over slots).
  public func stateFormula(_ e: Expr, at i: Int) throws(Z3Error) -> Z3Term { try enc(i).bool(e) }

  /// A step property of the transition i → i+1 over the extended vector
  /// [pre][post][event flags]; an event flag holds when the chosen command
  /// fires that event.
  public func stepFormula(_ e: Expr, events: [String], at i: Int) throws(Z3Error) -> Z3Term {
    let n = system.schema.slotCount
    var flags: [Z3Term] = []
    for ev in events {
      var alts: [Z3Term] = []
      for (k, c) in system.commands.enumerated() where c.events.contains(ev) {
        alts.append(try ctx.eq(choices[i], num(k)))
      }
      flags.append(try ctx.ite(ctx.or(alts), num(1), num(0)))
    }
    let pre = states[i], post = states[i + 1]
    let encoder = ExprEncoder(
      ctx: ctx,
      slot: { s throws(Z3Error) in
        s < n ? pre[s] : (s < 2 * n ? post[s - n] : flags[s - 2 * n])
      })
    return try encoder.bool(e)
  }

  /// The command choices of a satisfying model, steps 0..<depth.
  public func path(from model: Z3Model, depth: Int) throws(Z3Error) -> [Int] {
    var out: [Int] = []
    for i in 0..<depth { out.append(Int(try model.bvValue(of: choices[i]))) }
    return out
  }

  /// The concrete state of step `i` in a model.
  public func state(from model: Z3Model, at i: Int) throws(Z3Error) -> StateVector {
    var slots: [UInt8] = []
    for v in states[i] { slots.append(UInt8(clamping: try model.bvValue(of: v))) }
    return StateVector(slots: slots)
  }
}
