import CheckerCore
import ExplorerOracles
import Explorers
import Testing

/// What a toy run must produce: golden numbers worked out by hand (see the
/// toy's doc comment) and the shortest length of each finding.
struct ToyCase: Sendable, CustomTestStringConvertible {
  var name: String
  var states: Int
  var transitions: Int
  /// "kind/property" → shortest path length.
  var shortest: [String: Int]
  var run: @Sendable () -> ToyOutcome
  var testDescription: String { name }
}

/// The engines' results on one toy, reduced to what the golden case pins.
struct ToyOutcome: Sendable {
  var bfsStates, dfsStates, referenceStates, randomStates: Int
  var bfsTransitions, dfsTransitions, referenceTransitions: Int
  var bfsFindings, dfsFindings, referenceFindings, randomFindings: Set<String>
  var bfsShortest: [String: Int]
  var oracleShortest: [String: Int]
  var unconfirmed: [String]
  var stops: [StopReason]

  init<S: TransitionSystem>(_ system: S, _ properties: [Property<S>]) {
    let a = Agreement(system, properties)
    let random = RandomExplorer(system: system, properties: properties, walks: 200, maxSteps: 40, seed: 7).run()
    bfsStates = a.bfs.distinctStates
    dfsStates = a.dfs.distinctStates
    referenceStates = a.reference.states.count
    randomStates = random.distinctStates
    bfsTransitions = a.bfs.transitions
    dfsTransitions = a.dfs.transitions
    referenceTransitions = a.reference.transitions
    bfsFindings = a.bfs.findingKeys
    dfsFindings = a.dfs.findingKeys
    referenceFindings = a.reference.findings
    randomFindings = random.findingKeys
    bfsShortest = Dictionary(uniqueKeysWithValues: a.bfs.findings.map { ("\($0.kind.rawValue)/\($0.property)", $0.path.actions.count) })
    let id = IterativeDeepening(system: system, properties: properties, maxDepth: 30)
    var oracle: [String: Int] = [:]
    var oracleReport = ExplorationReport<S.Action>(engine: "iterative-deepening", stop: .exhaustive)
    for f in a.bfs.findings {
      let key = "\(f.kind.rawValue)/\(f.property)"
      if let p = id.shortestPath(to: f.property, kind: f.kind) {
        oracle[key] = p.actions.count
        // The oracle's own paths must replay too.
        oracleReport.findings.append(Finding(kind: f.kind, property: f.property, path: p))
      }
    }
    oracleShortest = oracle
    unconfirmed =
      unconfirmedFindings(system, properties, a.bfs) + unconfirmedFindings(system, properties, a.dfs)
      + unconfirmedFindings(system, properties, random) + unconfirmedFindings(system, properties, oracleReport)
    stops = [a.bfs.stop, a.dfs.stop]
  }
}

@Suite struct ToyTests {
  static let cases: [ToyCase] = [
    ToyCase(
      name: "check-then-set mutex", states: 9, transitions: 14,
      shortest: ["violation/mutex": 4, "witness/p0_critical": 2],
      run: { ToyOutcome(CheckThenSetMutex(), [CheckThenSetMutex.mutex, CheckThenSetMutex.p0Critical]) }),
    ToyCase(
      name: "check-then-set mutex, no properties", states: 9, transitions: 16, shortest: [:],
      run: { ToyOutcome(CheckThenSetMutex(), []) }),
    ToyCase(
      name: "Peterson", states: 20, transitions: 34, shortest: ["witness/both_waiting": 4],
      run: { ToyOutcome(Peterson(), [Peterson.mutex, Peterson.bothWaiting]) }),
    ToyCase(
      name: "dining philosophers", states: 6, transitions: 8,
      shortest: ["deadlock/deadlock": 2, "witness/someone_eats": 2],
      run: { ToyOutcome(Philosophers(), [Philosophers.someoneEats]) }),
    ToyCase(
      name: "grid 5x5", states: 25, transitions: 40,
      shortest: ["witness/corner": 8, "witness/steps_onto_diagonal": 2],
      run: { ToyOutcome(Grid(n: 5), [Grid.reachesCorner, Grid.stepsDiagonal]) }),
    ToyCase(
      name: "grid 5x5, always-step property prunes the left edge", states: 21, transitions: 33,
      shortest: ["violation/no_up_at_left_edge": 1, "witness/corner": 8],
      run: { ToyOutcome(Grid(n: 5), [Grid.noUpAtLeftEdge, Grid.reachesCorner]) }),
    // States with x + y <= 5: 1+2+3+4+5+4; expanded: the 15 with x + y <= 4,
    // two moves each except (4,0) and (0,4).
    ToyCase(
      name: "grid 5x5, violating states not expanded", states: 19, transitions: 28,
      shortest: ["violation/sum_below_5": 5],
      run: { ToyOutcome(Grid(n: 5), [Grid.below(5)]) }),
    // Three starts, one a duplicate: x + y <= 7 gives 1+2+3+4+5+4+3+2 = 24
    // states; the 22 with x + y <= 6 are expanded, 44 moves minus 3 at x = 4
    // and 3 at y = 4. The violation is one step from the third start.
    ToyCase(
      name: "grid 5x5, several initial states", states: 24, transitions: 38,
      shortest: ["violation/sum_below_7": 1],
      run: { ToyOutcome(Grid(n: 5, starts: [(0, 0), (0, 0), (3, 3)]), [Grid.below(7)]) }),
  ]

