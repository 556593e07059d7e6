import CheckerCore
import ExplorerOracles
@testable import Explorers
import Foundation
import HMM
import Testing
import Traces
import ModelFiles

@testable import HMMCheckCLI

/// The bundled models, checked through the same code as `hmmcheck check`.
enum Bundled {
  static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  static var sources: SourceOptions {
    var s = SourceOptions()
    s.propertiesDir = repo + "/Properties"
    s.modelsDir = repo + "/Models"
    return s
  }

  static func session(_ name: String) throws -> ModelSession {
    try sources.session(repo + "/Models/\(name).yaml", try sources.catalogue())
  }

  /// Golden counts under symmetry reduction, for the models that have a
  /// symmetry: three interchangeable coherent devices, or two CPU threads
  /// with identical programs (HMM/DeviceSymmetry.swift: with the notifier
  /// callbacks in registration order, devices are interchangeable only
  /// where nothing invalidates). A model with liveness properties is never
  /// reduced (its graph is recorded unreduced: fairness is per thread).
  static let goldenReduced: [String: (states: Int, transitions: Int, depth: Int)] = [
    "bug_b8_swap_page_no_reference": (167, 301, 27),
    "symmetry_coherent_devices_3d": (1231, 3917, 38),
  ]

  /// Golden (distinct states, transitions, BFS depth) per bundled model: any
  /// change to the kernel model, the properties or the explorer that moves
  /// these must be deliberate (and explained in its commit).
  static let golden: [String: (states: Int, transitions: Int, depth: Int)] = [
    "bug_b1_hmm_mirror_2017_1p1d": (75, 119, 13),
    "bug_b2_valid_flag_2019_1p1d": (66, 98, 14),
    "bug_b8_swap_page_no_reference": (326, 588, 27),
    "bug_dmirror_own_filter_skips_set_seq_1p1d": (146, 244, 21),
    "bug_finalize_skips_restore_1p1d": (24, 23, 16),
    "bug_migrate_back_charges_first_1p1d": (11, 10, 9),
    "bug_migrate_ignores_pins_1p1d": (101, 140, 32),
    "bug_o1_read_begin_after_snapshot_1p1d": (89, 138, 16),
    "bug_o2_read_retry_unlocked_1p1d": (90, 136, 15),
    "bug_o3_skip_set_seq_1p1d": (72, 110, 14),
    "bug_o4_callback_returns_early_1p1d": (101, 162, 17),
    "bug_o6_retry_reuses_seq_1p1d": (79, 121, 14),
    "bug_o8_own_filter_no_invalidate_1p1d": (270, 455, 26),
    "fault_path_devmem_callback_2cpu": (388, 706, 27),
    "fault_path_devmem_callback_3cpu": (9025, 24207, 42),
    "fault_path_devmem_callback_ram_exhausted": (15, 14, 14),
    "fault_path_get_page_2cpu": (427, 822, 36),
    "fault_path_get_page_3cpu": (7270, 20829, 45),
    "fault_path_get_page_ram_exhausted": (19, 19, 18),
    "fault_path_no_reference_2cpu": (326, 588, 27),
    "fault_path_no_reference_3cpu": (6497, 16983, 39),
    "fault_path_no_reference_ram_exhausted": (19, 19, 18),
    "fault_path_trylock_sleep_2cpu": (79, 110, 16),
    "fault_path_trylock_sleep_2cpu_memcg_limit_pre_v6_7": (79, 110, 16),
    "fault_path_trylock_sleep_2cpu_memcg_limit_v6.7": (79, 110, 16),
    "fault_path_trylock_sleep_3cpu": (324, 588, 17),
    "fault_path_trylock_sleep_ram_exhausted": (19, 19, 18),
    "fault_path_trylock_sleep_ram_exhausted_sigbus": (15, 14, 14),
    "fault_path_trylock_spin_2cpu": (49, 78, 16),
    "fault_path_trylock_spin_3cpu": (135, 282, 17),
    "fault_path_trylock_spin_ram_exhausted": (19, 19, 18),
    "liveness_swap_page_sleep_no_fairness": (79, 110, 16),
    "liveness_swap_page_spin_no_fairness": (49, 78, 16),
    "liveness_swap_page_spin_weak_fairness": (49, 78, 16),
    "migrate_back_memcg_tight": (31, 30, 30),
    "migrate_back_memcg_tight_pre_v6_7": (31, 30, 30),
    "migrate_hole_c10_pinned": (116, 177, 30),
    "migrate_hole_c1_shared_anon": (143, 227, 32),
    "migrate_hole_c3_other_owner": (1231, 2287, 66),
    "migrate_hole_c9_two_devices": (772, 1426, 51),
    "migrate_hole_d1_driver_declines": (205, 326, 41),
    "migrate_hole_p1_memcg": (31, 30, 30),
    "migrate_hole_p1_raced": (238, 379, 42),
    "migrate_hole_p2_file": (80, 120, 29),
    "mirror_migrate_cpu_2p2d": (30145, 72897, 106),
    "mirror_vs_munmap_1p1d": (79, 121, 14),
    "mirror_vs_munmap_2p1d": (93, 141, 18),
    "mirror_vs_munmap_2p2d": (1154, 2559, 32),
    "mirror_vs_munmap_3p1d": (94, 142, 19),
    "own_filter_invalidate_before_copy_1p1d": (596, 991, 46),
    "selftest_anon_read": (343, 513, 60),
    "selftest_anon_read_multiple": (40, 39, 39),
    "selftest_anon_read_prot": (26, 25, 25),
    "selftest_anon_teardown": (487, 797, 52),
    "selftest_anon_write": (18, 17, 17),
    "selftest_anon_write_prot": (60, 59, 59),
    "selftest_double_map": (150, 149, 149),
    "selftest_file_read": (14, 13, 13),
    "selftest_file_write": (16, 15, 15),
    "selftest_hmm_gup_test": (69, 68, 68),
    "selftest_migrate": (25, 24, 24),
    "selftest_migrate_fault": (1276, 2239, 83),
    "selftest_migrate_mixed": (86, 85, 85),
    "selftest_migrate_multiple": (104, 103, 103),
    "selftest_migrate_partial_unmap_fault": (65, 64, 64),
    "selftest_migrate_release": (53, 52, 52),
    "selftest_migrate_shared": (17, 16, 16),
    "selftest_snapshot": (66, 65, 65),
    "spin_twin_1x1_bug_no_setseq": (5408, 13928, 52),
    "spin_twin_1x1_bug_o2": (8952, 23893, 56),
    "swap_page_two_faulters": (79, 110, 16),
    "symmetry_coherent_devices_3d": (6077, 19305, 38),
  ]

