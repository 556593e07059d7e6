import CheckerCore
import ExplorerOracles
import Explorers
import Testing

/// Whether every finding of `report` replays on `system` and shows what it
/// claims (PathReplay is the soundness check every engine's findings pass).
func unconfirmedFindings<S: TransitionSystem>(
  _ system: S, _ properties: [Property<S>], _ report: ExplorationReport<S.Action>
) -> [String] {
  report.findings.compactMap { f in
    let ok: Bool
    switch f.kind {
    case .deadlock:
      ok = PathReplay.confirmsDeadlock(system, f.path)
    case .violation, .witness:
      if let p = properties.first(where: { $0.name == f.property }) {
        ok = PathReplay.confirms(system, f.path, property: p, kind: f.kind)
      } else {
        ok = false
      }
    }
    return ok ? nil : "\(report.engine) \(f.kind.rawValue) \(f.property) (\(f.path.actions.count) steps)"
  }
}

/// Everything a report says except timings: two runs with the same inputs
/// must produce equal digests.
struct ReportDigest<Action: Hashable & Sendable>: Equatable {
  var engine: String
  var stop: StopReason
  var statesGenerated: Int
  var distinctStates: Int
  var transitions: Int
  var maxDepth: Int
  var actionFires: [Int]
  var findings: [String]
  var paths: [ActionPath<Action>]
  var walks: Int
  var seed: UInt64?

  init(_ r: ExplorationReport<Action>) {
    engine = r.engine
    stop = r.stop
    statesGenerated = r.statesGenerated
    distinctStates = r.distinctStates
    transitions = r.transitions
    maxDepth = r.maxDepth
    actionFires = r.actionFires
    findings = r.findings.map { "\($0.kind.rawValue)/\($0.property)" }
    paths = r.findings.map(\.path)
    walks = r.walks
    seed = r.seed
  }
}

/// BFS, DFS and the reference closure on one system, with what they must
/// agree on.
struct Agreement<S: TransitionSystem> {
  var bfs: ExplorationReport<S.Action>
  var dfs: ExplorationReport<S.Action>
  var reference: Reference<S>

  init(_ system: S, _ properties: [Property<S>]) {
    bfs = BFSExplorer(system: system, properties: properties).run()
    dfs = DFSExplorer(system: system, properties: properties).run()
    reference = Reference(system, properties)
  }

  /// Records an issue for every disagreement.
  func check(sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(bfs.stop == .exhaustive, sourceLocation: sourceLocation)
    #expect(dfs.stop == .exhaustive, sourceLocation: sourceLocation)
    #expect(bfs.engine == "bfs" && dfs.engine == "dfs", sourceLocation: sourceLocation)
    #expect(bfs.distinctStates == reference.states.count, sourceLocation: sourceLocation)
    #expect(dfs.distinctStates == reference.states.count, sourceLocation: sourceLocation)
    #expect(bfs.transitions == reference.transitions, sourceLocation: sourceLocation)
    #expect(dfs.transitions == reference.transitions, sourceLocation: sourceLocation)
    #expect(bfs.statesGenerated == dfs.statesGenerated, sourceLocation: sourceLocation)
    #expect(bfs.actionFires == dfs.actionFires, sourceLocation: sourceLocation)
    #expect(bfs.findingKeys == reference.findings, sourceLocation: sourceLocation)
    #expect(dfs.findingKeys == reference.findings, sourceLocation: sourceLocation)
    #expect(bfs.findings.count == bfs.findingKeys.count, "one finding per property", sourceLocation: sourceLocation)
    #expect(dfs.findings.count == dfs.findingKeys.count, "one finding per property", sourceLocation: sourceLocation)
    // DFS holds every path on its stack, so it is at least as deep as BFS's
    // longest shortest path.
    #expect(dfs.maxDepth >= bfs.maxDepth, sourceLocation: sourceLocation)
  }
}

/// The shortest length of every BFS finding according to iterative deepening.
func shortestLengthsAgree<S: TransitionSystem>(
  _ system: S, _ properties: [Property<S>], _ bfs: ExplorationReport<S.Action>, maxDepth: Int,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let id = IterativeDeepening(system: system, properties: properties, maxDepth: maxDepth)
  for f in bfs.findings {
    let oracle = id.shortestPath(to: f.property, kind: f.kind)
    #expect(
      oracle?.actions.count == f.path.actions.count,
      "\(f.kind.rawValue) \(f.property): BFS \(f.path.actions.count) steps, iterative deepening \(oracle.map { "\($0.actions.count)" } ?? "none")",
      sourceLocation: sourceLocation)
  }
}
