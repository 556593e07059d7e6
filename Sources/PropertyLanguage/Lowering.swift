import CheckerCore

/// Typed properties to `Expr`, the IR every engine already evaluates.
///
/// Quantifiers are unrolled over their finite domains, defs are expanded in
/// place, and reads through a `ref` become `select` with a leading -1 row so
/// that `none` reads as 0/false: the result needs no new IR construct, so the
/// explicit explorers and the Z3 encoder check exactly the same formula.
///
/// Sort discipline (for the Z3 encoder): a bool-typed property expression
/// always lowers to a boolean-sorted `Expr` (a comparison, `not`, `and`, `or`,
/// `implies`, an `ite` of booleans) or to the constant 0/1. Reads of bool slots
/// are therefore written `slot != 0`, and integer/boolean mixes never appear.
///
/// Step properties read an extended vector: pre-state slots `0..<N`,
/// post-state slots `N..<2N`, then one 0/1 flag per referenced event at `2N+k`.
struct Lowering {
  let schema: Schema
  let checked: CheckedSuite
  let programPoints: ProgramPoints
  /// Events in first-use order; the k-th is read from slot `2N + k`.
  private(set) var events: [String] = []
  private var nextCallSite: SourceLocation?

  init(schema: Schema, checked: CheckedSuite, programPoints: ProgramPoints) {
    self.schema = schema
    self.checked = checked
    self.programPoints = programPoints
  }

  private var stateSize: Int { schema.slotCount }

  mutating func lower(_ e: TypedExpr, env: [String: Expr], post: Bool) throws -> Expr {
    switch e.node {
    case .constant(let v):
      return .const(v)

    case .bound(let name):
      return env[name]!

    case .variable(let vi, let subs):
      let v = schema.variables[vi]
      var idx: [Expr] = []
      var isRef: [Bool] = []
      for s in subs {
        idx.append(try lower(s, env: env, post: post))
        if case .ref = s.type { isRef.append(true) } else { isRef.append(false) }
      }
      let read = access(v, idx, isRef, offset: post ? stateSize : 0)
      return v.type == .bool ? Expr.op(.ne, read, .const(0)) : read

    case .call(let d, let args):
      let def = checked.definitions[d]
      var inner: [String: Expr] = [:]
      for (p, a) in zip(def.parameters, args) { inner[p.name] = try lower(a, env: env, post: post) }
      let saved = nextCallSite
      if post && nextCallSite == nil { nextCallSite = e.range.start }
      defer { nextCallSite = saved }
      return try lower(def.body, env: inner, post: post)

    case .not(let a):
      return Expr.negate(try lower(a, env: env, post: post))

    case .and(let xs):
      return Expr.conj(try xs.map { try lower($0, env: env, post: post) })

    case .or(let xs):
      return Expr.disj(try xs.map { try lower($0, env: env, post: post) })

    case .implies(let a, let b):
      return Self.implies(try lower(a, env: env, post: post), try lower(b, env: env, post: post))

    case .compare(let op, let a, let b):
      let x = try lower(a, env: env, post: post)
      let y = try lower(b, env: env, post: post)
      if a.type == .bool {
        let eq = Self.boolEqual(x, y)
        return op == .eq ? eq : Expr.negate(eq)
      }
      switch op {
      case .eq: return Expr.op(.eq, x, y)
      case .ne: return Expr.op(.ne, x, y)
      case .lt: return Expr.op(.lt, x, y)
      case .le: return Expr.op(.le, x, y)
      case .gt: return Expr.op(.lt, y, x)
      case .ge: return Expr.op(.le, y, x)
      default: preconditionFailure("not a comparison: \(op)")
      }

    case .arithmetic(let op, let a, let b):
      let x = try lower(a, env: env, post: post)
      let y = try lower(b, env: env, post: post)
      switch op {
      case .add: return Expr.op(.add, x, y)
      case .sub: return Expr.op(.sub, x, y)
      case .mul: return Expr.op(.mul, x, y)
      default: preconditionFailure("not arithmetic: \(op)")
      }

    case .negate(let a):
      return Expr.op(.sub, .const(0), try lower(a, env: env, post: post))

    case .ite(let c, let a, let b):
      let lc = try lower(c, env: env, post: post)
      let la = try lower(a, env: env, post: post)
      let lb = try lower(b, env: env, post: post)
      return e.type == .bool ? Self.boolIte(lc, la, lb) : Expr.cond(lc, la, lb)

    case .quantifier(let q, let binders, let filter, let body):
      var terms: [Expr] = []
      for tuple in Self.tuples(binders) {
        var inner = env
        for (b, k) in zip(binders, tuple) { inner[b.name] = .const(k) }
        let f = try filter.map { try lower($0, env: inner, post: post) }
        let x = try lower(body, env: inner, post: post)
        switch q {
        case .forall: terms.append(f.map { Self.implies($0, x) } ?? x)
        case .exists: terms.append(f.map { Expr.conj([$0, x]) } ?? x)
        case .count: terms.append(Expr.cond(f.map { Expr.conj([$0, x]) } ?? x, .const(1), .const(0)))
        case .sum: terms.append(f.map { Expr.cond($0, x, .const(0)) } ?? x)
        }
      }
      switch q {
      case .forall: return Expr.conj(terms)
      case .exists: return Expr.disj(terms)
      case .count, .sum: return terms.reduce(Expr.const(0)) { Expr.op(.add, $0, $1) }
      }

    case .next(let a):
      if post {
        let at = nextCallSite ?? e.range.start
        throw PropertyError(
          file: checked.suite.file, at: at,
          "'next' is nested in another 'next' (through a def call); its argument is already read in the post-state")
      }
      return try lower(a, env: env, post: true)

    case .event(let name):
      let k: Int
      if let i = events.firstIndex(of: name) { k = i } else { events.append(name); k = events.count - 1 }
      return .binary(.ne, .slot(2 * stateSize + k), .const(0))

    case .toRef(let a):
      return Expr.op(.add, try lower(a, env: env, post: post), .const(1))

    case .odd(let a, let maxValue):
      let x = try lower(a, env: env, post: post)
      return Expr.disj(stride(from: 1, through: maxValue, by: 2).map { Expr.op(.eq, x, .const($0)) })

    case .at(let a, let pcs):
      let off = post ? stateSize : 0
      func at(_ k: Int) -> Expr {
        Expr.disj(pcs[k].map { Expr.op(.eq, .slot(programPoints.pcSlots[k] + off), .const($0)) })
      }
      let t = try lower(a, env: env, post: post)
      if let k = t.constantValue { return k >= 0 && k < pcs.count ? at(k) : .const(0) }
      return Expr.disj(pcs.indices.filter { !pcs[$0].isEmpty }.map { Expr.conj([Expr.op(.eq, t, .const($0)), at($0)]) })
    }
  }