  static var modelNames: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: repo + "/Models")) ?? [])
      .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
  }

  /// Models that expect some violation: a buggy variant, or a kernel era
  /// whose real outcome is a bug.
  static var buggyModels: [String] { modelNames.filter { (try? expected(session($0)).isEmpty == false) ?? false } }

  /// Whether a property is a liveness one (checked on the whole graph).
  static func isLiveness(_ property: String, _ s: ModelSession) -> Bool {
    s.compiledProperty(property)?.kind.isLiveness ?? false
  }

  /// Models expecting at least one safety violation (random walks check
  /// safety; liveness needs the whole state graph).
  static var safetyBugModels: [String] {
    modelNames.filter { name in
      guard let s = try? session(name) else { return false }
      return expected(s).contains { !isLiveness($0, s) }
    }
  }

  /// Models expecting a liveness violation (a lasso, or a run that ends).
  static var livenessBugModels: [String] {
    modelNames.filter { name in
      guard let s = try? session(name) else { return false }
      return expected(s).contains { isLiveness($0, s) }
    }
  }

  /// Models where no safety property may fail.
  static var safetyCorrectModels: [String] {
    modelNames.filter { name in
      guard let s = try? session(name) else { return false }
      return !expected(s).contains { !isLiveness($0, s) }
    }
  }

  static func expected(_ s: ModelSession) -> [String] {
    switch s.config.expect {
    case .pass, .deadlock: return []
    case .violation(let p): return [p]
    case .violations(let ps): return ps
    }
  }
}

@Suite struct BundledModelTests {
  @Test func everyBundledModelHasGoldenCounts() {
    #expect(Set(Bundled.modelNames) == Set(Bundled.golden.keys), "add golden counts for new models")
  }

