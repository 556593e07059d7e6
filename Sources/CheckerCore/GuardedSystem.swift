/// A state vector: one small unsigned integer per schema slot.
///
/// Plain bytes make states cheap to copy, hash with the pinned fingerprint,
/// compare and encode; the schema gives them names.
public struct StateVector: Hashable, Sendable, Codable {
  public var slots: [UInt8]
  public init(slots: [UInt8]) { self.slots = slots }
  public subscript(slot: Int) -> Int {
    get { Int(slots[slot]) }
    set { slots[slot] = UInt8(newValue) }
  }
}

/// One guarded command: the unit of atomicity, named after the kernel path
/// it models.
///
/// A command belongs to one thread and is enabled only when that thread's
/// program counter equals `pc` and `guard` holds; it then performs all of
/// `updates` at once, every right-hand side read in the pre-state (parallel
/// assignment, as in TLA+ and guarded-command languages).
public struct Command: Hashable, Sendable, Codable {
  public struct Update: Hashable, Sendable, Codable {
    public var slot: Int
    public var value: Expr
    public init(slot: Int, value: Expr) {
      self.slot = slot
      self.value = value
    }
  }

  public var thread: Int
  public var pc: Int
  /// The kernel function or path, e.g. `mmu_interval_read_retry`.
  public var name: String
  /// Concrete parameters (page, device, ...) as display strings, in order.
  public var params: [String]
  /// What this branch of the step does, e.g. `collision: retry`.
  public var outcome: String
  public var guardExpr: Expr
  public var updates: [Update]
  /// Witness events (`read_retry_collision`, `migration_hole`, ...): step
  /// properties can ask whether a transition fired one.
  public var events: [String]
  /// Marks steps that count as progress for liveness.
  public var progress: Bool

  public init(
    thread: Int, pc: Int, name: String, params: [String] = [], outcome: String = "",
    guard guardExpr: Expr, updates: [Update], events: [String] = [], progress: Bool = false
  ) {
    self.thread = thread
    self.pc = pc
    self.name = name
    self.params = params
    self.outcome = outcome
    self.guardExpr = guardExpr
    self.updates = updates
    self.events = events
    self.progress = progress
  }
}

/// A thread of the model: its program-counter slot and the names of its pcs.
public struct ThreadInfo: Hashable, Sendable, Codable {
  public var name: String
  public var pcSlot: Int
  /// Human-readable label of every pc value (`op 2 migrate_to_device: collect page 1`).
  public var pcLabels: [String]
  /// The pc value meaning "program finished".
  public var donePC: Int
  public init(name: String, pcSlot: Int, pcLabels: [String], donePC: Int) {
    self.name = name
    self.pcSlot = pcSlot
    self.pcLabels = pcLabels
    self.donePC = donePC
  }
}

/// A model as guarded commands over a schema: the form every engine shares.
public struct GuardedSystem: TransitionSystem, Sendable {
  public typealias State = StateVector
  /// An action is the index of a command in `commands`.
  public typealias Action = Int

  public let schema: Schema
  public let threads: [ThreadInfo]
  public let commands: [Command]
  public let initial: [StateVector]
  /// Upper bound (inclusive) of every slot, from the schema's types.
  public let slotMax: [UInt8]
  /// The canonical renaming of the schema's value classes, applied to every
  /// successor (nil: the schema declares none).
  public let renaming: ValueRenaming?
  /// Per command: it writes a value-class slot, so its successor is renamed.
  @usableFromInline let renames: [Bool]

  @usableFromInline let guards: [Program]
  /// Each guard split for speed: conjuncts `slot == k` / `slot != k` as
  /// plain comparisons, and the rest as a residual program (nil if none).
  @usableFromInline let guardEqs: [[(slot: Int32, value: UInt8, equal: Bool)]]
  @usableFromInline let guardRest: [Program?]
  @usableFromInline let updateSlots: [[Int32]]
  @usableFromInline let updatePrograms: [[Program]]
  /// Updates whose value is a constant, applied without running a program.
  @usableFromInline let constSlots: [[Int32]]
  @usableFromInline let constValues: [[UInt8]]
  /// The remaining updates (indices into updateSlots/updatePrograms).
  @usableFromInline let generalUpdates: [[Int32]]
  /// `byPC[thread][pc]` = commands enabled at that pc, in declaration order.
  @usableFromInline let byPC: [[[Int32]]]
  @usableFromInline let pcSlots: [Int]

