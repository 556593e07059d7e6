/// An `Expr` compiled to a flat stack program, so the explicit stepper does
/// not chase indirect enum boxes on its hot path.
///
/// The compiled form is checked against `Expr.evaluate` in tests; it adds no
/// semantics of its own.
public struct Program: Sendable, Hashable {
  @usableFromInline enum Op: Int32 {
    case const = 0, slot, select, not, and, or, add, sub, mul, eq, ne, lt, le, implies, ite
    /// Superinstructions for the guard shapes that dominate models.
    case slotEqConst, slotNeConst
  }

  @usableFromInline var code: [Int32]
  @usableFromInline var tables: [[Int32]]
  @usableFromInline var maxStack: Int
  /// Set when the program is one constant (then `run` is never needed).
  public let constant: Int?
  /// Set when the program is one slot read.
  public let singleSlot: Int?

  public init(_ expr: Expr) {
    var code: [Int32] = []
    var tables: [[Int32]] = []
    var depth = 0, maxDepth = 0
    func push() { depth += 1; maxDepth = max(maxDepth, depth) }
    func emit(_ e: Expr) {
      switch e {
      case .const(let v):
        code += [Op.const.rawValue, Int32(truncatingIfNeeded: v)]; push()
      case .slot(let s):
        code += [Op.slot.rawValue, Int32(s)]; push()
      case .binary(let op, .slot(let s), .const(let k)) where op == .eq || op == .ne:
        code += [(op == .eq ? Op.slotEqConst : Op.slotNeConst).rawValue, Int32(s), Int32(k)]; push()
      case .select(let table, let index):
        emit(index)
        tables.append(table.map { Int32($0) })
        code += [Op.select.rawValue, Int32(tables.count - 1)]
      case .not(let a):
        emit(a); code.append(Op.not.rawValue)
      case .and(let es), .or(let es):
        for x in es { emit(x) }
        code += [(isAnd(e) ? Op.and : Op.or).rawValue, Int32(es.count)]
        depth -= es.count - 1
      case .binary(let op, let a, let b):
        emit(a); emit(b)
        let o: Op
        switch op {
        case .add: o = .add
        case .sub: o = .sub
        case .mul: o = .mul
        case .eq: o = .eq
        case .ne: o = .ne
        case .lt: o = .lt
        case .le: o = .le
        case .implies: o = .implies
        }
        code.append(o.rawValue); depth -= 1
      case .ite(let c, let a, let b):
        emit(c); emit(a); emit(b)
        code.append(Op.ite.rawValue); depth -= 2
      }
    }
    func isAnd(_ e: Expr) -> Bool { if case .and = e { return true } else { return false } }
    emit(expr)
    self.code = code
    self.tables = tables
    self.maxStack = max(maxDepth, 1)
    if case .const(let v) = expr { constant = v } else { constant = nil }
    if case .slot(let s) = expr { singleSlot = s } else { singleSlot = nil }
  }

  /// Evaluates the program on a state vector.
  @inlinable
  public func run(_ s: UnsafeBufferPointer<UInt8>) -> Int {
    if let c = constant { return c }
    if let k = singleSlot { return Int(s[k]) }
    return code.withUnsafeBufferPointer { code in
      withUnsafeTemporaryAllocation(of: Int.self, capacity: maxStack) { stack in
        var sp = 0
        var pc = 0
        let n = code.count
        while pc < n {
          let op = Op(rawValue: code[pc])!
          switch op {
          case .const:
            stack[sp] = Int(code[pc + 1]); sp += 1; pc += 2
          case .slot:
            stack[sp] = Int(s[Int(code[pc + 1])]); sp += 1; pc += 2
          case .slotEqConst:
            stack[sp] = Int(s[Int(code[pc + 1])]) == Int(code[pc + 2]) ? 1 : 0; sp += 1; pc += 3
          case .slotNeConst:
            stack[sp] = Int(s[Int(code[pc + 1])]) != Int(code[pc + 2]) ? 1 : 0; sp += 1; pc += 3
          case .select:
            let t = tables[Int(code[pc + 1])]
            let i = stack[sp - 1]
            stack[sp - 1] = (i >= 0 && i < t.count && t[i] >= 0) ? Int(s[Int(t[i])]) : 0
            pc += 2
          case .not:
            stack[sp - 1] = stack[sp - 1] == 0 ? 1 : 0; pc += 1
          case .and, .or:
            let k = Int(code[pc + 1])
            var r = op == .and ? 1 : 0
            for j in (sp - k)..<sp {
              if op == .and { if stack[j] == 0 { r = 0 } } else if stack[j] != 0 { r = 1 }
            }
            sp -= k; stack[sp] = r; sp += 1; pc += 2
          case .ite:
            let b = stack[sp - 1], a = stack[sp - 2], c = stack[sp - 3]
            sp -= 2; stack[sp - 1] = c != 0 ? a : b; pc += 1
          default:
            let y = stack[sp - 1], x = stack[sp - 2]
            let r: Int
            switch op {
            case .add: r = x &+ y
            case .sub: r = x &- y
            case .mul: r = x &* y
            case .eq: r = x == y ? 1 : 0
            case .ne: r = x != y ? 1 : 0
            case .lt: r = x < y ? 1 : 0
            case .le: r = x <= y ? 1 : 0
            default: r = (x == 0 || y != 0) ? 1 : 0
            }
            sp -= 1; stack[sp - 1] = r; pc += 1
          }
        }
        return stack[0]
      }
    }
  }
}
