import CheckerCore

/// Candidate lemmas from templates over the schema, kept only when true on
/// every known reachable state.
///
/// Templates (t a thread, p one of its pcs, x and y slots, V a value set):
/// - `x ∈ V`: the values x takes (constants become `x == v`);
/// - `thread.pc[t] == p implies x ∈ V`: what x can be while t is at p
///   (x may be another thread's pc: pc-pair exclusions);
/// - `x == v implies thread.pc[t] ∈ P`: where t can be while x is v (the
///   holder of a lock, the owner of a migration);
/// - `x == y`, and `thread.pc[t] == p implies x == y` / `x != y`, for slots
///   of one type (page references, sequence counts).
///
/// The filter only prunes: the prover still proves whatever it keeps.
public struct CandidateMiner {
  public let system: GuardedSystem
  let columns: [[UInt8]]
  let count: Int
  let states: [StateVector]

  let pairs: [(Int, Int)]

  public init(system: GuardedSystem, reachable: ReachableStates, pairs: [(Int, Int)]) {
    self.system = system
    self.pairs = pairs
    let n = system.schema.slotCount
    count = reachable.states.count
    states = reachable.states
    var cols = [[UInt8]](repeating: [UInt8](repeating: 0, count: reachable.states.count), count: n)
    for (r, s) in reachable.states.enumerated() {
      for x in 0..<n { cols[x][r] = s.slots[x] }
    }
    columns = cols
  }

  var schema: Schema { system.schema }
  var pcSlots: [Int] { system.threads.map(\.pcSlot) }

  /// Slot pairs worth relating (`x == y`, `x != y`): slots of one type
  /// whose variables the model itself relates. Two variables are related
  /// when a guard, an update or a goal compares them (`t.seq[t] ==
  /// mn.iseq[d]`), or an update copies one into the other (`t.snap_page :=
  /// pte.page`), and transitively; so page references that flow from the
  /// CPU page table through a snapshot into a device page table are related,
  /// while a mapcount and a reader count that happen to share a range are
  /// not. Booleans and program counters are never paired.
  public static func comparablePairs(_ system: GuardedSystem, goals: [Expr] = []) -> [(Int, Int)] {
    let schema = system.schema
    let n = schema.slotCount
    let nv = schema.variables.count
    var parent = Array(0..<nv)
    func find(_ v: Int) -> Int {
      var v = v
      while parent[v] != v { parent[v] = parent[parent[v]]; v = parent[v] }
      return v
    }
    func union(_ slotsA: [Int], _ slotsB: [Int]) {
      for a in slotsA where a < n {
        for b in slotsB where b < n {
          let va = schema.slotOwner[a], vb = schema.slotOwner[b]
          guard schema.variables[va].type == schema.variables[vb].type else { continue }
          parent[find(va)] = find(vb)
        }
      }
    }
    /// Slots whose value an expression passes on (not those it only tests).
    func values(_ e: Expr) -> [Int] {
      switch e {
      case .slot(let s): return [s]
      case .select(let table, _): return table.filter { $0 >= 0 }
      case .ite(_, let a, let b): return values(a) + values(b)
      case .binary(.add, let a, let b), .binary(.sub, let a, let b): return values(a) + values(b)
      default: return []
      }
    }
    func comparisons(_ e: Expr) {
      switch e {
      case .binary(let op, let a, let b):
        if op == .eq || op == .ne || op == .lt || op == .le { union(values(a), values(b)) }
        comparisons(a)
        comparisons(b)
      case .not(let a): comparisons(a)
      case .and(let es), .or(let es): es.forEach(comparisons)
      case .ite(let c, let a, let b):
        comparisons(c)
        comparisons(a)
        comparisons(b)
      case .select(_, let i): comparisons(i)
      case .const, .slot: break
      }
    }
    for c in system.commands {
      comparisons(c.guardExpr)
      for u in c.updates {
        guard u.slot < n else { continue }
        union([u.slot], values(u.value).filter { $0 < n })
        comparisons(u.value)
      }
    }
    // Goals may read a post-state or event flags (slots >= n): state slots only.
    for g in goals { comparisons(g) }
    // The slots of one value class are related by the renaming itself (it
    // keeps their equalities and order: a version never above the clock),
    // whatever their declared ranges.
    for c in system.renaming?.classes ?? [] {
      for x in c.slots.dropFirst() {
        parent[find(schema.slotOwner[x])] = find(schema.slotOwner[c.slots[0]])
      }
    }
    let pcs = Set(system.threads.map(\.pcSlot))
    // A variable related to nothing but itself (a refcount, a mapcount) is
    // not compared across its own elements either.
    var size: [Int: Int] = [:]
    for v in 0..<nv { size[find(v), default: 0] += 1 }
    var groups: [Int: [Int]] = [:]
    for x in 0..<n where !pcs.contains(x) {
      switch schema.variables[schema.slotOwner[x]].type {
      case .bool, .enumeration: continue
      case .int, .reference: groups[find(schema.slotOwner[x]), default: []].append(x)
      }
    }
    var out: [(Int, Int)] = []
    for key in groups.keys.sorted() {
      let xs = groups[key]!
      let alone = size[key]! < 2
      for i in 0..<xs.count {
        for j in (i + 1)..<xs.count {
          if alone && schema.slotOwner[xs[i]] == schema.slotOwner[xs[j]] { continue }
          out.append((xs[i], xs[j]))
        }
      }
    }
    return out
  }

