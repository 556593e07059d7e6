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
  /// The commands flattened into one code pool (`FlatCode`): the one
  /// concrete evaluator every explicit engine steps with.
  @usableFromInline let compiled: CompiledSystem

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
    compiled = CompiledSystem(slotCount: schema.slotCount, threads: threads, commands: commands, slotMax: maxes, renaming: renaming)
  }

  public func initialStates() -> [StateVector] { initial }

  @inlinable
  public func enabledActions(in state: StateVector, into actions: inout [Int]) {
    let c = compiled
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: c.maxEnabled) { out in
      withUnsafeTemporaryAllocation(of: Int.self, capacity: c.maxStack) { stack in
        let n = state.slots.withUnsafeBufferPointer { c.enabled($0.baseAddress!, into: out.baseAddress!, stack: stack.baseAddress!) }
        for k in 0..<n { actions.append(Int(out[k])) }
      }
    }
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
    step(action, from: state, to: &next, renamed: true)
  }

  /// The updates of `action` alone, before the value classes are renamed:
  /// what trace rendering needs to follow values in the kernel's numbering.
  @inlinable
  public func applyUnrenamed(_ action: Int, from state: StateVector, to next: inout StateVector) {
    step(action, from: state, to: &next, renamed: false)
  }

  @inlinable
  func step(_ action: Int, from state: StateVector, to next: inout StateVector, renamed: Bool) {
    let c = compiled
    withUnsafeTemporaryAllocation(of: Int.self, capacity: c.maxStack) { stack in
      state.slots.withUnsafeBufferPointer { s in
        next.slots.withUnsafeMutableBufferPointer { n in
          c.apply(action, from: s.baseAddress!, to: n.baseAddress!, stack: stack.baseAddress!, renamed: renamed)
        }
      }
    }
  }

  public func isEnabled(_ action: Int, in state: StateVector) -> Bool {
    let c = commands[action]
    guard state[threads[c.thread].pcSlot] == c.pc else { return false }
    let cs = compiled
    return withUnsafeTemporaryAllocation(of: Int.self, capacity: cs.maxStack) { stack in
      state.slots.withUnsafeBufferPointer { cs.guardHolds(action, $0.baseAddress!, stack: stack.baseAddress!) }
    }
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
    if compiled.renames[action], let renaming {
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