  public init(schema: Schema, threads: [ThreadInfo], commands: [Command], initial: [StateVector]) {
    self.schema = schema
    self.threads = threads
    self.commands = commands
    let renaming = ValueRenaming(schema: schema)
    self.renaming = renaming
    self.initial = initial.map { renaming?.canonical($0) ?? $0 }
    var maxes = [UInt8](repeating: 0, count: schema.slotCount)
    for s in 0..<schema.slotCount {
      maxes[s] = UInt8(clamping: schema.maxValue(of: schema.variables[schema.slotOwner[s]].type))
    }
    slotMax = maxes
    renames = commands.map { renaming?.writesClassSlot($0) ?? false }
    guards = commands.map { Program($0.guardExpr) }
    var eqs: [[(slot: Int32, value: UInt8, equal: Bool)]] = []
    var rests: [Program?] = []
    for c in commands {
      let parts: [Expr]
      if case .and(let xs) = c.guardExpr { parts = xs } else { parts = [c.guardExpr] }
      var simple: [(slot: Int32, value: UInt8, equal: Bool)] = []
      var rest: [Expr] = []
      for x in parts {
        if case .binary(let op, .slot(let sl), .const(let k)) = x, op == .eq || op == .ne, k >= 0, k <= 255 {
          simple.append((Int32(sl), UInt8(k), op == .eq))
        } else if case .const(let v) = x, v != 0 {
          continue
        } else {
          rest.append(x)
        }
      }
      eqs.append(simple)
      rests.append(rest.isEmpty ? nil : Program(.conj(rest)))
    }
    guardEqs = eqs
    guardRest = rests
    updateSlots = commands.map { $0.updates.map { Int32($0.slot) } }
    updatePrograms = commands.map { $0.updates.map { Program($0.value) } }
    var cs: [[Int32]] = [], cv: [[UInt8]] = [], gu: [[Int32]] = []
    for c in commands {
      var a: [Int32] = [], b: [UInt8] = [], g: [Int32] = []
      for (k, u) in c.updates.enumerated() {
        if case .const(let v) = u.value, v >= 0, v <= 255 {
          a.append(Int32(u.slot))
          b.append(UInt8(v))
        } else {
          g.append(Int32(k))
        }
      }
      cs.append(a); cv.append(b); gu.append(g)
    }
    constSlots = cs
    constValues = cv
    generalUpdates = gu
    var index: [[[Int32]]] = threads.map { Array(repeating: [], count: $0.pcLabels.count) }
    for (i, c) in commands.enumerated() { index[c.thread][c.pc].append(Int32(i)) }
    byPC = index
    pcSlots = threads.map(\.pcSlot)
  }

  public func initialStates() -> [StateVector] { initial }

  @inlinable
  public func enabledActions(in state: StateVector, into actions: inout [Int]) {
    state.slots.withUnsafeBufferPointer { s in
      for t in 0..<pcSlots.count {
        let pc = Int(s[pcSlots[t]])
        for c in byPC[t][pc] where guardHolds(Int(c), s) {
          actions.append(Int(c))
        }
      }
    }
  }

  /// The guard of command `c` (pc test excluded), fast path first.
  @inlinable
  func guardHolds(_ c: Int, _ s: UnsafeBufferPointer<UInt8>) -> Bool {
    for e in guardEqs[c] where (s[Int(e.slot)] == e.value) != e.equal { return false }
    guard let rest = guardRest[c] else { return true }
    return rest.run(s) != 0
  }

  @inlinable
  public func successor(of state: StateVector, via action: Int) -> StateVector {
    var next = state
    apply(action, from: state, to: &next)
    return next
  }

