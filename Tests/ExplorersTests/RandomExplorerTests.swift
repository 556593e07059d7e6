import CheckerCore
import ExplorerOracles
import Explorers
import HMM
import Testing

@Suite struct RandomExplorerTests {
  static let schedulers: [RandomExplorer<GuardedSystem>.Scheduler] = [.uniform, .pct(depth: 3)]

  func run(
    _ m: HMMModel, seed: UInt64, walks: Int = 2000, scheduler: RandomExplorer<GuardedSystem>.Scheduler = .uniform
  )
    -> ExplorationReport<Int>
  {
    RandomExplorer(
      system: m.system, properties: HMMModels.properties(m), walks: walks, maxSteps: 100, seed: seed,
      scheduler: scheduler
    ).run()
  }

  @Test(arguments: HMMCase.oneFrame, schedulers)
  func sameSeedSameReport(_ c: HMMCase, _ scheduler: RandomExplorer<GuardedSystem>.Scheduler) throws {
    let m = try c.model()
    let a = run(m, seed: 42, walks: 300, scheduler: scheduler)
    let b = run(m, seed: 42, walks: 300, scheduler: scheduler)
    #expect(ReportDigest(a) == ReportDigest(b))
    #expect(a.seed == 42 && a.walks == 300 && a.stop == .walksDone)
  }

  @Test func differentSeedsMayDiffer() throws {
    // Walks draw from per-seed streams: over a few seeds the first
    // counterexamples are not all the same path.
    let m = try HMMCase(pages: 1, bugs: [.readRetryUnlocked]).model()
    let paths = (1...6).compactMap { seed in run(m, seed: seed).finding("no_stale_device_mapping", .violation)?.path }
    #expect(paths.count == 6)
    #expect(Set(paths).count > 1)
    let counts = Set((1...6).map { run(m, seed: $0, walks: 20).transitions })
    #expect(counts.count > 1)
  }

  @Test(arguments: HMMCase.all.filter(\.buggy), schedulers)
  func findsTheBuggyVariants(_ c: HMMCase, _ scheduler: RandomExplorer<GuardedSystem>.Scheduler) throws {
    let m = try c.model()
    let props = HMMModels.properties(m)
    let r = run(m, seed: 2024, scheduler: scheduler)
    let bfs = BFSExplorer(system: m.system, properties: props).run()
    let f = try #require(r.finding("no_stale_device_mapping", .violation), "2000 walks find the bug")
    #expect(f.path.actions.count >= bfs.finding("no_stale_device_mapping", .violation)!.path.actions.count)
    #expect(unconfirmedFindings(m.system, props, r) == [])
    #expect(r.distinctStates <= bfs.distinctStates)
    #expect(r.findingKeys.isSubset(of: bfs.findingKeys))
  }

  @Test(arguments: HMMCase.all.filter { !$0.buggy }, schedulers)
  func neverReportsViolationsBFSProvesUnreachable(_ c: HMMCase, _ scheduler: RandomExplorer<GuardedSystem>.Scheduler) throws {
    let m = try c.model()
    let props = HMMModels.properties(m)
    let bfs = BFSExplorer(system: m.system, properties: props).run()
    #expect(bfs.stop == .exhaustive && bfs.violations.isEmpty)
    let r = run(m, seed: 2024, scheduler: scheduler)
    #expect(r.violations.isEmpty)
    #expect(r.distinctStates <= bfs.distinctStates)
    #expect(r.findingKeys.isSubset(of: bfs.findingKeys))
    #expect(unconfirmedFindings(m.system, props, r) == [])
  }
}
