import CheckerCore

/// How mined lemmas speak of data-independent values (notifier sequences,
/// content versions): never by their canonical numbers, which are the
/// renaming's choice rather than a fact about the kernel, but by what the
/// renaming keeps (`ValueRenaming`): a pinned value, parity, equality and
/// order. The property language accepts nothing else on such slots, so a
/// lemma file stays loadable and every lemma means the same thing on the
/// kernel's own numbering.
struct ClassValues {
  let renaming: ValueRenaming?
  let slotMax: [UInt8]

  init(_ system: GuardedSystem) {
    renaming = system.renaming
    slotMax = system.slotMax
  }

  func classOf(_ x: Int) -> ValueRenaming.Class? {
    guard let r = renaming, r.classOfSlot[x] >= 0 else { return nil }
    return r.classes[r.classOfSlot[x]]
  }

  func isClassSlot(_ x: Int) -> Bool { classOf(x) != nil }

  func pinned(_ v: Int, _ c: ValueRenaming.Class) -> Bool { (c.parity ? v >> 1 : v) == 0 }

  /// What "x takes one of `vs`" says in the class's own terms: the values
  /// themselves when all are pinned; else the parity they share and the
  /// pinned values they avoid (none: nothing to say).
  func facts(_ x: Int, values vs: [Int]) -> [Atom] {
    guard let c = classOf(x) else { return [.valueIn(slot: x, values: vs)] }
    if vs.allSatisfy({ pinned($0, c) }) { return [.valueIn(slot: x, values: vs)] }
    var out: [Atom] = []
    if c.parity {
      if vs.allSatisfy({ $0 & 1 == 1 }) { out.append(.parity(slot: x, odd: true, maxValue: Int(slotMax[x]))) }
      if vs.allSatisfy({ $0 & 1 == 0 }) { out.append(.parity(slot: x, odd: false, maxValue: Int(slotMax[x]))) }
    }
    for p in 0...(c.parity ? 1 : 0) where !vs.contains(p) { out.append(.notValue(slot: x, value: p)) }
    return out
  }

  /// Literals describing x's value in one state (for blocking clauses).
  func literals(_ x: Int, in s: StateVector) -> [Atom] {
    let v = s[x]
    guard let c = classOf(x) else { return [.valueIn(slot: x, values: [v])] }
    if pinned(v, c) { return [.valueIn(slot: x, values: [v])] }
    var out: [Atom] = [.notValue(slot: x, value: 0)]
    if c.parity {
      out.append(.notValue(slot: x, value: 1))
      out.append(.parity(slot: x, odd: v & 1 == 1, maxValue: Int(slotMax[x])))
    }
    return out
  }

  /// Comparable pairs whose slots are both of one class (they may be ordered).
  func orderedPairs(_ pairs: [(Int, Int)]) -> [(Int, Int)] {
    pairs.filter { a, b in
      guard let r = renaming else { return false }
      return r.classOfSlot[a] >= 0 && r.classOfSlot[a] == r.classOfSlot[b]
    }
  }

  /// The forms rewritten so that class slots appear only in expressible
  /// atoms; a form whose premise names a non-pinned class value is dropped
  /// (it is a fact about the renaming's numbers, not the kernel).
  func abstract(_ forms: [LemmaForm]) -> [LemmaForm] {
    guard renaming != nil else { return forms }
    var seen = Set<LemmaForm>()
    var out: [LemmaForm] = []
    forms: for f in forms {
      for p in f.premises {
        switch p {
        case .valueIn(let x, let vs):
          if let c = classOf(x), !vs.allSatisfy({ pinned($0, c) }) { continue forms }
        case .counter(let x, _, _), .counterAtMost(let x, _, _):
          if isClassSlot(x) { continue forms }
        default: break
        }
      }
      var conclusions: [Atom?] = [f.conclusion]
      switch f.conclusion {
      case .valueIn(let x, let vs)?: conclusions = facts(x, values: vs)
      case .counter(let x, _, _)?, .counterAtMost(let x, _, _)?:
        if isClassSlot(x) { continue forms }
      default: break
      }
      for c in conclusions {
        let g = LemmaForm(premises: f.premises, conclusion: c)
        if seen.insert(g).inserted { out.append(g) }
      }
    }
    return out
  }
}
