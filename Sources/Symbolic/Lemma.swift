import CheckerCore

/// A state predicate offered to the inductive prover: a goal (a model's
/// `always` property) or a strengthening lemma.
///
/// `expr` is what the solver reads; `text` is the same predicate in the
/// property language (`Docs/property-language.md`), so a lemma can be written
/// to `Properties/lemmas/*.hmmprop`, read by a human, re-compiled and checked
/// by the explicit explorers. Mined lemmas build both from one `LemmaForm`;
/// lemmas loaded from a file carry the compiler's `expr` and their source.
public struct Lemma: Sendable, Hashable {
  public var name: String
  public var text: String
  /// Comment lines written above the lemma (pc labels, where it came from).
  public var doc: [String]
  public var expr: Expr

  public init(name: String, text: String, doc: [String] = [], expr: Expr) {
    self.name = name
    self.text = text
    self.doc = doc
    self.expr = expr
  }
}

/// One thread's contribution to a counter: `weights[k]` while the thread's
/// pc is in `pcs[k]`, 0 elsewhere.
public struct PCContribution: Hashable, Sendable {
  public var pcSlot: Int
  public var pcs: [[Int]]
  public var weights: [Int]

  func expr() -> Expr {
    var e = Expr.const(0)
    for (ps, w) in zip(pcs, weights).reversed() {
      e = .ite(.disj(ps.map { .binary(.eq, .slot(pcSlot), .const($0)) }), .const(w), e)
    }
    return e
  }

  func value(_ s: StateVector) -> Int {
    for (ps, w) in zip(pcs, weights) where ps.contains(s[pcSlot]) { return w }
    return 0
  }

  func text(_ schema: Schema) -> String {
    let name = schema.slotName(pcSlot)
    var out = ""
    for (ps, w) in zip(pcs, weights) {
      let c = ps.map { "\(name) == \($0)" }.joined(separator: " or ")
      out += "if \(c) then \(w) else "
    }
    return "(" + out + "0)"
  }
}

/// One literal over a state: a slot's value in a set, two slots (of one
/// type) equal or different, or a counter equal to what the threads' program
/// points contribute (`mm.readers` is the number of threads between an
/// `mmap_read_lock` and its unlock).
public enum Atom: Hashable, Sendable {
  case valueIn(slot: Int, values: [Int])
  case equal(Int, Int)
  case differ(Int, Int)
  case counter(slot: Int, base: Int, parts: [PCContribution])
  /// `slot <= base + Σ parts`: a counter some steps may or may not move
  /// (`mn.seq` moves only at the first start and the last end of
  /// overlapping invalidations), bounded by the most each thread's steps so
  /// far can have added. Keeps the counter inside its declared range.
  case counterAtMost(slot: Int, base: Int, parts: [PCContribution])
  /// A value of a class whose parity the model observes is odd (or even);
  /// `maxValue` bounds the class's values (the expression lists the odd ones).
  case parity(slot: Int, odd: Bool, maxValue: Int)
  /// `x != v`, for a value class slot and one of its pinned values.
  case notValue(slot: Int, value: Int)
  /// Two values of one class in order: `x < y`, or `x <= y`.
  case ordered(Int, Int, strict: Bool)

  public var expr: Expr {
    switch self {
    case .valueIn(let s, let vs):
      return .disj(vs.map { .binary(.eq, .slot(s), .const($0)) })
    case .equal(let a, let b): return .binary(.eq, .slot(a), .slot(b))
    case .differ(let a, let b): return .binary(.ne, .slot(a), .slot(b))
    case .counter(let x, let base, let parts):
      var sum = Expr.const(base)
      for p in parts { sum = .binary(.add, sum, p.expr()) }
      return .binary(.eq, .slot(x), sum)
    case .counterAtMost(let x, let base, let parts):
      var sum = Expr.const(base)
      for p in parts { sum = .binary(.add, sum, p.expr()) }
      return .binary(.le, .slot(x), sum)
    case .parity(let x, let odd, let maxValue):
      let isOdd = Expr.disj(stride(from: 1, through: maxValue, by: 2).map { .binary(.eq, .slot(x), .const($0)) })
      return odd ? isOdd : .negate(isOdd)
    case .notValue(let x, let v): return .binary(.ne, .slot(x), .const(v))
    case .ordered(let a, let b, let strict): return .binary(strict ? .lt : .le, .slot(a), .slot(b))
    }
  }

