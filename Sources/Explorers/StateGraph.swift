import CheckerCore

/// The whole reachable graph of a (small) system, kept explicitly: what the
/// liveness checks decompose into strongly connected components.
///
/// States are numbered in BFS order, so the BFS parent links give shortest
/// stems; edges keep their action and actor, and every state knows which
/// actors are enabled in it (fairness is judged against the full system,
/// whatever subgraph a check looks at).
public struct StateGraph<S: TransitionSystem> {
  public struct Edge: Sendable {
    public var to: Int32
    public var action: S.Action
    public var actor: Int32
    public var progress: Bool
  }

  public let system: S
  public private(set) var states: [S.State] = []
  public private(set) var edges: [[Edge]] = []
  /// BFS tree: parent state and the action from it (-1 for initial states).
  public private(set) var parent: [Int32] = []
  public private(set) var parentAction: [S.Action?] = []
  public private(set) var initialIndex: [Int] = []
  /// Actors with at least one enabled action, per state (sorted).
  public private(set) var enabledActors: [[Int32]] = []
  public private(set) var complete = true

  /// Builds the graph; stops (incomplete) beyond `maxStates`.
  public init(system: S, maxStates: Int = 2_000_000) {
    self.system = system
    var table = FingerprintTable()
    var acts: [S.Action] = []
    for (k, s) in system.initialStates().enumerated() {
      if table.insert(system.fingerprint(of: s), id: Int32(states.count)) == nil {
        states.append(s)
        parent.append(-1)
        parentAction.append(nil)
        initialIndex.append(k)
      }
    }
    var i = 0
    while i < states.count {
      let s = states[i]
      acts.removeAll(keepingCapacity: true)
      system.enabledActions(in: s, into: &acts)
      var out: [Edge] = []
      var actors: [Int32] = []
      for a in acts {
        let t = system.successor(of: s, via: a)
        let newID = Int32(states.count)
        let id: Int32
        if let old = table.insert(system.fingerprint(of: t), id: newID) {
          id = old
        } else {
          if states.count >= maxStates {
            complete = false
            continue
          }
          states.append(t)
          parent.append(Int32(i))
          parentAction.append(a)
          initialIndex.append(initialIndex[i])
          id = newID
        }
        let actor = Int32(system.actor(of: a))
        if !actors.contains(actor) { actors.append(actor) }
        out.append(Edge(to: id, action: a, actor: actor, progress: system.isProgress(a)))
      }
      edges.append(out)
      enabledActors.append(actors.sorted())
      i += 1
    }
  }

  /// The BFS path from an initial state to `state`.
  public func path(to state: Int) -> ActionPath<S.Action> {
    var actions: [S.Action] = []
    var cur = state
    while parent[cur] >= 0 {
      actions.append(parentAction[cur]!)
      cur = Int(parent[cur])
    }
    return ActionPath(initial: initialIndex[state], actions: actions.reversed())
  }

  /// Strongly connected components of the subgraph of `nodes` (a membership
  /// mask) using only edges accepted by `keep`, by Tarjan's algorithm
  /// (iterative, so deep graphs do not overflow the stack). Only components
  /// with at least one internal edge are returned.
  public func cycles(in nodes: [Bool], keep: (Int, Edge) -> Bool) -> [[Int]] {
    let n = states.count
    var index = [Int32](repeating: -1, count: n)
    var low = [Int32](repeating: 0, count: n)
    var onStack = [Bool](repeating: false, count: n)
    var stack: [Int] = []
    var counter: Int32 = 0
    var result: [[Int]] = []
    var work: [(node: Int, edge: Int)] = []
    for root in 0..<n where nodes[root] && index[root] < 0 {
      work.append((root, 0))
      index[root] = counter; low[root] = counter; counter += 1
      stack.append(root); onStack[root] = true
      while let (v, e) = work.last {
        let es = edges[v]
        if e < es.count {
          work[work.count - 1].edge += 1
          let w = Int(es[e].to)
          guard nodes[w], keep(v, es[e]) else { continue }
          if index[w] < 0 {
            index[w] = counter; low[w] = counter; counter += 1
            stack.append(w); onStack[w] = true
            work.append((w, 0))
          } else if onStack[w] {
            low[v] = min(low[v], index[w])
          }
        } else {
          work.removeLast()
          if let (u, _) = work.last { low[u] = min(low[u], low[v]) }
          if low[v] == index[v] {
            var comp: [Int] = []
            while true {
              let w = stack.removeLast()
              onStack[w] = false
              comp.append(w)
              if w == v { break }
            }
            let members = Set(comp)
            let hasEdge = comp.contains { x in edges[x].contains { members.contains(Int($0.to)) && keep(x, $0) } }
            if hasEdge { result.append(comp.sorted()) }
          }
        }
      }
    }
    return result
  }
}
