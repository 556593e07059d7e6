import CheckerCore
import ExplorerOracles
import Explorers

/// A random directed multigraph as a transition system: states are node
/// numbers, actions are edge ids (each edge is one action, listed per node in
/// id order, so the order is stable), and every edge has a random actor and
/// a random progress flag. Two random node predicates (`p`, `q`) and a second
/// random progress flag per edge (`altProgress`, for `.nonProgressWhere`)
/// come with it. Everything is drawn from SplitMix64, so a seed pins a graph.
///
/// Nodes that no initial node reaches are generated too; the graph the
/// checker builds never sees them, the oracles must ignore them.
struct RandomGraph: TransitionSystem, CustomStringConvertible {
  typealias State = Int
  typealias Action = Int

  var seed: UInt64
  var nodes: Int
  var actors: Int
  var initial: [Int]
  /// Per edge.
  var from: [Int] = []
  var to: [Int] = []
  var actorOf: [Int] = []
  var progress: [Bool] = []
  var altProgress: [Bool] = []
  /// Per node: edge ids leaving it, in id order.
  var out: [[Int]]
  var p: [Bool] = []
  var q: [Bool] = []

  /// - Parameters:
  ///   - maxNodes: the graph has 1...maxNodes nodes.
  ///   - maxOut: every node has 0...maxOut edges (terminal nodes happen).
  init(seed: UInt64, maxNodes: Int, maxOut: Int = 3, actors: Int = 3) {
    var rng = SplitMix64.stream(seed: seed, index: 0x11AE)
    self.seed = seed
    self.actors = actors
    nodes = 1 + rng.below(maxNodes)
    out = Array(repeating: [], count: nodes)
    for v in 0..<nodes {
      // Fewer terminal nodes than a uniform count would give: they make
      // most goals trivially violated.
      let k = rng.below(5) == 0 ? 0 : 1 + rng.below(maxOut)
      for _ in 0..<k {
        out[v].append(from.count)
        from.append(v)
        to.append(rng.below(nodes))
        actorOf.append(rng.below(actors))
        progress.append(rng.below(3) == 0)
        altProgress.append(rng.below(3) == 0)
      }
    }
    var starts: [Int] = []
    for _ in 0...rng.below(2) { starts.append(rng.below(nodes)) }
    initial = starts
    for _ in 0..<nodes {
      p.append(rng.below(3) == 0)
      q.append(rng.below(3) == 0)
    }
  }

  /// A hand-written graph: edges as (from, to, actor, progress); `p` and
  /// `q` default to false everywhere, `altProgress` copies `progress`.
  init(nodes: Int, initial: [Int], edges: [(Int, Int, Int, Bool)], p: [Int] = [], q: [Int] = []) {
    seed = 0
    self.nodes = nodes
    self.initial = initial
    actors = (edges.map(\.2).max() ?? 0) + 1
    out = Array(repeating: [], count: nodes)
    for (f, t, a, prog) in edges {
      out[f].append(from.count)
      from.append(f)
      to.append(t)
      actorOf.append(a)
      progress.append(prog)
      altProgress.append(prog)
    }
    self.p = (0..<nodes).map { p.contains($0) }
    self.q = (0..<nodes).map { q.contains($0) }
  }

  func initialStates() -> [Int] { initial }
  func enabledActions(in s: Int, into actions: inout [Int]) { actions += out[s] }
  func successor(of s: Int, via a: Int) -> Int {
    precondition(from[a] == s)
    return to[a]
  }
  func fingerprint(of s: Int) -> UInt64 { Fingerprint.of([UInt8(s)]) }
  func isFinal(_ s: Int) -> Bool { false }
  func isProgress(_ a: Int) -> Bool { progress[a] }
  func actionID(_ a: Int) -> Int { a }
  var actionIDCount: Int { from.count }
  func actor(of a: Int) -> Int { actorOf[a] }

  var description: String {
    let es = from.indices.map { e in
      "\(from[e])->\(to[e]) a\(actorOf[e])\(progress[e] ? " P" : "")\(altProgress[e] ? " alt" : "")"
    }
    return "seed \(seed): \(nodes) nodes, init \(initial), p \(p), q \(q), edges [\(es.joined(separator: ", "))]"
  }
}

/// Oracles over a `RandomGraph` that share no code with StateGraph or
/// LivenessChecker: plain arrays, Kahn's algorithm, transitive closure by
/// Warshall's algorithm, and enumeration of every subset of states.
enum Oracle {
  typealias Fairness = LivenessChecker<RandomGraph>.Fairness

  /// Nodes reachable from an initial node.
  static func reachable(_ g: RandomGraph) -> [Bool] {
    closure(g, from: g.initial, through: { _ in true })
  }