  public func holds(_ s: StateVector) -> Bool {
    switch self {
    case .valueIn(let x, let vs): return vs.contains(s[x])
    case .equal(let a, let b): return s[a] == s[b]
    case .differ(let a, let b): return s[a] != s[b]
    case .counter(let x, let base, let parts): return s[x] == parts.reduce(base) { $0 + $1.value(s) }
    case .counterAtMost(let x, let base, let parts): return s[x] <= parts.reduce(base) { $0 + $1.value(s) }
    case .parity(let x, let odd, _): return (s[x] & 1 == 1) == odd
    case .notValue(let x, let v): return s[x] != v
    case .ordered(let a, let b, let strict): return strict ? s[a] < s[b] : s[a] <= s[b]
    }
  }

  /// The literal in the property language.
  public func text(_ schema: Schema) -> String {
    switch self {
    case .valueIn(let s, let vs):
      let name = schema.slotName(s)
      if case .bool = schema.variables[schema.slotOwner[s]].type {
        if vs.count == 1 { return vs[0] != 0 ? name : "not \(name)" }
      }
      let parts = vs.map { "\(name) == \(schema.format(slot: s, value: $0))" }
      return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " or ") + ")"
    case .equal(let a, let b): return "\(schema.slotName(a)) == \(schema.slotName(b))"
    case .differ(let a, let b): return "\(schema.slotName(a)) != \(schema.slotName(b))"
    case .counter(let x, let base, let parts):
      var terms = parts.map { $0.text(schema) }
      if base != 0 || terms.isEmpty { terms.insert(String(base), at: 0) }
      return "\(schema.slotName(x)) == " + terms.joined(separator: " + ")
    case .counterAtMost(let x, let base, let parts):
      var terms = parts.map { $0.text(schema) }
      if base != 0 || terms.isEmpty { terms.insert(String(base), at: 0) }
      return "\(schema.slotName(x)) <= " + terms.joined(separator: " + ")
    case .parity(let x, let odd, _): return (odd ? "" : "not ") + "odd(\(schema.slotName(x)))"
    case .notValue(let x, let v): return "\(schema.slotName(x)) != \(v)"
    case .ordered(let a, let b, let strict): return "\(schema.slotName(a)) \(strict ? "<" : "<=") \(schema.slotName(b))"
    }
  }

  /// Slots the literal reads.
  public var slots: [Int] {
    switch self {
    case .valueIn(let s, _): return [s]
    case .equal(let a, let b), .differ(let a, let b): return [a, b]
    case .counter(let x, _, let parts), .counterAtMost(let x, _, let parts): return [x] + parts.map(\.pcSlot)
    case .parity(let x, _, _), .notValue(let x, _): return [x]
    case .ordered(let a, let b, _): return [a, b]
    }
  }
}

/// The shapes mined lemmas take: `premises implies conclusion` (with no
/// premise: the conclusion alone), and blocking clauses `not (l1 and l2 ...)`.
public struct LemmaForm: Hashable, Sendable {
  public var premises: [Atom]
  /// nil: the premises are never all true (a blocking clause).
  public var conclusion: Atom?

  public init(premises: [Atom], conclusion: Atom?) {
    self.premises = premises
    self.conclusion = conclusion
  }

  public var expr: Expr {
    let p = Expr.conj(premises.map(\.expr))
    guard let c = conclusion else { return Expr.negate(p) }
    if premises.isEmpty { return c.expr }
    return .binary(.implies, p, c.expr)
  }

  public func holds(_ s: StateVector) -> Bool {
    guard premises.allSatisfy({ $0.holds(s) }) else { return true }
    return conclusion?.holds(s) ?? false
  }

  public func text(_ schema: Schema) -> String {
    let ps = premises.map { $0.text(schema) }
    guard let c = conclusion else {
      if ps.count == 1 { return "not (\(ps[0]))" }
      return "not (" + ps.joined(separator: " and ") + ")"
    }
    if ps.isEmpty { return c.text(schema) }
    return ps.joined(separator: " and ") + " implies " + c.text(schema)
  }

  /// Every slot read, premises first.
  public var slots: [Int] {
    var out: [Int] = []
    for a in premises + (conclusion.map { [$0] } ?? []) {
      for s in a.slots where !out.contains(s) { out.append(s) }
    }
    return out
  }
}