  /// Every combination of binder values, first binder outermost.
  static func tuples(_ binders: [TypedBinder]) -> [[Int]] {
    var out: [[Int]] = [[]]
    for b in binders {
      out = out.flatMap { prefix in (0..<b.size).map { prefix + [$0] } }
    }
    return out
  }

  /// `v[idx...]` read at slot offset `offset`. Constant subscripts pick the
  /// slot directly (quantifier variables are constants after unrolling); one
  /// varying subscript becomes a `select`; several become an `ite` chain over
  /// the first one. A `ref` subscript that is `none` reads 0.
  func access(_ v: Schema.Variable, _ idx: [Expr], _ isRef: [Bool], offset: Int) -> Expr {
    var fixed: [Int] = []
    var free: Int?
    for (k, e) in idx.enumerated() {
      let n = schema.domain(v.dimensions[k])!.elements.count
      if case .const(let c) = e {
        let element = isRef[k] ? c - 1 : c
        guard element >= 0, element < n else { return .const(0) }
        fixed.append(element)
      } else {
        fixed.append(0)
        if free == nil { free = k }
      }
    }
    guard let k = free else { return .slot(schema.slot(v, fixed) + offset) }
    let n = schema.domain(v.dimensions[k])!.elements.count
    let others = idx.indices.filter { $0 != k }
    if others.allSatisfy({ idx[$0].constantValue != nil }) {
      var table: [Int] = isRef[k] ? [-1] : []
      for j in 0..<n {
        var at = fixed
        at[k] = j
        table.append(schema.slot(v, at) + offset)
      }
      return .select(table: table, index: idx[k])
    }
    func with(_ j: Int) -> Expr {
      var sub = idx
      sub[k] = .const(isRef[k] ? j + 1 : j)
      return access(v, sub, isRef, offset: offset)
    }
    if isRef[k] {
      var acc = Expr.const(0)
      for j in (0..<n).reversed() { acc = Expr.cond(Expr.op(.eq, idx[k], .const(j + 1)), with(j), acc) }
      return acc
    }
    var acc = with(n - 1)
    for j in (0..<(n - 1)).reversed() { acc = Expr.cond(Expr.op(.eq, idx[k], .const(j)), with(j), acc) }
    return acc
  }

  /// `a implies b`, folding a constant consequent so no 0 sits in a boolean position.
  static func implies(_ a: Expr, _ b: Expr) -> Expr {
    if b.constantValue == 0 { return Expr.negate(a) }
    return Expr.op(.implies, a, b)
  }

  /// `a == b` on booleans without comparing a boolean with the integer 1.
  static func boolEqual(_ a: Expr, _ b: Expr) -> Expr {
    if case .const(let v) = b { return v != 0 ? a : Expr.negate(a) }
    if case .const(let v) = a { return v != 0 ? b : Expr.negate(b) }
    return Expr.op(.eq, a, b)
  }

  /// `if c then a else b` on booleans, with constant branches folded into
  /// `and`/`or` so no integer constant sits in a boolean `ite`.
  static func boolIte(_ c: Expr, _ a: Expr, _ b: Expr) -> Expr {
    if case .const(let v) = c { return v != 0 ? a : b }
    switch (a.constantValue, b.constantValue) {
    case (let x?, let y?):
      if (x != 0) == (y != 0) { return .const(x != 0 ? 1 : 0) }
      return x != 0 ? c : Expr.negate(c)
    case (let x?, nil):
      return x != 0 ? Expr.disj([c, b]) : Expr.conj([Expr.negate(c), b])
    case (nil, let y?):
      return y != 0 ? Expr.disj([Expr.negate(c), a]) : Expr.conj([c, a])
    case (nil, nil):
      return Expr.cond(c, a, b)
    }
  }
}
