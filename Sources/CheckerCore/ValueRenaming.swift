/// Data independence for counters that only grow: a canonical renaming of
/// their live values, so that a retry loop the kernel can repeat forever is a
/// cycle of the state graph, and the state space stays finite.
///
/// ## Why it is exact
///
/// The kernel never does arithmetic on a notifier sequence or a content
/// version. It compares two of them (`mmu_interval_read_retry`: I == seq;
/// `read_begin`: I == S), tests the parity of a sequence (S odd: an
/// invalidation is active), copies them (`mmu_interval_set_seq`), and makes a
/// new one at the class's clock (`S |= 1`, `S++`; a write makes a version no
/// page held before). Any renaming of the values that keeps their order and
/// parity, and fixes the pinned values (0: "none", "zero-filled"; with
/// parity also 1), maps runs to runs and leaves every such comparison's
/// outcome unchanged: the renamed system is bisimilar to the original, and
/// every property stated with those relations has the same truth value.
///
/// The canonical form ranks the distinct live values. A value `v` has the
/// key `v >> 1` with parity, `v` without; key 0 is pinned; the other keys are
/// replaced by their rank among the live keys (1, 2, ...), and the parity
/// bit is kept. A state's canonical form is the same for every state its
/// values can be renamed into, so the explorers, which canonicalize every
/// successor, see each retry through an invalidation come back to a state
/// they have seen.
///
/// ## The contract a model keeps (checked by `contractViolation`)
///
/// A slot of a class may be compared (`==`, `!=`, `<`, `<=`) with a slot of
/// its class or a pinned constant, copied into a slot of its class, and
/// overwritten with a pinned constant or with `clock + 1`; nothing else (no
/// other arithmetic, no other constant, no use as an index). The clock is
/// the class maximum (every value was made from it), which a test checks on
/// the reachable states: `clock + 1` is then a fresh value above all others.
public struct ValueClass: Hashable, Sendable, Codable {
  public var name: String
  public var variables: [String]
  /// The variable holding the largest live value, the only one incremented.
  public var clock: String
  /// Whether the low bit is observed (an odd notifier sequence).
  public var parity: Bool

  public init(name: String, variables: [String], clock: String, parity: Bool) {
    self.name = name
    self.variables = variables
    self.clock = clock
    self.parity = parity
  }

  /// The largest pinned value: 0, or 1 with parity (both have key 0).
  public var maxPinned: Int { parity ? 1 : 0 }

  /// The largest canonical value when at most `distinct` keys other than
  /// the pinned one are live.
  public func maxCanonicalValue(distinctKeys: Int) -> Int { parity ? 2 * distinctKeys + 1 : distinctKeys }
}

/// The canonicalizer of a schema's value classes over raw state bytes and
/// over unbounded integers (trace values).
public struct ValueRenaming: Sendable {
  public struct Class: Sendable {
    public var name: String
    public var slots: [Int]
    public var clockSlot: Int
    public var parity: Bool
  }

  public let classes: [Class]
  /// Per slot: the index of its class, or -1.
  public let classOfSlot: [Int]

  /// The renaming of `schema`'s value classes; nil when it declares none.
  public init?(schema: Schema) {
    guard !schema.valueClasses.isEmpty else { return nil }
    var owner = [Int](repeating: -1, count: schema.slotCount)
    var cs: [Class] = []
    for (k, vc) in schema.valueClasses.enumerated() {
      var slots: [Int] = []
      for name in vc.variables {
        let v = schema.variable(named: name)!
        let count = v.dimensions.reduce(1) { $0 * schema.domain($1)!.elements.count }
        slots += (v.firstSlot..<(v.firstSlot + count))
      }
      for s in slots { owner[s] = k }
      cs.append(Class(name: vc.name, slots: slots, clockSlot: schema.variable(named: vc.clock)!.firstSlot, parity: vc.parity))
    }
    classes = cs
    classOfSlot = owner
  }

  /// Whether a command writes a slot of some class (only then can its
  /// successor need renaming).
  public func writesClassSlot(_ command: Command) -> Bool {
    command.updates.contains { classOfSlot[$0.slot] >= 0 }
  }

  /// Renames the class values of a raw state in place.
  @inlinable
  public func canonicalize(_ s: UnsafeMutablePointer<UInt8>) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { buf in
      let mark = buf.baseAddress!, rank = buf.baseAddress! + 256
      for c in classes {
        var maxKey = 0
        for slot in c.slots {
          let k = c.parity ? Int(s[slot] >> 1) : Int(s[slot])
          if k > maxKey {
            for j in (maxKey + 1)...k { mark[j] = 0 }
            maxKey = k
          }
          mark[k] = 1
        }
        if maxKey == 0 { continue }
        var r: UInt8 = 0
        var identity = true
        for k in 1...maxKey where mark[k] != 0 {
          r += 1
          rank[k] = r
          if Int(r) != k { identity = false }
        }
        if identity { continue }
        for slot in c.slots {
          let v = s[slot]
          if c.parity {
            let k = Int(v >> 1)
            if k != 0 { s[slot] = rank[k] << 1 | (v & 1) }
          } else if v != 0 {
            s[slot] = rank[Int(v)]
          }
        }
      }
    }
  }

  /// The canonical form of a state vector.
  public func canonical(_ state: StateVector) -> StateVector {
    var out = state
    out.slots.withUnsafeMutableBufferPointer { canonicalize($0.baseAddress!) }
    return out
  }

  /// Renames unbounded values (a trace's, in the kernel's numbering) into
  /// their canonical form; other slots are left alone.
  public func canonicalize(values: inout [Int]) {
    for c in classes {
      let keys = Set(c.slots.map { key(values[$0], c) }).subtracting([0]).sorted()
      var rank: [Int: Int] = [:]
      for (i, k) in keys.enumerated() { rank[k] = i + 1 }
      for slot in c.slots {
        let v = values[slot]
        let k = key(v, c)
        guard k != 0 else { continue }
        values[slot] = c.parity ? rank[k]! << 1 | (v & 1) : rank[k]!
      }
    }
  }

  func key(_ v: Int, _ c: Class) -> Int { c.parity ? v >> 1 : v }

  /// The classes whose clock is not the largest value of `state`: the
  /// assumption `clock + 1` is fresh rests on (tests check every reachable
  /// state of the bundled models).
  public func clockViolations(_ state: StateVector) -> [String] {
    classes.filter { c in c.slots.contains { key(state[$0], c) > key(state[c.clockSlot], c) } }.map(\.name)
  }
}