  /// Every model meets its expectation, exhaustively, with the pinned
  /// counts, with symmetry reduction (the default) and without it; under
  /// reduction every finding is still found, at the same depth.
  @Test(arguments: Bundled.modelNames)
  func meetsExpectationWithGoldenCounts(_ name: String) throws {
    let s = try Bundled.session(name)
    var runs: [ModelResult] = []
    for symmetry in [false, true] {
      var opt = EngineOptions()
      opt.showProgress = false
      opt.symmetry = symmetry
      let r = try ModelCheck.run(s, opt)
      #expect(r.exit == .ok, "\(name): \(r.verdict)")
      #expect(r.report.stop == .exhaustive)
      let g = try #require(symmetry ? Bundled.goldenReduced[name] ?? Bundled.golden[name] : Bundled.golden[name])
      #expect(r.report.distinctStates == g.states, "\(name) distinct states, symmetry \(symmetry)")
      #expect(r.report.transitions == g.transitions, "\(name) transitions, symmetry \(symmetry)")
      #expect(r.report.maxDepth == g.depth, "\(name) depth, symmetry \(symmetry)")
      let reduced = r.symmetry.isReduced
      #expect(reduced == (symmetry && Bundled.goldenReduced[name] != nil), "\(name)")
      runs.append(r)
    }
    let key = { (l: ModelResult.Line) in "\(l.kind.rawValue) \(l.property) @\(l.steps)" }
    #expect(Set(runs[0].findings.map(key)) == Set(runs[1].findings.map(key)), "\(name): symmetry hid or moved a finding")
    #expect(runs[0].neverFired == runs[1].neverFired, "\(name): coverage under symmetry")
  }

  /// Each buggy model's counterexample survives the round trip through an
  /// ITF trace file, and the decoded states are the stepper's states.
  @Test(arguments: Bundled.safetyBugModels)
  func counterexampleTraceRoundTrips(_ name: String) throws {
    let s = try Bundled.session(name)
    let report = BFSExplorer(system: s.system, properties: s.properties).run()
    for property in Bundled.expected(s) where !Bundled.isLiveness(property, s) {
      let f = try #require(report.finding(property, .violation), "\(name): no \(property)")
      let trace = try Trace.make(
        system: s.system, path: f.path, modelFile: s.loaded.file, modelName: s.name, modelHash: s.loaded.sourceHash,
        engine: "bfs", seed: nil, status: "violation", property: property, explanation: s.explain(f))
      let text = TraceCodec.encode(trace, system: s.system)
      let parsed = try TraceCodec.parse(text: text, file: "\(name).itf.json")
      #expect(parsed.steps.map(\.command) == f.path.actions)
      #expect(parsed.property == property)
      #expect(parsed.modelHash == s.loaded.sourceHash)
      let states = try TraceCodec.states(of: parsed, system: s.system)
      #expect(states == (try PathReplay.states(s.system, f.path)))
      let p = try #require(s.properties.first { $0.name == property })
      #expect(PathReplay.confirms(s.system, f.path, property: p, kind: .violation))
    }
  }

  /// Seeded random walks find every buggy variant within a bounded number
  /// of walks (fixed seed: deterministic), and the minimized path replays.
  @Test(arguments: Bundled.safetyBugModels)
  func randomWalksFindEveryBug(_ name: String) throws {
    let s = try Bundled.session(name)
    let r = RandomExplorer(system: s.system, properties: s.properties, walks: 4000, maxSteps: 300, seed: 1).run()
    let found = Set(r.violations.map(\.property))
    #expect(!found.isDisjoint(with: Bundled.expected(s)), "\(name): random walks found \(found)")
    #expect(found.isSubset(of: Set(Bundled.expected(s))), "\(name): random walks found \(found)")
  }

  /// Every liveness counterexample is a lasso that re-verifies state by
  /// state (loop closes, goal never met, fairness served) and survives the
  /// trace round trip with its loop index.
  @Test(arguments: Bundled.livenessBugModels)
  func livenessLassosReplay(_ name: String) throws {
    let s = try Bundled.session(name)
    var opt = EngineOptions()
    opt.showProgress = false
    let r = try ModelCheck.run(s, opt)
    #expect(r.exit == .ok, "\(r.verdict)")
    let expected = Bundled.expected(s).filter { Bundled.isLiveness($0, s) }
    #expect(Set(expected).isSubset(of: Set(r.report.findings.map(\.property))), "\(name)")
    for f in r.report.findings where f.kind == .violation && Bundled.isLiveness(f.property, s) {
      let cp = try #require(s.compiledProperty(f.property))
      #expect(s.confirmsLasso(cp, f.path, loop: f.loop))
      let trace = try Trace.make(
        system: s.system, path: f.path, modelFile: s.loaded.file, modelName: s.name, modelHash: s.loaded.sourceHash,
        engine: "bfs", seed: nil, status: "violation", property: f.property, explanation: nil, loop: f.loop)
      let parsed = try TraceCodec.parse(text: TraceCodec.encode(trace, system: s.system), file: "t")
      #expect(parsed.loop == f.loop)
      if let loop = f.loop {
        let states = try TraceCodec.states(of: parsed, system: s.system)
        #expect(states[loop] == states.last)
      }
    }
  }

