import CheckerCore
import Dispatch

/// A pointer handed to parallel workers that each write disjoint elements.
struct SendablePointer<T>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<T>
}

/// Breadth-first exploration on several cores whose result is identical to
/// `BFSExplorer`'s, whatever the number of workers: the same distinct
/// states, the same ids and parent links, the same first (shortest)
/// finding per property.
///
/// Each BFS level runs in three phases. (1) Workers expand slices of the
/// frontier in parallel: enabled actions, successors, fingerprints, step
/// properties; successors already visited in earlier levels are dropped
/// against the (then read-only) fingerprint table. (2) One thread merges
/// the candidates in transition order, the order `BFSExplorer` visits them,
/// and assigns ids. (3) Workers check state properties and model validity
/// of the new states; findings are ordered by the transition that produced
/// them, so the first one per property is the sequential explorer's.
public struct ParallelBFSExplorer<S: TransitionSystem> {
  public var system: S
  public var properties: [Property<S>]
  public var limits: ExplorationLimits
  public var workers: Int
  public var stateBytes: Int
  public var progress: ((ExplorationReport<S.Action>, _ queue: Int) -> Void)?

  public init(
    system: S, properties: [Property<S>], limits: ExplorationLimits = ExplorationLimits(), workers: Int,
    stateBytes: Int = 64
  ) {
    self.system = system
    self.properties = properties
    self.limits = limits
    self.workers = max(1, workers)
    self.stateBytes = stateBytes
  }

  /// One successor produced in phase 1.
  struct Candidate {
    /// 0 when the successor was already visited in an earlier level.
    var fingerprint: UInt64
    var parent: Int32
    var action: S.Action
    /// Kept only for possibly new successors (a kept reference to the
    /// scratch buffer would force a copy on the next successor).
    var state: S.State?
  }

  /// What one worker found in its slice.
  struct Slice {
    var candidates: [Candidate] = []
    /// (candidate index within the slice or -1, property, kind, parent, action): step findings and deadlocks.
    var events: [(position: Int, kind: FindingKind, property: String, parent: Int32, action: S.Action?)] = []
    var transitions = 0
    var fires: [Int32] = []
  }

  /// State findings of `s`: (kind, property), and whether it may be expanded.
  static func stateFindings(_ s: S.State, _ stateProps: [Property<S>]) -> (found: [(FindingKind, String)], expand: Bool) {
    var found: [(FindingKind, String)] = []
    var ok = true
    for p in stateProps {
      guard case .state(let f) = p.check else { continue }
      let holds = f(s)
      if p.kind == .always && !holds {
        found.append((.violation, p.name))
        ok = false
      } else if p.kind == .sometimes && holds {
        found.append((.witness, p.name))
      }
    }
    return (found, ok)
  }

