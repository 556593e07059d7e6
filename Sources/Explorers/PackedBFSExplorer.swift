import CheckerCore
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The exhaustive explorer for large models: breadth-first over packed
/// fixed-size states, a lock-free fingerprint set shared by all workers,
/// and no parent links.
///
/// Levels are expanded in parallel (level-synchronous): workers take slices
/// of the current level, and write the new states they win into per-slice
/// buffers that form the next level. What a level contains does not depend
/// on the number of workers or their timing (only the order inside it does),
/// so distinct states, transitions, depth and the depth of each property's
/// first violation are identical for any worker count.
///
/// Counterexamples are not built from parent links: when something is
/// found at depth d, the classic `BFSExplorer` re-searches the model up to
/// depth d with parent links and full states, which yields the same
/// shortest paths a linked search would (and, under symmetry reduction,
/// paths of the unreduced model). Its findings must match this run's, or
/// the run ends with an internal error. Witnesses found deeper than every
/// counterexample keep only their depth (`Finding.depthOnly`).
public struct PackedBFSExplorer {
  public var system: GuardedSystem
  public var properties: [SlotProperty]
  public var limits: ExplorationLimits
  public var workers: Int
  public var stopAtFirstViolation: Bool
  public var symmetry: (any StateCanonicalizer)?
  /// Called between rounds, about once a second, with the running report.
  public var progress: ((ExplorationReport<Int>, _ queue: Int) -> Void)?
  /// Record the explored graph for liveness checks (`LivenessPass`): state
  /// ids in discovery order, edges, and the predicates' truth. Runs on one
  /// worker (ids, and so lassos, must not depend on timing) and without
  /// symmetry (fairness is per thread). States that violate an `always`
  /// property, and transitions that violate a step one, are recorded but
  /// not followed, as the safety search does not follow them.
  public var recordGraph: GraphRecording? = nil
  /// The graph recorded by the last `run()` (nil unless `recordGraph`).
  public var recorder: GraphRecorder? = nil

  /// What a recorded graph keeps about each state and edge.
  public struct GraphRecording: Sendable {
    /// State predicates (bits of `LivenessGraph.stateBits`).
    public var statePredicates: [Expr]
    /// Step predicates over [pre][post][event flags] (bits of
    /// `LivenessGraph.edgeBits`).
    public var stepPredicates: [SlotProperty]
    public init(statePredicates: [Expr] = [], stepPredicates: [SlotProperty] = []) {
      self.statePredicates = statePredicates
      self.stepPredicates = stepPredicates
    }
  }

  /// The graph being recorded and the fingerprint -> id map that builds it.
  public final class GraphRecorder: @unchecked Sendable {
    // Written by the one recording worker only: no dynamic exclusivity checks.
    @exclusivity(unchecked) public internal(set) var graph: LivenessGraph
    @exclusivity(unchecked) var ids = FingerprintTable()
    init(_ system: GuardedSystem, edgeBits: Bool) {
      graph = LivenessGraph(
        actorOfAction: system.commands.map { Int32($0.thread) }, progressOfAction: system.commands.map(\.progress),
        recordsEdgeBits: edgeBits)
    }
    var memoryBytes: Int { graph.memoryBytes + ids.memoryBytes }
  }

  public init(
    system: GuardedSystem, properties: [SlotProperty], limits: ExplorationLimits = ExplorationLimits(),
    workers: Int = 1, stopAtFirstViolation: Bool = false, symmetry: (any StateCanonicalizer)? = nil
  ) {
    self.system = system
    self.properties = properties
    self.limits = limits
    self.workers = max(1, workers)
    self.stopAtFirstViolation = stopAtFirstViolation
    self.symmetry = symmetry
  }

