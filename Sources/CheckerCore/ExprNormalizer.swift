/// Rewrites an `Expr` into a normal form that is equal for expressions that
/// differ only in the order of commutative operands: `and`/`or` operands
/// flattened, deduplicated and sorted; `+`/`*` chains flattened and sorted;
/// `==`/`!=` operands sorted; an `ite` chain whose conditions test one
/// subject against distinct constants (mutually exclusive) sorted by
/// constant. Every rule preserves the value on every state. The order is by
/// a deterministic structural hash; a hash collision can only make two
/// equivalent expressions compare unequal (a conservative "not symmetric").
public enum ExprNormalizer {
  public static func normalize(_ e: Expr) -> Expr {
    switch e {
    case .const, .slot: return e
    case .select(let t, let i): return .select(table: t, index: normalize(i))
    case .not(let x): return .not(normalize(x))
    case .and(let xs):
      var items: [Expr] = []
      for x in xs {
        let n = normalize(x)
        switch n {
        case .and(let inner): items += inner
        case .const(let v):
          if v == 0 { return .const(0) }
        default: items.append(n)
        }
      }
      items = sortedUnique(items)
      if items.isEmpty { return .const(1) }
      if items.count == 1 && items[0].isBoolean { return items[0] }
      return .and(items)
    case .or(let xs):
      var items: [Expr] = []
      for x in xs {
        let n = normalize(x)
        switch n {
        case .or(let inner): items += inner
        case .const(let v):
          if v != 0 { return .const(1) }
        default: items.append(n)
        }
      }
      items = sortedUnique(items)
      if items.isEmpty { return .const(0) }
      if items.count == 1 && items[0].isBoolean { return items[0] }
      return .or(items)
    case .binary(let op, let a, let b):
      let na = normalize(a), nb = normalize(b)
      switch op {
      case .add, .mul:
        var terms: [Expr] = []
        for x in [na, nb] {
          if case .binary(let op2, _, _) = x, op2 == op { flatten(x, op, into: &terms) } else { terms.append(x) }
        }
        terms.sort { hash($0) < hash($1) }
        var acc = terms[0]
        for t in terms.dropFirst() { acc = .binary(op, acc, t) }
        return acc
      case .eq, .ne:
        return hash(na) <= hash(nb) ? .binary(op, na, nb) : .binary(op, nb, na)
      default:
        return .binary(op, na, nb)
      }
    case .ite(let c, let a, let b):
      let nc = normalize(c), na = normalize(a), nb = normalize(b)
      // An ite chain over one subject with distinct constants.
      if let (x, k) = equalityTest(nc) {
        var arms: [(Int, Expr)] = [(k, na)]
        var rest = nb
        while case .ite(let c2, let a2, let b2) = rest, let (x2, k2) = equalityTest(c2), x2 == x {
          arms.append((k2, a2))
          rest = b2
        }
        if arms.count > 1 && Set(arms.map(\.0)).count == arms.count {
          arms.sort { $0.0 < $1.0 }
          var acc = rest
          for (k, v) in arms.reversed() { acc = .ite(normalize(.binary(.eq, x, .const(k))), v, acc) }
          return acc
        }
      }
      return .ite(nc, na, nb)
    }
  }

  static func flatten(_ e: Expr, _ op: Expr.BinaryOp, into terms: inout [Expr]) {
    if case .binary(let op2, let a, let b) = e, op2 == op {
      flatten(a, op, into: &terms)
      flatten(b, op, into: &terms)
    } else {
      terms.append(e)
    }
  }

  /// `x == k` in either operand order.
  static func equalityTest(_ e: Expr) -> (Expr, Int)? {
    guard case .binary(.eq, let a, let b) = e else { return nil }
    if case .const(let k) = b { return (a, k) }
    if case .const(let k) = a { return (b, k) }
    return nil
  }

  static func sortedUnique(_ xs: [Expr]) -> [Expr] {
    let keyed = xs.map { (hash($0), $0) }.sorted { $0.0 < $1.0 }
    var out: [Expr] = []
    var lastHash: UInt64? = nil
    for (h, x) in keyed {
      if h == lastHash, out.contains(x) { continue }
      out.append(x)
      lastHash = h
    }
    return out
  }

  /// A structural hash that does not depend on the process (Swift's
  /// `Hasher` is seeded per process, and the normal form must not be).
  public static func hash(_ e: Expr) -> UInt64 {
    func mix(_ h: UInt64, _ x: UInt64) -> UInt64 {
      var z = (h ^ x) &+ 0x9E37_79B9_7F4A_7C15
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    func int(_ v: Int) -> UInt64 { UInt64(bitPattern: Int64(v)) }
    switch e {
    case .const(let v): return mix(1, int(v))
    case .slot(let s): return mix(2, int(s))
    case .select(let t, let i):
      var h = mix(3, int(t.count))
      for s in t { h = mix(h, int(s)) }
      return mix(h, hash(i))
    case .not(let x): return mix(4, hash(x))
    case .and(let xs): return xs.reduce(mix(5, int(xs.count))) { mix($0, hash($1)) }
    case .or(let xs): return xs.reduce(mix(6, int(xs.count))) { mix($0, hash($1)) }
    case .binary(let op, let a, let b): return mix(mix(mix(7, UInt64(op.rawValue)), hash(a)), hash(b))
    case .ite(let c, let a, let b): return mix(mix(mix(8, hash(c)), hash(a)), hash(b))
    }
  }
}
