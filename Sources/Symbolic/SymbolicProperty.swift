import CheckerCore

/// A property as the symbolic engines see it: the same lowered `Expr` the
/// explicit explorers run.
public struct SymbolicProperty: Sendable {
  public enum Kind: String, Sendable { case always, sometimes }
  public var name: String
  public var kind: Kind
  public var isStep: Bool
  /// Over slots (state property) or [pre][post][event flags] (step property).
  public var expr: Expr
  public var events: [String]

  public init(name: String, kind: Kind, isStep: Bool, expr: Expr, events: [String]) {
    self.name = name
    self.kind = kind
    self.isStep = isStep
    self.expr = expr
    self.events = events
  }
}
