import CheckerCore
import Explorers

/// Exhaustive depth-first exploration that keeps only fingerprints in the
/// visited set and the current DFS stack: no parent links, no queue.
///
/// Memory is the fingerprint table (12 bytes a slot) plus one frame per level
/// of the current path (the state and an iterator over its enabled actions,
/// which live in one shared action buffer), so deep, narrow state spaces that
/// would fill a BFS queue and its parent links stay small. The price is that
/// findings are not shortest: a finding's path is the DFS stack when it was
/// found (use `BFSExplorer` or `IterativeDeepening` for shortest paths, and
/// `Minimizer` to shorten).
///
/// Property semantics are BFSExplorer's, so both engines visit the same set
/// of distinct states and agree on which properties fail:
/// - state properties are checked on every new state; a state that violates
///   an `always` property is reported and not expanded;
/// - step properties are checked on every transition of an expanded state; a
///   transition that violates an `always` step property is reported and not
///   followed (its target is not counted unless reached another way);
/// - a `sometimes` property that holds is recorded as a witness;
/// - an expanded state with no enabled action that is not final is a deadlock;
/// - the first finding of each (kind, property) is recorded with its path;
/// - `validate` runs on every new state, and a problem stops the run with an
///   internal error.
///
/// With `limits.maxDepth` the explorer also remembers, per state, the
/// shallowest depth it has reached it at (4 more bytes a state, only in that
/// mode) and expands a state again when it reaches it by a shorter path. A
/// plain depth-bounded DFS with a visited set is incomplete (a state first met
/// deep down is cut off and never revisited from above); with re-expansion the
/// bounded run visits exactly the states within `maxDepth` steps, as BFS does,
/// and stops with `.maxDepth` exactly when BFS would (some expandable state
/// lies at distance `maxDepth`).
public struct DFSExplorer<S: TransitionSystem> {
  public var system: S
  public var properties: [Property<S>]
  public var limits: ExplorationLimits
  public var stopAtFirstViolation: Bool
  /// Called about once a second with the running report and the stack depth.
  public var progress: ((ExplorationReport<S.Action>, _ stackDepth: Int) -> Void)?
  /// Rough bytes per stacked state, for `maxMemory`.
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

  /// One level of the DFS stack: a state being expanded and an iterator
  /// (`next` in `first..<end`) over its enabled actions in the shared buffer.
  /// `buffer[next - 1]` is the action the search took from this state.
  private struct Frame {
    var state: S.State
    var first: Int
    var end: Int
    var next: Int
  }

