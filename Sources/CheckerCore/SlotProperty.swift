/// A safety property as data rather than a closure: an `Expr` over state
/// slots (or, for a step property, over the extended vector
/// `[pre slots][post slots][event flags]`), so every engine can compile it
/// its own way: the packed explorer into its flat code pool, the classic
/// explorers into closures (`Property`), Z3 into terms.
public struct SlotProperty: Sendable {
  public enum Kind: String, Sendable {
    case always
    case sometimes
  }

  public var name: String
  public var kind: Kind
  public var isStep: Bool
  public var expr: Expr
  /// Step properties: for each command, the value (0/1) of each event flag
  /// the expression reads at slots `2 * slotCount + k`.
  public var commandFlags: [[UInt8]]

  public init(name: String, kind: Kind, isStep: Bool, expr: Expr, commandFlags: [[UInt8]] = []) {
    self.name = name
    self.kind = kind
    self.isStep = isStep
    self.expr = expr
    self.commandFlags = commandFlags
  }

  /// For a step property that reads only event flags: its value per
  /// command (decided once, not per transition); nil otherwise.
  public func perCommandTable(slotCount n: Int) -> [Bool]? {
    guard isStep else { return nil }
    var read: [Int] = []
    expr.slotsRead(into: &read)
    guard read.allSatisfy({ $0 >= 2 * n }) else { return nil }
    return commandFlags.map { f in expr.evaluate { $0 >= 2 * n && $0 - 2 * n < f.count ? Int(f[$0 - 2 * n]) : 0 } != 0 }
  }

  /// The closure form the classic explorers take.
  public func property(for system: GuardedSystem) -> Property<GuardedSystem> {
    let k: Property<GuardedSystem>.Kind = kind == .always ? .always : .sometimes
    if !isStep {
      let p = FlatCode(expr)
      return Property(name: name, kind: k, check: .state { s in s.slots.withUnsafeBufferPointer { p.run($0) != 0 } })
    }
    if let table = perCommandTable(slotCount: system.schema.slotCount) {
      return Property(name: name, kind: k, check: .step { _, c, _ in table[c] })
    }
    let p = FlatCode(expr)
    let flags = commandFlags
    return Property(
      name: name, kind: k,
      check: .step { a, c, b in
        (a.slots + b.slots + flags[c]).withUnsafeBufferPointer { p.run($0) != 0 }
      })
  }
}
