import CheckerCore
import Z3Kit

/// Compiles the shared `Expr` trees to Z3 terms: the same trees the explicit
/// stepper runs, so the symbolic and explicit semantics cannot drift apart
/// (a test enumerates successors both ways and compares them).
///
/// Integers are 16-bit vectors with signed comparisons: slot values are at
/// most 255 and property arithmetic (sums over pages, differences) stays far
/// inside ±2^15, so the bit-vector reading equals the concrete evaluator's
/// Ints, while Z3 bit-blasts the problem to SAT (much faster here than
/// linear integer arithmetic). Sorts follow `Expr.isBoolean`; a boolean in an
/// integer position becomes `ite(b, 1, 0)`, an integer in a boolean position
/// `x != 0`, exactly as the concrete evaluator reads them.
struct ExprEncoder {
  static let width = 16
  let ctx: Z3Context
  /// The term standing for slot `s` (state variables of some time step).
  let slot: (Int) throws(Z3Error) -> Z3Term

  func num(_ v: Int) throws(Z3Error) -> Z3Term { try ctx.bv(v, bits: Self.width) }

  func int(_ e: Expr) throws(Z3Error) -> Z3Term {
    if e.isBoolean { return try ctx.ite(bool(e), num(1), num(0)) }
    switch e {
    case .const(let v): return try num(v)
    case .slot(let s): return try slot(s)
    case .select(let table, let index):
      let i = try int(index)
      var acc = try num(0)
      for (k, s) in table.enumerated().reversed() where s >= 0 {
        acc = try ctx.ite(ctx.eq(i, num(k)), slot(s), acc)
      }
      return acc
    case .binary(let op, let a, let b):
      let x = try int(a), y = try int(b)
      switch op {
      case .add: return try ctx.bvAdd(x, y)
      case .sub: return try ctx.bvSub(x, y)
      case .mul: return try ctx.bvMul(x, y)
      default: preconditionFailure("boolean operator in integer position")
      }
    case .ite(let c, let a, let b):
      return try ctx.ite(bool(c), int(a), int(b))
    case .not, .and, .or:
      preconditionFailure("unreachable: boolean handled above")
    }
  }

  func bool(_ e: Expr) throws(Z3Error) -> Z3Term {
    if !e.isBoolean {
      if case .const(let v) = e { return try ctx.bool(v != 0) }
      return try ctx.neq(int(e), num(0))
    }
    switch e {
    case .not(let a): return try ctx.not(bool(a))
    case .and(let es):
      var ts: [Z3Term] = []
      for x in es { ts.append(try bool(x)) }
      return try ctx.and(ts)
    case .or(let es):
      var ts: [Z3Term] = []
      for x in es { ts.append(try bool(x)) }
      return try ctx.or(ts)
    case .binary(let op, let a, let b):
      switch op {
      case .implies: return try ctx.implies(bool(a), bool(b))
      case .eq, .ne:
        // Compare booleans as booleans, anything else as integers.
        let t: Z3Term
        if a.isBoolean && b.isBoolean {
          t = try ctx.iff(bool(a), bool(b))
        } else {
          t = try ctx.eq(int(a), int(b))
        }
        return op == .eq ? t : try ctx.not(t)
      case .lt: return try ctx.bvSLT(int(a), int(b))
      case .le: return try ctx.bvSLE(int(a), int(b))
      default: preconditionFailure("integer operator in boolean position")
      }
    case .ite(let c, let a, let b):
      return try ctx.ite(bool(c), bool(a), bool(b))
    default:
      preconditionFailure("unreachable: non-boolean handled above")
    }
  }
}