  @inlinable
  public func successor(of state: StateVector, via action: Int, into scratch: inout StateVector) {
    if scratch.slots.count != state.slots.count {
      scratch = state
    } else {
      scratch.slots.withUnsafeMutableBufferPointer { d in
        state.slots.withUnsafeBufferPointer { s in
          d.baseAddress!.update(from: s.baseAddress!, count: s.count)
        }
      }
    }
    apply(action, from: state, to: &scratch)
  }

  /// Writes the effect of `action` on `state` into `next` (which must start
  /// as a copy of `state`); lets hot loops reuse one buffer. The successor
  /// is in canonical form (`ValueRenaming`).
  @inlinable
  public func apply(_ action: Int, from state: StateVector, to next: inout StateVector) {
    applyUnrenamed(action, from: state, to: &next)
    if renames[action], let renaming {
      next.slots.withUnsafeMutableBufferPointer { renaming.canonicalize($0.baseAddress!) }
    }
  }

  /// The updates of `action` alone, before the value classes are renamed:
  /// what trace rendering needs to follow values in the kernel's numbering.
  @inlinable
  public func applyUnrenamed(_ action: Int, from state: StateVector, to next: inout StateVector) {
    let slots = updateSlots[action]
    let progs = updatePrograms[action]
    let cs = constSlots[action], cv = constValues[action]
    let general = generalUpdates[action]
    state.slots.withUnsafeBufferPointer { s in
      next.slots.withUnsafeMutableBufferPointer { n in
        for k in general {
          n[Int(slots[Int(k)])] = UInt8(truncatingIfNeeded: progs[Int(k)].run(s))
        }
        for k in 0..<cs.count { n[Int(cs[k])] = cv[k] }
      }
    }
  }

  public func isEnabled(_ action: Int, in state: StateVector) -> Bool {
    let c = commands[action]
    guard state[threads[c.thread].pcSlot] == c.pc else { return false }
    return state.slots.withUnsafeBufferPointer { guardHolds(action, $0) }
  }

  @inlinable
  public func fingerprint(of state: StateVector) -> UInt64 {
    state.slots.withUnsafeBufferPointer { Fingerprint.of($0) }
  }

  public func isFinal(_ state: StateVector) -> Bool {
    threads.allSatisfy { state[$0.pcSlot] == $0.donePC }
  }

  public func isProgress(_ action: Int) -> Bool { commands[action].progress }

  /// The slots command `action` can change: those it writes, and, when it
  /// writes a value-class slot, every slot of the classes (renaming may
  /// renumber them all).
  public func slotsChanged(by action: Int) -> Set<Int> {
    var out = Set(commands[action].updates.map(\.slot))
    if renames[action], let renaming {
      for c in renaming.classes { out.formUnion(c.slots) }
    }
    return out
  }

  public func actionID(_ action: Int) -> Int { action }

  public var actionIDCount: Int { commands.count }

  public func actor(of action: Int) -> Int { commands[action].thread }

  public func validate(_ state: StateVector) -> String? {
    let bad = outOfRangeSlots(state)
    guard let s = bad.first else { return nil }
    return "\(schema.slotName(s)) = \(state[s]) exceeds its declared range (max \(slotMax[s])): the model's bounds are too small"
  }

  /// The full guard of a command, pc test included: what the Z3 encoder and
  /// `why` explanations use.
  public func fullGuard(_ action: Int) -> Expr {
    let c = commands[action]
    return .conj([.binary(.eq, .slot(threads[c.thread].pcSlot), .const(c.pc)), c.guardExpr])
  }

  /// `gpu0 mirror: mmu_interval_read_retry (page 1) → collision: retry`
  public func describe(_ action: Int) -> String {
    let c = commands[action]
    var s = "\(threads[c.thread].name): \(c.name)"
    if !c.params.isEmpty { s += " (" + c.params.joined(separator: ", ") + ")" }
    if !c.outcome.isEmpty { s += " → " + c.outcome }
    return s
  }

  /// Slots whose values lie outside their declared types: a model bug that
  /// tests assert never happens (the byte encoding would silently wrap).
  public func outOfRangeSlots(_ state: StateVector) -> [Int] {
    (0..<state.slots.count).filter { state.slots[$0] > slotMax[$0] }
  }
}
