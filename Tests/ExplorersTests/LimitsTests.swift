import CheckerCore
import ExplorerOracles
import Explorers
import HMM
import Testing

@Suite struct LimitsTests {
  @Test func maxStatesStopsBothEngines() throws {
    for limit in [2, 10, 24] {
      let limits = ExplorationLimits(maxStates: limit)
      let bfs = BFSExplorer(system: Grid(n: 5), properties: [Grid.reachesCorner], limits: limits).run()
      let dfs = DFSExplorer(system: Grid(n: 5), properties: [Grid.reachesCorner], limits: limits).run()
      for r in [bfs, dfs] {
        #expect(r.stop == .maxStates, "\(r.engine) at \(limit)")
        #expect(!r.stop.isExhaustive)
        #expect(r.distinctStates == limit, "\(r.engine) at \(limit)")
      }
    }
    let m = try HMMCase(pages: 1, bugs: []).model()
    let dfs = DFSExplorer(system: m.system, properties: HMMModels.properties(m), limits: ExplorationLimits(maxStates: 30)).run()
    #expect(dfs.stop == .maxStates && dfs.distinctStates == 30)
    // A limit above the state count leaves the run exhaustive.
    let all = DFSExplorer(system: Grid(n: 5), properties: [], limits: ExplorationLimits(maxStates: 26)).run()
    #expect(all.stop == .exhaustive && all.distinctStates == 25)
  }

  @Test func maxDepthStopsBothEngines() {
    // Grid states within k steps: x + y <= k.
    let within = [1, 3, 6, 10, 15, 19, 22, 24, 25]
    for k in 0...9 {
      let limits = ExplorationLimits(maxDepth: k)
      let bfs = BFSExplorer(system: Grid(n: 5), properties: [Grid.reachesCorner], limits: limits).run()
      let dfs = DFSExplorer(system: Grid(n: 5), properties: [Grid.reachesCorner], limits: limits).run()
      // The corner is at depth 8: with bound 8 it is reached but not
      // expanded, which both engines count as cut short.
      let expected: StopReason = k <= 8 ? .maxDepth : .exhaustive
      for r in [bfs, dfs] {
        #expect(r.stop == expected, "\(r.engine) at depth \(k)")
        #expect(r.distinctStates == within[min(k, 8)], "\(r.engine) at depth \(k)")
        #expect((r.finding("corner", .witness) != nil) == (k >= 8))
      }
    }
  }

  @Test func depthBoundedDFSRevisitsShorterPaths() {
    // Peterson has cycles, so DFS meets states first by long paths. Without
    // re-expansion it would cut them off below the bound; with it every bound
    // gives BFS's states.
    let props = [Peterson.mutex, Peterson.bothWaiting]
    for k in 0...8 {
      let limits = ExplorationLimits(maxDepth: k)
      let bfs = BFSExplorer(system: Peterson(), properties: props, limits: limits).run()
      let dfs = DFSExplorer(system: Peterson(), properties: props, limits: limits).run()
      #expect(bfs.distinctStates == dfs.distinctStates, "depth \(k)")
      #expect(bfs.stop == dfs.stop, "depth \(k)")
      #expect(bfs.findingKeys == dfs.findingKeys, "depth \(k)")
    }
  }

  @Test func maxMemoryStopsDFS() {
    let r = DFSExplorer(system: Peterson(), properties: [], limits: ExplorationLimits(maxMemory: 1)).run()
    #expect(r.stop == .maxMemory)
    #expect(!r.stop.isExhaustive)
    #expect(r.distinctStates < 20)
  }

  @Test func stopAtFirstViolation() {
    let props = [CheckThenSetMutex.p0Critical, CheckThenSetMutex.mutex]
    let sys = CheckThenSetMutex()
    let bfs = BFSExplorer(system: sys, properties: props, stopAtFirstViolation: true).run()
    let dfs = DFSExplorer(system: sys, properties: props, stopAtFirstViolation: true).run()
    for r in [bfs, dfs] {
      #expect(r.stop == .firstViolation, "\(r.engine)")
      #expect(r.violations.map(\.property) == ["mutex"], "\(r.engine)")
      #expect(unconfirmedFindings(sys, props, r) == [])
    }
    #expect(bfs.finding("mutex", .violation)?.path.actions.count == 4)
    // A deadlock stops the run too.
    let phil = DFSExplorer(system: Philosophers(), properties: [], stopAtFirstViolation: true).run()
    #expect(phil.stop == .firstViolation && phil.violations.map(\.kind) == [.deadlock])
    // Witnesses do not.
    let peterson = DFSExplorer(system: Peterson(), properties: [Peterson.bothWaiting], stopAtFirstViolation: true).run()
    #expect(peterson.stop == .exhaustive && peterson.witnesses.count == 1)
  }

  @Test func validateFailureIsAnInternalError() {
    // States with x + y > 4 are "out of range".
    let sys = Grid(n: 5, validLimit: 4)
    let bfs = BFSExplorer(system: sys, properties: []).run()
    let dfs = DFSExplorer(system: sys, properties: []).run()
    for r in [bfs, dfs] {
      #expect(r.stop == .internalError, "\(r.engine)")
      #expect(r.internalError?.hasPrefix("x + y = 5") == true, "\(r.engine): \(r.internalError ?? "nil")")
    }
    #expect(dfs.internalError?.contains("reached by: 5 steps") == true)
  }
}
