// Images of expressions under a symmetry's elements: how `isSymmetric`
// decides that a property cannot tell interchanged blocks apart.

// MARK: - Expressions under a group element

extension StateSymmetry {
  /// An expression the symmetry cannot map (a renamed value in arithmetic or
  /// an order comparison, values of two domains compared, ...).
  struct Unmappable: Error {
    var reason: String
  }

  /// Marks a subexpression whose value is a literal of no domain yet.
  static let anyDomain = -1

  /// Where element `e` moves slot `x` of a state vector or of the extended
  /// vector step properties read (`[pre][post][event flags]`), and its domain.
  func slotImage(_ x: Int, _ e: Int) throws -> (slot: Int, domain: Int) {
    let n = slotCount
    guard x >= 0 else { throw Unmappable(reason: "negative slot \(x)") }
    if x < n { return (Int(store.perms[e * n + x]), Int(store.slotDom[x])) }
    if x < 2 * n { return (n + Int(store.perms[e * n + x - n]), Int(store.slotDom[x - n])) }
    return (x, 0)  // event flags: the image command fires the same events
  }

  func domain(ofSlot x: Int) -> Int {
    let n = slotCount
    if x >= 0 && x < n { return Int(store.slotDom[x]) }
    if x >= n && x < 2 * n { return Int(store.slotDom[x - n]) }
    return 0
  }

  func unify(_ a: Int, _ b: Int, _ e: Expr) throws -> Int {
    if a == Self.anyDomain { return b }
    if b == Self.anyDomain || a == b { return a }
    throw Unmappable(reason: "compares or mixes values of \(domainNames[a]) and \(domainNames[b]): \(e)")
  }

  func plain(_ d: Int, _ e: Expr) throws {
    if d != 0 && d != Self.anyDomain {
      throw Unmappable(reason: "uses a \(domainNames[d]) value as a number or truth value: \(e)")
    }
  }

  /// The value domain of an expression (`anyDomain` for a literal), or
  /// `Unmappable` when its slots' domains do not fit together.
  func inferDomain(_ e: Expr) throws -> Int {
    switch e {
    case .const: return Self.anyDomain
    case .slot(let x): return domain(ofSlot: x)
    case .select(let table, let index):
      _ = try inferDomain(index)
      var d = Self.anyDomain
      for s in table where s >= 0 { d = try unify(d, domain(ofSlot: s), e) }
      return d
    case .not(let x):
      try plain(inferDomain(x), e)
      return 0
    case .and(let xs), .or(let xs):
      for x in xs { try plain(inferDomain(x), e) }
      return 0
    case .binary(let op, let a, let b):
      let da = try inferDomain(a), db = try inferDomain(b)
      switch op {
      case .eq, .ne: _ = try unify(da, db, e)
      default:
        try plain(da, e)
        try plain(db, e)
      }
      return 0
    case .ite(let c, let a, let b):
      try plain(inferDomain(c), e)
      return try unify(inferDomain(a), inferDomain(b), e)
    }
  }

  /// `e'` with `e'(g s) = T_d(e(s))` for every state s, where `T_d` renames
  /// values of domain `d` under element `g`.
  func rewrite(_ e: Expr, domain d: Int, under g: Int) throws -> Expr {
    switch e {
    case .const(let c):
      if d == 0 { return e }
      guard c >= 0, c < 256 else { throw Unmappable(reason: "\(domainNames[d]) constant \(c) out of range") }
      return .const(Int(store.table(g, d, c)))
    case .slot(let x):
      return .slot(try slotImage(x, g).slot)
    case .select(let table, let index):
      var di = try inferDomain(index)
      if di == Self.anyDomain { di = 0 }
      if d != 0 && store.table(g, d, 0) != 0 {
        throw Unmappable(reason: "a select reads 0 for no entry, but \(domainNames[d]) renames 0")
      }
      let newIndex = try rewrite(index, domain: di, under: g)
      var newTable: [Int] = []
      for (v, s) in table.enumerated() {
        guard v < 256 else { throw Unmappable(reason: "select table longer than 256 entries") }
        let w = di == 0 ? v : Int(store.table(g, di, v))
        if newTable.count <= w { newTable += [Int](repeating: -1, count: w + 1 - newTable.count) }
        newTable[w] = s < 0 ? -1 : try slotImage(s, g).slot
      }
      return .select(table: newTable, index: newIndex)
    case .not(let x):
      return .not(try rewrite(x, domain: 0, under: g))
    case .and(let xs):
      return .and(try xs.map { try rewrite($0, domain: 0, under: g) })
    case .or(let xs):
      return .or(try xs.map { try rewrite($0, domain: 0, under: g) })
    case .binary(let op, let a, let b):
      var da = 0
      if op == .eq || op == .ne {
        da = try unify(inferDomain(a), inferDomain(b), e)
        if da == Self.anyDomain { da = 0 }
      }
      return .binary(op, try rewrite(a, domain: da, under: g), try rewrite(b, domain: da, under: g))
    case .ite(let c, let a, let b):
      return .ite(try rewrite(c, domain: 0, under: g), try rewrite(a, domain: d, under: g), try rewrite(b, domain: d, under: g))
    }
  }

  /// The image of a truth-valued (or plain-valued) expression under element
  /// `g`: `image(e)(g s) == e(s)`. Nil when the expression cannot be mapped.
  /// Reads of the extended step vector are mapped too.
  public func image(of e: Expr, under g: Int) -> Expr? {
    do {
      try plain(inferDomain(e), e)
      return try rewrite(e, domain: 0, under: g)
    } catch {
      return nil
    }
  }

  /// Whether a property's expression (over a state, or over the extended
  /// step vector `[pre][post][event flags]`) has the same value on every
  /// state of an orbit: its image under every generator normalises to the
  /// same expression as itself (conjuncts, disjuncts, sums and `==` operands
  /// reordered, `ite` chains over one subject sorted). Conservative: false
  /// when unsure.
  public func isSymmetric(_ e: Expr) -> Bool {
    let base = ExprNormalizer.normalize(e)
    for g in generators {
      guard let img = image(of: e, under: g) else { return false }
      if ExprNormalizer.normalize(img) != base { return false }
    }
    return true
  }

  /// Why `e` is not symmetric, for notes (nil if it is).
  public func asymmetryReason(_ e: Expr) -> String? {
    let base = ExprNormalizer.normalize(e)
    for g in generators {
      do {
        try plain(inferDomain(e), e)
        let img = try rewrite(e, domain: 0, under: g)
        if ExprNormalizer.normalize(img) != base { return "changes under \(describe(element: g))" }
      } catch let u as Unmappable {
        return u.reason
      } catch {
        return "\(error)"
      }
    }
    return nil
  }

  /// `swap gpu0 gpu1`, `(gpu0 gpu1 gpu2)`: an element for messages.
  public func describe(element g: Int) -> String {
    let perms = permutations(of: g)
    var parts: [String] = []
    for (gi, p) in perms.enumerated() where p != Array(p.indices) {
      let moved = p.indices.filter { p[$0] != $0 }.map { "\(groups[gi].labels[$0])→\(groups[gi].labels[p[$0]])" }
      parts.append(moved.joined(separator: " "))
    }
    return parts.isEmpty ? "identity" : parts.joined(separator: ", ")
  }
}