  /// Random walks never report a violation in a model BFS proves correct.
  @Test(arguments: Bundled.safetyCorrectModels)
  func randomFindsNothingInCorrectModels(_ name: String) throws {
    let s = try Bundled.session(name)
    let r = RandomExplorer(system: s.system, properties: s.properties, walks: 300, maxSteps: 300, seed: 3).run()
    #expect(r.violations.isEmpty, "\(name): \(r.violations.map(\.property))")
  }
}

/// Expectations that fail for reasons other than a violation.
@Suite struct VacuityTests {
  static func session(_ yaml: String) throws -> ModelSession {
    let cat = try Bundled.sources.catalogue()
    let loaded = try ModelFiles.ModelLoader.parse(text: yaml, file: "inline.yaml") { (try? cat.select([$0])) != nil }
    return try ModelSession(loaded: loaded, catalogue: cat)
  }

  static let base = """
    system:
      pages: 1
      ram_pages: 2
      initial: { 0: ram_rw }
      devices:
        - { name: gpu0, pool: 1 }
    threads:
      - name: gpu0_mirror
        device: gpu0
        program:
          - mirror: { pages: 0, write: true }
      - name: cpu0
        program:
          - munmap: 0

    """

  /// A listed `sometimes` property that no reachable state shows fails the
  /// check (exit 1) and is named.
  @Test func unreachedWitnessFailsTheCheck() throws {
    let s = try Self.session(Self.base + "properties: [no_stale_device_mapping, memcg_refuses_insert]\nexpect: pass\n")
    var opt = EngineOptions()
    opt.showProgress = false
    let r = try ModelCheck.run(s, opt)
    #expect(r.exit == .unexpectedViolation)
    #expect(r.unreachedWitnesses == ["memcg_refuses_insert"])
    #expect(r.verdict.contains("never reached") && r.verdict.contains("memcg_refuses_insert"))
  }

  /// A declared operation that never starts (here: the mirror's second
  /// operation cannot start within one step) is reported as vacuous, and
  /// `expect_unfired` accepts it when intended.
  @Test func operationThatNeverStartsIsVacuous() throws {
    let s = try Self.session(Self.base + "properties: [no_stale_device_mapping]\nexpect: pass\n")
    let r = BFSExplorer(system: s.system, properties: s.properties, limits: ExplorationLimits(maxDepth: 1)).run()
    let vacuous = ModelCheck.vacuous(s, r)
    #expect(vacuous.contains { $0.hasPrefix("cpu0: munmap") } == false)  // cpu0's munmap starts at depth 1
    #expect(vacuous.isEmpty)
    let r0 = BFSExplorer(system: s.system, properties: s.properties, limits: ExplorationLimits(maxDepth: 0)).run()
    #expect(ModelCheck.vacuous(s, r0) == ["gpu0_mirror: mirror page 0 write", "cpu0: munmap page 0"])
    let tolerant = try Self.session(Self.base + "properties: [no_stale_device_mapping]\nexpect: pass\nexpect_unfired: [munmap, mirror]\n")
    #expect(ModelCheck.vacuous(tolerant, r0).isEmpty)
  }
}

