import CheckerCore
import ExplorerOracles
import Explorers
import Testing

/// Counterexamples whose stems are longer than the shortest one: found by
/// the random stem comparison, reduced to hand-written graphs. Every lasso
/// here is a genuine counterexample (it re-verifies); only its length is
/// off. `check` promises "the first (lowest-numbered) counterexample", and
/// StateGraph numbers states in BFS order "so the BFS parent links give
/// shortest stems".
@Suite struct StemTests {
  typealias Checker = LivenessChecker<RandomGraph>

  static func run(_ g: RandomGraph, _ goal: Checker.Goal, _ f: Checker.Fairness) -> Checker.Lasso? {
    let lasso = Checker(graph: StateGraph(system: g), defaultFairness: f).check(goal)
    if let lasso { #expect(lassoProblems(g, lasso, goal: goal, fairness: { _ in f }) == []) }
    return lasso
  }

  /// Strong fairness: the non-progress component {0, 1, 2} is unfair
  /// (actor 1 is enabled at 2, only for a progress step), so the checker
  /// decomposes {0, 1}; the stem must reach the nearest fair
  /// sub-component, {0}: the empty stem and loop [0→0].
  @Test func strongFairnessReachesTheNearestSubcomponent() throws {
    let g = RandomGraph(
      nodes: 3, initial: [0],
      edges: [(0, 0, 0, false), (0, 1, 0, false), (1, 1, 0, false), (1, 2, 0, false), (2, 0, 0, false), (2, 2, 1, true)])
    let lasso = try #require(Self.run(g, .nonProgress, .strong))
    #expect(lasso.stem.actions == [], "stem \(lasso.stem.actions), loop \(lasso.loop)")
    // Weak fairness keeps the whole component: the empty stem.
    #expect(Self.run(g, .nonProgress, .weak)?.stem.actions == [])
  }

  /// eventually: component {3} is two steps away only through a goal state
  /// (four round the detour inside the region), {6} two steps away inside
  /// the region: the stem is the two steps to {6}.
  ///
  /// 0 → 1 (goal) → 3 ⟲; 0 → 2 → 4 → 5 → 3; 0 → 7 → 6 ⟲.
  @Test func eventuallyStemIsShortestInsideTheRegion() throws {
    let g = RandomGraph(
      nodes: 8, initial: [0],
      edges: [
        (0, 1, 0, false), (0, 2, 0, false), (0, 7, 0, false), (1, 3, 0, false), (3, 3, 0, false),
        (2, 4, 0, false), (4, 5, 0, false), (5, 3, 0, false), (7, 6, 0, false), (6, 6, 0, false),
      ],
      q: [1])
    let lasso = try #require(Self.run(g, .eventually { g.q[$0] }, .weak))
    #expect(lasso.stem.actions.count == 2, "stem \(lasso.stem.actions.map { "\(g.from[$0])→\(g.to[$0])" })")
  }

  /// leadsTo: the stem is shortest over the whole path, prefix to the
  /// trigger included: trigger 0 (initial) is two steps from the loop at 2;
  /// trigger 5 is one step from it but three from the start.
  ///
  /// 0 → 1 → 2 ⟲; 0 → 3 → 4 → 5 → 2; P at 0 and 5, Q nowhere.
  @Test func leadsToStemCountsThePrefixToTheTrigger() throws {
    let g = RandomGraph(
      nodes: 6, initial: [0],
      edges: [(0, 1, 0, false), (1, 2, 0, false), (2, 2, 0, false), (0, 3, 0, false), (3, 4, 0, false), (4, 5, 0, false), (5, 2, 0, false)],
      p: [0, 5])
    let lasso = try #require(Self.run(g, .leadsTo({ g.p[$0] }, { g.q[$0] }), .none))
    #expect(lasso.stem.actions.count == 2, "stem \(lasso.stem.actions.map { "\(g.from[$0])→\(g.to[$0])" })")
  }
}
