/// The values of a path's states as the unrenamed model counts them, for
/// people to read: along a run the notifier sequence goes 2, 3, 4, ... and
/// every write makes a version above all earlier ones, where the explorers'
/// canonical states keep renumbering them from the bottom (`ValueRenaming`).
///
/// Each step is replayed without renaming from the canonical pre-state:
/// values it copies keep their number, values it makes (the clock's next)
/// get the next numbers above the highest shown so far, in order. Renaming
/// the result gives the canonical post-state, slot by slot, so every
/// canonical value maps to its number. Slots outside the value classes are
/// shown as they are; so is everything when the model declares no classes.
extension GuardedSystem {
  public func kernelNumbering(_ states: [StateVector], actions: [Int]) -> [[Int]] {
    guard let renaming, let first = states.first else { return states.map { $0.slots.map(Int.init) } }
    precondition(actions.count == states.count - 1, "one action per step")
    func key(_ v: Int, _ c: ValueRenaming.Class) -> Int { c.parity ? v >> 1 : v }
    func value(_ k: Int, _ v: Int, _ c: ValueRenaming.Class) -> Int { c.parity ? k << 1 | (v & 1) : k }
    var rows: [[Int]] = [first.slots.map(Int.init)]
    // Per class: canonical key -> shown key, and the highest key shown.
    var shown: [[Int: Int]] = renaming.classes.map { c in
      Dictionary(c.slots.map { (key(first[$0], c), key(first[$0], c)) }, uniquingKeysWith: { a, _ in a })
    }
    var highest = renaming.classes.map { c in c.slots.map { key(first[$0], c) }.max() ?? 0 }
    var raw = first
    for (i, a) in actions.enumerated() {
      let pre = states[i], post = states[i + 1]
      raw = pre
      applyUnrenamed(a, from: pre, to: &raw)
      var row = post.slots.map(Int.init)
      for (k, c) in renaming.classes.enumerated() {
        var byRaw: [Int: Int] = [:]
        let fresh = Set(c.slots.map { key(raw[$0], c) }).subtracting(shown[k].keys).sorted()
        for f in fresh where f != 0 {
          highest[k] += 1
          byRaw[f] = highest[k]
        }
        var next: [Int: Int] = [0: 0]
        for s in c.slots {
          let r = key(raw[s], c)
          let number = r == 0 ? 0 : (byRaw[r] ?? shown[k][r]!)
          next[key(post[s], c)] = number
          row[s] = value(number, post[s], c)
        }
        shown[k] = next
      }
      rows.append(row)
    }
    return rows
  }
}