  /// `report.maxDepth` is the length of the longest path the search held on
  /// its stack (at least BFS's depth, which is the longest shortest path).
  public func run() -> ExplorationReport<S.Action> {
    let start = monotonicSeconds()
    var report = ExplorationReport<S.Action>(engine: "dfs", stop: .exhaustive)
    report.actionFires = Array(repeating: 0, count: system.actionIDCount)
    var table = FingerprintTable()
    let bound = limits.maxDepth
    /// Depth-bounded mode only: the shallowest depth each state id was
    /// reached at, or -1 for a state that is never expanded (it violates an
    /// `always` property).
    var depthOf: [Int32] = []
    /// States at exactly the bound that would otherwise be expanded.
    var cutAtBound = 0
    let stateProps = properties.filter { !$0.isStep }
    let stepProps = properties.filter { $0.isStep }
    let inits = system.initialStates()

    var stack: [Frame] = []
    var buffer: [S.Action] = []
    var root = 0

    /// The path to the state the search is looking at: every frame's current
    /// action, from the current root.
    func currentPath() -> ActionPath<S.Action> {
      ActionPath(initial: root, actions: stack.map { buffer[$0.next - 1] })
    }

    func record(_ kind: FindingKind, _ name: String) {
      report.recordFirst(kind, name, currentPath)
    }

    /// Checks state properties; returns false when an `always` fails.
    func checkState(_ s: S.State) -> Bool {
      var ok = true
      for p in stateProps {
        guard case .state(let f) = p.check else { continue }
        let holds = f(s)
        switch p.kind {
        case .always where !holds:
          record(.violation, p.name)
          ok = false
        case .sometimes where holds:
          record(.witness, p.name)
        default: break
        }
      }
      return ok
    }

    /// Starts expanding `s` (reached by `currentPath()`): lists its actions,
    /// reports a deadlock, and pushes a frame if there is anything to do.
    /// Returns false when the run must stop at this deadlock.
    func push(_ s: S.State) -> Bool {
      let first = buffer.count
      system.enabledActions(in: s, into: &buffer)
      if buffer.count == first {
        if !system.isFinal(s) {
          record(.deadlock, "deadlock")
          if stopAtFirstViolation { return false }
        }
        return true
      }
      stack.append(Frame(state: s, first: first, end: buffer.count, next: first))
      return true
    }

    var stopped: StopReason? = nil
    var rootsToExpand: [Int] = []
    for (k, s) in inits.enumerated() {
      root = k
      let fp = system.fingerprint(of: s)
      guard table.insert(fp, id: Int32(table.count)) == nil else { continue }
      report.statesGenerated += 1
      let ok = checkState(s)
      if bound != nil { depthOf.append(ok ? 0 : -1) }
      if ok {
        if let b = bound, b <= 0 { cutAtBound += 1 } else { rootsToExpand.append(k) }
      } else if stopAtFirstViolation {
        stopped = .firstViolation
        break
      }
      if let ms = limits.maxStates, table.count >= ms {
        stopped = .maxStates
        break
      }
    }

    var ticks = 0
    var lastProgress = start
    outer: for k in rootsToExpand where stopped == nil {
      root = k
      if !push(inits[k]) { stopped = .firstViolation; break }
      while let top = stack.last {
        if ticks & 0x3FF == 0 {
          let t = monotonicSeconds()
          if let tl = limits.timeLimit, t - start > tl { stopped = .timeLimit; break outer }
          let mem =
            table.memoryBytes + stack.count * stateBytes + buffer.count * MemoryLayout<S.Action>.stride
            + depthOf.count * 4
          if let mm = limits.maxMemory, mem > mm { stopped = .maxMemory; break outer }
          if let progress, t - lastProgress >= 1 {
            lastProgress = t
            report.distinctStates = table.count
            report.seconds = t - start
            progress(report, stack.count)
          }
        }
        ticks &+= 1
        if top.next == top.end {
          buffer.removeSubrange(top.first...)
          stack.removeLast()
          continue
        }
        let a = buffer[top.next]
        stack[stack.count - 1].next += 1
        let s = top.state
        let t = system.successor(of: s, via: a)
        report.transitions += 1
        report.actionFires[system.actionID(a)] += 1
        var stepOK = true
        for p in stepProps {
          guard case .step(let f) = p.check else { continue }
          let holds = f(s, a, t)
          if p.kind == .always && !holds {
            record(.violation, p.name)
            stepOK = false
          } else if p.kind == .sometimes && holds {
            record(.witness, p.name)
          }
        }
        if !stepOK {
          if stopAtFirstViolation { stopped = .firstViolation; break outer }
          continue
        }
        report.statesGenerated += 1
        let depth = stack.count
        let fp = system.fingerprint(of: t)
        if let old = table.insert(fp, id: Int32(table.count)) {
          // Seen before. Only a depth-bounded run ever looks again: a
          // shorter path gives the state more room below the bound.
          guard let b = bound else { continue }
          let was = Int(depthOf[Int(old)])
          guard was > depth else { continue }  // also skips -1 (never expanded)
          depthOf[Int(old)] = Int32(depth)
          if was >= b { cutAtBound -= 1 }
          if depth < b {
            if !push(t) { stopped = .firstViolation; break outer }
          } else {
            cutAtBound += 1
          }
          continue
        }
        if let err = system.validate(t) {
          report.internalError = err + " (reached by: \(depth) steps)"
          stopped = .internalError
          break outer
        }
        if checkState(t) {
          report.maxDepth = max(report.maxDepth, depth)
          if let b = bound {
            depthOf.append(Int32(depth))
            if depth >= b {
              cutAtBound += 1
            } else if !push(t) {
              stopped = .firstViolation
              break outer
            }
          } else if !push(t) {
            stopped = .firstViolation
            break outer
          }
        } else {
          if bound != nil { depthOf.append(-1) }
          if stopAtFirstViolation { stopped = .firstViolation; break outer }
        }
        if let ms = limits.maxStates, table.count >= ms {
          stopped = .maxStates
          break outer
        }
      }
    }
    if stopped == nil && cutAtBound > 0 { stopped = .maxDepth }
    report.stop = stopped ?? .exhaustive
    report.distinctStates = table.count
    report.seconds = monotonicSeconds() - start
    report.memoryBytes = table.memoryBytes + depthOf.count * 4
    return report
  }
}