  public func mine() -> [LemmaForm] {
    guard count > 0 else { return [] }
    let n = schema.slotCount
    var out: [LemmaForm] = []
    // Value sets of every slot.
    var global: [[Int]] = []
    for x in 0..<n {
      var seen = [Bool](repeating: false, count: 256)
      for v in columns[x] { seen[Int(v)] = true }
      let vs = (0..<256).filter { seen[$0] }
      global.append(vs)
      if vs.count <= Int(system.slotMax[x]) { out.append(LemmaForm(premises: [], conclusion: .valueIn(slot: x, values: vs))) }
    }
    var globallyEqual = Set<Int>()
    for (k, (a, b)) in pairs.enumerated() where global[a].count > 1 || global[b].count > 1 {
      if columns[a] == columns[b] {
        out.append(LemmaForm(premises: [], conclusion: .equal(a, b)))
        globallyEqual.insert(k)
      }
    }
    let pcs = Set(pcSlots)
    // Derived from the commands: only those true on every state are kept.
    out += counters().filter { f in states.allSatisfy { f.holds($0) } }
    // Value sets at each pc of each thread: [pc slot][pc][slot].
    var atPC: [Int: [Int: [[Int]]]] = [:]
    for pcSlot in pcSlots {
      // Rows at each pc of this thread.
      var rows: [Int: [Int]] = [:]
      for r in 0..<count { rows[Int(columns[pcSlot][r]), default: []].append(r) }
      guard rows.count > 1 else { continue }
      for p in rows.keys.sorted() {
        let rs = rows[p]!
        let premise = Atom.valueIn(slot: pcSlot, values: [p])
        var constantHere = [Bool](repeating: false, count: n)
        var here = [[Int]](repeating: [], count: n)
        for x in 0..<n where x != pcSlot {
          var seen = [Bool](repeating: false, count: 256)
          for r in rs { seen[Int(columns[x][r])] = true }
          let vs = (0..<256).filter { seen[$0] }
          here[x] = vs
          constantHere[x] = vs.count == 1
          if vs.count < global[x].count {
            out.append(LemmaForm(premises: [premise], conclusion: .valueIn(slot: x, values: vs)))
          }
        }
        for (k, (a, b)) in pairs.enumerated() where !globallyEqual.contains(k) {
          if constantHere[a] && constantHere[b] { continue }
          var allEqual = true, allDiffer = true
          for r in rs {
            if columns[a][r] == columns[b][r] { allDiffer = false } else { allEqual = false }
            if !allEqual && !allDiffer { break }
          }
          if allEqual { out.append(LemmaForm(premises: [premise], conclusion: .equal(a, b))) }
          if allDiffer { out.append(LemmaForm(premises: [premise], conclusion: .differ(a, b))) }
        }
        atPC[pcSlot, default: [:]][p] = here
      }
      // Where this thread can be while a slot holds a value.
      let allPCs = rows.keys.sorted()
      for x in 0..<n where !pcs.contains(x) && global[x].count > 1 {
        var at = [[Bool]](repeating: [Bool](repeating: false, count: 256), count: 256)
        for r in 0..<count { at[Int(columns[x][r])][Int(columns[pcSlot][r])] = true }
        for v in global[x] {
          let ps = allPCs.filter { at[v][$0] }
          if ps.count < allPCs.count {
            out.append(LemmaForm(premises: [.valueIn(slot: x, values: [v])], conclusion: .valueIn(slot: pcSlot, values: ps)))
          }
        }
      }
    }
    out += pcPairs(atPC)
    out += valueImplications(global)
    out += relationImplications(global)
    let classes = ClassValues(system)
    return classes.abstract(out) + orderFacts(classes.orderedPairs(pairs))
  }