  /// First depth at which each finding occurred (Int.max: not found).
  struct Depths {
    var violation: [Int]
    var witness: [Int]
    var deadlock = Int.max
    init(_ n: Int) {
      violation = Array(repeating: .max, count: n)
      witness = Array(repeating: .max, count: n)
    }
    mutating func merge(_ o: Depths) {
      for i in violation.indices {
        violation[i] = min(violation[i], o.violation[i])
        witness[i] = min(witness[i], o.witness[i])
      }
      deadlock = min(deadlock, o.deadlock)
    }
    mutating func found(_ kind: FindingKind, _ i: Int, _ depth: Int) {
      if kind == .violation { violation[i] = min(violation[i], depth) } else { witness[i] = min(witness[i], depth) }
    }
    var anyCounterexample: Bool { deadlock != .max || violation.contains { $0 != .max } }
  }

  /// A worker's buffers and counters, reused for every slice.
  final class Worker: @unchecked Sendable {
    /// States whose successors are generated before any is inserted.
    static let groupSize = 4
    let cur, ext, scratch: UnsafeMutablePointer<UInt8>
    /// Every successor of the state being expanded, and their fingerprints.
    let successors: UnsafeMutablePointer<UInt8>
    let fingerprints: UnsafeMutablePointer<UInt64>
    /// Their canonical forms (under symmetry) and the commands that made them.
    let canonical: UnsafeMutablePointer<UInt8>
    let via: UnsafeMutablePointer<Int32>
    /// Liveness step-predicate bits of each successor (recording only).
    let edgeBits: UnsafeMutablePointer<UInt8>
    /// Per state of a group: where its successors start (one more entry
    /// closes the last), and, recording, its id and enabled actors.
    let firstKept: UnsafeMutablePointer<Int>
    let sources: UnsafeMutablePointer<Int32>
    let actors: UnsafeMutablePointer<UInt32>
    let stack: UnsafeMutablePointer<Int>
    let actions: UnsafeMutablePointer<Int32>
    let fires: UnsafeMutablePointer<Int>
    var transitions = 0
    var generated = 0
    var inserted = 0
    var depths: Depths
    var error: String?

    init(slots: Int, extBytes: Int, scratchBytes: Int, stack: Int, actions: Int, commands: Int, properties: Int) {
      cur = .allocate(capacity: slots)
      let most = max(actions, 1) * Self.groupSize
      successors = .allocate(capacity: slots * most)
      fingerprints = .allocate(capacity: most)
      canonical = .allocate(capacity: slots * most)
      via = .allocate(capacity: most)
      edgeBits = .allocate(capacity: most)
      firstKept = .allocate(capacity: Self.groupSize + 1)
      sources = .allocate(capacity: Self.groupSize)
      actors = .allocate(capacity: Self.groupSize)
      ext = .allocate(capacity: max(extBytes, 1))
      scratch = .allocate(capacity: max(scratchBytes, 1))
      self.stack = .allocate(capacity: stack)
      self.actions = .allocate(capacity: actions)
      fires = .allocate(capacity: max(commands, 1))
      fires.initialize(repeating: 0, count: max(commands, 1))
      depths = Depths(properties)
    }

    deinit {
      cur.deallocate(); successors.deallocate(); fingerprints.deallocate(); canonical.deallocate(); via.deallocate(); edgeBits.deallocate();
      firstKept.deallocate(); sources.deallocate(); actors.deallocate(); ext.deallocate(); scratch.deallocate()
      stack.deallocate(); actions.deallocate(); fires.deallocate()
    }
  }

  /// A slice of the current level: states [start, end) of one buffer.
  struct Slice { var buffer: Int; var start: Int; var end: Int }

  public func run() -> ExplorationReport<Int> {
    var me = self
    return me.run(recording: nil)
  }

  /// Runs the search; with `recordGraph` set, also records the graph into
  /// `recorder`.
  public mutating func runRecording() -> ExplorationReport<Int> {
    run(recording: recordGraph)
  }

