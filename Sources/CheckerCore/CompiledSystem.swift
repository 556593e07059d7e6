/// A `GuardedSystem` flattened into raw, immutable tables for the packed
/// explorer's hot loop: enabled commands, successors and state predicates
/// over raw state bytes, with no reference counting, no generic metadata
/// and no allocation per call.
///
/// It is the same model: `GuardedSystem` builds it from its own commands,
/// and a test compares both steppers on every reachable state of the
/// bundled models.
public final class CompiledSystem: @unchecked Sendable {
  public let slotCount: Int
  public let commandCount: Int
  public let threadCount: Int
  /// Deepest evaluation stack any program needs.
  public let maxStack: Int
  /// Most commands that can be enabled in one state (a bound on successors).
  public let maxEnabled: Int
  public let codeSize: Int

  // Every table is one allocation, freed in deinit.
  @usableFromInline let code: UnsafeMutablePointer<Int32>
  @usableFromInline let pcSlots: UnsafeMutablePointer<Int32>
  /// For thread t, pc p: commands in `byPCList[byPCStart[pcBase[t] + p] ..< byPCStart[pcBase[t] + p + 1]]`.
  @usableFromInline let pcBase: UnsafeMutablePointer<Int32>
  @usableFromInline let byPCStart: UnsafeMutablePointer<Int32>
  @usableFromInline let byPCList: UnsafeMutablePointer<Int32>
  /// Per command: guard fast-path equalities [start, end) into eqSlot/eqValue/eqEqual.
  @usableFromInline let eqStart: UnsafeMutablePointer<Int32>
  @usableFromInline let eqSlot: UnsafeMutablePointer<Int32>
  @usableFromInline let eqValue: UnsafeMutablePointer<UInt8>
  @usableFromInline let eqEqual: UnsafeMutablePointer<Bool>
  /// Per command: residual guard program offset, or -1.
  @usableFromInline let guardCode: UnsafeMutablePointer<Int32>
  /// Per command: updates [start, end): target slot and program offset
  /// (general) or constant value (with program offset -1).
  @usableFromInline let updStart: UnsafeMutablePointer<Int32>
  @usableFromInline let updSlot: UnsafeMutablePointer<Int32>
  @usableFromInline let updCode: UnsafeMutablePointer<Int32>
  @usableFromInline let updConst: UnsafeMutablePointer<UInt8>
  /// Inclusive upper bound of every slot.
  @usableFromInline let slotMax: UnsafeMutablePointer<UInt8>
  @usableFromInline let donePC: UnsafeMutablePointer<UInt8>
  /// The value-class renaming and, per command, whether it applies.
  @usableFromInline let renaming: ValueRenaming?
  @usableFromInline let renames: UnsafeMutablePointer<Bool>
  /// The thread of each command.
  @usableFromInline let commandThread: UnsafeMutablePointer<Int32>

  private var allocations: [UnsafeMutableRawPointer] = []

  /// Compiles `system`; `extra` are further expressions (properties) added
  /// to the same code pool, whose offsets are returned in `extraOffsets`.
  public convenience init(_ system: GuardedSystem, extra: [Expr] = []) {
    self.init(
      slotCount: system.schema.slotCount, threads: system.threads, commands: system.commands, slotMax: system.slotMax,
      renaming: system.renaming, extra: extra)
  }

  /// The tables of a system's parts (what `GuardedSystem` itself steps with).
  init(slotCount: Int, threads: [ThreadInfo], commands: [Command], slotMax: [UInt8], renaming: ValueRenaming?, extra: [Expr] = []) {
    var pool = FlatCode()
    self.slotCount = slotCount
    commandCount = commands.count
    threadCount = threads.count

    var eqStartA: [Int32] = [0], eqSlotA: [Int32] = [], eqValueA: [UInt8] = [], eqEqualA: [Bool] = []
    var guardA: [Int32] = []
    var updStartA: [Int32] = [0], updSlotA: [Int32] = [], updCodeA: [Int32] = [], updConstA: [UInt8] = []
    for c in commands {
      let parts: [Expr]
      if case .and(let xs) = c.guardExpr { parts = xs } else { parts = [c.guardExpr] }
      var rest: [Expr] = []
      for x in parts {
        if case .binary(let op, .slot(let sl), .const(let k)) = x, op == .eq || op == .ne, k >= 0, k <= 255 {
          eqSlotA.append(Int32(sl)); eqValueA.append(UInt8(k)); eqEqualA.append(op == .eq)
        } else if case .const(let v) = x, v != 0 {
          continue
        } else {
          rest.append(x)
        }
      }
      eqStartA.append(Int32(eqSlotA.count))
      guardA.append(rest.isEmpty ? -1 : pool.add(.conj(rest)))
      for u in c.updates {
        updSlotA.append(Int32(u.slot))
        if case .const(let v) = u.value {
          updCodeA.append(-1); updConstA.append(UInt8(truncatingIfNeeded: v))
        } else {
          updCodeA.append(pool.add(u.value)); updConstA.append(0)
        }
      }
      updStartA.append(Int32(updSlotA.count))
    }
    var pcBaseA: [Int32] = [], byPCStartA: [Int32] = [], byPCListA: [Int32] = []
    var most = 0
    for (t, th) in threads.enumerated() {
      pcBaseA.append(Int32(byPCStartA.count))
      var perPC = Array(repeating: [Int32](), count: th.pcLabels.count)
      for (i, c) in commands.enumerated() where c.thread == t { perPC[c.pc].append(Int32(i)) }
      most += perPC.map(\.count).max() ?? 0
      for list in perPC {
        byPCStartA.append(Int32(byPCListA.count))
        byPCListA += list
      }
    }
    byPCStartA.append(Int32(byPCListA.count))
    maxEnabled = max(most, 1)
    extraOffsets = extra.map { pool.add($0) }
    maxStack = pool.maxStack

    func copy<T>(_ a: [T]) -> UnsafeMutablePointer<T> {
      let p = UnsafeMutablePointer<T>.allocate(capacity: max(a.count, 1))
      if !a.isEmpty { p.initialize(from: a, count: a.count) }
      return p
    }
    code = copy(pool.code)
    codeSize = pool.code.count
    pcSlots = copy(threads.map { Int32($0.pcSlot) })
    pcBase = copy(pcBaseA)
    byPCStart = copy(byPCStartA)
    byPCList = copy(byPCListA)
    eqStart = copy(eqStartA)
    eqSlot = copy(eqSlotA)
    eqValue = copy(eqValueA)
    eqEqual = copy(eqEqualA)
    guardCode = copy(guardA)
    updStart = copy(updStartA)
    updSlot = copy(updSlotA)
    updCode = copy(updCodeA)
    updConst = copy(updConstA)
    self.slotMax = copy(slotMax)
    self.renaming = renaming
    renames = copy(commands.map { renaming?.writesClassSlot($0) ?? false })
    commandThread = copy(commands.map { Int32($0.thread) })
    donePC = copy(threads.map { UInt8(clamping: $0.donePC) })
    allocations = [
      UnsafeMutableRawPointer(code), UnsafeMutableRawPointer(pcSlots), UnsafeMutableRawPointer(pcBase),
      UnsafeMutableRawPointer(byPCStart), UnsafeMutableRawPointer(byPCList), UnsafeMutableRawPointer(eqStart),
      UnsafeMutableRawPointer(eqSlot), UnsafeMutableRawPointer(eqValue), UnsafeMutableRawPointer(eqEqual),
      UnsafeMutableRawPointer(guardCode), UnsafeMutableRawPointer(updStart), UnsafeMutableRawPointer(updSlot),
      UnsafeMutableRawPointer(updCode), UnsafeMutableRawPointer(updConst), UnsafeMutableRawPointer(self.slotMax),
      UnsafeMutableRawPointer(donePC), UnsafeMutableRawPointer(renames), UnsafeMutableRawPointer(commandThread),
    ]
  }

