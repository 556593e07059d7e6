import CheckerCore
import Explorers

/// Seeded random walks over any `TransitionSystem`, scheduled by a
/// `WalkScheduler` (uniform, or PCT priorities over actors).
///
/// Walk k draws from `SplitMix64.stream(seed, k)`, so each walk is
/// reproducible on its own and the whole run from the seed.
public struct RandomExplorer<S: TransitionSystem> {
  public typealias Scheduler = WalkScheduler.Kind

  public var system: S
  public var properties: [Property<S>]
  public var walks: Int
  public var maxSteps: Int
  public var seed: UInt64
  public var scheduler: Scheduler
  public var timeLimit: Double?
  public var stopAtFirstViolation: Bool

  public init(
    system: S, properties: [Property<S>], walks: Int, maxSteps: Int, seed: UInt64,
    scheduler: Scheduler = .uniform, timeLimit: Double? = nil, stopAtFirstViolation: Bool = false
  ) {
    self.system = system
    self.properties = properties
    self.walks = walks
    self.maxSteps = maxSteps
    self.seed = seed
    self.scheduler = scheduler
    self.timeLimit = timeLimit
    self.stopAtFirstViolation = stopAtFirstViolation
  }

  public func run() -> ExplorationReport<S.Action> {
    let start = monotonicSeconds()
    var report = ExplorationReport<S.Action>(engine: scheduler == .uniform ? "random" : "pct", stop: .walksDone)
    report.seed = seed
    report.actionFires = Array(repeating: 0, count: system.actionIDCount)
    var table = FingerprintTable()
    let inits = system.initialStates()
    var actions: [S.Action] = []
    var chosen: [S.Action] = []
    walkLoop: for w in 0..<walks {
      if let tl = timeLimit, monotonicSeconds() - start > tl {
        report.stop = .timeLimit
        break
      }
      report.walks += 1
      var schedule = WalkScheduler(scheduler, rng: SplitMix64.stream(seed: seed, index: UInt64(w)), maxSteps: maxSteps)
      let initial = schedule.pickInitial(inits.count)
      var s = inits[initial]
      chosen.removeAll(keepingCapacity: true)
      if table.insert(system.fingerprint(of: s), id: 0) == nil { report.distinctStates += 1 }
      func found(_ kind: FindingKind, _ name: String) -> Bool {
        report.recordFirst(kind, name) { ActionPath(initial: initial, actions: chosen) } && kind != .witness
      }
      if checkState(s, found) && stopAtFirstViolation { report.stop = .firstViolation; break }
      // States seen since the last progress step of this walk.
      var sinceProgress: Set<UInt64> = [system.fingerprint(of: s)]
      var suspected = false
      for _ in 0..<maxSteps {
        actions.removeAll(keepingCapacity: true)
        system.enabledActions(in: s, into: &actions)
        if actions.isEmpty {
          if !system.isFinal(s), found(.deadlock, "deadlock"), stopAtFirstViolation {
            report.stop = .firstViolation
            break walkLoop
          }
          break
        }
        let a = actions[schedule.pick(actions.count) { system.actor(of: actions[$0]) }]
        let t = system.successor(of: s, via: a)
        chosen.append(a)
        report.transitions += 1
        report.statesGenerated += 1
        report.actionFires[system.actionID(a)] += 1
        report.maxDepth = max(report.maxDepth, chosen.count)
        var violated = false
        for p in properties {
          guard case .step(let f) = p.check else { continue }
          let holds = f(s, a, t)
          if p.kind == .always && !holds {
            violated = true
            if found(.violation, p.name) && stopAtFirstViolation { report.stop = .firstViolation; break walkLoop }
          } else if p.kind == .sometimes && holds {
            _ = found(.witness, p.name)
          }
        }
        if violated { break }
        if table.insert(system.fingerprint(of: t), id: 0) == nil {
          report.distinctStates += 1
          if let err = system.validate(t) {
            report.internalError = err
            report.stop = .internalError
            break walkLoop
          }
        }
        s = t
        if system.isProgress(a) {
          sinceProgress.removeAll(keepingCapacity: true)
        } else if !suspected && !sinceProgress.insert(system.fingerprint(of: t)).inserted {
          suspected = true
          if report.suspectedLivelocks.count < 8 {
            report.suspectedLivelocks.append(ActionPath(initial: initial, actions: chosen))
          }
        }
        if checkState(s, found) {
          if stopAtFirstViolation { report.stop = .firstViolation; break walkLoop }
          break
        }
      }
    }
    report.seconds = monotonicSeconds() - start
    report.memoryBytes = table.memoryBytes
    return report
  }

  /// Returns true when an `always` state property fails.
  private func checkState(_ s: S.State, _ found: (FindingKind, String) -> Bool) -> Bool {
    var violated = false
    for p in properties {
      guard case .state(let f) = p.check else { continue }
      let holds = f(s)
      if p.kind == .always && !holds {
        violated = true
        _ = found(.violation, p.name)
      } else if p.kind == .sometimes && holds {
        _ = found(.witness, p.name)
      }
    }
    return violated
  }
}
