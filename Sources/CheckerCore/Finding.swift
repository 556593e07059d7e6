// What an engine found, as a path from an initial state: the shape every
// engine (explicit or symbolic) reports, every trace stores and the stepper
// re-executes (`PathReplay`) before anything is shown.

/// A path from an initial state: what every engine reports and every trace stores.
public struct ActionPath<Action: Hashable & Sendable>: Sendable, Hashable {
  public var initial: Int
  public var actions: [Action]
  public init(initial: Int, actions: [Action]) {
    self.initial = initial
    self.actions = actions
  }
}

/// What a finding is.
public enum FindingKind: String, Sendable, Codable {
  /// An `always` property is false (in a state, or on a transition).
  case violation
  /// A `sometimes` property is true: its witness.
  case witness
  /// A state with no enabled action where some thread has not finished.
  case deadlock
}

public struct Finding<Action: Hashable & Sendable>: Sendable {
  public var kind: FindingKind
  /// Property name; "deadlock" for deadlocks.
  public var property: String
  public var path: ActionPath<Action>
  /// For a liveness lasso: the index of the state where the loop starts
  /// (the path's last state equals it); nil for safety findings.
  public var loop: Int?
  /// Set when only the depth of the finding is known and `path` is empty:
  /// a witness the packed explorer found deeper than any counterexample
  /// (paths are recovered by re-search only that deep).
  public var depthOnly: Int? = nil
  /// Steps to the finding.
  public var steps: Int { depthOnly ?? path.actions.count }
  public init(kind: FindingKind, property: String, path: ActionPath<Action>, loop: Int? = nil) {
    self.kind = kind
    self.property = property
    self.path = path
    self.loop = loop
  }
}