/// The packed explorer (what `check` runs) agrees with the classic
/// linked BFS on every bundled model, whatever the worker count.
@Suite struct PackedBFSTests {
  @Test(arguments: Bundled.modelNames)
  func packedEqualsClassic(_ name: String) throws {
    let s = try Bundled.session(name)
    let seq = BFSExplorer(system: s.system, properties: s.properties).run()
    for workers in [1, 2, 3] {
      let par = PackedBFSExplorer(system: s.system, properties: s.slotProperties, workers: workers).run()
      #expect(par.internalError == nil, "\(name) w\(workers): \(par.internalError ?? "")")
      #expect(par.stop == seq.stop, "\(name) w\(workers)")
      #expect(par.distinctStates == seq.distinctStates, "\(name) w\(workers)")
      #expect(par.transitions == seq.transitions, "\(name) w\(workers)")
      #expect(par.statesGenerated == seq.statesGenerated, "\(name) w\(workers)")
      #expect(par.maxDepth == seq.maxDepth, "\(name) w\(workers)")
      #expect(par.actionFires == seq.actionFires, "\(name) w\(workers)")
      // Same findings at the same depths; counterexamples with the very
      // path the classic search finds (the packed run re-searches for them).
      let key = { (f: Finding<Int>) in "\(f.kind.rawValue) \(f.property) @\(f.steps)" }
      #expect(Set(par.findings.map(key)) == Set(seq.findings.map(key)), "\(name) w\(workers)")
      for f in par.findings where f.depthOnly == nil {
        #expect(seq.finding(f.property, f.kind)?.path == f.path, "\(name) w\(workers) \(f.property)")
      }
    }
  }

  /// Rebuilding a counterexample's path (a classic re-search to its depth)
  /// stays within the run's limits: the time left and the same memory
  /// budget. A counterexample the re-search does not reach within them is
  /// not reported (nothing unreplayed is), the report says it was seen and
  /// the run is bounded; one it misses with no limit hit is an internal error.
  @Test func pathRecoveryStaysWithinTheRunsLimits() throws {
    let s = try Bundled.session("fault_path_no_reference_3cpu")
    let bfs = PackedBFSExplorer(
      system: s.system, properties: s.slotProperties, limits: ExplorationLimits(timeLimit: 60, maxMemory: 1 << 30))
    let lim = bfs.recoveryLimits(depth: 15, elapsed: 20)
    #expect(lim.maxDepth == 16)
    #expect(lim.timeLimit == 40)
    #expect(lim.maxMemory == 1 << 30)
    #expect(lim.maxStates == nil)
    #expect(PackedBFSExplorer(system: s.system, properties: s.slotProperties).recoveryLimits(depth: 3, elapsed: 5) == ExplorationLimits(maxDepth: 4))

    let uaf = PackedBFSExplorer.Wanted(kind: .violation, property: "no_freed_page_reachable", depth: 15)
    let classic = BFSExplorer(system: s.system, properties: s.properties, limits: ExplorationLimits(maxDepth: 16)).run()
    var ok = ExplorationReport<Int>(engine: "bfs", stop: .exhaustive)
    PackedBFSExplorer.attach([uaf], recovered: classic, to: &ok)
    #expect(ok.findings.map(\.steps) == [15] && ok.unrecovered.isEmpty && ok.stop == .exhaustive)

    for stop in [StopReason.maxMemory, .timeLimit] {
      var r = ExplorationReport<Int>(engine: "bfs", stop: .exhaustive)
      PackedBFSExplorer.attach([uaf], recovered: ExplorationReport(engine: "bfs", stop: stop), to: &r)
      #expect(r.findings.isEmpty)
      #expect(r.unrecovered == ["violation of no_freed_page_reachable at depth 15"])
      #expect(r.stop == stop && r.internalError == nil)
    }
    var missed = ExplorationReport<Int>(engine: "bfs", stop: .exhaustive)
    PackedBFSExplorer.attach([uaf], recovered: ExplorationReport(engine: "bfs", stop: .maxDepth), to: &missed)
    #expect(missed.stop == .internalError && missed.internalError != nil)
  }

