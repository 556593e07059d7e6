import CheckerCore

/// Why a property has the value it has in a concrete state (or transition):
/// the quantifier values that matter, the smallest sub-formula responsible,
/// and the values of the schema variables it reads.
public struct Explanation: Sendable, Hashable, CustomStringConvertible {
  /// One quantifier variable (or def parameter) and its value.
  public struct Binding: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
      self.name = name
      self.value = value
    }
  }

  /// One term of the clause (`dpt.page[gpu0][1]`, `cpu_page(1)`,
  /// `next(mm.rss)`, `count p in phys: ...`) and its value.
  public struct TermValue: Sendable, Hashable {
    public var term: String
    public var value: String
    public init(term: String, value: String) {
      self.term = term
      self.value = value
    }
  }

  public var property: String
  /// The property's truth value in the state, by the concrete evaluator.
  public var holds: Bool
  public var bindings: [Binding]
  /// Source text of the smallest sub-formula that decides the value: the
  /// failing conjunct, the consequent of a failing `implies`, the witness
  /// disjunct of an `exists`, ...
  public var clause: String
  /// The truth value of `clause` (it is false for a failing conjunct, true
  /// under a `not`).
  public var clauseValue: Bool
  public var values: [TermValue]

  public init(
    property: String, holds: Bool, bindings: [Binding], clause: String, clauseValue: Bool,
    values: [TermValue]
  ) {
    self.property = property
    self.holds = holds
    self.bindings = bindings
    self.clause = clause
    self.clauseValue = clauseValue
    self.values = values
  }

  /// `for d = gpu0, a = 1: `dpt.page[d][a] == cpu_page(a)` is false (dpt.page[gpu0][1] = ram1, cpu_page(1) = ram2)`
  public var description: String {
    var s = ""
    if !bindings.isEmpty {
      s += "for " + bindings.map { "\($0.name) = \($0.value)" }.joined(separator: ", ") + ": "
    }
    s += "`\(clause)` is \(clauseValue)"
    if !values.isEmpty {
      s += " (" + values.map { "\($0.term) = \($0.value)" }.joined(separator: ", ") + ")"
    }
    return s
  }
}

/// Concrete evaluation of the typed tree, the same tree `Lowering` compiles.
///
/// It reads slots the way the lowered `Expr` does (a `none` subscript reads
/// 0, a bool slot reads `!= 0`), so its verdict always matches
/// `Expr.evaluate` on the extended vector; tests check this on random states.
struct Evaluator {
  let schema: Schema
  let checked: CheckedSuite
  let programPoints: ProgramPoints
  let pre: [UInt8]
  let post: [UInt8]
  let events: Set<String>

