import CheckerCore

/// Exhaustive breadth-first exploration with a fingerprint visited set and
/// parent links, so the first finding of each property is a shortest path.
///
/// A state that violates an `always` property is reported and not expanded
/// (its consequences would only repeat the same bug under other names); the
/// run goes on to find every other property's first violation.
public struct BFSExplorer<S: TransitionSystem> {
  public var system: S
  public var properties: [Property<S>]
  public var limits: ExplorationLimits
  public var stopAtFirstViolation: Bool
  /// Called about once a second with the running report.
  public var progress: ((ExplorationReport<S.Action>, _ queue: Int) -> Void)?
  /// Rough bytes per queued state, for `maxMemory`.
  public var stateBytes: Int

  public init(
    system: S, properties: [Property<S>], limits: ExplorationLimits = ExplorationLimits(),
    stopAtFirstViolation: Bool = false, stateBytes: Int = 64
  ) {
    self.system = system
    self.properties = properties
    self.limits = limits
    self.stopAtFirstViolation = stopAtFirstViolation
    self.stateBytes = stateBytes
  }

  public func run() -> ExplorationReport<S.Action> {
    let start = monotonicSeconds()
    var report = ExplorationReport<S.Action>(engine: "bfs", stop: .exhaustive)
    report.actionFires = Array(repeating: 0, count: system.actionIDCount)
    var table = FingerprintTable()
    var links = ParentLinks<S.Action>()
    let stateProps = properties.filter { !$0.isStep }
    let stepProps = properties.filter { $0.isStep }

    func path(to id: Int32, then last: S.Action? = nil) -> ActionPath<S.Action> { links.path(to: id, then: last) }

    func record(_ kind: FindingKind, _ name: String, _ p: @autoclosure () -> ActionPath<S.Action>) -> Bool {
      report.recordFirst(kind, name, p)
    }

    /// Checks state properties; returns false when an `always` fails.
    func checkState(_ s: S.State, id: Int32) -> Bool {
      var ok = true
      for p in stateProps {
        guard case .state(let f) = p.check else { continue }
        let holds = f(s)
        switch p.kind {
        case .always where !holds:
          _ = record(.violation, p.name, path(to: id))
          ok = false
        case .sometimes where holds:
          _ = record(.witness, p.name, path(to: id))
        default: break
        }
      }
      return ok
    }

    var frontier: [(S.State, Int32)] = []
    for (k, s) in system.initialStates().enumerated() {
      let fp = system.fingerprint(of: s)
      guard table.insert(fp, id: Int32(links.count)) == nil else { continue }
      let id = Int32(links.count)
      links.addInitial(k)
      report.statesGenerated += 1
      if checkState(s, id: id) { frontier.append((s, id)) }
    }

    var depth = 0
    var actions: [S.Action] = []
    guard var scratch = frontier.first?.0 else {
      // Nothing to expand (no initial state, or all of them violate).
      report.distinctStates = links.count
      report.seconds = monotonicSeconds() - start
      report.memoryBytes = table.memoryBytes + links.memoryBytes
      return report
    }
    var lastProgress = start
    var stopped: StopReason? = nil
    outer: while !frontier.isEmpty {
      if let md = limits.maxDepth, depth >= md {
        stopped = .maxDepth
        break
      }
      var next: [(S.State, Int32)] = []
      for (s, id) in frontier {
        actions.removeAll(keepingCapacity: true)
        system.enabledActions(in: s, into: &actions)
        if actions.isEmpty && !system.isFinal(s) {
          _ = record(.deadlock, "deadlock", path(to: id))
          if stopAtFirstViolation { stopped = .firstViolation; break outer }
        }
        for a in actions {
          system.successor(of: s, via: a, into: &scratch)
          let t = scratch
          report.transitions += 1
          report.actionFires[system.actionID(a)] += 1
          var stepOK = true
          for p in stepProps {
            guard case .step(let f) = p.check else { continue }
            let holds = f(s, a, t)
            if p.kind == .always && !holds {
              _ = record(.violation, p.name, path(to: id, then: a))
              stepOK = false
            } else if p.kind == .sometimes && holds {
              _ = record(.witness, p.name, path(to: id, then: a))
            }
          }
          if !stepOK {
            if stopAtFirstViolation { stopped = .firstViolation; break outer }
            continue
          }
          report.statesGenerated += 1
          let fp = system.fingerprint(of: t)
          let newID = Int32(links.count)
          if table.insert(fp, id: newID) != nil { continue }
          links.add(parent: id, via: a)
          if let err = system.validate(t) {
            report.internalError = err + " (reached by: \(path(to: newID).actions.count) steps)"
            stopped = .internalError
            break outer
          }
          if checkState(t, id: newID) {
            next.append((t, newID))
          } else if stopAtFirstViolation {
            stopped = .firstViolation
            break outer
          }
          if let ms = limits.maxStates, links.count >= ms {
            stopped = .maxStates
            break outer
          }
        }
        if report.statesGenerated & 0x3FFF == 0 {
          let t = monotonicSeconds()
          if let tl = limits.timeLimit, t - start > tl { stopped = .timeLimit; break outer }
          if let mm = limits.maxMemory, table.memoryBytes + links.memoryBytes + (frontier.count + next.count) * stateBytes > mm {
            stopped = .maxMemory
            break outer
          }
          if let progress, t - lastProgress >= 1 {
            lastProgress = t
            report.distinctStates = links.count
            report.maxDepth = depth
            report.seconds = t - start
            progress(report, frontier.count + next.count)
          }
        }
      }
      frontier = next
      if !frontier.isEmpty { depth += 1 }
    }
    report.stop = stopped ?? .exhaustive
    report.distinctStates = links.count
    report.maxDepth = depth
    report.seconds = monotonicSeconds() - start
    report.memoryBytes = table.memoryBytes + links.memoryBytes
    return report
  }
}
