import CheckerCore
import ExplorerOracles
import Explorers
import Testing

/// Which goal a random comparison checks, over a RandomGraph's flags.
enum RandomGoal: String, Sendable, CaseIterable, CustomTestStringConvertible {
  /// `.nonProgress`: the edges' own progress flags.
  case nonProgress
  /// `.nonProgressWhere`: the edges' `altProgress` flags, through the predicate.
  case nonProgressWhere
  /// `.eventually(q)`.
  case eventually
  /// `.leadsTo(p, q)`.
  case leadsTo

  var testDescription: String { rawValue }

  func goal(_ g: RandomGraph) -> LivenessChecker<RandomGraph>.Goal {
    switch self {
    case .nonProgress: return .nonProgress
    case .nonProgressWhere: return .nonProgressWhere { _, a, _ in g.altProgress[a] }
    case .eventually: return .eventually { g.q[$0] }
    case .leadsTo: return .leadsTo({ g.p[$0] }, { g.q[$0] })
    }
  }

  /// The edges a bad loop may use.
  func keep(_ g: RandomGraph) -> (Int) -> Bool {
    switch self {
    case .nonProgress: return { !g.progress[$0] }
    case .nonProgressWhere: return { !g.altProgress[$0] }
    case .eventually, .leadsTo: return { _ in true }
    }
  }

  /// Where the bad suffix may start, and the states it may stay in.
  func region(_ g: RandomGraph) -> (sources: [Int], region: [Bool]) {
    let reach = Oracle.reachable(g)
    switch self {
    case .nonProgress, .nonProgressWhere:
      return (g.initial, reach)
    case .eventually:
      let sources = g.initial.filter { !g.q[$0] }
      return (sources, Oracle.closure(g, from: sources) { !g.q[$0] })
    case .leadsTo:
      let sources = (0..<g.nodes).filter { reach[$0] && g.p[$0] && !g.q[$0] }
      return (sources, Oracle.closure(g, from: sources) { !g.q[$0] })
    }
  }

  /// Whether a run that stops (nothing enabled) is a counterexample.
  var finiteRunsCount: Bool { self == .eventually || self == .leadsTo }
}

/// The fairness assignment of a random comparison.
enum FairnessMode: String, Sendable, CaseIterable, CustomTestStringConvertible {
  case none, weak, strong
  /// Each actor's fairness drawn from the seed (none, weak or strong).
  case mixed
  var testDescription: String { rawValue }

  func assignment(seed: UInt64, actors: Int) -> [LivenessChecker<RandomGraph>.Fairness] {
    switch self {
    case .none: return Array(repeating: .none, count: actors)
    case .weak: return Array(repeating: .weak, count: actors)
    case .strong: return Array(repeating: .strong, count: actors)
    case .mixed:
      var rng = SplitMix64.stream(seed: seed, index: 0xFA1)
      return (0..<actors).map { _ in LivenessChecker<RandomGraph>.Fairness.allCases[rng.below(3)] }
    }
  }
}

/// The checker's answer on one random graph next to the brute-force oracle's.
struct RandomComparison {
  var graph: RandomGraph
  var lasso: LivenessChecker<RandomGraph>.Lasso?
  var oracleViolated: Bool
  /// The shortest stem to a state on a fair bad loop (nil: no fair bad loop).
  var oracleShortestStemToLoop: Int?
  var problems: [String]