  private mutating func run(recording: GraphRecording?) -> ExplorationReport<Int> {
    if let recording {
      precondition(recording.statePredicates.count <= LivenessGraph.maxStatePredicates, "too many state predicates")
      precondition(recording.stepPredicates.count <= LivenessGraph.maxStepPredicates, "too many step predicates")
      workers = 1
      symmetry = nil
      recorder = GraphRecorder(system, edgeBits: !recording.stepPredicates.isEmpty)
    } else {
      recorder = nil
    }
    let recorder = self.recorder
    let workers = self.workers
    let start = monotonicSeconds()
    var report = ExplorationReport<Int>(engine: "bfs", stop: .exhaustive)
    let n = system.schema.slotCount
    let livenessState = recording?.statePredicates ?? []
    let livenessStep = recording?.stepPredicates ?? []
    let compiled = CompiledSystem(
      system,
      extra: properties.filter { !$0.isStep }.map(\.expr) + properties.filter(\.isStep).map(\.expr)
        + livenessState + livenessStep.map(\.expr))
    let plan = PropertyPlan(properties, system: system, offsets: compiled.extraOffsets)
    let safetyCount = properties.count
    let stateBitOffsets = Array(compiled.extraOffsets[safetyCount..<(safetyCount + livenessState.count)])
    let stepBitOffsets = Array(compiled.extraOffsets[(safetyCount + livenessState.count)...])
    let stepFlagCount = livenessStep.map { $0.commandFlags.first?.count ?? 0 }.max() ?? 0
    let flagCount = max(plan.flagCount, stepFlagCount)
    let packer = StatePacker(slotMax: system.slotMax)
    // A recorded state carries its id in one more word.
    let words = packer.words + (recording == nil ? 0 : 1)
    // (Recording keeps its own id table; this one only counts.)
    let table = ConcurrentFingerprintSet(capacity: recording == nil ? initialCapacity(words: words) : 1 << 10)
    let propCount = properties.count
    let commandCount = system.commands.count
    let symmetry = self.symmetry
    let system = self.system

    func makeWorker() -> Worker {
      Worker(
        slots: n, extBytes: 2 * n + flagCount, scratchBytes: max(symmetry?.scratchBytes ?? 0, n), stack: compiled.maxStack + 1,
        actions: compiled.maxEnabled, commands: commandCount, properties: propCount)
    }
    let pool = (0..<workers).map { _ in makeWorker() }
    let groupSize = Worker.groupSize

    /// The liveness state-predicate bits of a recorded state.
    @Sendable func stateBits(_ s: UnsafeMutablePointer<UInt8>, _ w: Worker) -> UInt16 {
      var bits: UInt16 = 0
      for (k, off) in stateBitOffsets.enumerated() where compiled.evaluate(off, s, stack: w.stack) != 0 { bits |= 1 << UInt16(k) }
      return bits
    }

    /// Step predicates that read only event flags, decided per command.
    let stepTables = livenessStep.map { $0.perCommandTable(slotCount: n) }
    /// The liveness step-predicate bits of pre --c--> post.
    @Sendable func edgeBits(_ c: Int, pre: UnsafeMutablePointer<UInt8>, post: UnsafeMutablePointer<UInt8>, _ w: Worker) -> UInt8 {
      var bits: UInt8 = 0
      var extReady = false
      for (k, off) in stepBitOffsets.enumerated() {
        let holds: Bool
        if let table = stepTables[k] {
          holds = table[c]
        } else {
          if !extReady {
            w.ext.update(from: pre, count: n)
            (w.ext + n).update(from: post, count: n)
            extReady = true
          }
          let flags = livenessStep[k].commandFlags[c]
          for (f, v) in flags.enumerated() { w.ext[2 * n + f] = v }
          holds = compiled.evaluate(off, w.ext, stack: w.stack) != 0
        }
        if holds { bits |= 1 << UInt8(k) }
      }
      return bits
    }

    /// State properties of a new state at `depth`; false if an `always` fails.
    @inline(__always)
    /// `via`: the command that produced `s` from an expanded state (only the
    /// properties it affects are evaluated), or -1 for an initial state.
    @Sendable func checkState(_ s: UnsafeMutablePointer<UInt8>, depth: Int, via: Int, _ w: Worker) -> Bool {
      plan.checkState(s, via: via, compiled, stack: w.stack) { w.depths.found($0, $1, depth) }
    }

    // Level 0: the initial states.
    var level = PackedLevel()
    let first = BlockWriter(words: words)
    var depths = Depths(propCount)
    var stopped: StopReason? = nil
    do {
      let w = pool[0]
      for (k, s) in system.initialStates().enumerated() {
        s.slots.withUnsafeBufferPointer { w.cur.update(from: $0.baseAddress!, count: n) }
        if let symmetry { symmetry.canonicalize(w.cur, scratch: w.scratch) }
        let bad = compiled.firstOutOfRange(w.cur)
        if bad >= 0 {
          report.internalError = "\(system.schema.slotName(bad)) = \(w.cur[bad]) exceeds its declared range in an initial state"
          stopped = .internalError
          break
        }
        let fp = Fingerprint.ofState(w.cur, count: n)
        var id: Int32 = 0
        if let recorder {
          // Recording: the id table is the visited set.
          id = Int32(recorder.graph.stateCount)
          guard recorder.ids.insert(fp, id: id) == nil else { continue }
          recorder.graph.addState(parent: -1, initial: Int32(k), bits: stateBits(w.cur, w))
        } else {
          guard table.insert(fp) else { continue }
        }
        table.add(count: 1)
        report.statesGenerated += 1
        if checkState(w.cur, depth: 0, via: -1, w) {
          let slot = first.appendSlot()
          packer.pack(w.cur, into: slot)
          if recorder != nil { slot[packer.words] = UInt64(id) }
        }
      }
      depths.merge(w.depths)
      w.depths = Depths(propCount)
    }
    level = PackedLevel(first.take())

    /// Expands one slice of the level at `depth` into `out`.
    /// Expands one slice of the level at `depth` into `out`. Successors of
    /// a state are generated first and their table slots prefetched, then
    /// inserted: the table is far larger than the caches.
    @Sendable func expand(_ slice: Slice, of level: PackedLevel, depth: Int, into out: BlockWriter, _ w: Worker) {
      let buffer = level.blocks[slice.buffer]!
      var group = slice.start
      while group < slice.end {
        // The successors of `groupSize` states are generated (and their
        // table slots prefetched) before any is inserted; `w.firstKept[j]`
        // is where state j's successors start (recording adds its edges
        // state by state).
        var kept = 0
        let members = min(groupSize, slice.end - group)
        for j in 0..<members {
          let i = group + j
          w.firstKept[j] = kept
          packer.unpack(buffer.state(i), into: w.cur)
          let count = compiled.enabled(w.cur, into: w.actions, stack: w.stack)
          if count == 0 && !compiled.isFinal(w.cur) { w.depths.deadlock = min(w.depths.deadlock, depth) }
          if recorder != nil {
            w.sources[j] = Int32(truncatingIfNeeded: buffer.state(i)[packer.words])
            var actors: UInt32 = 0
            for k in 0..<count { actors |= 1 << UInt32(compiled.threadOf(Int(w.actions[k]))) }
            w.actors[j] = actors
          }
          for k in 0..<count {
            let c = Int(w.actions[k])
            let next = w.successors + kept &* n
            compiled.apply(c, from: w.cur, to: next, stack: w.stack)
            w.transitions += 1
            w.fires[c] += 1
            if plan.stepCount > 0 && !stepHolds(c, pre: w.cur, post: next, depth: depth, w) { continue }
            if recorder != nil { w.edgeBits[kept] = edgeBits(c, pre: w.cur, post: next, w) }
            w.generated += 1
            // Under symmetry the visited set and the level hold the
            // canonical form; properties are checked on the successor itself.
            var key = next
            if let symmetry {
              key = w.canonical + kept &* n
              key.update(from: next, count: n)
              symmetry.canonicalize(key, scratch: w.scratch)
            }
            let fp = Fingerprint.ofState(key, count: n)
            if let recorder { recorder.ids.prefetch(fp) } else { table.prefetch(fp) }
            w.fingerprints[kept] = fp
            w.via[kept] = Int32(c)
            kept += 1
          }
        }
        w.firstKept[members] = kept
        group += members
        for j in 0..<members {
          let source = w.sources[j]
          recorder?.graph.beginExpansion(of: source)
          for k in w.firstKept[j]..<w.firstKept[j + 1] {
            var id: Int32 = 0
            if let recorder {
              // One worker: the id table (the visited set) and the graph
              // are this thread's.
              let c = w.via[k]
              id = Int32(recorder.graph.stateCount)
              if let old = recorder.ids.insert(w.fingerprints[k], id: id) {
                recorder.graph.addEdge(to: old, action: c, bits: w.edgeBits[k])
                continue
              }
              recorder.graph.addState(parent: source, bits: stateBits(w.successors + k &* n, w))
              recorder.graph.addEdge(to: id, action: c, bits: w.edgeBits[k])
            } else if !table.insert(w.fingerprints[k]) {
              continue
            }
            let next = w.successors + k &* n
            let key = symmetry == nil ? next : w.canonical + k &* n
            w.inserted += 1
            let bad = compiled.firstOutOfRange(key)
            if bad >= 0 {
              w.error =
                "\(system.schema.slotName(bad)) = \(key[bad]) exceeds its declared range (max \(system.slotMax[bad])): the model's bounds are too small (reached at depth \(depth + 1))"
              return
            }
            // Only the properties the last command can change are evaluated:
            // every parent in a level passed them all.
            if checkState(next, depth: depth + 1, via: Int(w.via[k]), w) {
              let slot = out.appendSlot()
              packer.pack(key, into: slot)
              if recorder != nil { slot[packer.words] = UInt64(id) }
            }
          }
          recorder?.graph.finishExpansion(of: source, enabledActors: w.actors[j])
        }
      }
    }

    /// Step properties of pre --c--> post; false if an `always` fails.
    @Sendable func stepHolds(_ c: Int, pre: UnsafeMutablePointer<UInt8>, post: UnsafeMutablePointer<UInt8>, depth: Int, _ w: Worker) -> Bool {
      plan.checkStep(c, pre: pre, post: post, slotCount: n, ext: w.ext, compiled, stack: w.stack) {
        w.depths.found($0, $1, depth + 1)
      }
    }

    var depth = 0
    /// Largest visited set + levels seen at a round's end.
    var peakMemory = 0
    var lastProgress = start
    let sliceSize = 1024
    outer: while level.count > 0 {
      if let md = limits.maxDepth, depth >= md { stopped = .maxDepth; break }
      // Slices of the level, processed in rounds small enough that the
      // table never fills between two growth checks.
      var slices: [Slice] = []
      for (b, block) in level.blocks.enumerated() {
        guard let block else { continue }
        var s = 0
        while s < block.count {
          slices.append(Slice(buffer: b, start: s, end: min(s + sliceSize, block.count)))
          s += sliceSize
        }
      }
      let writers = (0..<workers).map { _ in BlockWriter(words: words) }
      // (With a recorded graph, the graph counts against the budget too.)
      var nextMemory: Int { writers.reduce(0) { $0 + $1.memoryBytes } + (recorder?.memoryBytes ?? 0) }
      var done = 0
      while done < slices.count {
        // Grow before the table passes 3/4 full.
        let room = table.capacity * 3 / 4 - table.count
        let perSlice = sliceSize * compiled.maxEnabled
        if room < perSlice * workers * 2 && recorder == nil {
          let needed = table.memoryBytes * 3 + level.memoryBytes + nextMemory
          if let mm = limits.maxMemory, needed > mm {
            if table.count + perSlice > table.capacity * 15 / 16 { stopped = .maxMemory; break outer }
          } else {
            table.grow()
          }
        }
        let roomNow = max(table.capacity * 15 / 16 - table.count, perSlice)
        let roundSlices = max(1, min(slices.count - done, roomNow / perSlice))
        let round = Array(slices[done..<(done + roundSlices)])
        let nextSlice = Atomic<Int>(0)
        let d = depth
        let lvl = level
        DispatchQueue.concurrentPerform(iterations: workers) { wi in
          let w = pool[wi]
          while true {
            let k = nextSlice.add(1, ordering: .relaxed).oldValue
            if k >= round.count || w.error != nil { break }
            expand(round[k], of: lvl, depth: d, into: writers[wi], w)
          }
        }
        done += roundSlices
        // Blocks wholly expanded are freed now.
        level.release(upTo: done < slices.count ? slices[done].buffer : level.blocks.count)
        var inserted = 0
        for w in pool {
          inserted += w.inserted
          w.inserted = 0
          if let e = w.error {
            report.internalError = e
            stopped = .internalError
          }
        }
        table.add(count: inserted)
        peakMemory = max(peakMemory, table.memoryBytes + level.memoryBytes + nextMemory)
        if stopped != nil { break outer }
        let t = monotonicSeconds()
        if let tl = limits.timeLimit, t - start > tl { stopped = .timeLimit; break outer }
        if let mm = limits.maxMemory, table.memoryBytes + level.memoryBytes + nextMemory > mm {
          stopped = .maxMemory
          break outer
        }
        if let progress, t - lastProgress >= 1 {
          lastProgress = t
          var r = report
          r.distinctStates = table.count
          r.maxDepth = depth
          r.seconds = t - start
          progress(r, level.count + writers.reduce(0) { $0 + $1.blocks.reduce(0) { $0 + $1.count } })
        }
      }
      let nextLevel = PackedLevel(writers.flatMap { $0.take() })
      for w in pool { depths.merge(w.depths); w.depths = Depths(propCount) }
      level = nextLevel
      if level.count > 0 { depth += 1 }
      if stopAtFirstViolation && depths.anyCounterexample { stopped = .firstViolation; break }
      if let ms = limits.maxStates, table.count >= ms { stopped = .maxStates; break }
    }
    for w in pool { depths.merge(w.depths) }

    report.stop = stopped ?? .exhaustive
    report.distinctStates = table.count
    report.maxDepth = depth
    report.memoryBytes = max(peakMemory, table.memoryBytes + level.memoryBytes + (recorder?.memoryBytes ?? 0))
    if let recorder {
      // The id table only built the graph: the checks need the graph alone.
      recorder.ids = FingerprintTable(capacity: 0)
      recorder.graph.seal()
      recorder.graph.complete = report.stop == .exhaustive
    }
    report.actionFires = Array(repeating: 0, count: commandCount)
    for w in pool {
      report.transitions += w.transitions
      report.statesGenerated += w.generated
      for c in 0..<commandCount { report.actionFires[c] += w.fires[c] }
    }
    if report.internalError == nil {
      recoverPaths(depths, into: &report, started: start)
    }
    report.seconds = monotonicSeconds() - start
    return report
  }