  public func run() -> ExplorationReport<S.Action> {
    let start = now()
    var report = ExplorationReport<S.Action>(engine: "bfs", stop: .exhaustive)
    report.actionFires = Array(repeating: 0, count: system.actionIDCount)
    var table = FingerprintTable()
    var links = ParentLinks<S.Action>()
    let stateProps = properties.filter { !$0.isStep }
    let stepProps = properties.filter { $0.isStep }

    func path(to id: Int32, then last: S.Action? = nil) -> ActionPath<S.Action> { links.path(to: id, then: last) }
    func record(_ kind: FindingKind, _ name: String, _ p: @autoclosure () -> ActionPath<S.Action>) {
      report.recordFirst(kind, name, p)
    }
    func stateFindings(_ s: S.State) -> (found: [(FindingKind, String)], expand: Bool) {
      Self.stateFindings(s, stateProps)
    }

    var frontier: [(S.State, Int32)] = []
    for (k, s) in system.initialStates().enumerated() {
      guard table.insert(system.fingerprint(of: s), id: Int32(links.count)) == nil else { continue }
      let id = Int32(links.count)
      links.addInitial(k)
      report.statesGenerated += 1
      let (found, expand) = stateFindings(s)
      for (kind, name) in found { record(kind, name, path(to: id)) }
      if expand { frontier.append((s, id)) }
    }

    var depth = 0
    var stopped: StopReason? = nil
    let system = self.system
    levels: while !frontier.isEmpty {
      if let md = limits.maxDepth, depth >= md {
        stopped = .maxDepth
        break
      }
      // Phase 1: expand slices in parallel.
      let chunk = max(1, (frontier.count + workers * 4 - 1) / (workers * 4))
      let sliceCount = (frontier.count + chunk - 1) / chunk
      var slices = [Slice](repeating: Slice(), count: sliceCount)
      let currentFrontier = frontier
      // The table is read-only during phase 1; the snapshot must be gone
      // before the merge writes, or copy-on-write duplicates the table.
      do {
      let frozenTable = table
      slices.withUnsafeMutableBufferPointer { out in
        let base = SendablePointer(pointer: out.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: sliceCount) { k in
          var slice = Slice()
          slice.fires = Array(repeating: 0, count: system.actionIDCount)
          var actions: [S.Action] = []
          let lo = k * chunk, hi = min(currentFrontier.count, lo + chunk)
          guard lo < hi else { return }
          var scratch = currentFrontier[lo].0
          // Fingerprints this slice already produced: a repeat carries no state.
          var local = FingerprintTable(capacity: 4 * (hi - lo) + 16)
          for i in lo..<hi {
            let (s, id) = currentFrontier[i]
            actions.removeAll(keepingCapacity: true)
            system.enabledActions(in: s, into: &actions)
            if actions.isEmpty && !system.isFinal(s) {
              slice.events.append((slice.candidates.count, .deadlock, "deadlock", id, nil))
            }
            for a in actions {
              system.successor(of: s, via: a, into: &scratch)
              slice.transitions += 1
              slice.fires[system.actionID(a)] += 1
              var stepOK = true
              for p in stepProps {
                guard case .step(let f) = p.check else { continue }
                let holds = f(s, a, scratch)
                if p.kind == .always && !holds {
                  slice.events.append((slice.candidates.count, .violation, p.name, id, a))
                  stepOK = false
                } else if p.kind == .sometimes && holds {
                  slice.events.append((slice.candidates.count, .witness, p.name, id, a))
                }
              }
              guard stepOK else { continue }
              let fp = system.fingerprint(of: scratch)
              if frozenTable.lookup(fp) != nil {
                slice.candidates.append(Candidate(fingerprint: 0, parent: id, action: a, state: nil))
                continue
              }
              if local.insert(fp, id: 0) != nil {
                // Seen earlier in this slice: the merge will find it in the
                // table, so no state is needed.
                slice.candidates.append(Candidate(fingerprint: fp, parent: id, action: a, state: nil))
                continue
              }
              slice.candidates.append(Candidate(fingerprint: fp, parent: id, action: a, state: scratch))
            }
          }
          (base.pointer + k).pointee = slice
        }
      }
      }
      // Phase 2: merge in transition order.
      var next: [(S.State, Int32)] = []
      var newStates: [(S.State, Int32, order: Int)] = []
      var stepEvents: [(order: Int, kind: FindingKind, property: String, parent: Int32, action: S.Action?)] = []
      var order = 0
      merge: for slice in slices {
        report.transitions += slice.transitions
        for (a, n) in slice.fires.enumerated() where n > 0 { report.actionFires[a] += Int(n) }
        var e = 0
        for (ci, c) in slice.candidates.enumerated() {
          while e < slice.events.count && slice.events[e].position <= ci {
            let ev = slice.events[e]
            stepEvents.append((order, ev.kind, ev.property, ev.parent, ev.action))
            order += 1
            e += 1
          }
          report.statesGenerated += 1
          order += 1
          guard c.fingerprint != 0 else { continue }
          let newID = Int32(links.count)
          if table.insert(c.fingerprint, id: newID) != nil { continue }
          links.add(parent: c.parent, via: c.action)
          newStates.append((c.state!, newID, order - 1))
          if let ms = limits.maxStates, links.count >= ms {
            stopped = .maxStates
            break merge
          }
        }
        while e < slice.events.count {
          let ev = slice.events[e]
          stepEvents.append((order, ev.kind, ev.property, ev.parent, ev.action))
          order += 1
          e += 1
        }
      }
      // Phase 3: state properties and validity of the new states, in parallel.
      var checks = [(found: [(FindingKind, String)], expand: Bool, invalid: String?)](
        repeating: ([], false, nil), count: newStates.count)
      let created = newStates
      checks.withUnsafeMutableBufferPointer { out in
        let base = SendablePointer(pointer: out.baseAddress!)
        let per = max(1, (created.count + workers * 4 - 1) / (workers * 4))
        let n = (created.count + per - 1) / per
        DispatchQueue.concurrentPerform(iterations: n) { k in
          for i in (k * per)..<min(created.count, (k + 1) * per) {
            let s = created[i].0
            if let err = system.validate(s) {
              (base.pointer + i).pointee = ([], false, err)
            } else {
              let r = Self.stateFindings(s, stateProps)
              (base.pointer + i).pointee = (r.found, r.expand, nil)
            }
          }
        }
      }
      // Findings in transition order: the sequential explorer's order.
      var events: [(order: Int, apply: () -> Void)] = []
      for ev in stepEvents {
        events.append((ev.order, {
          if ev.kind == .deadlock {
            record(.deadlock, "deadlock", path(to: ev.parent))
          } else {
            record(ev.kind, ev.property, path(to: ev.parent, then: ev.action))
          }
        }))
      }
      for (i, ns) in newStates.enumerated() where !checks[i].found.isEmpty {
        let id = ns.1
        for (kind, name) in checks[i].found {
          events.append((ns.order, { record(kind, name, path(to: id)) }))
        }
      }
      events.sort { $0.order < $1.order }
      for e in events { e.apply() }
      if let bad = newStates.indices.first(where: { checks[$0].invalid != nil }) {
        report.internalError = checks[bad].invalid! + " (reached by: \(path(to: newStates[bad].1).actions.count) steps)"
        stopped = .internalError
        break levels
      }
      for (i, ns) in newStates.enumerated() where checks[i].expand { next.append((ns.0, ns.1)) }
      if stopped != nil { break levels }
      let t = now()
      if let tl = limits.timeLimit, t - start > tl { stopped = .timeLimit; break levels }
      if let mm = limits.maxMemory, table.memoryBytes + links.memoryBytes + next.count * stateBytes > mm {
        stopped = .maxMemory
        break levels
      }
      if let progress {
        report.distinctStates = links.count
        report.maxDepth = depth
        report.seconds = t - start
        progress(report, next.count)
      }
      frontier = next
      if !frontier.isEmpty { depth += 1 }
    }
    report.stop = stopped ?? .exhaustive
    report.distinctStates = links.count
    report.maxDepth = depth
    report.seconds = now() - start
    report.memoryBytes = table.memoryBytes + links.memoryBytes
    return report
  }
}