  /// `x < y` or `x <= y` for two values of one class (a reader's sequence
  /// below S, a copy's version below the latest), everywhere and at each
  /// program point of each thread: the order a renaming keeps.
  func orderFacts(_ pairs: [(Int, Int)]) -> [LemmaForm] {
    var out: [LemmaForm] = []
    func relation(_ a: Int, _ b: Int, _ rows: [Int]) -> Atom? {
      var lt = true, le = true, gt = true, ge = true
      for r in rows {
        let x = columns[a][r], y = columns[b][r]
        if !(x < y) { lt = false }
        if !(x <= y) { le = false }
        if !(x > y) { gt = false }
        if !(x >= y) { ge = false }
        if !le && !ge { return nil }
      }
      if lt { return .ordered(a, b, strict: true) }
      if gt { return .ordered(b, a, strict: true) }
      if le && !ge { return .ordered(a, b, strict: false) }
      if ge && !le { return .ordered(b, a, strict: false) }
      return nil  // always equal: the equality templates say it
    }
    let all = Array(0..<count)
    for (a, b) in pairs {
      if let r = relation(a, b, all) { out.append(LemmaForm(premises: [], conclusion: r)) }
    }
    for pcSlot in pcSlots {
      var rows: [Int: [Int]] = [:]
      for r in 0..<count { rows[Int(columns[pcSlot][r]), default: []].append(r) }
      guard rows.count > 1 else { continue }
      for p in rows.keys.sorted() {
        for (a, b) in pairs {
          if let r = relation(a, b, rows[p]!) {
            out.append(LemmaForm(premises: [.valueIn(slot: pcSlot, values: [p])], conclusion: r))
          }
        }
      }
    }
    return out
  }

  /// `x == y implies z ∈ W` and `x != y implies z ∈ W` for related slots x,
  /// y and any slot z (program counters included): what the agreement of two
  /// copies of a value says (a device mapping that still names the CPU's
  /// page, a written version that reached a page). Skipped on very large
  /// reachable sets (the cost is pairs x slots x states).
  func relationImplications(_ global: [[Int]]) -> [LemmaForm] {
    let n = schema.slotCount
    let zs = (0..<n).filter { global[$0].count > 1 && system.slotMax[$0] < 64 }
    var useful: [(Int, Int)] = []
    for (a, b) in pairs {
      var eq = false, ne = false
      for r in 0..<count {
        if columns[a][r] == columns[b][r] { eq = true } else { ne = true }
        if eq && ne { break }
      }
      if eq && ne { useful.append((a, b)) }
    }
    guard useful.count * zs.count * count <= 2_000_000_000 else { return [] }
    var out: [LemmaForm] = []
    for (a, b) in useful {
      var masks = [[UInt64]](repeating: [UInt64](repeating: 0, count: zs.count), count: 2)
      let ca = columns[a], cb = columns[b]
      for (k, z) in zs.enumerated() {
        let cz = columns[z]
        for r in 0..<count where cz[r] < 64 { masks[ca[r] == cb[r] ? 0 : 1][k] |= 1 << UInt64(cz[r]) }
      }
      for side in 0..<2 {
        let premise: Atom = side == 0 ? .equal(a, b) : .differ(a, b)
        for (k, z) in zs.enumerated() where z != a && z != b {
          let m = masks[side][k]
          if m.nonzeroBitCount < global[z].count {
            let vs = (0..<64).filter { m & (1 << UInt64($0)) != 0 }
            out.append(LemmaForm(premises: [premise], conclusion: .valueIn(slot: z, values: vs)))
          }
        }
      }
    }
    return out
  }