  /// Initial table capacity: with a memory budget, the largest table that
  /// takes at most half of it (growing later would need old and new tables
  /// at once); else enough for `maxStates`, or small, grown as needed.
  func initialCapacity(words: Int) -> Int {
    if let mm = limits.maxMemory {
      var cap = 1 << 10
      while cap * 2 * 8 <= mm / 2 { cap *= 2 }
      return cap
    }
    if let ms = limits.maxStates { return min(ms * 2, 1 << 30) }
    return 1 << 20
  }

  /// A finding the packed search saw, by depth only.
  struct Wanted: Equatable {
    var kind: FindingKind
    var property: String
    var depth: Int
  }

  /// Fills in shortest paths by re-searching with the classic explorer up
  /// to the deepest counterexample, and checks that it finds the same things
  /// at the same depths.
  func recoverPaths(_ depths: Depths, into report: inout ExplorationReport<Int>, started: Double) {
    var wanted: [Wanted] = []
    for (i, p) in properties.enumerated() {
      if depths.violation[i] != .max { wanted.append(Wanted(kind: .violation, property: p.name, depth: depths.violation[i])) }
      if depths.witness[i] != .max { wanted.append(Wanted(kind: .witness, property: p.name, depth: depths.witness[i])) }
    }
    if depths.deadlock != .max { wanted.append(Wanted(kind: .deadlock, property: "deadlock", depth: depths.deadlock)) }
    guard !wanted.isEmpty else { return }
    var recovered: ExplorationReport<Int>? = nil
    if let cd = wanted.filter({ $0.kind != .witness }).map(\.depth).max() {
      let lim = recoveryLimits(depth: cd, elapsed: monotonicSeconds() - started)
      recovered = BFSExplorer(system: system, properties: properties.map { $0.property(for: system) }, limits: lim).run()
    }
    Self.attach(wanted, recovered: recovered, to: &report)
  }

