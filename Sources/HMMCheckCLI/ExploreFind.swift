import CheckerCore
import Explorers

/// The model seen from one of its states: the same commands, with that
/// state as the only initial state, so the BFS explorer searches from where
/// the user stands. `stop` is polled before every expansion; once it
/// answers true no state has a successor any more and the search drains in
/// a moment (Ctrl-C during `find`).
struct StartingAt: TransitionSystem {
  typealias State = StateVector
  typealias Action = Int

  let base: GuardedSystem
  let start: StateVector
  /// Deadlocks count only when searching for one: otherwise every state
  /// without a successor is a normal end.
  let deadlocks: Bool
  let stop: @Sendable () -> Bool

  func initialStates() -> [StateVector] { [start] }

  func enabledActions(in state: StateVector, into actions: inout [Int]) {
    if stop() { return }
    base.enabledActions(in: state, into: &actions)
  }

  func successor(of state: StateVector, via action: Int) -> StateVector { base.successor(of: state, via: action) }
  func fingerprint(of state: StateVector) -> UInt64 { base.fingerprint(of: state) }
  func isFinal(_ state: StateVector) -> Bool { !deadlocks || stop() || base.isFinal(state) }
  func isProgress(_ action: Int) -> Bool { base.isProgress(action) }
  func actionID(_ action: Int) -> Int { base.actionID(action) }
  var actionIDCount: Int { base.actionIDCount }
  func actor(of action: Int) -> Int { base.actor(of: action) }
  func validate(_ state: StateVector) -> String? { base.validate(state) }
}

/// The shortest path from a state to a violation of an `always` property,
/// a witness of a `sometimes` property, or a deadlock.
enum ExploreFind {
  enum Target {
    case property(Property<GuardedSystem>)
    case deadlock

    var name: String {
      switch self {
      case .property(let p): return p.name
      case .deadlock: return "deadlock"
      }
    }

    /// What reaching the target is called.
    var findingKind: FindingKind {
      switch self {
      case .property(let p): return p.kind == .always ? .violation : .witness
      case .deadlock: return .deadlock
      }
    }
  }

  enum Outcome {
    /// Actions from the start state; empty when the start state itself
    /// shows the finding.
    case found([Int], states: Int)
    /// Exhaustive from the start state: the target cannot be reached.
    case unreachable(states: Int)
    case cancelled(states: Int)
    /// A bound (the state limit) was hit before the target.
    case gaveUp(StopReason, states: Int)
    case internalError(String)
  }

  /// BFS from `start` over a `StartingAt` wrapper. The BFS explorer stops
  /// at its first violation, so a `sometimes` property is searched as the
  /// `always` property "not P": its first violation is P's shortest witness.
  static func run(
    _ system: GuardedSystem, from start: StateVector, target: Target, maxStates: Int?,
    stop: @escaping @Sendable () -> Bool
  ) -> Outcome {
    let wrapper = StartingAt(
      base: system, start: start, deadlocks: { if case .deadlock = target { return true } else { return false } }(), stop: stop)
    var props: [Property<StartingAt>] = []
    if case .property(let p) = target {
      let negate = p.kind == .sometimes
      let check: Property<StartingAt>.Check
      switch p.check {
      case .state(let f): check = .state { s in f(s) != negate }
      case .step(let f): check = .step { a, x, b in f(a, x, b) != negate }
      }
      props = [Property(name: p.name, kind: .always, check: check)]
    }
    let bfs = BFSExplorer(
      system: wrapper, properties: props, limits: ExplorationLimits(maxStates: maxStates), stopAtFirstViolation: true,
      stateBytes: system.schema.slotCount + 32)
    let report = bfs.run()
    if stop() { return .cancelled(states: report.distinctStates) }
    if let err = report.internalError { return .internalError(err) }
    let kind: FindingKind = { if case .deadlock = target { return .deadlock } else { return .violation } }()
    if let f = report.findings.first(where: { $0.kind == kind && $0.property == target.name }) {
      return .found(f.path.actions, states: report.distinctStates)
    }
    if report.stop.isExhaustive || report.stop == .firstViolation { return .unreachable(states: report.distinctStates) }
    return .gaveUp(report.stop, states: report.distinctStates)
  }
}