  /// `x == v implies y ∈ W` for data slots x and y (not program counters):
  /// what a value of one variable says about another (a migration
  /// destination about its page's lock, a device-private PTE about the
  /// source page's refcount).
  func valueImplications(_ global: [[Int]]) -> [LemmaForm] {
    let n = schema.slotCount
    let pcs = Set(pcSlots)
    let ys = (0..<n).filter { !pcs.contains($0) && global[$0].count > 1 && system.slotMax[$0] < 64 }
    var out: [LemmaForm] = []
    for x in 0..<n where !pcs.contains(x) && global[x].count > 1 && system.slotMax[x] < 64 {
      // masks[v][k]: values of ys[k] on the states where x == v.
      var masks = [[UInt64]](repeating: [UInt64](repeating: 0, count: ys.count), count: 64)
      let cx = columns[x]
      for (k, y) in ys.enumerated() where y != x {
        let cy = columns[y]
        for r in 0..<count where cx[r] < 64 && cy[r] < 64 { masks[Int(cx[r])][k] |= 1 << UInt64(cy[r]) }
      }
      for v in global[x] {
        for (k, y) in ys.enumerated() where y != x {
          let m = masks[v][k]
          if m.nonzeroBitCount < global[y].count {
            let vs = (0..<64).filter { m & (1 << UInt64($0)) != 0 }
            out.append(LemmaForm(premises: [.valueIn(slot: x, values: [v])], conclusion: .valueIn(slot: y, values: vs)))
          }
        }
      }
    }
    return out
  }

  /// `thread.pc[t1] == p and thread.pc[t2] == q implies x ∈ V`, where the
  /// pair of program points says more about x than either alone.
  func pcPairs(_ atPC: [Int: [Int: [[Int]]]]) -> [LemmaForm] {
    let n = schema.slotCount
    var out: [LemmaForm] = []
    let ps = pcSlots
    for i in 0..<ps.count {
      for j in (i + 1)..<ps.count {
        let a = ps[i], b = ps[j]
        var rows: [Int: [Int]] = [:]
        for r in 0..<count { rows[Int(columns[a][r]) << 8 | Int(columns[b][r]), default: []].append(r) }
        for key in rows.keys.sorted() {
          let p = key >> 8, q = key & 255
          guard let setsP = atPC[a]?[p], let setsQ = atPC[b]?[q] else { continue }
          let rs = rows[key]!
          // x may be a third thread's pc: which triples of program points meet.
          for x in 0..<n where x != a && x != b {
            var seen = [Bool](repeating: false, count: 256)
            for r in rs { seen[Int(columns[x][r])] = true }
            let vs = (0..<256).filter { seen[$0] }
            let both = setsP[x].filter { setsQ[x].contains($0) }
            if vs.count < both.count {
              out.append(
                LemmaForm(
                  premises: [.valueIn(slot: a, values: [p]), .valueIn(slot: b, values: [q])],
                  conclusion: .valueIn(slot: x, values: vs)))
            }
          }
        }
      }
    }
    return out
  }

  /// Counters that only the threads' own steps move, by constants: such a
  /// counter is its initial value plus what each thread's program point
  /// contributes (the sum of the deltas on the way there), provided every
  /// path to a program point adds the same (a potential on the thread's
  /// control-flow graph). Where a step may or may not move the counter
  /// (`ite(c, x + 1, x)`), or paths add different amounts, the counter is
  /// instead bounded above by the most the steps on any loop-free path can
  /// have added. Derived from the commands, kept if true
  /// on the reachable states.
  func counters() -> [LemmaForm] { Self.counters(system) }

