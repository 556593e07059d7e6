import CheckerCore
import ExplorerOracles
import Explorers
import HMM
import Testing

/// Two CPU threads reading the same device-private page (on gpu0), as
/// Models/liveness_swap_page_*.yaml: one wins do_swap_page's trylock and
/// migrates the page back; the other meets the locked page.
func swapPageTwoFaulters(_ locking: Variant.SwapPageLocking) throws -> HMMModel {
  try HMMModel(
    ModelConfig(
      name: "swap_page_two_faulters_\(locking.rawValue)",
      system: SystemConfig(
        pages: 1, vmas: [VMAConfig(first: 0, last: 0, kind: .privateAnon, prot: .readWrite)],
        initial: [.device(0, writable: true)], ramPages: 1, devices: [DeviceConfig(name: "gpu0", poolPages: 1)],
        memcgLimit: 2),
      variant: Variant(swapPageLocking: locking),
      threads: [
        ThreadConfig(name: "cpu0", program: [.cpuRead(0)]),
        ThreadConfig(name: "cpu1", program: [.cpuRead(0)]),
      ]))
}

@Suite struct HMMLivenessTests {
  typealias Checker = LivenessChecker<GuardedSystem>

  static func check(
    _ m: HMMModel, _ goal: Checker.Goal, _ f: Checker.Fairness, sourceLocation: SourceLocation = #_sourceLocation
  )
    -> Checker.Lasso?
  {
    let graph = StateGraph(system: m.system)
    #expect(graph.complete, sourceLocation: sourceLocation)
    let lasso = Checker(graph: graph, fairness: [f, f], defaultFairness: f).check(goal)
    if let lasso {
      #expect(lassoProblems(m.system, lasso, goal: goal, fairness: { _ in f }) == [], sourceLocation: sourceLocation)
    }
    return lasso
  }

  /// The CLI's form of the progress goal: steps firing `progress_step`.
  static func progressEvent(_ m: HMMModel) -> Checker.Goal {
    let fires = m.system.commands.map { $0.events.contains(HMMEvent.progress.rawValue) }
    return .nonProgressWhere { _, a, _ in fires[a] }
  }

  /// L3 without fairness: the trylock loser spins (returns and re-faults)
  /// while the winner is never scheduled.
  @Test func spinningSwapPageIsANonProgressCycleWithoutFairness() throws {
    let m = try swapPageTwoFaulters(.trylockSpin)
    for goal in [Checker.Goal.nonProgress, Self.progressEvent(m)] {
      let lasso = try #require(Self.check(m, goal, .none))
      #expect(!lasso.isFinite)
      // The loop is the loser's spin: it goes through the lost trylock.
      let lost = lasso.loop.contains { m.system.commands[$0].events.contains(HMMEvent.swapPageTrylockLost.rawValue) }
      #expect(lost, "loop: \(lasso.loop.map { m.system.describe($0) })")
    }
    #expect(Self.check(m, .eventually { m.system.isFinal($0) }, .none) != nil, "all_threads_finish fails too")
  }

  /// L2, L3 under weak fairness: the lock holder, enabled all along the
  /// spin, must run; no fair non-progress cycle, every thread finishes.
  @Test(arguments: [Checker.Fairness.weak, .strong])
  func spinningSwapPageIsFineUnderFairness(_ f: Checker.Fairness) throws {
    let m = try swapPageTwoFaulters(.trylockSpin)
    #expect(Self.check(m, .nonProgress, f) == nil)
    #expect(Self.check(m, Self.progressEvent(m), f) == nil)
    #expect(Self.check(m, .eventually { m.system.isFinal($0) }, f) == nil)
  }

  /// The 2026 do_swap_page: the loser sleeps on the page lock, so the state
  /// graph has no cycle at all, and nothing fails even without fairness.
  @Test func sleepingSwapPageHasNoCycle() throws {
    let m = try swapPageTwoFaulters(.trylockSleep)
    let graph = StateGraph(system: m.system)
    #expect(graph.complete)
    #expect(FairCycleSearch(graph: graph.graph).cycles() == [])
    #expect(Self.check(m, .nonProgress, .none) == nil)
    #expect(Self.check(m, Self.progressEvent(m), .none) == nil)
    #expect(Self.check(m, .eventually { m.system.isFinal($0) }, .none) == nil)
  }
}

/// The graph the packed BFS records and the generic StateGraph are two
/// builders of one LivenessGraph: on the same model and goal they must
/// give the same lasso (state ids in the same BFS order, so the same stem
/// and loop), and the lasso must re-verify.
@Suite struct RecordedGraphTests {
  static func doneExpr(_ m: HMMModel) -> Expr {
    .conj(m.config.threads.indices.map { .binary(.ne, .slot(m.layout.done($0)), .const(0)) })
  }

  @Test(arguments: [
    (Variant.SwapPageLocking.getPage, FairCycleSearch.Fairness.weak), (.trylockSpin, .none), (.trylockSpin, .weak),
    (.trylockSleep, .none), (.noReference, .weak),
  ])
  func recordedGraphGivesTheSameLassos(_ era: Variant.SwapPageLocking, _ f: FairCycleSearch.Fairness) throws {
    let m = try swapPageTwoFaulters(era)
    let progress = SlotProperty(
      name: "progress", kind: .always, isStep: true, expr: .binary(.ne, .slot(2 * m.layout.schema.slotCount), .const(0)),
      commandFlags: m.system.commands.map { [$0.progress ? 1 : 0] })
    let pass = LivenessPass(
      system: m.system,
      properties: [
        LivenessProperty(name: "done", kind: .eventually(Self.doneExpr(m))),
        LivenessProperty(name: "progress", kind: .progress(progress)),
      ], fairness: [f, f])
    var bfs = PackedBFSExplorer(system: m.system, properties: [])
    bfs.recordGraph = try #require(pass.recording)
    let report = bfs.runRecording()
    #expect(report.stop == .exhaustive)
    let recorded = try #require(bfs.recorder?.graph)
    let found = try pass.check(recorded)

    let graph = StateGraph(system: m.system)
    #expect(graph.graph.stateCount == recorded.stateCount)
    #expect(graph.graph.edgeCount == recorded.edgeCount)
    let checker = LivenessChecker(graph: graph, fairness: [f, f], defaultFairness: f)
    let done = Self.doneExpr(m)
    let generic: [(String, LivenessChecker<GuardedSystem>.Goal)] = [
      ("done", .eventually { s in done.evaluate { s[$0] } != 0 }),
      ("progress", .nonProgress),
    ]
    for (name, goal) in generic {
      let expected = checker.check(goal)
      let got = found.first { $0.property == name }
      #expect((expected == nil) == (got == nil), "\(era) \(f) \(name)")
      if let expected, let got {
        #expect(expected.path == got.path, "\(era) \(f) \(name)")
        #expect(expected.loopStart == got.loop ?? expected.path.actions.count, "\(era) \(f) \(name)")
      }
    }
  }
}