  /// Limits stop at a level boundary, so partial counts do not depend on
  /// the worker count either.
  @Test func partialRunsAreIdenticalForAnyWorkerCount() throws {
    let s = try Bundled.session("mirror_migrate_cpu_2p2d")
    for limits in [ExplorationLimits(maxStates: 5000), ExplorationLimits(maxDepth: 40)] {
      let runs = [1, 2, 3].map { PackedBFSExplorer(system: s.system, properties: s.slotProperties, limits: limits, workers: $0).run() }
      for r in runs {
        #expect(r.stop != .exhaustive)
        #expect(r.distinctStates == runs[0].distinctStates)
        #expect(r.transitions == runs[0].transitions)
        #expect(r.maxDepth == runs[0].maxDepth)
      }
      if let ms = limits.maxStates { #expect(runs[0].distinctStates >= ms) }
    }
  }

  /// `--max-memory` stops cleanly with a partial report rather than growing
  /// past the budget.
  @Test func maxMemoryStopsCleanly() throws {
    let s = try Bundled.session("mirror_migrate_cpu_2p2d")
    let r = PackedBFSExplorer(system: s.system, properties: s.slotProperties, limits: ExplorationLimits(maxMemory: 1 << 20), workers: 2).run()
    #expect(r.stop == .maxMemory)
    #expect(r.distinctStates > 0 && r.distinctStates < Bundled.golden["mirror_migrate_cpu_2p2d"]!.states)
    #expect(r.internalError == nil)
  }

  /// Stopping at the first counterexample ends the level it was found in,
  /// with the shortest path.
  @Test func stopAtFirstViolation() throws {
    let s = try Bundled.session("bug_o2_read_retry_unlocked_1p1d")
    let full = BFSExplorer(system: s.system, properties: s.properties).run()
    let r = PackedBFSExplorer(system: s.system, properties: s.slotProperties, workers: 2, stopAtFirstViolation: true).run()
    #expect(r.stop == .firstViolation)
    let shortest = full.violations.map(\.steps).min()
    #expect(r.violations.map(\.steps).min() == shortest)
    #expect(r.distinctStates <= full.distinctStates)
  }
}

/// The flat stepper the packed explorer runs is the guarded-command stepper.
@Suite struct CompiledSystemTests {
  @Test(arguments: Bundled.modelNames.filter { (Bundled.golden[$0]?.states ?? .max) <= 70_000 })
  func compiledStepperMatches(_ name: String) throws {
    let s = try Bundled.session(name)
    let sys = s.system
    let stateExprs = s.slotProperties.filter { !$0.isStep }.map(\.expr)
    let compiled = CompiledSystem(sys, extra: stateExprs)
    let packer = StatePacker(slotMax: sys.slotMax)
    let n = sys.schema.slotCount
    let stack = UnsafeMutablePointer<Int>.allocate(capacity: compiled.maxStack + 1)
    let out = UnsafeMutablePointer<Int32>.allocate(capacity: compiled.maxEnabled)
    let next = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
    let unpacked = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
    let packed = UnsafeMutablePointer<UInt64>.allocate(capacity: packer.words)
    defer { stack.deallocate(); out.deallocate(); next.deallocate(); unpacked.deallocate(); packed.deallocate() }
    var seen: Set<StateVector> = Set(sys.initialStates())
    var queue = Array(seen)
    var acts: [Int] = []
    var mismatches = 0
    while let st = queue.popLast() {
      acts.removeAll()
      sys.enabledActions(in: st, into: &acts)
      st.slots.withUnsafeBufferPointer { b in
        let p = b.baseAddress!
        let k = compiled.enabled(p, into: out, stack: stack)
        if Array(UnsafeBufferPointer(start: out, count: k)).map(Int.init) != acts { mismatches += 1 }
        for (i, e) in stateExprs.enumerated()
        where (compiled.evaluate(compiled.extraOffsets[i], p, stack: stack) != 0) != (e.evaluate { Int(b[$0]) } != 0) {
          mismatches += 1
        }
        if compiled.isFinal(p) != sys.isFinal(st) { mismatches += 1 }
        // (Buggy models can leave a slot's range past their violations,
        // where the explorers stop; only in-range states are packed.)
        if compiled.firstOutOfRange(p) < 0 {
          packer.pack(p, into: packed)
          packer.unpack(packed, into: unpacked)
          if Array(UnsafeBufferPointer(start: unpacked, count: n)) != st.slots { mismatches += 1 }
        } else if sys.outOfRangeSlots(st).isEmpty {
          mismatches += 1
        }
        for a in acts {
          compiled.apply(a, from: p, to: next, stack: stack)
          let t = sys.successor(of: st, via: a)
          if Array(UnsafeBufferPointer(start: next, count: n)) != t.slots { mismatches += 1 }
          if seen.insert(t).inserted { queue.append(t) }
        }
      }
    }
    #expect(mismatches == 0, "\(name)")
    #expect(seen.count >= (Bundled.golden[name]?.states ?? 0))
  }
}

/// The flat random walker draws the same walks as the generic one.
@Suite struct PackedRandomTests {
  @Test(arguments: [
    "mirror_migrate_cpu_2p2d", "bug_o2_read_retry_unlocked_1p1d", "liveness_swap_page_spin_no_fairness", "migrate_hole_c9_two_devices",
  ])
  func sameWalksAsGenericExplorer(_ name: String) throws {
    let s = try Bundled.session(name)
    for scheduler in [RandomExplorer<GuardedSystem>.Scheduler.uniform, .pct(depth: 3)] {
      for seed: UInt64 in [1, 42] {
        let generic = RandomExplorer(system: s.system, properties: s.properties, walks: 300, maxSteps: 120, seed: seed, scheduler: scheduler).run()
        let packed = PackedRandomExplorer(system: s.system, properties: s.slotProperties, walks: 300, maxSteps: 120, seed: seed, scheduler: scheduler)
          .run()
        #expect(packed.transitions == generic.transitions, "\(name) \(seed)")
        #expect(packed.distinctStates == generic.distinctStates, "\(name) \(seed)")
        #expect(packed.maxDepth == generic.maxDepth, "\(name) \(seed)")
        #expect(packed.actionFires == generic.actionFires, "\(name) \(seed)")
        #expect(packed.findings.map(\.property) == generic.findings.map(\.property), "\(name) \(seed)")
        #expect(packed.findings.map(\.path) == generic.findings.map(\.path), "\(name) \(seed)")
        #expect(packed.suspectedLivelocks == generic.suspectedLivelocks, "\(name) \(seed)")
      }
    }
  }
}

/// `Properties/seq_protocol.hmmprop` states the interval notifier's
/// sequence protocol step by step (the page-scaling proofs rest on it): it
/// holds wherever the protocol is followed, and each ordering bug breaks the
/// clause that names what it gets wrong.
@Suite struct SeqProtocolSuiteTests {
  static let holds = [
    "mirror_vs_munmap_1p1d", "mirror_vs_munmap_2p1d", "mirror_vs_munmap_3p1d", "own_filter_invalidate_before_copy_1p1d",
  ]
  /// Each bug with the properties of the suite BFS finds violated, and the
  /// length of the shortest counterexample. Empty: the bug is outside what
  /// the suite states (O4 leaves SPTEs behind with the sequences right, O8
  /// skips the whole invalidation, O6 is a liveness bug); the headline
  /// properties catch those.
  static let bugs: [String: [String: Int]] = [
    "bug_o1_read_begin_after_snapshot_1p1d": ["current_snapshot_is_cpu_page": 14],
    "bug_o2_read_retry_unlocked_1p1d": ["install_under_current_seq": 13],
    "spin_twin_1x1_bug_o2": ["install_under_current_seq": 13],
    "bug_o3_skip_set_seq_1p1d": ["published_seq_is_current": 4],
    "spin_twin_1x1_bug_no_setseq": ["published_seq_is_current": 4],
    "bug_dmirror_own_filter_skips_set_seq_1p1d": ["current_snapshot_is_cpu_page": 15],
    "bug_b1_hmm_mirror_2017_1p1d": ["published_seq_is_current": 3, "current_snapshot_is_cpu_page": 8],
    "bug_b2_valid_flag_2019_1p1d": ["published_seq_is_current": 4],
    "bug_o4_callback_returns_early_1p1d": [:],
    "bug_o6_retry_reuses_seq_1p1d": [:],
    "bug_o8_own_filter_no_invalidate_1p1d": [:],
  ]

  func violated(_ name: String) throws -> [String: Int] {
    let s = try Bundled.session(name)
    let suite = try s.catalogue.compile(["seq_protocol"], with: s.compiler)
    let props = suite.map { ModelSession.slotProperty($0, system: s.system).property(for: s.system) }
    let report = BFSExplorer(system: s.system, properties: props).run()
    #expect(report.stop == .exhaustive, "\(name)")
    var out: [String: Int] = [:]
    for f in report.findings where f.kind == .violation {
      let p = try #require(props.first { $0.name == f.property })
      #expect(PathReplay.confirms(s.system, f.path, property: p, kind: .violation))
      out[f.property] = f.path.actions.count
    }
    return out
  }

  @Test(arguments: holds) func holdsWhereTheProtocolIsFollowed(_ name: String) throws {
    #expect(try violated(name).isEmpty)
  }

  @Test(arguments: bugs.keys.sorted()) func orderingBugsBreakTheClauseTheyGetWrong(_ name: String) throws {
    #expect(try violated(name) == Self.bugs[name])
  }
}