/// Mined facts grouped for reading and for the prover's bookkeeping: what
/// holds at one program point of one thread, the values one variable takes,
/// where a thread can be while a variable has a value, one counter, one
/// blocking clause. A group is one lemma: the conjunction of its facts.
public struct LemmaGroup: Hashable, Sendable {
  public enum Kind: Hashable, Sendable, Comparable {
    /// No premise: value sets and equalities of one variable.
    case values(variable: Int)
    /// A counter tied to program points.
    case counter(slot: Int)
    /// Premise `thread.pc[t] == p`.
    case programPoint(pcSlot: Int, pc: Int)
    /// Premise `thread.pc[t1] == p and thread.pc[t2] == q`.
    case programPoints(Int, Int, Int, Int)
    /// `x == v implies thread.pc[t] ∈ P`, for every value v of x's variable.
    case whereThread(pcSlot: Int, variable: Int)
    /// Premise `x == v` (x not a program counter): what else holds then.
    case when(slot: Int, value: Int)
    /// Premise `x == y` (equal 1) or `x != y` (equal 0): what else holds then.
    case whenRelated(Int, Int, equal: Int)
    /// A blocking clause (by its index among them).
    case clause(Int)
  }

  public var kind: Kind
  public var forms: [LemmaForm]

  public var expr: Expr { .conj(forms.map(\.expr)) }

  public func holds(_ s: StateVector) -> Bool { forms.allSatisfy { $0.holds(s) } }

  /// Groups forms, keeping first-appearance order within a group; groups in
  /// kind order.
  public static func group(_ forms: [LemmaForm], schema: Schema, pcSlots: Set<Int>) -> [LemmaGroup] {
    var order: [Kind] = []
    var byKind: [Kind: [LemmaForm]] = [:]
    var clauses = 0
    for f in forms {
      let k: Kind
      let pcPremises: [(Int, Int)] = f.premises.compactMap {
        if case .valueIn(let a, let vs) = $0, pcSlots.contains(a), vs.count == 1 { return (a, vs[0]) }
        return nil
      }
      if let c = f.conclusion, pcPremises.count == f.premises.count {
        if pcPremises.isEmpty {
          if case .counter(let x, _, _) = c {
            k = .counter(slot: x)
          } else if case .counterAtMost(let x, _, _) = c {
            k = .counter(slot: x)
          } else {
            k = .values(variable: schema.slotOwner[c.slots[0]])
          }
        } else if pcPremises.count == 1 {
          k = .programPoint(pcSlot: pcPremises[0].0, pc: pcPremises[0].1)
        } else if pcPremises.count == 2 {
          k = .programPoints(pcPremises[0].0, pcPremises[0].1, pcPremises[1].0, pcPremises[1].1)
        } else {
          k = .clause(clauses)
          clauses += 1
        }
      } else if f.premises.count == 1, case .valueIn(let x, _) = f.premises[0],
        case .valueIn(let t, _)? = f.conclusion, pcSlots.contains(t)
      {
        k = .whereThread(pcSlot: t, variable: schema.slotOwner[x])
      } else if f.premises.count == 1, case .valueIn(let x, let vs) = f.premises[0], vs.count == 1, f.conclusion != nil {
        k = .when(slot: x, value: vs[0])
      } else if f.premises.count == 1, case .equal(let x, let y) = f.premises[0], f.conclusion != nil {
        k = .whenRelated(x, y, equal: 1)
      } else if f.premises.count == 1, case .differ(let x, let y) = f.premises[0], f.conclusion != nil {
        k = .whenRelated(x, y, equal: 0)
      } else {
        k = .clause(clauses)
        clauses += 1
      }
      if byKind[k] == nil { order.append(k) }
      byKind[k, default: []].append(f)
    }
    return order.sorted().map { LemmaGroup(kind: $0, forms: byKind[$0]!) }
  }

  /// The lemma's text: a shared premise factored out, one fact per line.
  public func text(_ schema: Schema) -> String {
    let shared = forms.first.map(\.premises) ?? []
    if forms.count > 1, !shared.isEmpty, forms.allSatisfy({ $0.premises == shared && $0.conclusion != nil }) {
      let p = LemmaForm(premises: shared, conclusion: nil).premises.map { $0.text(schema) }.joined(separator: " and ")
      let cs = forms.map { $0.conclusion!.text(schema) }
      return p + " implies\n    " + cs.joined(separator: "\n    and ")
    }
    let parts = forms.map { f -> String in
      let t = f.text(schema)
      return forms.count > 1 && (!f.premises.isEmpty || f.conclusion == nil) ? "(\(t))" : t
    }
    return parts.joined(separator: "\n  and ")
  }
}