  @Test(arguments: cases)
  func goldenCounts(_ c: ToyCase) {
    let o = c.run()
    #expect(o.stops == [.exhaustive, .exhaustive])
    #expect(o.referenceStates == c.states, "the hand count and the reference closure")
    #expect(o.bfsStates == c.states)
    #expect(o.dfsStates == c.states)
    #expect(o.referenceTransitions == c.transitions)
    #expect(o.bfsTransitions == c.transitions)
    #expect(o.dfsTransitions == c.transitions)
    #expect(o.bfsFindings == Set(c.shortest.keys))
    #expect(o.dfsFindings == Set(c.shortest.keys))
    #expect(o.referenceFindings == Set(c.shortest.keys))
    #expect(o.bfsShortest == c.shortest, "BFS reports shortest paths")
    #expect(o.oracleShortest == c.shortest, "iterative deepening agrees")
    #expect(o.randomStates <= c.states, "random walks only reach reachable states")
    #expect(o.randomStates > 0)
    #expect(o.randomFindings.isSubset(of: o.bfsFindings), "random walks find nothing BFS does not")
    #expect(o.unconfirmed == [], "every finding replays")
  }

  @Test func randomWalksCoverTheSmallToys() {
    // 200 walks of 40 steps cover these tiny spaces completely (pinned with
    // the fixed seed) and find the mutual-exclusion bug and the deadlock.
    let mutex = RandomExplorer(
      system: CheckThenSetMutex(), properties: [CheckThenSetMutex.mutex], walks: 200, maxSteps: 40, seed: 7
    ).run()
    #expect(mutex.distinctStates == 9)
    #expect(mutex.finding("mutex", .violation) != nil)
    #expect(mutex.stop == .walksDone && mutex.walks == 200)
    let phil = RandomExplorer(system: Philosophers(), properties: [], walks: 200, maxSteps: 40, seed: 7).run()
    #expect(phil.distinctStates == 6)
    #expect(phil.finding("deadlock", .deadlock) != nil)
    let peterson = RandomExplorer(
      system: Peterson(), properties: [Peterson.mutex], walks: 200, maxSteps: 40, seed: 7, scheduler: .pct(depth: 3)
    ).run()
    #expect(peterson.distinctStates <= 20)
    #expect(peterson.violations.isEmpty)
  }

  @Test func dfsPathsComeFromTheStack() {
    // DFS takes the first enabled action first: right to the edge, then up.
    // Its findings are the stack at the time (not shortest), BFS's are shortest.
    let props = [Grid.stepsDiagonal, Grid.reachesCorner]
    let dfs = DFSExplorer(system: Grid(n: 5), properties: props).run()
    let bfs = BFSExplorer(system: Grid(n: 5), properties: props).run()
    #expect(dfs.finding("steps_onto_diagonal", .witness)?.path.actions == [0, 0, 0, 0, 1, 1, 1, 1])
    #expect(dfs.finding("corner", .witness)?.path.actions == [0, 0, 0, 0, 1, 1, 1, 1])
    #expect(dfs.findings.map(\.property) == ["steps_onto_diagonal", "corner"], "step properties are checked before the new state's")
    #expect(bfs.finding("steps_onto_diagonal", .witness)?.path.actions == [0, 1])
    #expect(dfs.maxDepth == 8 && bfs.maxDepth == 8)
    // The mutex bug: DFS runs process 0 round its loop first.
    let m = DFSExplorer(system: CheckThenSetMutex(), properties: [CheckThenSetMutex.mutex]).run()
    let path = m.finding("mutex", .violation)!.path
    #expect(PathReplay.confirms(CheckThenSetMutex(), path, property: CheckThenSetMutex.mutex, kind: .violation))
    #expect(path.actions.count >= 4)
  }

  @Test func dfsIsDeterministic() {
    let props = [Peterson.mutex, Peterson.bothWaiting]
    let a = DFSExplorer(system: Peterson(), properties: props).run()
    let b = DFSExplorer(system: Peterson(), properties: props).run()
    #expect(ReportDigest(a) == ReportDigest(b))
  }

  @Test func iterativeDeepeningReportsNothingUnreachable() {
    let id = IterativeDeepening(system: Peterson(), properties: [Peterson.mutex, Peterson.bothWaiting], maxDepth: 25)
    #expect(id.shortestLength(to: "mutex") == nil, "Peterson is correct")
    #expect(id.shortestLength(to: "both_waiting", kind: .witness) == 4)
    #expect(id.shortestLength(to: "deadlock", kind: .deadlock) == nil)
    // A bound below the shortest length finds nothing.
    let short = IterativeDeepening(system: Grid(n: 5), properties: [Grid.reachesCorner], maxDepth: 7)
    #expect(short.shortestLength(to: "corner", kind: .witness) == nil)
    let exact = IterativeDeepening(system: Grid(n: 5), properties: [Grid.reachesCorner], maxDepth: 8)
    #expect(exact.shortestPath(to: "corner", kind: .witness)?.actions.count == 8)
  }

  @Test func iterativeDeepeningKeepsBFSBlockingSemantics() {
    // A state violating another `always` property is not expanded, so the
    // corner lies behind the sum_below_5 wall for both engines.
    let props = [Grid.below(5), Grid.reachesCorner]
    let bfs = BFSExplorer(system: Grid(n: 5), properties: props).run()
    #expect(bfs.finding("corner", .witness) == nil)
    let id = IterativeDeepening(system: Grid(n: 5), properties: props, maxDepth: 12)
    #expect(id.shortestLength(to: "corner", kind: .witness) == nil)
    #expect(id.shortestPath(to: "sum_below_5")?.actions.count == 5)
  }
}