  func value(_ e: TypedExpr, _ env: [String: Int], post inPost: Bool) -> Int {
    switch e.node {
    case .constant(let v): return v
    case .bound(let name): return env[name]!
    case .variable(let vi, let subs):
      let v = schema.variables[vi]
      guard let at = elements(v, subs, env, inPost) else { return 0 }
      let raw = Int((inPost ? post : pre)[schema.slot(v, at)])
      return v.type == .bool ? (raw != 0 ? 1 : 0) : raw
    case .call(let d, let args):
      let def = checked.definitions[d]
      var inner: [String: Int] = [:]
      for (p, a) in zip(def.parameters, args) { inner[p.name] = value(a, env, post: inPost) }
      return value(def.body, inner, post: inPost)
    case .not(let a): return truth(a, env, inPost) ? 0 : 1
    case .and(let xs): return xs.allSatisfy { truth($0, env, inPost) } ? 1 : 0
    case .or(let xs): return xs.contains { truth($0, env, inPost) } ? 1 : 0
    case .implies(let a, let b): return (!truth(a, env, inPost) || truth(b, env, inPost)) ? 1 : 0
    case .compare(let op, let a, let b):
      var x = value(a, env, post: inPost), y = value(b, env, post: inPost)
      if a.type == .bool { x = x != 0 ? 1 : 0; y = y != 0 ? 1 : 0 }
      let r: Bool
      switch op {
      case .eq: r = x == y
      case .ne: r = x != y
      case .lt: r = x < y
      case .le: r = x <= y
      case .gt: r = x > y
      case .ge: r = x >= y
      default: preconditionFailure("not a comparison: \(op)")
      }
      return r ? 1 : 0
    case .arithmetic(let op, let a, let b):
      let x = value(a, env, post: inPost), y = value(b, env, post: inPost)
      switch op {
      case .add: return x &+ y
      case .sub: return x &- y
      case .mul: return x &* y
      default: preconditionFailure("not arithmetic: \(op)")
      }
    case .negate(let a): return 0 &- value(a, env, post: inPost)
    case .ite(let c, let a, let b):
      let v = truth(c, env, inPost) ? value(a, env, post: inPost) : value(b, env, post: inPost)
      return e.type == .bool ? (v != 0 ? 1 : 0) : v
    case .quantifier(let q, let binders, let filter, let body):
      var total = 0
      for tuple in Lowering.tuples(binders) {
        var inner = env
        for (b, k) in zip(binders, tuple) { inner[b.name] = k }
        let passes = filter.map { truth($0, inner, inPost) } ?? true
        switch q {
        case .forall: if passes && !truth(body, inner, inPost) { return 0 }
        case .exists: if passes && truth(body, inner, inPost) { return 1 }
        case .count: if passes && truth(body, inner, inPost) { total += 1 }
        case .sum: if passes { total = total &+ value(body, inner, post: inPost) }
        }
      }
      switch q {
      case .forall: return 1
      case .exists: return 0
      case .count, .sum: return total
      }
    case .next(let a): return value(a, env, post: true)
    case .event(let name): return events.contains(name) ? 1 : 0
    case .toRef(let a): return value(a, env, post: inPost) + 1
    case .odd(let a, _): return value(a, env, post: inPost) & 1
    case .at(let a, let pcs):
      let k = value(a, env, post: inPost)
      guard k >= 0, k < pcs.count else { return 0 }
      return pcs[k].contains(Int((inPost ? post : pre)[programPoints.pcSlots[k]])) ? 1 : 0
    }
  }

  func truth(_ e: TypedExpr, _ env: [String: Int], _ inPost: Bool) -> Bool {
    value(e, env, post: inPost) != 0
  }

  /// Element numbers of the subscripts, or nil when a `ref` one is `none`.
  func elements(_ v: Schema.Variable, _ subs: [TypedExpr], _ env: [String: Int], _ inPost: Bool) -> [Int]? {
    var at: [Int] = []
    for (s, d) in zip(subs, v.dimensions) {
      var k = value(s, env, post: inPost)
      if case .ref = s.type { k -= 1 }
      guard k >= 0, k < schema.domain(d)!.elements.count else { return nil }
      at.append(k)
    }
    return at
  }

  /// A value shown in its type: `true`, `3`, `migration`, `gpu0`, `none`.
  func render(_ v: Int, _ type: PropType) -> String {
    switch type {
    case .bool: return v != 0 ? "true" : "false"
    case .int, .counter: return String(v)
    case .enumeration(let t):
      for variable in schema.variables {
        if case .enumeration(t, _) = variable.type { return schema.format(v, as: variable.type) }
      }
      return String(v)
    case .index(let d): return schema.elementName(d, v)
    case .ref(let d): return schema.format(v, as: .reference(domain: d))
    }
  }
}

/// Walks from the root of a property towards the sub-formula that decides
/// its value, recording quantifier witnesses on the way.
struct Explainer {
  let evaluator: Evaluator
  let suite: PropertySuite

  func explain(_ property: CheckedProperty) -> Explanation {
    var bindings: [Explanation.Binding] = []
    var node = property.expr
    var env: [String: Int] = [:]
    var post = false
    while let step = descend(node, env, post, &bindings) {
      (node, env, post) = step
    }
    let clauseValue = evaluator.truth(node, env, post)
    var values: [Explanation.TermValue] = []
    collect(node, env, post, &values)
    return Explanation(
      property: property.declaration.name,
      holds: evaluator.truth(property.expr, [:], false),
      bindings: bindings,
      clause: suite.text(of: node.range),
      clauseValue: clauseValue,
      values: values)
  }