  public static func counters(_ system: GuardedSystem) -> [LemmaForm] {
    guard let s0 = system.initial.first else { return [] }
    let schema = system.schema
    let n = schema.slotCount
    let pcs = Set(system.threads.map(\.pcSlot))
    /// The exact delta of an update of x, or nil.
    func delta(_ e: Expr, _ x: Int) -> Int? {
      switch e {
      case .binary(.add, .slot(x), .const(let k)): return k
      case .binary(.sub, .slot(x), .const(let k)): return -k
      default: return nil
      }
    }
    /// The most an update of x can add, or nil.
    func maxDelta(_ e: Expr, _ x: Int) -> Int? {
      switch e {
      case .slot(x): return 0
      case .ite(_, let a, let b):
        guard let da = maxDelta(a, x), let db = maxDelta(b, x) else { return nil }
        return max(da, db)
      default: return delta(e, x)
      }
    }
    var out: [LemmaForm] = []
    slots: for x in 0..<n where !pcs.contains(x) {
      guard case .int = schema.variables[schema.slotOwner[x]].type else { continue }
      // A value class is counted by nothing: its numbers are the renaming's.
      if let r = system.renaming, r.classOfSlot[x] >= 0 { continue }
      guard system.initial.allSatisfy({ $0[x] == s0[x] }) else { continue }
      var deltas: [Int: Int] = [:], maxDeltas: [Int: Int] = [:]
      var exact = true
      for (k, c) in system.commands.enumerated() {
        for u in c.updates where u.slot == x {
          guard let m = maxDelta(u.value, x) else { continue slots }
          maxDeltas[k] = m
          if let d = delta(u.value, x) { deltas[k] = d } else { exact = false }
        }
      }
      guard !maxDeltas.isEmpty else { continue }
      for t in system.threads where !system.initial.allSatisfy({ $0[t.pcSlot] == s0[t.pcSlot] }) { continue slots }
      if exact, let parts = potentials(system, deltas, exact: true) {
        out.append(LemmaForm(premises: [], conclusion: .counter(slot: x, base: s0[x], parts: parts)))
      } else if let parts = potentials(system, maxDeltas, exact: false) {
        out.append(LemmaForm(premises: [], conclusion: .counterAtMost(slot: x, base: s0[x], parts: parts)))
      }
    }
    return out
  }

  /// Per thread, what its program point contributes: with `exact`, the sum
  /// of `deltas` along the path there (nil if two paths differ); otherwise
  /// the largest such sum over paths without back edges.
  static func potentials(_ system: GuardedSystem, _ deltas: [Int: Int], exact: Bool) -> [PCContribution]? {
    guard let s0 = system.initial.first else { return nil }
    var parts: [PCContribution] = []
    for (t, th) in system.threads.enumerated() {
      let mine = system.commands.indices.filter { system.commands[$0].thread == t }
      let edges: [(from: Int, to: Int, d: Int)] = mine.map { c in
        let p = system.commands[c].pc
        let next = system.commands[c].updates.first { $0.slot == th.pcSlot }.flatMap { $0.value.constantValue } ?? p
        return (p, next, deltas[c] ?? 0)
      }
      var f: [Int: Int] = [s0[th.pcSlot]: 0]
      if exact {
        var queue = [s0[th.pcSlot]]
        var k = 0
        while k < queue.count {
          let p = queue[k]
          k += 1
          for e in edges where e.from == p {
            let v = f[p]! + e.d
            if let old = f[e.to] {
              if old != v { return nil }
            } else {
              f[e.to] = v
              queue.append(e.to)
            }
          }
        }
      } else {
        // Longest paths once back edges (retry loops) are left out: a
        // candidate only, since a loop that adds breaks it (Houdini then
        // drops it); a thread's retry loops rarely repeat the steps that
        // add (a fault is taken once per page).
        var succ: [Int: [(Int, Int)]] = [:]
        for e in edges { succ[e.from, default: []].append((e.to, e.d)) }
        var state: [Int: Int] = [:]  // 1 on the DFS stack, 2 done
        var order: [Int] = []
        var dag: [Int: [(Int, Int)]] = [:]
        var stack: [(Int, Int)] = [(s0[th.pcSlot], 0)]
        state[s0[th.pcSlot]] = 1
        while let (p, i) = stack.last {
          let out = succ[p] ?? []
          if i < out.count {
            stack[stack.count - 1].1 += 1
            let (q, d) = out[i]
            switch state[q] {
            case nil:
              dag[p, default: []].append((q, d))
              state[q] = 1
              stack.append((q, 0))
            case 2: dag[p, default: []].append((q, d))
            default: break  // a back edge
            }
          } else {
            state[p] = 2
            order.append(p)
            stack.removeLast()
          }
        }
        for p in order.reversed() {
          guard let v = f[p] else { continue }
          for (q, d) in dag[p] ?? [] where f[q].map({ v + d > $0 }) ?? true { f[q] = v + d }
        }
      }
      let weights = Set(f.values).subtracting([0]).sorted()
      if weights.isEmpty { continue }
      parts.append(
        PCContribution(pcSlot: th.pcSlot, pcs: weights.map { w in f.keys.filter { f[$0] == w }.sorted() }, weights: weights))
    }
    return parts.isEmpty ? nil : parts
  }
}