  /// Nodes reachable from `sources` (those satisfying `through`) by edges
  /// whose target satisfies `through`.
  static func closure(_ g: RandomGraph, from sources: [Int], through: (Int) -> Bool) -> [Bool] {
    var seen = [Bool](repeating: false, count: g.nodes)
    var work = sources.filter(through)
    for s in work { seen[s] = true }
    while let v = work.popLast() {
      for e in g.out[v] where !seen[g.to[e]] && through(g.to[e]) {
        seen[g.to[e]] = true
        work.append(g.to[e])
      }
    }
    return seen
  }

  /// Oracle 1: whether the subgraph of `nodes` with the edges `keep`
  /// accepts has a cycle, by Kahn's algorithm: repeatedly remove nodes of
  /// in-degree 0; a cycle exists iff nodes remain.
  static func kahnLeavesNodes(_ g: RandomGraph, nodes: [Bool], keep: (Int) -> Bool) -> Bool {
    var indegree = [Int](repeating: 0, count: g.nodes)
    let edges = g.from.indices.filter { nodes[g.from[$0]] && nodes[g.to[$0]] && keep($0) }
    for e in edges { indegree[g.to[e]] += 1 }
    var queue = (0..<g.nodes).filter { nodes[$0] && indegree[$0] == 0 }
    var removed = 0
    while let v = queue.popLast() {
      removed += 1
      for e in edges where g.from[e] == v {
        indegree[g.to[e]] -= 1
        if indegree[g.to[e]] == 0 { queue.append(g.to[e]) }
      }
    }
    return removed < nodes.filter { $0 }.count
  }

  /// Oracle 2: every subset of `nodes` (at most ~10 of them) that is
  /// strongly connected by `keep` edges with at least one such edge, and on
  /// which a run visiting exactly these states and taking every such edge
  /// infinitely often is fair. A fair lasso's loop visits some set of states
  /// and takes some set of edges; taking all edges inside the set only helps
  /// fairness (more actors taken, same states), so a fair loop exists iff
  /// this list is non-empty. Returned as bit masks over node numbers.
  static func fairSets(
    _ g: RandomGraph, nodes: [Bool], keep: (Int) -> Bool, fairness: (Int) -> Fairness
  ) -> [UInt32] {
    let members = (0..<g.nodes).filter { nodes[$0] }
    precondition(members.count <= 10, "brute force is for tiny graphs")
    let enabled: [Set<Int>] = (0..<g.nodes).map { v in Set(g.out[v].map { g.actorOf[$0] }) }
    var result: [UInt32] = []
    for bits in 1..<(1 << members.count) {
      var mask: UInt32 = 0
      for (i, v) in members.enumerated() where bits & (1 << i) != 0 { mask |= 1 << UInt32(v) }
      let inSet = { (v: Int) in mask & (1 << UInt32(v)) != 0 }
      let set = members.filter(inSet)
      let inside = g.from.indices.filter { inSet(g.from[$0]) && inSet(g.to[$0]) && keep($0) }
      // Transitive (not reflexive) closure over the set, Warshall-style.
      var r = [[Bool]](repeating: [Bool](repeating: false, count: g.nodes), count: g.nodes)
      for e in inside { r[g.from[e]][g.to[e]] = true }
      for k in set { for i in set where r[i][k] { for j in set where r[k][j] { r[i][j] = true } } }
      guard set.allSatisfy({ u in set.allSatisfy { v in r[u][v] } }) else { continue }
      let taken = Set(inside.map { g.actorOf[$0] })
      var fair = true
      for a in 0..<g.actors where !taken.contains(a) {
        switch fairness(a) {
        case .none: break
        case .weak: if set.allSatisfy({ enabled[$0].contains(a) }) { fair = false }
        case .strong: if set.contains(where: { enabled[$0].contains(a) }) { fair = false }
        }
      }
      if fair { result.append(mask) }
    }
    return result
  }

  /// BFS distances (in edges) from `sources` through nodes satisfying
  /// `through`; nil where unreachable.
  static func distances(_ g: RandomGraph, from sources: [Int], through: (Int) -> Bool) -> [Int?] {
    var d = [Int?](repeating: nil, count: g.nodes)
    var queue: [Int] = []
    for s in sources where through(s) && d[s] == nil {
      d[s] = 0
      queue.append(s)
    }
    var i = 0
    while i < queue.count {
      let v = queue[i]
      i += 1
      for e in g.out[v] where d[g.to[e]] == nil && through(g.to[e]) {
        d[g.to[e]] = d[v]! + 1
        queue.append(g.to[e])
      }
    }
    return d
  }
}