  /// The child that decides `e`'s value, or nil when `e` itself is the clause.
  private func descend(
    _ e: TypedExpr, _ env: [String: Int], _ post: Bool, _ bindings: inout [Explanation.Binding]
  ) -> (TypedExpr, [String: Int], Bool)? {
    let ev = evaluator
    let v = ev.truth(e, env, post)
    switch e.node {
    case .and(let xs):
      guard !v, let x = xs.first(where: { !ev.truth($0, env, post) }) else { return nil }
      return (x, env, post)
    case .or(let xs):
      guard v, let x = xs.first(where: { ev.truth($0, env, post) }) else { return nil }
      return (x, env, post)
    case .implies(let a, let b):
      if !v || ev.truth(b, env, post) { return (b, env, post) }
      return (a, env, post)
    case .not(let a):
      return (a, env, post)
    case .ite(let c, let a, let b) where e.type == .bool:
      return (ev.truth(c, env, post) ? a : b, env, post)
    case .quantifier(let q, let binders, let filter, let body) where (q == .forall && !v) || (q == .exists && v):
      for tuple in Lowering.tuples(binders) {
        var inner = env
        for (b, k) in zip(binders, tuple) { inner[b.name] = k }
        guard filter.map({ ev.truth($0, inner, post) }) ?? true else { continue }
        if ev.truth(body, inner, post) == v {
          for (b, k) in zip(binders, tuple) {
            bindings.append(.init(name: b.name, value: ev.render(k, .index(b.domain))))
          }
          return (body, inner, post)
        }
      }
      return nil
    case .call(let d, let args) where e.type == .bool:
      let def = ev.checked.definitions[d]
      var inner: [String: Int] = [:]
      for (p, a) in zip(def.parameters, args) {
        let k = ev.value(a, env, post: post)
        inner[p.name] = k
        let b = Explanation.Binding(name: p.name, value: ev.render(k, p.type))
        if !bindings.contains(b) { bindings.append(b) }
      }
      return (def.body, inner, post)
    default:
      return nil
    }
  }

  /// The values of the variable reads, def calls, events and aggregates in
  /// the clause, in source order (quantifier bodies excluded: their reads
  /// have no single value).
  private func collect(_ e: TypedExpr, _ env: [String: Int], _ post: Bool, _ out: inout [Explanation.TermValue]) {
    let ev = evaluator
    func add(_ term: String, _ value: String, inState: Bool = true) {
      let t = post && inState ? "next(\(term))" : term
      if !out.contains(where: { $0.term == t }) { out.append(.init(term: t, value: value)) }
    }
    switch e.node {
    case .constant, .bound: return
    case .variable(let vi, let subs):
      let v = ev.schema.variables[vi]
      let rendered = subs.map { s -> String in "[" + ev.render(ev.value(s, env, post: post), s.type) + "]" }
      add(v.name + rendered.joined(), ev.render(ev.value(e, env, post: post), e.type))
      for s in subs { collect(s, env, post, &out) }
    case .call(let d, let args):
      let name = ev.checked.definitions[d].declaration.name
      let rendered = args.map { ev.render(ev.value($0, env, post: post), $0.type) }
      let term = args.isEmpty ? name : "\(name)(\(rendered.joined(separator: ", ")))"
      add(term, ev.render(ev.value(e, env, post: post), e.type))
      for a in args { collect(a, env, post, &out) }
    case .event(let name):
      add("event(\(name))", ev.render(ev.value(e, env, post: post), .bool), inState: false)
    case .quantifier(let q, _, _, _):
      if q == .count || q == .sum {
        add(suite.text(of: e.range), ev.render(ev.value(e, env, post: post), e.type))
      }
    case .next(let a):
      collect(a, env, true, &out)
    case .at(let a, _), .odd(let a, _):
      add(suite.text(of: e.range), ev.render(ev.value(e, env, post: post), .bool))
      collect(a, env, post, &out)
    case .not(let a), .negate(let a), .toRef(let a):
      collect(a, env, post, &out)
    case .and(let xs), .or(let xs):
      for x in xs { collect(x, env, post, &out) }
    case .implies(let a, let b), .compare(_, let a, let b), .arithmetic(_, let a, let b):
      collect(a, env, post, &out)
      collect(b, env, post, &out)
    case .ite(let c, let a, let b):
      collect(c, env, post, &out)
      collect(a, env, post, &out)
      collect(b, env, post, &out)
    }
  }
}
