/// Re-executes a path with the explicit stepper: the check every finding,
/// from any engine, passes before it is reported.
public enum PathReplay {
  public struct Divergence: Error, Sendable, CustomStringConvertible {
    /// Index of the step whose action is not enabled (0-based).
    public var step: Int
    public var description: String { "step \(step + 1): the action is not enabled in the state reached so far" }
  }

  /// The states along `path` (initial state first), or the first step at
  /// which the recorded action is not enabled.
  public static func states<S: TransitionSystem>(_ system: S, _ path: ActionPath<S.Action>) throws -> [S.State] {
    let inits = system.initialStates()
    guard path.initial >= 0, path.initial < inits.count else { throw Divergence(step: -1) }
    var states = [inits[path.initial]]
    var enabled: [S.Action] = []
    for (i, a) in path.actions.enumerated() {
      enabled.removeAll(keepingCapacity: true)
      system.enabledActions(in: states[states.count - 1], into: &enabled)
      guard enabled.contains(a) else { throw Divergence(step: i) }
      states.append(system.successor(of: states[states.count - 1], via: a))
    }
    return states
  }

  /// Whether `path` replays and its last state (or last transition) shows
  /// the finding for `property`.
  public static func confirms<S: TransitionSystem>(
    _ system: S, _ path: ActionPath<S.Action>, property: Property<S>, kind: FindingKind
  ) -> Bool {
    guard let states = try? states(system, path) else { return false }
    let want = kind == .witness
    switch property.check {
    case .state(let f):
      return f(states[states.count - 1]) == want
    case .step(let f):
      guard let a = path.actions.last else { return false }
      return f(states[states.count - 2], a, states[states.count - 1]) == want
    }
  }

  /// Whether `path` replays into a deadlock.
  public static func confirmsDeadlock<S: TransitionSystem>(_ system: S, _ path: ActionPath<S.Action>) -> Bool {
    guard let states = try? states(system, path), let last = states.last else { return false }
    var enabled: [S.Action] = []
    system.enabledActions(in: last, into: &enabled)
    return enabled.isEmpty && !system.isFinal(last)
  }
}
