import CheckerCore
import ExplorerOracles
import Explorers
import HMM
import Testing

/// One small HMM model built in code.
struct HMMCase: Sendable, Hashable, CustomTestStringConvertible {
  var pages: Int
  var bugs: [Variant.Bug]
  var testDescription: String { "mirror vs munmap \(pages)p1d \(bugs.map(\.rawValue))" }
  var buggy: Bool { !bugs.isEmpty }

  func model() throws -> HMMModel { try HMMModel(HMMModels.mirrorVsMunmap(pages: pages, bugs)) }

  static let all: [HMMCase] = [1, 2].flatMap { p in
    [[], [Variant.Bug.readRetryUnlocked], [.skipSetSeq]].map { HMMCase(pages: p, bugs: $0) }
  }
  static let oneFrame = all.filter { $0.pages == 1 }
}

@Suite struct HMMModelTests {
  @Test(arguments: HMMCase.all)
  func bfsDFSAndReferenceAgree(_ c: HMMCase) throws {
    let m = try c.model()
    let props = HMMModels.properties(m)
    let a = Agreement(m.system, props)
    a.check()
    // The bugs are the ones the model is built to show; the correct protocol
    // is proved free of them (the runs are exhaustive).
    #expect((a.bfs.finding("no_stale_device_mapping", .violation) != nil) == c.buggy)
    #expect(a.bfs.finding("no_use_after_free", .violation) == nil)
    #expect(a.bfs.finding("deadlock", .deadlock) == nil)
    #expect(a.bfs.internalError == nil && a.dfs.internalError == nil)
    #expect(unconfirmedFindings(m.system, props, a.bfs) == [])
    #expect(unconfirmedFindings(m.system, props, a.dfs) == [])
  }

  @Test(arguments: HMMCase.all)
  func bfsCounterexamplesAreShortest(_ c: HMMCase) throws {
    let m = try c.model()
    let props = HMMModels.properties(m)
    let bfs = BFSExplorer(system: m.system, properties: props).run()
    shortestLengthsAgree(m.system, props, bfs, maxDepth: bfs.maxDepth + 2)
    let dfs = DFSExplorer(system: m.system, properties: props).run()
    for f in dfs.findings {
      let shortest = bfs.finding(f.property, f.kind)!.path.actions.count
      #expect(f.path.actions.count >= shortest, "nothing is shorter than BFS's path")
    }
    if !c.buggy {
      let id = IterativeDeepening(system: m.system, properties: props, maxDepth: bfs.maxDepth + 2)
      #expect(id.shortestLength(to: "no_stale_device_mapping") == nil)
    }
  }

  @Test(arguments: HMMCase.all)
  func stepPropertiesAgree(_ c: HMMCase) throws {
    // An `always` step property cuts every transition that fires the event:
    // both engines stop at the same transitions and count the same states.
    let m = try c.model()
    let props = [
      HMMModels.event("never_programs", .always, "mirror_programmed", in: m),
      HMMModels.always("no_stale_device_mapping", HMMModels.staleOK(m.layout)),
    ]
    let a = Agreement(m.system, props)
    a.check()
    #expect(a.bfs.finding("never_programs", .violation) != nil)
    #expect(a.bfs.finding("no_stale_device_mapping", .violation) == nil, "the stale mapping needs a programmed device PTE")
    #expect(a.bfs.distinctStates < Agreement(m.system, HMMModels.properties(m)).bfs.distinctStates)
    shortestLengthsAgree(m.system, props, a.bfs, maxDepth: 30)
    #expect(unconfirmedFindings(m.system, props, a.dfs) == [])
  }

  @Test(arguments: HMMCase.all)
  func depthBoundedRunsAgree(_ c: HMMCase) throws {
    // With a depth bound DFS re-expands states it meets again by a shorter
    // path, so for every bound it visits exactly BFS's states and stops for
    // the same reason.
    let m = try c.model()
    let props = HMMModels.properties(m)
    let full = BFSExplorer(system: m.system, properties: props).run()
    for k in 0...(full.maxDepth + 1) {
      let limits = ExplorationLimits(maxDepth: k)
      let bfs = BFSExplorer(system: m.system, properties: props, limits: limits).run()
      let dfs = DFSExplorer(system: m.system, properties: props, limits: limits).run()
      #expect(bfs.distinctStates == dfs.distinctStates, "bound \(k)")
      #expect(bfs.stop == dfs.stop, "bound \(k)")
      #expect(bfs.findingKeys == dfs.findingKeys, "bound \(k)")
      #expect(dfs.stop == (k <= full.maxDepth ? .maxDepth : .exhaustive), "bound \(k)")
      #expect(unconfirmedFindings(m.system, props, dfs) == [])
    }
  }
}
