import CheckerCore
import Traces

/// Why a command is not enabled: the conjuncts of its full guard
/// (`GuardedSystem.fullGuard`, pc test included) that are false in a state,
/// each told in the schema's names, with kernel wording for the common
/// shapes (a thread elsewhere in its program, the driver lock, a page lock,
/// the mmap_lock).
struct GuardExplainer {
  let system: GuardedSystem
  var schema: Schema { system.schema }

  init(system: GuardedSystem) { self.system = system }

  /// The top-level conjuncts of an expression.
  static func conjuncts(_ e: Expr) -> [Expr] {
    if case .and(let parts) = e { return parts.flatMap(conjuncts) }
    return [e]
  }

  /// One reason per false conjunct of `action`'s full guard in `state`
  /// (empty when the action is enabled). When the thread is not at the
  /// command's program point, that is the only reason given: the rest of
  /// the guard is about a state the thread is not in.
  func reasons(_ action: Int, in state: StateVector) -> [String] {
    let c = system.commands[action]
    let t = system.threads[c.thread]
    if state[t.pcSlot] != c.pc {
      return [pcReason(c.thread, wanted: c.pc, in: state)]
    }
    return Self.conjuncts(system.fullGuard(action))
      .filter { $0.evaluate({ state[$0] }) == 0 }
      .map { describe(false: $0, in: state) }
  }

  /// `cpu0 is at "op 1 munmap: zap page 0" (this step runs at "...")`.
  func pcReason(_ thread: Int, wanted: Int, in state: StateVector) -> String {
    let t = system.threads[thread]
    let here = state[t.pcSlot]
    let wantedLabel = label(thread, wanted)
    if here == t.donePC { return "\(t.name) has finished (this step runs at \(quote(wantedLabel)))" }
    return "\(t.name) is at \(quote(label(thread, here))), not at \(quote(wantedLabel))"
  }

  func label(_ thread: Int, _ pc: Int) -> String {
    let labels = system.threads[thread].pcLabels
    return pc >= 0 && pc < labels.count ? labels[pc] : "pc \(pc)"
  }

  func quote(_ s: String) -> String { "\u{201C}\(s)\u{201D}" }

  /// What a false conjunct means.
  func describe(false e: Expr, in state: StateVector) -> String {
    if let friendly = friendly(e, in: state) { return friendly }
    var slots: [Int] = []
    e.slotsRead(into: &slots)
    let values = slots.map { "\(schema.slotName($0)) = \(value($0, in: state))" }
    return "needs `\(render(e))`" + (values.isEmpty ? "" : " (" + values.joined(separator: ", ") + ")")
  }

  /// Kernel wording for the guards every blocked thread meets.
  func friendly(_ e: Expr, in state: StateVector) -> String? {
    guard case .binary(let op, .slot(let s), .const(let k)) = e else { return nil }
    let (v, idx) = schema.locate(slot: s)
    let element = idx.isEmpty ? "" : schema.elementName(v.dimensions[0], idx[0])
    switch (v.name, op, k) {
    case ("thread.pc", .eq, _):
      guard let t = system.threads.firstIndex(where: { $0.pcSlot == s }) else { return nil }
      return pcReason(t, wanted: k, in: state)
    case ("drv.lock", .eq, 0):
      let holder = schema.format(slot: s, value: state[s])
      var text = "waits for the driver lock of \(element) (driver->update), held by \(holder)"
      if let h = system.threads.firstIndex(where: { $0.name == holder }) {
        text += " (at \(quote(label(h, state[system.threads[h].pcSlot]))))"
      }
      return text
    case ("page.locked", .eq, 0):
      return "waits for the page lock of \(element) (PG_locked is set)"
    case ("page.locked", .ne, 0):
      return "needs the page lock of \(element) held (it is not locked)"
    case ("mm.writer", .eq, 0):
      return "waits for the mmap_lock: it is held for write (munmap or mprotect)"
    case ("mm.readers", .eq, 0):
      let n = state[s]
      return "waits for the mmap_lock: \(n) reader\(n == 1 ? "" : "s") hold\(n == 1 ? "s" : "") it for read"
    default:
      return nil
    }
  }

  /// A slot's value as the schema formats it (a pc as its label).
  func value(_ slot: Int, in state: StateVector) -> String {
    StateRenderer(system: system).value(slot: slot, in: state)
  }

  // MARK: - Expressions in the schema's names

  /// `drv.lock[gpu0] == none`, `mn.iseq[gpu0] != t.seq[gpu0_mirror]`,
  /// `not page.locked[ram0]`: constants compared with a slot are shown in
  /// that slot's type.
  func render(_ e: Expr) -> String {
    switch e {
    case .const(let v): return String(v)
    case .slot(let s): return schema.slotName(s)
    case .select(let table, let index):
      let slots = table.filter { $0 >= 0 }
      if let first = slots.first {
        let owner = schema.slotOwner[first]
        if slots.allSatisfy({ schema.slotOwner[$0] == owner }) {
          return "\(schema.variables[owner].name)[\(render(index))]"
        }
      }
      return "select(\(render(index)))"
    case .not(let inner): return "not " + atom(inner)
    case .and(let parts): return parts.map(atom).joined(separator: " and ")
    case .or(let parts): return parts.map(atom).joined(separator: " or ")
    case .ite(let c, let a, let b): return "if \(render(c)) then \(render(a)) else \(render(b))"
    case .binary(let op, let a, let b):
      if let bool = boolTest(op, a, b) { return bool }
      let (ra, rb) = (typed(a, against: b), typed(b, against: a))
      return "\(ra) \(symbol(op)) \(rb)"
    }
  }

  private func atom(_ e: Expr) -> String {
    switch e {
    case .const, .slot, .select, .not: return render(e)
    case .binary(let op, let a, let b) where boolTest(op, a, b) != nil: return render(e)
    default: return "(" + render(e) + ")"
    }
  }

  /// `x == 0` / `x != 0` on a boolean slot read as `not x` / `x`.
  private func boolTest(_ op: Expr.BinaryOp, _ a: Expr, _ b: Expr) -> String? {
    guard case .slot(let s) = a, case .const(0) = b, slotType(s) == .bool else { return nil }
    switch op {
    case .eq: return "not " + schema.slotName(s)
    case .ne: return schema.slotName(s)
    default: return nil
    }
  }

  private func slotType(_ s: Int) -> Schema.ValueType { schema.variables[schema.slotOwner[s]].type }

  /// A constant shown in the type of the slot it is compared with.
  private func typed(_ e: Expr, against other: Expr) -> String {
    guard case .const(let k) = e else { return atom(e) }
    if case .slot(let s) = other {
      if let t = system.threads.firstIndex(where: { $0.pcSlot == s }) { return quote(label(t, k)) }
      return schema.format(k, as: slotType(s))
    }
    return String(k)
  }

  private func symbol(_ op: Expr.BinaryOp) -> String {
    switch op {
    case .add: return "+"
    case .sub: return "-"
    case .mul: return "*"
    case .eq: return "=="
    case .ne: return "!="
    case .lt: return "<"
    case .le: return "<="
    case .implies: return "implies"
    }
  }
}
