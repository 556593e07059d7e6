import CheckerCore

/// `RandomExplorer` for guarded-command models at full speed: the same
/// walks (the same seed draws the same choices, so reports and findings are
/// identical, a test checks it) run on the flat stepper over raw bytes, with
/// no allocation per step, and only the state properties the last command
/// can change re-evaluated (the walk stops at the first failing `always`,
/// so every earlier state passed them all).
public struct PackedRandomExplorer {
  public var system: GuardedSystem
  public var properties: [SlotProperty]
  public var walks: Int
  public var maxSteps: Int
  public var seed: UInt64
  public var scheduler: WalkScheduler.Kind
  public var timeLimit: Double?
  public var stopAtFirstViolation: Bool

  public init(
    system: GuardedSystem, properties: [SlotProperty], walks: Int, maxSteps: Int, seed: UInt64,
    scheduler: WalkScheduler.Kind = .uniform, timeLimit: Double? = nil,
    stopAtFirstViolation: Bool = false
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

  public func run() -> ExplorationReport<Int> {
    let start = monotonicSeconds()
    var report = ExplorationReport<Int>(engine: scheduler == .uniform ? "random" : "pct", stop: .walksDone)
    report.seed = seed
    let commandCount = system.commands.count
    report.actionFires = Array(repeating: 0, count: commandCount)
    let n = system.schema.slotCount
    let compiled = CompiledSystem(
      system, extra: properties.filter { !$0.isStep }.map(\.expr) + properties.filter(\.isStep).map(\.expr))
    let plan = PropertyPlan(properties, system: system, offsets: compiled.extraOffsets)
    let actor = system.commands.map(\.thread)
    let progressStep = system.commands.map(\.progress)
    let inits = system.initialStates()

    let cur = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
    let next = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
    let ext = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * n + plan.flagCount + 1)
    let stack = UnsafeMutablePointer<Int>.allocate(capacity: compiled.maxStack + 1)
    let enabled = UnsafeMutablePointer<Int32>.allocate(capacity: compiled.maxEnabled)
    defer {
      cur.deallocate(); next.deallocate(); ext.deallocate(); stack.deallocate(); enabled.deallocate()
    }
    var table = FingerprintTable()
    var sinceProgress = SmallFingerprintSet()
    var chosen: [Int] = []

    /// Records the state properties of `s` that `via` can change (all if
    /// via < 0); true when an `always` fails.
    func stateFails(_ s: UnsafeMutablePointer<UInt8>, via: Int, _ found: (FindingKind, String) -> Bool) -> Bool {
      !plan.checkState(s, via: via, compiled, stack: stack) { _ = found($0, properties[$1].name) }
    }

    walkLoop: for w in 0..<walks {
      if let tl = timeLimit, monotonicSeconds() - start > tl {
        report.stop = .timeLimit
        break
      }
      report.walks += 1
      var schedule = WalkScheduler(scheduler, rng: SplitMix64.stream(seed: seed, index: UInt64(w)), maxSteps: maxSteps)
      let initial = schedule.pickInitial(inits.count)
      inits[initial].slots.withUnsafeBufferPointer { cur.update(from: $0.baseAddress!, count: n) }
      chosen.removeAll(keepingCapacity: true)
      var fp = Fingerprint.of(UnsafeBufferPointer(start: cur, count: n))
      if table.insert(fp, id: 0) == nil { report.distinctStates += 1 }
      func found(_ kind: FindingKind, _ name: String) -> Bool {
        report.recordFirst(kind, name) { ActionPath(initial: initial, actions: chosen) } && kind != .witness
      }
      if stateFails(cur, via: -1, found) && stopAtFirstViolation { report.stop = .firstViolation; break }
      sinceProgress.removeAll()
      _ = sinceProgress.insert(fp)
      var suspected = false
      for _ in 0..<maxSteps {
        let count = compiled.enabled(cur, into: enabled, stack: stack)
        if count == 0 {
          if !compiled.isFinal(cur), found(.deadlock, "deadlock"), stopAtFirstViolation {
            report.stop = .firstViolation
            break walkLoop
          }
          break
        }
        let a = Int(enabled[schedule.pick(count) { actor[Int(enabled[$0])] }])
        compiled.apply(a, from: cur, to: next, stack: stack)
        chosen.append(a)
        report.transitions += 1
        report.statesGenerated += 1
        report.actionFires[a] += 1
        report.maxDepth = max(report.maxDepth, chosen.count)
        var stop = false
        let violated = !plan.checkStep(a, pre: cur, post: next, slotCount: n, ext: ext, compiled, stack: stack) { kind, i in
          // (Once stopping, later properties of this step are not recorded.)
          if !stop && found(kind, properties[i].name) && kind == .violation && stopAtFirstViolation { stop = true }
        }
        if stop { report.stop = .firstViolation; break walkLoop }
        if violated { break }
        fp = Fingerprint.of(UnsafeBufferPointer(start: next, count: n))
        if table.insert(fp, id: 0) == nil {
          report.distinctStates += 1
          let bad = compiled.firstOutOfRange(next)
          if bad >= 0 {
            report.internalError =
              "\(system.schema.slotName(bad)) = \(next[bad]) exceeds its declared range (max \(system.slotMax[bad])): the model's bounds are too small"
            report.stop = .internalError
            break walkLoop
          }
        }
        cur.update(from: next, count: n)
        if progressStep[a] {
          sinceProgress.removeAll()
        } else if !suspected && !sinceProgress.insert(fp) {
          suspected = true
          if report.suspectedLivelocks.count < 8 {
            report.suspectedLivelocks.append(ActionPath(initial: initial, actions: chosen))
          }
        }
        if stateFails(cur, via: a, found) {
          if stopAtFirstViolation { report.stop = .firstViolation; break walkLoop }
          break
        }
      }
    }
    report.seconds = monotonicSeconds() - start
    report.memoryBytes = table.memoryBytes
    return report
  }
}

/// A small set of fingerprints, emptied often (at every progress step of a
/// walk): open addressing, cleared by forgetting only the slots used.
struct SmallFingerprintSet {
  private var keys = [UInt64](repeating: 0, count: 256)
  private var used: [Int] = []

  mutating func removeAll() {
    for i in used { keys[i] = 0 }
    used.removeAll(keepingCapacity: true)
  }

  /// True if `fp` was not there.
  mutating func insert(_ fp: UInt64) -> Bool {
    if (used.count + 1) * 2 > keys.count { grow() }
    var i = Int(truncatingIfNeeded: fp) & (keys.count - 1)
    while keys[i] != 0 {
      if keys[i] == fp { return false }
      i = (i + 1) & (keys.count - 1)
    }
    keys[i] = fp
    used.append(i)
    return true
  }

  private mutating func grow() {
    let old = used.map { keys[$0] }
    keys = [UInt64](repeating: 0, count: keys.count * 2)
    used.removeAll(keepingCapacity: true)
    for k in old { _ = insert(k) }
  }
}
