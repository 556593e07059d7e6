/// The one expression language every engine shares.
///
/// A model is a set of guarded commands whose guards and updates are `Expr`
/// trees over the state's slots (small bounded integers). The explicit
/// stepper evaluates them (through `FlatCode`), the Z3 encoder compiles the very
/// same trees, and the property language lowers to them as well: semantics
/// are written once, never re-implemented per engine.
///
/// Booleans are the integers 0 and 1. Every construct is total: a `select`
/// out of its table's range yields 0, so the concrete and symbolic readings
/// cannot disagree on an edge case.
public indirect enum Expr: Hashable, Sendable, Codable {
  /// An integer constant (a boolean is 0 or 1).
  case const(Int)
  /// The current value of a slot.
  case slot(Int)
  /// `table[index]`, where each table entry is a slot id, or -1 for the
  /// constant 0 (a "no page" sentinel row); out of range also reads 0.
  case select(table: [Int], index: Expr)
  case not(Expr)
  case and([Expr])
  case or([Expr])
  case binary(BinaryOp, Expr, Expr)
  case ite(Expr, Expr, Expr)

  public enum BinaryOp: UInt8, Hashable, Sendable, Codable {
    case add, sub, mul
    case eq, ne, lt, le
    case implies
    /// Result sort of the operator: comparisons and `implies` are boolean.
    public var isBoolean: Bool {
      switch self {
      case .add, .sub, .mul: return false
      case .eq, .ne, .lt, .le, .implies: return true
      }
    }
  }

  public static let `true` = Expr.const(1)
  public static let `false` = Expr.const(0)

  /// Whether the expression denotes a truth value (used by the Z3 encoder
  /// to pick a sort, and by the property type checker).
  public var isBoolean: Bool {
    switch self {
    case .const, .slot, .select: return false
    case .not, .and, .or: return true
    case .binary(let op, _, _): return op.isBoolean
    case .ite(_, let a, let b): return a.isBoolean && b.isBoolean
    }
  }

  /// The constant value, when the tree is a literal.
  public var constantValue: Int? {
    if case .const(let v) = self { return v }
    return nil
  }

  /// Every slot the expression may read, in first-use order.
  public func slotsRead(into set: inout [Int]) {
    switch self {
    case .const: return
    case .slot(let s): if !set.contains(s) { set.append(s) }
    case .select(let table, let index):
      for s in table where s >= 0 && !set.contains(s) { set.append(s) }
      index.slotsRead(into: &set)
    case .not(let e): e.slotsRead(into: &set)
    case .and(let es), .or(let es): for e in es { e.slotsRead(into: &set) }
    case .binary(_, let a, let b): a.slotsRead(into: &set); b.slotsRead(into: &set)
    case .ite(let c, let a, let b):
      c.slotsRead(into: &set); a.slotsRead(into: &set); b.slotsRead(into: &set)
    }
  }

  /// Reference evaluator: direct recursion over the tree. The explorers use
  /// `FlatCode`; tests check the two agree.
  public func evaluate(_ read: (Int) -> Int) -> Int {
    switch self {
    case .const(let v): return v
    case .slot(let s): return read(s)
    case .select(let table, let index):
      let i = index.evaluate(read)
      guard i >= 0, i < table.count, table[i] >= 0 else { return 0 }
      return read(table[i])
    case .not(let e): return e.evaluate(read) == 0 ? 1 : 0
    case .and(let es):
      for e in es where e.evaluate(read) == 0 { return 0 }
      return 1
    case .or(let es):
      for e in es where e.evaluate(read) != 0 { return 1 }
      return 0
    case .binary(let op, let a, let b):
      let x = a.evaluate(read), y = b.evaluate(read)
      switch op {
      case .add: return x &+ y
      case .sub: return x &- y
      case .mul: return x &* y
      case .eq: return x == y ? 1 : 0
      case .ne: return x != y ? 1 : 0
      case .lt: return x < y ? 1 : 0
      case .le: return x <= y ? 1 : 0
      case .implies: return (x == 0 || y != 0) ? 1 : 0
      }
    case .ite(let c, let a, let b):
      return c.evaluate(read) != 0 ? a.evaluate(read) : b.evaluate(read)
    }
  }
}

// MARK: - Smart constructors (constant folding keeps guards small for every engine)

extension Expr {
  public static func conj(_ parts: [Expr]) -> Expr {
    var out: [Expr] = []
    for p in parts {
      switch p {
      case .const(let v): if v == 0 { return .false }
      case .and(let inner): out.append(contentsOf: inner)
      default: out.append(p)
      }
    }
    if out.isEmpty { return .true }
    if out.count == 1 { return out[0] }
    return .and(out)
  }

  public static func disj(_ parts: [Expr]) -> Expr {
    var out: [Expr] = []
    for p in parts {
      switch p {
      case .const(let v): if v != 0 { return .true }
      case .or(let inner): out.append(contentsOf: inner)
      default: out.append(p)
      }
    }
    if out.isEmpty { return .false }
    if out.count == 1 { return out[0] }
    return .or(out)
  }

  public static func negate(_ e: Expr) -> Expr {
    switch e {
    case .const(let v): return .const(v == 0 ? 1 : 0)
    case .not(let inner) where inner.isBoolean: return inner
    case .binary(.eq, let a, let b): return .binary(.ne, a, b)
    case .binary(.ne, let a, let b): return .binary(.eq, a, b)
    default: return .not(e)
    }
  }

  public static func op(_ op: BinaryOp, _ a: Expr, _ b: Expr) -> Expr {
    if case .const(let x) = a, case .const(let y) = b {
      return .const(Expr.binary(op, .const(x), .const(y)).evaluate { _ in 0 })
    }
    switch op {
    case .add:
      if b == .const(0) { return a }
      if a == .const(0) { return b }
    case .sub:
      if b == .const(0) { return a }
    case .implies:
      if a == .false || b == .true { return .true }
      if a == .true { return b }
    case .eq:
      if a == b { return .true }
    default: break
    }
    return .binary(op, a, b)
  }

  public static func cond(_ c: Expr, _ a: Expr, _ b: Expr) -> Expr {
    if case .const(let v) = c { return v != 0 ? a : b }
    if a == b { return a }
    return .ite(c, a, b)
  }
}
