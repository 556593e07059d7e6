import CheckerCore
import ExplorerOracles
import Explorers
import HMM
import Testing

@Suite struct MinimizerTests {
  /// Checks the minimizer's contract on `input`: the result still fails, is
  /// no longer, and is 1-minimal (dropping any single action breaks it).
  func checkContract<S: TransitionSystem>(
    _ system: S, _ input: ActionPath<S.Action>, _ stillFails: (ActionPath<S.Action>) -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
  ) -> ActionPath<S.Action> {
    #expect(stillFails(input), "the input fails", sourceLocation: sourceLocation)
    let out = Minimizer.minimize(system, input, stillFails: stillFails)
    #expect(stillFails(out), "the result still fails", sourceLocation: sourceLocation)
    #expect(out.actions.count <= input.actions.count, sourceLocation: sourceLocation)
    #expect(out.initial == input.initial, sourceLocation: sourceLocation)
    for i in out.actions.indices {
      var shorter = out.actions
      shorter.remove(at: i)
      #expect(
        !stillFails(ActionPath(initial: out.initial, actions: shorter)),
        "dropping action \(i) must break the counterexample", sourceLocation: sourceLocation)
    }
    return out
  }

  @Test func paddedMutexCounterexample() {
    // Process 0 runs its loop twice, then the 4-step race. Delta debugging
    // drops the two loops (aligned 3-action chunks) and reaches the minimum.
    let sys = CheckThenSetMutex()
    let input = ActionPath<Int>(initial: 0, actions: [0, 0, 0, 0, 0, 0, 0, 1, 0, 1])
    let fails = { (p: ActionPath<Int>) in
      PathReplay.confirms(sys, p, property: CheckThenSetMutex.mutex, kind: .violation)
    }
    let out = checkContract(sys, input, fails)
    #expect(out.actions == [0, 1, 0, 1])
  }

  @Test func oneMinimalIsNotMinimum() {
    // Each philosopher eats once, then both take their left fork. Dropping
    // any single move shifts one philosopher's phase and loses the deadlock,
    // so this 8-step path is already 1-minimal although 2 steps suffice: the
    // minimizer promises 1-minimality, not a shortest path (that is BFS's job).
    let sys = Philosophers()
    let input = ActionPath<Int>(initial: 0, actions: [0, 0, 0, 1, 1, 1, 0, 1])
    let out = checkContract(sys, input) { PathReplay.confirmsDeadlock(sys, $0) }
    #expect(out.actions.count >= 2)
    let bfs = BFSExplorer(system: sys, properties: []).run()
    #expect(bfs.finding("deadlock", .deadlock)?.path.actions.count == 2)
  }

  @Test(arguments: HMMCase.all.filter(\.buggy))
  func hmmCounterexamplesFromEveryEngine(_ c: HMMCase) throws {
    let m = try c.model()
    let props = HMMModels.properties(m)
    let stale = props[0]
    let fails = { (p: ActionPath<Int>) in PathReplay.confirms(m.system, p, property: stale, kind: .violation) }
    let bfs = BFSExplorer(system: m.system, properties: props).run()
    let shortest = try #require(bfs.finding(stale.name, .violation)).path
    let dfs = DFSExplorer(system: m.system, properties: props).run()
    let random = RandomExplorer(system: m.system, properties: props, walks: 2000, maxSteps: 100, seed: 9).run()
    for input in [
      shortest, try #require(dfs.finding(stale.name, .violation)).path,
      try #require(random.finding(stale.name, .violation)).path,
    ] {
      let out = checkContract(m.system, input, fails)
      #expect(out.actions.count >= shortest.actions.count, "nothing beats BFS's shortest path")
    }
    // A shortest path is already 1-minimal: the minimizer keeps its length.
    #expect(Minimizer.minimize(m.system, shortest, stillFails: fails).actions.count == shortest.actions.count)
  }
}
