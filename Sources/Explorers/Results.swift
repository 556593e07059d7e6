import CheckerCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bounds that stop a run cleanly with a partial report.
public struct ExplorationLimits: Sendable, Hashable, Codable {
  public var maxStates: Int?
  public var maxDepth: Int?
  /// Seconds of wall-clock time.
  public var timeLimit: Double?
  /// Bytes of memory the explorer's own tables may use.
  public var maxMemory: Int?
  public init(maxStates: Int? = nil, maxDepth: Int? = nil, timeLimit: Double? = nil, maxMemory: Int? = nil) {
    self.maxStates = maxStates
    self.maxDepth = maxDepth
    self.timeLimit = timeLimit
    self.maxMemory = maxMemory
  }
}

/// Why a run ended.
public enum StopReason: String, Sendable, Codable {
  /// Every reachable state was explored: absence of violations is a proof.
  case exhaustive
  case maxStates = "max-states"
  case maxDepth = "max-depth"
  case timeLimit = "time-limit"
  case maxMemory = "max-memory"
  /// Stopped at the first violation, as requested.
  case firstViolation = "first-violation"
  /// Random walks finished (never exhaustive).
  case walksDone = "walks-done"
  case internalError = "internal-error"

  public var isExhaustive: Bool { self == .exhaustive }
}

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

public struct ExplorationReport<Action: Hashable & Sendable>: Sendable {
  public var engine: String
  public var stop: StopReason
  public var statesGenerated = 0
  public var distinctStates = 0
  public var transitions = 0
  public var maxDepth = 0
  /// Times each action id fired (vacuity).
  public var actionFires: [Int] = []
  /// First (for BFS: shortest) finding per property, in discovery order.
  public var findings: [Finding<Action>] = []
  public var seconds = 0.0
  public var memoryBytes = 0
  public var internalError: String?
  public var seed: UInt64?
  public var walks = 0
  /// Random walks that revisited a state with no progress step in between
  /// (a suspected livelock): confirm with the exhaustive lasso search before
  /// reporting anything.
  public var suspectedLivelocks: [ActionPath<Action>] = []

  public init(engine: String, stop: StopReason) {
    self.engine = engine
    self.stop = stop
  }

  public func finding(_ property: String, _ kind: FindingKind) -> Finding<Action>? {
    findings.first { $0.property == property && $0.kind == kind }
  }

  public var violations: [Finding<Action>] { findings.filter { $0.kind != .witness } }
  public var witnesses: [Finding<Action>] { findings.filter { $0.kind == .witness } }
}

/// Wall-clock seconds since an arbitrary origin (for limits and rates only;
/// never for results).
@usableFromInline
func now() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