  /// Offsets in the code pool of the `extra` expressions given to `init`.
  public let extraOffsets: [Int32]

  deinit { for p in allocations { p.deallocate() } }

  /// Writes the enabled commands of `s` into `out` (room for `maxEnabled`)
  /// in the stable order `GuardedSystem.enabledActions` uses; returns how many.
  @inlinable
  public func enabled(_ s: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<Int32>, stack: UnsafeMutablePointer<Int>) -> Int {
    var n = 0
    for t in 0..<threadCount {
      let pc = Int(s[Int(pcSlots[t])])
      let row = Int(pcBase[t]) + pc
      var k = Int(byPCStart[row])
      let end = Int(byPCStart[row + 1])
      while k < end {
        let c = Int(byPCList[k])
        if guardHolds(c, s, stack: stack) {
          out[n] = Int32(c)
          n += 1
        }
        k += 1
      }
    }
    return n
  }

  /// The guard of command `c`, pc test excluded.
  @inlinable
  public func guardHolds(_ c: Int, _ s: UnsafePointer<UInt8>, stack: UnsafeMutablePointer<Int>) -> Bool {
    var e = Int(eqStart[c])
    let end = Int(eqStart[c + 1])
    while e < end {
      if (s[Int(eqSlot[e])] == eqValue[e]) != eqEqual[e] { return false }
      e += 1
    }
    let g = guardCode[c]
    return g < 0 || FlatCode.run(code, at: g, s, stack: stack) != 0
  }

  /// `to` := the successor of `from` by command `c` (all right-hand sides
  /// read in the pre-state), in canonical form (`ValueRenaming`) unless
  /// `renamed` is false (trace rendering follows the kernel's numbering).
  /// `to` must not alias `from`.
  @inlinable
  public func apply(
    _ c: Int, from: UnsafePointer<UInt8>, to: UnsafeMutablePointer<UInt8>, stack: UnsafeMutablePointer<Int>, renamed: Bool = true
  ) {
    to.update(from: from, count: slotCount)
    var u = Int(updStart[c])
    let end = Int(updStart[c + 1])
    while u < end {
      let p = updCode[u]
      to[Int(updSlot[u])] = p < 0 ? updConst[u] : UInt8(truncatingIfNeeded: FlatCode.run(code, at: p, from, stack: stack))
      u += 1
    }
    if renamed, renames[c], let renaming { renaming.canonicalize(to) }
  }

  /// Runs an `extra` expression (by its offset) on a state.
  @inlinable
  public func evaluate(_ offset: Int32, _ s: UnsafePointer<UInt8>, stack: UnsafeMutablePointer<Int>) -> Int {
    FlatCode.run(code, at: offset, s, stack: stack)
  }

  @inlinable
  public func threadOf(_ c: Int) -> Int { Int(commandThread[c]) }

  /// True when every thread is at its final pc.
  @inlinable
  public func isFinal(_ s: UnsafePointer<UInt8>) -> Bool {
    for t in 0..<threadCount where s[Int(pcSlots[t])] != donePC[t] { return false }
    return true
  }

  /// The first slot above its declared maximum, or -1.
  @inlinable
  public func firstOutOfRange(_ s: UnsafePointer<UInt8>) -> Int {
    // Branch-free scan first (it vectorises); the slot is searched for only
    // in the rare bad case.
    var bad: UInt8 = 0
    for i in 0..<slotCount { bad |= s[i] > slotMax[i] ? 1 : 0 }
    guard bad != 0 else { return -1 }
    for i in 0..<slotCount where s[i] > slotMax[i] { return i }
    return -1
  }
}