// MARK: - The contract

extension ValueRenaming {
  /// The first place where a command treats a class value as a number (the
  /// renaming would then change what the model does), or nil.
  public func contractViolation(_ commands: [Command], schema: Schema) -> String? {
    for c in commands {
      if let e = misuse(in: c.guardExpr) { return "\(c.name) (\(c.outcome)): guard uses \(e)" }
      for u in c.updates {
        let k = classOfSlot[u.slot]
        if k >= 0 {
          if !isValue(u.value, of: k) {
            return "\(c.name) (\(c.outcome)): \(schema.slotName(u.slot)) := \(u.value) is not a copy, a pinned value or the clock + 1"
          }
          if let e = misuseInsideValue(u.value) { return "\(c.name) (\(c.outcome)): \(schema.slotName(u.slot)) uses \(e)" }
        } else if let e = misuse(in: u.value) {
          return "\(c.name) (\(c.outcome)): \(schema.slotName(u.slot)) := uses \(e)"
        }
      }
    }
    return nil
  }

  private func slotClass(_ e: Expr) -> Int? {
    if case .slot(let s) = e, classOfSlot[s] >= 0 { return classOfSlot[s] }
    return nil
  }

  /// A value of class `k`: one of its slots, a pinned constant, the clock
  /// plus one, or a choice (`ite`, `select`) among such values.
  private func isValue(_ e: Expr, of k: Int) -> Bool {
    let c = classes[k]
    switch e {
    case .slot(let s): return classOfSlot[s] == k
    case .const(let v): return v >= 0 && key(v, c) == 0
    case .binary(.add, .slot(let s), .const(1)): return s == c.clockSlot
    case .ite(_, let a, let b): return isValue(a, of: k) && isValue(b, of: k)
    case .select(let table, _): return table.allSatisfy { $0 < 0 || classOfSlot[$0] == k }
    default: return false
    }
  }

  /// Misuse in the conditions of a value expression (ite conditions,
  /// select indices).
  private func misuseInsideValue(_ e: Expr) -> String? {
    switch e {
    case .ite(let cond, let a, let b): return misuse(in: cond) ?? misuseInsideValue(a) ?? misuseInsideValue(b)
    case .select(_, let index): return misuse(in: index)
    default: return nil
    }
  }

  /// A class value used other than in a comparison with its class or a
  /// pinned constant.
  private func misuse(in e: Expr) -> String? {
    switch e {
    case .const: return nil
    case .slot(let s):
      return classOfSlot[s] >= 0 ? "the \(classes[classOfSlot[s]].name) value in slot \(s) as a number" : nil
    case .binary(let op, let a, let b) where op == .eq || op == .ne || op == .lt || op == .le:
      let ka = valueClass(a), kb = valueClass(b)
      if ka == nil && kb == nil { return misuse(in: a) ?? misuse(in: b) }
      if let ka, let kb {
        guard ka == kb else { return "a comparison across value classes: \(e)" }
        return misuseInsideValue(a) ?? misuseInsideValue(b)
      }
      let (k, other) = ka != nil ? (ka!, b) : (kb!, a)
      guard case .const(let v) = other, v >= 0, key(v, classes[k]) == 0 else {
        return "a \(classes[k].name) value compared with a non-pinned value: \(e)"
      }
      return misuseInsideValue(ka != nil ? a : b)
    case .binary(_, let a, let b): return misuse(in: a) ?? misuse(in: b)
    case .select(let table, let index):
      if let s = table.first(where: { $0 >= 0 && classOfSlot[$0] >= 0 }) {
        return "a \(classes[classOfSlot[s]].name) value read through select as a number"
      }
      return misuse(in: index)
    case .not(let a): return misuse(in: a)
    case .and(let es), .or(let es):
      for x in es { if let m = misuse(in: x) { return m } }
      return nil
    case .ite(let c, let a, let b): return misuse(in: c) ?? misuse(in: a) ?? misuse(in: b)
    }
  }

  /// The class of a value-shaped expression (a slot, or a choice among
  /// slots of one class), or nil for anything else.
  private func valueClass(_ e: Expr) -> Int? {
    switch e {
    case .slot(let s): return classOfSlot[s] >= 0 ? classOfSlot[s] : nil
    case .ite(_, let a, let b):
      let ka = valueClass(a), kb = valueClass(b)
      if let ka, kb == nil || kb == ka, isValue(b, of: ka) { return ka }
      if let kb, ka == nil, isValue(a, of: kb) { return kb }
      return nil
    case .select(let table, _):
      let ks = Set(table.filter { $0 >= 0 }.map { classOfSlot[$0] })
      if ks.count == 1, let k = ks.first, k >= 0 { return k }
      return nil
    default: return nil
    }
  }
}
