import CheckerCore
import Explorers

/// The whole reachable graph of a small system of any `TransitionSystem`
/// type, with its states kept: what the generic `LivenessChecker` reads
/// (hand-written toys, random graphs, tests). Guarded-command models record
/// the same compact graph during the packed BFS instead
/// (`PackedBFSExplorer.recordGraph`), without keeping states.
public struct StateGraph<S: TransitionSystem> {
  public let system: S
  public private(set) var states: [S.State] = []
  /// The graph the fair-cycle search reads (no predicate bits: the
  /// checker evaluates its goal's predicates over `states`).
  public private(set) var graph: LivenessGraph
  /// The action behind each action id (the first one seen with that id).
  public private(set) var actionOfID: [S.Action?]
  public var complete: Bool { graph.complete }

  /// Builds the graph; stops (incomplete) beyond `maxStates`.
  public init(system: S, maxStates: Int = 2_000_000) {
    self.system = system
    let ids = system.actionIDCount
    graph = LivenessGraph(
      actorOfAction: Array(repeating: 0, count: ids), progressOfAction: Array(repeating: false, count: ids),
      recordsEdgeBits: false)
    actionOfID = Array(repeating: nil, count: ids)
    var table = FingerprintTable()
    var acts: [S.Action] = []
    for (k, s) in system.initialStates().enumerated() where table.insert(system.fingerprint(of: s), id: Int32(states.count)) == nil {
      states.append(s)
      graph.addState(parent: -1, initial: Int32(k), bits: 0)
    }
    var i = 0
    while i < states.count {
      let s = states[i]
      acts.removeAll(keepingCapacity: true)
      system.enabledActions(in: s, into: &acts)
      graph.beginExpansion(of: Int32(i))
      var actors: UInt32 = 0
      for a in acts {
        let id = system.actionID(a)
        if actionOfID[id] == nil {
          actionOfID[id] = a
          graph.actorOfAction[id] = Int32(system.actor(of: a))
          graph.progressOfAction[id] = system.isProgress(a)
        }
        actors |= 1 << UInt32(system.actor(of: a))
        let t = system.successor(of: s, via: a)
        let target: Int32
        if let old = table.insert(system.fingerprint(of: t), id: Int32(states.count)) {
          target = old
        } else {
          if states.count >= maxStates {
            graph.complete = false
            continue
          }
          target = Int32(states.count)
          states.append(t)
          graph.addState(parent: Int32(i), bits: 0)
        }
        graph.addEdge(to: target, action: Int32(id))
      }
      graph.finishExpansion(of: Int32(i), enabledActors: actors)
      i += 1
    }
    graph.seal()
  }

  public func action(_ id: Int) -> S.Action { actionOfID[id]! }

  /// The BFS path from an initial state to `state`.
  public func path(to state: Int) -> ActionPath<S.Action> {
    let (initial, ids) = graph.stem(to: state)
    return ActionPath(initial: initial, actions: ids.map(action))
  }
}
