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
  /// Findings the packed search saw whose shortest path could not be
  /// rebuilt within the run's limits (never reported as findings).
  public var unrecovered: [String] = []

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