  init(seed: UInt64, maxNodes: Int, goal kind: RandomGoal, fairness mode: FairnessMode) {
    let g = RandomGraph(seed: seed, maxNodes: maxNodes)
    graph = g
    let fairness = mode.assignment(seed: seed, actors: g.actors)
    let checker = LivenessChecker(graph: StateGraph(system: g), fairness: fairness, defaultFairness: .weak)
    let goal = kind.goal(g)
    lasso = checker.check(goal)

    let (sources, region) = kind.region(g)
    let fairSets = Oracle.fairSets(g, nodes: region, keep: kind.keep(g), fairness: { fairness[$0] })
    let terminal = (0..<g.nodes).contains { region[$0] && g.out[$0].isEmpty }
    oracleViolated = !fairSets.isEmpty || (kind.finiteRunsCount && terminal)
    let onFairLoop = fairSets.reduce(UInt32(0), |)
    // For non-progress goals the stem may go anywhere; otherwise it starts
    // at a source and stays in the region (a leadsTo stem first reaches its
    // trigger by any path: only its part after the trigger is constrained).
    let dist: [Int?]
    switch kind {
    case .nonProgress, .nonProgressWhere: dist = Oracle.distances(g, from: g.initial) { _ in true }
    case .eventually: dist = Oracle.distances(g, from: sources) { region[$0] }
    case .leadsTo:
      // Any path to a trigger, then a path inside the region: BFS over
      // (node, trigger passed) pairs.
      let d0 = Oracle.distances(g, from: g.initial) { _ in true }
      var best = [Int?](repeating: nil, count: g.nodes)
      for t in sources {
        let d1 = Oracle.distances(g, from: [t]) { region[$0] }
        for v in 0..<g.nodes {
          if let a = d0[t], let b = d1[v], best[v].map({ a + b < $0 }) ?? true { best[v] = a + b }
        }
      }
      dist = best
    }
    oracleShortestStemToLoop = dist.indices.filter { onFairLoop & (1 << UInt32($0)) != 0 }.compactMap { dist[$0] }.min()

    problems = lasso.map { lassoProblems(g, $0, goal: goal, fairness: { fairness[$0] }) } ?? []
  }
}

@Suite struct RandomOracleTests {
  static let seeds: [UInt64] = Array(1...300)

  /// Oracle 1: with no fairness, a non-progress lasso exists iff Kahn's
  /// algorithm leaves nodes in the reachable non-progress subgraph.
  @Test(arguments: [RandomGoal.nonProgress, .nonProgressWhere])
  func noFairnessAgreesWithKahn(_ kind: RandomGoal) {
    var violated = 0
    for seed in Self.seeds {
      let g = RandomGraph(seed: seed, maxNodes: 12)
      let checker = LivenessChecker(graph: StateGraph(system: g), defaultFairness: .none)
      let goal = kind.goal(g)
      let lasso = checker.check(goal)
      let cycle = Oracle.kahnLeavesNodes(g, nodes: Oracle.reachable(g), keep: kind.keep(g))
      #expect((lasso != nil) == cycle, "\(g)")
      if let lasso {
        violated += 1
        #expect(lassoProblems(g, lasso, goal: goal, fairness: { _ in .none }) == [], "\(g)")
      }
    }
    // Both answers are common, or the comparison says little.
    #expect(violated > 50 && violated < 250, "\(violated) of \(Self.seeds.count) graphs have a non-progress cycle")
  }

  /// Oracle 2: subset enumeration decides whether a fair bad loop (or, for
  /// eventually / leadsTo, a dead end) exists; the checker must agree, and
  /// every lasso it returns must re-verify.
  @Test(arguments: RandomGoal.allCases, FairnessMode.allCases)
  func agreesWithBruteForce(_ kind: RandomGoal, _ mode: FairnessMode) {
    var violated = 0
    for seed in Self.seeds {
      let c = RandomComparison(seed: seed, maxNodes: 7, goal: kind, fairness: mode)
      #expect((c.lasso != nil) == c.oracleViolated, "\(c.graph)")
      #expect(c.problems == [], "\(c.graph)")
      if c.lasso != nil { violated += 1 }
    }
    #expect(violated > 20 && violated < 280, "\(violated) of \(Self.seeds.count) graphs violate")
  }

  /// Stems are as short as any path to a state on a fair bad loop (for
  /// leadsTo: any path to a trigger, then a path where Q fails). Never
  /// shorter (that would be an oracle bug); for non-progress goals, equal.
  /// The stem reaches the nearest fair loop, for every goal and fairness.
  @Test(arguments: RandomGoal.allCases, FairnessMode.allCases)
  func stemsAreShortest(_ kind: RandomGoal, _ mode: FairnessMode) {
    for seed in Self.seeds {
      let c = RandomComparison(seed: seed, maxNodes: 7, goal: kind, fairness: mode)
      guard let lasso = c.lasso, !lasso.isFinite, let shortest = c.oracleShortestStemToLoop else { continue }
      let stem = lasso.stem.actions.count
      #expect(stem >= shortest, "\(c.graph)")
      #expect(stem == shortest, "\(kind) \(mode): \(c.graph)")
    }
  }
}
