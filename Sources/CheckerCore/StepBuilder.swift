/// Writes one guarded command in program order and emits it as a parallel
/// assignment.
///
/// Model code reads and writes slots as if executing sequentially; each read
/// sees earlier writes of the same step (symbolically, as expressions over
/// the pre-state). The result is one atomic command whose right-hand sides
/// all refer to the pre-state, which is what the stepper and the Z3 encoder
/// both consume.
public struct StepBuilder: Sendable {
  public private(set) var guards: [Expr] = []
  private var store: [Int: Expr] = [:]
  /// Slots in first-write order: dictionary order must never leak into the
  /// command (Swift's hashing is seeded per process).
  private var written: [Int] = []

  public init() {}

  /// The slot's current value within this step.
  public func get(_ slot: Int) -> Expr { store[slot] ?? .slot(slot) }

  public mutating func set(_ slot: Int, _ value: Expr) {
    if store[slot] == nil { written.append(slot) }
    store[slot] = value
  }

  public mutating func set(_ slot: Int, _ value: Int) { set(slot, .const(value)) }

  public mutating func set(_ slot: Int, _ value: Bool) { set(slot, .const(value ? 1 : 0)) }

  public mutating func add(_ slot: Int, _ delta: Int) { set(slot, .op(.add, get(slot), .const(delta))) }

  /// Conditional write: `slot := cond ? value : slot`.
  public mutating func set(_ slot: Int, _ value: Expr, when cond: Expr) {
    set(slot, .cond(cond, value, get(slot)))
  }

  /// Adds a conjunct to the guard. Reads inside `cond` see this step's
  /// earlier writes, so the guard stays a function of the pre-state.
  public mutating func require(_ cond: Expr) { guards.append(cond) }

  public var guardExpr: Expr { .conj(guards) }

  /// The updates in first-write order, dropping `x := x`.
  public var updates: [Command.Update] {
    written.compactMap { s in
      let v = store[s]!
      if case .slot(let t) = v, t == s { return nil }
      return Command.Update(slot: s, value: v)
    }
  }
}

// MARK: - Expression shorthands for model code

extension Expr {
  public static func eq(_ a: Expr, _ b: Int) -> Expr { .op(.eq, a, .const(b)) }
  public static func ne(_ a: Expr, _ b: Int) -> Expr { .op(.ne, a, .const(b)) }
  public static func eq(_ a: Expr, _ b: Expr) -> Expr { .op(.eq, a, b) }
  public static func ne(_ a: Expr, _ b: Expr) -> Expr { .op(.ne, a, b) }
  public static func lt(_ a: Expr, _ b: Expr) -> Expr { .op(.lt, a, b) }
  public static func lt(_ a: Expr, _ b: Int) -> Expr { .op(.lt, a, .const(b)) }
  public static func le(_ a: Expr, _ b: Expr) -> Expr { .op(.le, a, b) }
  public static func plus(_ a: Expr, _ b: Int) -> Expr { .op(.add, a, .const(b)) }
  public static func minus(_ a: Expr, _ b: Int) -> Expr { .op(.sub, a, .const(b)) }
  public static func isTrue(_ a: Expr) -> Expr { .op(.ne, a, .const(0)) }
  public static func isFalse(_ a: Expr) -> Expr { .op(.eq, a, .const(0)) }
}