  /// The re-search's limits: one level past the deepest counterexample
  /// (deadlocks are seen when their state is expanded), within the run's
  /// own limits: the time it has left and the same memory budget.
  func recoveryLimits(depth: Int, elapsed: Double) -> ExplorationLimits {
    var lim = ExplorationLimits()
    lim.maxDepth = depth + 1
    if let tl = limits.timeLimit { lim.timeLimit = max(0.001, tl - elapsed) }
    lim.maxMemory = limits.maxMemory
    return lim
  }

  /// The packed search's findings with the re-search's paths. A
  /// counterexample the re-search did not reach within the limits is not
  /// reported (nothing unreplayed is) but listed in `unrecovered`, and the
  /// run is bounded; one it missed within no limit is an internal error.
  static func attach(_ wanted: [Wanted], recovered: ExplorationReport<Int>?, to report: inout ExplorationReport<Int>) {
    var found: [Finding<Int>] = []
    for w in wanted {
      if let r = recovered, let f = r.finding(w.property, w.kind) {
        guard f.path.actions.count == w.depth else {
          report.internalError =
            "the re-search found the \(w.kind.rawValue) of \(w.property) at depth \(f.path.actions.count), the packed search at depth \(w.depth)"
          report.stop = .internalError
          return
        }
        found.append(f)
      } else if w.kind == .witness {
        var f = Finding<Int>(kind: .witness, property: w.property, path: ActionPath(initial: 0, actions: []))
        f.depthOnly = w.depth
        found.append(f)
      } else if let r = recovered, r.stop == .timeLimit || r.stop == .maxMemory {
        report.unrecovered.append("\(w.kind.rawValue) of \(w.property) at depth \(w.depth)")
        report.stop = r.stop
      } else {
        report.internalError = "the re-search did not find the \(w.kind.rawValue) of \(w.property) (packed search: depth \(w.depth))"
        report.stop = .internalError
        return
      }
    }
    // Discovery order: by depth, then the classic explorer's order.
    let order = recovered?.findings.map { "\($0.kind.rawValue) \($0.property)" } ?? []
    report.findings = found.enumerated().sorted { a, b in
      let da = a.element.depthOnly ?? a.element.path.actions.count
      let db = b.element.depthOnly ?? b.element.path.actions.count
      if da != db { return da < db }
      let ia = order.firstIndex(of: "\(a.element.kind.rawValue) \(a.element.property)") ?? Int.max
      let ib = order.firstIndex(of: "\(b.element.kind.rawValue) \(b.element.property)") ?? Int.max
      return ia != ib ? ia < ib : a.offset < b.offset
    }.map(\.element)
  }
}
