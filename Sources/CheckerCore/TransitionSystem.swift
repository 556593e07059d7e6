/// What every engine explores: nothing here knows about the kernel.
///
/// States and actions are plain values. `enabledActions` must list actions in
/// a stable order (the same state always yields the same list), because
/// traces record action indices and seeds must reproduce runs exactly.
public protocol TransitionSystem: Sendable {
  associatedtype State: Hashable & Sendable
  associatedtype Action: Hashable & Sendable

  func initialStates() -> [State]
  /// Appends the actions enabled in `state`, in the system's stable order.
  func enabledActions(in state: State, into actions: inout [Action])
  /// The state after `action`; `action` must be enabled in `state`.
  func successor(of state: State, via action: Action) -> State
  /// The same, written into `scratch` so hot loops can reuse one buffer
  /// (most successors are already visited and are thrown away).
  func successor(of state: State, via action: Action, into scratch: inout State)
  /// A pinned 64-bit fingerprint (never Swift's per-process seeded `Hasher`).
  func fingerprint(of state: State) -> UInt64
  /// True when a state with no enabled action is a normal end (every thread
  /// finished) rather than a deadlock.
  func isFinal(_ state: State) -> Bool
  /// Actions that count as progress for non-progress-cycle detection.
  func isProgress(_ action: Action) -> Bool
  /// A dense id for per-action statistics (vacuity: which steps never fired).
  func actionID(_ action: Action) -> Int
  /// The number of distinct action ids.
  var actionIDCount: Int { get }
  /// Which thread (actor) performs the action: PCT scheduling and traces use it.
  func actor(of action: Action) -> Int
  /// A model-level consistency problem in a new state (e.g. a value outside
  /// its declared range), or nil. Explorers stop with an internal error.
  func validate(_ state: State) -> String?
}

extension TransitionSystem {
  public func successor(of state: State, via action: Action, into scratch: inout State) {
    scratch = successor(of: state, via: action)
  }
  public func isProgress(_ action: Action) -> Bool { false }
  public func actor(of action: Action) -> Int { 0 }
  public func validate(_ state: State) -> String? { nil }
}

/// A named property an explorer checks on every state or transition.
public struct Property<System: TransitionSystem>: Sendable {
  public enum Kind: String, Sendable, Codable {
    /// An invariant: a state where it is false is a violation.
    case always
    /// A reachability witness: the model is vacuous for it unless some
    /// reachable state (or transition) satisfies it.
    case sometimes
  }

  public enum Check: Sendable {
    case state(@Sendable (System.State) -> Bool)
    case step(@Sendable (System.State, System.Action, System.State) -> Bool)
  }

  public var name: String
  public var kind: Kind
  public var check: Check

  public init(name: String, kind: Kind, check: Check) {
    self.name = name
    self.kind = kind
    self.check = check
  }

  public var isStep: Bool { if case .step = check { return true } else { return false } }
}