/// Depth-limited DFS with an increasing bound (Korf, "Depth-First
/// Iterative-Deepening: An Optimal Admissible Tree Search", AI 27, 1985):
/// the length of a shortest path to a finding, computed without BFS's queue
/// or parent links, so tests can use it as an independent oracle for the
/// shortest counterexamples BFS reports.
///
/// The search uses BFSExplorer's semantics: states that violate an `always`
/// state property are not expanded and transitions that violate an `always`
/// step property are not followed, whichever property is the target. Within
/// one bound, a state is skipped when it was already explored with at least
/// as many remaining steps (a table keyed by fingerprint holding the largest
/// remaining depth), which keeps the search exact; nothing is kept across
/// bounds.
public struct IterativeDeepening<S: TransitionSystem> {
  public var system: S
  public var properties: [Property<S>]
  /// The largest bound tried.
  public var maxDepth: Int

  public init(system: S, properties: [Property<S>], maxDepth: Int) {
    self.system = system
    self.properties = properties
    self.maxDepth = maxDepth
  }

  /// A shortest path to the finding of `kind` for `property` (`"deadlock"`
  /// for deadlocks, whose name is ignored), or nil when none exists within
  /// `maxDepth` steps. A `.violation` target must be an `always` property
  /// and a `.witness` target a `sometimes` one.
  public func shortestPath(to property: String, kind: FindingKind = .violation) -> ActionPath<S.Action>? {
    let target: Property<S>?
    switch kind {
    case .deadlock:
      target = nil
    case .violation, .witness:
      let want: Property<S>.Kind = kind == .violation ? .always : .sometimes
      guard let p = properties.first(where: { $0.name == property && $0.kind == want }) else {
        preconditionFailure("no \(want.rawValue) property named \(property)")
      }
      target = p
    }
    let wantHolds = kind == .witness
    let blockingStates = properties.filter { $0.kind == .always && !$0.isStep }
    let blockingSteps = properties.filter { $0.kind == .always && $0.isStep }
    let inits = system.initialStates()

    func stateHits(_ s: S.State) -> Bool {
      guard let target, case .state(let f) = target.check else { return false }
      return f(s) == wantHolds
    }
    func stepHits(_ s: S.State, _ a: S.Action, _ t: S.State) -> Bool {
      guard let target, case .step(let f) = target.check else { return false }
      return f(s, a, t) == wantHolds
    }
    func blocked(_ s: S.State) -> Bool {
      blockingStates.contains { p in
        if case .state(let f) = p.check { return !f(s) }
        return false
      }
    }
    func stepBlocked(_ s: S.State, _ a: S.Action, _ t: S.State) -> Bool {
      blockingSteps.contains { p in
        if case .step(let f) = p.check { return !f(s, a, t) }
        return false
      }
    }

    var path: [S.Action] = []
    var best: [UInt64: Int] = [:]

    /// Explores below `s` (already checked as a target) with `remaining`
    /// steps left; true when a finding was reached (its path is `path`).
    func search(_ s: S.State, _ remaining: Int) -> Bool {
      if blocked(s) { return false }
      var actions: [S.Action] = []
      system.enabledActions(in: s, into: &actions)
      if actions.isEmpty {
        return kind == .deadlock && !system.isFinal(s)
      }
      if remaining == 0 { return false }
      let fp = system.fingerprint(of: s)
      if let r = best[fp], r >= remaining { return false }
      best[fp] = remaining
      for a in actions {
        let t = system.successor(of: s, via: a)
        path.append(a)
        if stepHits(s, a, t) { return true }
        if !stepBlocked(s, a, t) {
          if stateHits(t) || search(t, remaining - 1) { return true }
        }
        path.removeLast()
      }
      return false
    }

    for bound in 0...max(0, maxDepth) {
      best.removeAll(keepingCapacity: true)
      for (k, s) in inits.enumerated() {
        path.removeAll()
        if stateHits(s) || search(s, bound) { return ActionPath(initial: k, actions: path) }
      }
    }
    return nil
  }

  /// The length of a shortest path to the finding (see `shortestPath`).
  public func shortestLength(to property: String, kind: FindingKind = .violation) -> Int? {
    shortestPath(to: property, kind: kind)?.actions.count
  }
}
