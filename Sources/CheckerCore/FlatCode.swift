/// `Expr`s compiled into one flat pool of Int32 bytecode, run over raw state
/// bytes: the explicit engines' only evaluator (`Expr.evaluate` is the
/// reference it is tested against, the Z3 encoder the symbolic reading).
///
/// A whole model's guards, updates and invariants live in one allocation
/// read through a raw pointer (`CompiledSystem`), with no reference counting
/// on the hot path. `and`/`or` short-circuit and `ite` branches, so a guard
/// stops at its first false conjunct. Semantics are `Expr.evaluate`'s (tests
/// compare both on random trees and on every state of the bundled models).
public struct FlatCode: Sendable {
  @usableFromInline enum Op {
    @usableFromInline static let const: Int32 = 0, slot: Int32 = 1, slotEq: Int32 = 2, slotNe: Int32 = 3
    @usableFromInline static let select: Int32 = 4, not: Int32 = 5, add: Int32 = 6, sub: Int32 = 7, mul: Int32 = 8
    @usableFromInline static let eq: Int32 = 9, ne: Int32 = 10, lt: Int32 = 11, le: Int32 = 12, implies: Int32 = 13
    /// If the top is 0, jump (keeping it); else pop it.
    @usableFromInline static let jumpIfFalse: Int32 = 14
    /// If the top is not 0, jump (keeping it); else pop it.
    @usableFromInline static let jumpIfTrue: Int32 = 15
    /// Pop; jump if it was 0.
    @usableFromInline static let popJumpIfFalse: Int32 = 16
    @usableFromInline static let jump: Int32 = 17
    /// Top := top != 0.
    @usableFromInline static let bool: Int32 = 18
    @usableFromInline static let end: Int32 = 19
  }

  public private(set) var code: [Int32] = []
  /// Deepest stack any program in the pool needs.
  public private(set) var maxStack = 1

  public init() {}

  /// A pool holding `expr` alone, at offset 0 (a property's closure).
  public init(_ expr: Expr) {
    _ = add(expr)
  }

  /// Runs the program at `start` over `s`, on a stack of its own: for
  /// callers off the packed explorer's hot path.
  public func run(at start: Int32 = 0, _ s: UnsafeBufferPointer<UInt8>) -> Int {
    code.withUnsafeBufferPointer { c in
      withUnsafeTemporaryAllocation(of: Int.self, capacity: maxStack) { stack in
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { empty in
          FlatCode.run(c.baseAddress!, at: start, s.baseAddress ?? UnsafePointer(empty.baseAddress!), stack: stack.baseAddress!)
        }
      }
    }
  }

  /// Appends `expr` and returns the offset to run it from.
  public mutating func add(_ expr: Expr) -> Int32 {
    let start = Int32(code.count)
    var depth = 0
    func push() { depth += 1; maxStack = max(maxStack, depth) }
    func emit(_ e: Expr) {
      switch e {
      case .const(let v):
        code += [Op.const, Int32(truncatingIfNeeded: v)]; push()
      case .slot(let s):
        code += [Op.slot, Int32(s)]; push()
      case .binary(let op, .slot(let s), .const(let k)) where (op == .eq || op == .ne) && Int32(exactly: k) != nil:
        code += [op == .eq ? Op.slotEq : Op.slotNe, Int32(s), Int32(k)]; push()
      case .select(let table, let index):
        emit(index)
        code += [Op.select, Int32(table.count)] + table.map { Int32($0) }
      case .not(let a):
        emit(a); code.append(Op.not)
      case .and(let es), .or(let es):
        let isAnd: Bool
        if case .and = e { isAnd = true } else { isAnd = false }
        guard !es.isEmpty else { code += [Op.const, isAnd ? 1 : 0]; push(); return }
        var patches: [Int] = []
        for (k, x) in es.enumerated() {
          emit(x)
          if k < es.count - 1 {
            code += [isAnd ? Op.jumpIfFalse : Op.jumpIfTrue, 0]
            patches.append(code.count - 1)
            depth -= 1
          }
        }
        for p in patches { code[p] = Int32(code.count) }
        code.append(Op.bool)
      case .binary(let op, let a, let b):
        emit(a); emit(b)
        let o: Int32
        switch op {
        case .add: o = Op.add
        case .sub: o = Op.sub
        case .mul: o = Op.mul
        case .eq: o = Op.eq
        case .ne: o = Op.ne
        case .lt: o = Op.lt
        case .le: o = Op.le
        case .implies: o = Op.implies
        }
        code.append(o); depth -= 1
      case .ite(let c, let a, let b):
        emit(c)
        code += [Op.popJumpIfFalse, 0]; depth -= 1
        let toElse = code.count - 1
        emit(a)
        code += [Op.jump, 0]; depth -= 1
        let toEnd = code.count - 1
        code[toElse] = Int32(code.count)
        emit(b)
        code[toEnd] = Int32(code.count)
      }
    }
    emit(expr)
    code.append(Op.end)
    return start
  }

  /// Runs the program at `start`; `stack` must hold `maxStack` values.
  @inlinable
  public static func run(
    _ code: UnsafePointer<Int32>, at start: Int32, _ s: UnsafePointer<UInt8>, stack: UnsafeMutablePointer<Int>
  ) -> Int {
    var pc = Int(start)
    var sp = 0
    while true {
      let op = code[pc]
      switch op {
      case Op.const:
        stack[sp] = Int(code[pc + 1]); sp += 1; pc += 2
      case Op.slot:
        stack[sp] = Int(s[Int(code[pc + 1])]); sp += 1; pc += 2
      case Op.slotEq:
        stack[sp] = Int(s[Int(code[pc + 1])]) == Int(code[pc + 2]) ? 1 : 0; sp += 1; pc += 3
      case Op.slotNe:
        stack[sp] = Int(s[Int(code[pc + 1])]) != Int(code[pc + 2]) ? 1 : 0; sp += 1; pc += 3
      case Op.select:
        let n = Int(code[pc + 1])
        let i = stack[sp - 1]
        if i >= 0 && i < n {
          let slot = Int(code[pc + 2 + i])
          stack[sp - 1] = slot >= 0 ? Int(s[slot]) : 0
        } else {
          stack[sp - 1] = 0
        }
        pc += 2 + n
      case Op.not:
        stack[sp - 1] = stack[sp - 1] == 0 ? 1 : 0; pc += 1
      case Op.jumpIfFalse:
        if stack[sp - 1] == 0 { pc = Int(code[pc + 1]) } else { sp -= 1; pc += 2 }
      case Op.jumpIfTrue:
        if stack[sp - 1] != 0 { pc = Int(code[pc + 1]) } else { sp -= 1; pc += 2 }
      case Op.popJumpIfFalse:
        sp -= 1
        pc = stack[sp] == 0 ? Int(code[pc + 1]) : pc + 2
      case Op.jump:
        pc = Int(code[pc + 1])
      case Op.bool:
        stack[sp - 1] = stack[sp - 1] != 0 ? 1 : 0; pc += 1
      case Op.end:
        return stack[0]
      default:
        let y = stack[sp - 1], x = stack[sp - 2]
        let r: Int
        switch op {
        case Op.add: r = x &+ y
        case Op.sub: r = x &- y
        case Op.mul: r = x &* y
        case Op.eq: r = x == y ? 1 : 0
        case Op.ne: r = x != y ? 1 : 0
        case Op.lt: r = x < y ? 1 : 0
        case Op.le: r = x <= y ? 1 : 0
        default: r = (x == 0 || y != 0) ? 1 : 0
        }
        sp -= 1; stack[sp - 1] = r; pc += 1
      }
    }
  }
}
