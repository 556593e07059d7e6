import CheckerCore

/// Turns an unreachable state into a blocking clause `not (l1 and ... and lk)`
/// that is true on every state of a complete reachable set (so it is an
/// invariant) and false on the state: few literals, so that the clause rules
/// out a whole region of unreachable states, not one vector.
///
/// Literals are the state's own facts: `x == v`, and `x == y` / `x != y`
/// for comparable slots. A greedy set cover picks, each time, the literal
/// false on the most reachable states not yet excluded (program counters
/// first on ties, then relations, which generalise across values); then
/// redundant literals are dropped.
struct CTIGeneralizer {
  let system: GuardedSystem
  let reachable: ReachableStates
  let pairs: [(Int, Int)]
  /// Column-major copy of the reachable states.
  let columns: [[UInt8]]

  init(system: GuardedSystem, reachable: ReachableStates, pairs: [(Int, Int)]) {
    precondition(reachable.complete, "blocking clauses need the whole reachable set")
    self.system = system
    self.reachable = reachable
    self.pairs = pairs
    let n = system.schema.slotCount
    var cols = [[UInt8]](repeating: [UInt8](repeating: 0, count: reachable.states.count), count: n)
    for (r, s) in reachable.states.enumerated() {
      for x in 0..<n { cols[x][r] = s.slots[x] }
    }
    columns = cols
  }

  /// nil when the state is reachable (no clause can exclude it).
  func block(_ s: StateVector) -> LemmaForm? {
    guard !reachable.contains(s) else { return nil }
    let pcs = system.threads.map(\.pcSlot)
    let pcSet = Set(pcs)
    var pool: [Atom] = pcs.map { .valueIn(slot: $0, values: [s[$0]]) }
    for (a, b) in pairs {
      pool.append(s[a] == s[b] ? .equal(a, b) : .differ(a, b))
    }
    let classes = ClassValues(system)
    for x in 0..<system.schema.slotCount where !pcSet.contains(x) {
      if classes.isClassSlot(x) {
        pool += classes.literals(x, in: s)
      } else {
        pool.append(.valueIn(slot: x, values: [s[x]]))
      }
    }
    for (a, b) in classes.orderedPairs(pairs) {
      pool.append(s[a] < s[b] ? .ordered(a, b, strict: true) : .ordered(b, a, strict: false))
    }
    var alive = Array(0..<reachable.states.count)
    var chosen: [Atom] = []
    var used = Set<Int>()
    while !alive.isEmpty {
      var best = -1, bestKilled = 0
      for (k, atom) in pool.enumerated() where !used.contains(k) {
        let killed = countFalse(atom, alive)
        if killed > bestKilled {
          best = k
          bestKilled = killed
        }
      }
      guard best >= 0 else { return nil }  // unreachable: s is not in the set
      used.insert(best)
      chosen.append(pool[best])
      alive.removeAll { !holds(pool[best], $0) }
    }
    // Drop literals the others make redundant.
    var k = 0
    while k < chosen.count && chosen.count > 1 {
      var rest = chosen
      rest.remove(at: k)
      let excludes = (0..<reachable.states.count).allSatisfy { r in !rest.allSatisfy { holds($0, r) } }
      if excludes { chosen = rest } else { k += 1 }
    }
    return LemmaForm(premises: chosen, conclusion: nil)
  }

  /// The blocking clause `not (l1 and ... and lk)` read as k implications,
  /// each as strong as the reachable states allow: with `li` as the
  /// conclusion, `l1 .. (no li) .. lk implies x ∈ W` where W are the values
  /// x takes on the reachable states satisfying the other literals (li's
  /// value is not among them, so each still excludes the state). They rule
  /// out far more than the clause: every unreachable value of x there, not
  /// just the one seen.
  func strengthen(_ clause: LemmaForm) -> [LemmaForm] {
    let lits = clause.premises
    guard lits.count >= 2 else { return [clause] }
    var out: [LemmaForm] = []
    for (k, l) in lits.enumerated() {
      var premises = lits
      premises.remove(at: k)
      let rows = (0..<reachable.states.count).filter { r in premises.allSatisfy { holds($0, r) } }
      guard !rows.isEmpty else { continue }
      switch l {
      case .valueIn(let x, _):
        var seen = [Bool](repeating: false, count: 256)
        for r in rows { seen[Int(columns[x][r])] = true }
        // A class slot's values are said in the class's terms (a canonical
        // number is the renaming's choice, not a fact about the kernel).
        for fact in ClassValues(system).facts(x, values: (0..<256).filter { seen[$0] }) {
          out.append(LemmaForm(premises: premises, conclusion: fact))
        }
      case .equal(let a, let b):
        out.append(LemmaForm(premises: premises, conclusion: .differ(a, b)))
      case .differ(let a, let b):
        out.append(LemmaForm(premises: premises, conclusion: .equal(a, b)))
      case .ordered(let a, let b, let strict):
        // not (a < b) is b <= a; not (a <= b) is b < a.
        out.append(LemmaForm(premises: premises, conclusion: .ordered(b, a, strict: !strict)))
      case .notValue(let x, let v):
        out.append(LemmaForm(premises: premises, conclusion: .valueIn(slot: x, values: [v])))
      case .parity(let x, let odd, let m):
        out.append(LemmaForm(premises: premises, conclusion: .parity(slot: x, odd: !odd, maxValue: m)))
      case .counter, .counterAtMost:
        continue
      }
    }
    return out.isEmpty ? [clause] : out
  }

  private func holds(_ a: Atom, _ r: Int) -> Bool {
    switch a {
    case .valueIn(let x, let vs): return vs.contains(Int(columns[x][r]))
    case .equal(let x, let y): return columns[x][r] == columns[y][r]
    case .differ(let x, let y): return columns[x][r] != columns[y][r]
    case .counter, .counterAtMost, .parity, .notValue, .ordered: return a.holds(reachable.states[r])
    }
  }

  private func countFalse(_ a: Atom, _ rows: [Int]) -> Int {
    var n = 0
    switch a {
    case .valueIn(let x, let vs):
      let c = columns[x]
      if vs.count == 1 {
        let v = UInt8(vs[0])
        for r in rows where c[r] != v { n += 1 }
      } else {
        for r in rows where !vs.contains(Int(c[r])) { n += 1 }
      }
    case .equal(let x, let y):
      let cx = columns[x], cy = columns[y]
      for r in rows where cx[r] != cy[r] { n += 1 }
    case .differ(let x, let y):
      let cx = columns[x], cy = columns[y]
      for r in rows where cx[r] == cy[r] { n += 1 }
    case .counter, .counterAtMost, .parity, .notValue, .ordered:
      for r in rows where !a.holds(reachable.states[r]) { n += 1 }
    }
    return n
  }
}
