/// Fair-lasso search over a `LivenessGraph`: strongly connected components
/// (Tarjan, iterative), the fair ones kept, and a lasso with a shortest stem
/// and a loop that serves every fair actor.
///
/// A counterexample is a *fair lasso*: a stem from an initial state and a
/// loop back to the loop's first state, in which the property's "bad"
/// suffix never ends; or a finite run that ends (nothing enabled) without
/// the goal. Fairness is per actor (thread): weak (an actor enabled in every
/// state of the loop must take a step in it) or strong (an actor enabled
/// somewhere in the loop must take a step in it, checked by the
/// Streett-style recursive decomposition: remove the states where an
/// unserved actor is enabled and decompose again).
///
/// Only expanded states have edges: runs through a cut (a state violating
/// an `always` property, reported as that violation) are not followed, and
/// a cut is no run's end.
public struct FairCycleSearch {
  public enum Fairness: String, Sendable, Codable, CaseIterable {
    case none, weak, strong
  }

  /// What must hold on every fair run; bits index the graph's predicates.
  public enum Goal: Sendable {
    /// No fair cycle of non-progress steps (SPIN's `-l`); progress as the
    /// system marks each action.
    case nonProgress
    /// The same with progress given by an edge predicate bit.
    case nonProgressWhere(edgeBit: Int)
    /// Every fair run reaches a state where the bit holds.
    case eventually(Int)
    /// Every state where `trigger` holds is followed (now or later) by one
    /// where `response` holds.
    case leadsTo(trigger: Int, response: Int)
  }

  public struct Lasso: Sendable, Equatable {
    public var initial: Int
    /// Action ids from the initial state to the loop's first state.
    public var stem: [Int]
    /// Action ids from the loop's first state back to it; empty for a
    /// finite run that ends without the goal.
    public var loop: [Int]
    public var isFinite: Bool { loop.isEmpty }
    /// The whole run: the stem, then one turn of the loop.
    public var actions: [Int] { stem + loop }
    /// Index of the loop's first state among the run's states.
    public var loopStart: Int { stem.count }
  }

  public let graph: LivenessGraph
  public var fairness: [Fairness]
  public var defaultFairness: Fairness

  public init(graph: LivenessGraph, fairness: [Fairness] = [], defaultFairness: Fairness = .weak) {
    self.graph = graph
    self.fairness = fairness
    self.defaultFairness = defaultFairness
  }

  func fairnessOf(_ actor: Int) -> Fairness { actor < fairness.count ? fairness[actor] : defaultFairness }

  /// The first counterexample, or nil when the goal holds on every fair run.
  public func check(_ goal: Goal) -> Lasso? {
    let g = graph
    let n = g.stateCount
    let scratch = Scratch(n)
    var region = [Bool](repeating: false, count: n)
    var sources: [Int] = []
    var keep: (Int) -> Bool = { _ in true }
    var allowTerminal = true
    switch goal {
    case .nonProgress:
      region = [Bool](repeating: true, count: n)
      keep = { e in !g.progressOfAction[Int(g.edgeAction[e])] }
      allowTerminal = false
    case .nonProgressWhere(let bit):
      region = [Bool](repeating: true, count: n)
      keep = { e in g.edgeBits[e] & (1 << UInt8(bit)) == 0 }
      allowTerminal = false
    case .eventually(let p):
      for s in 0..<n where g.parent[s] < 0 && !g.holds(p, at: s) { sources.append(s) }
      region = reach(from: sources) { !g.holds(p, at: $0) }
    case .leadsTo(let p, let q):
      sources = (0..<n).filter { g.holds(p, at: $0) && !g.holds(q, at: $0) }
      region = reach(from: sources) { !g.holds(q, at: $0) }
    }

    // Where a bad suffix can live: every fair component (under strong
    // fairness, every fair sub-component), and for eventually / leads_to
    // every state of the region where a run ends with nothing enabled.
    var components: [[Int]] = []
    for comp in cycles(region.indices.filter { region[$0] }, keep: keep, scratch) {
      components += fairParts(comp, keep: keep, scratch)
    }
    var owner = [Int32](repeating: -1, count: n)
    for (k, c) in components.enumerated() { for s in c { owner[s] = Int32(k) } }
    var isTarget = owner.map { $0 >= 0 }
    if allowTerminal { for s in 0..<n where region[s] && g.isTerminal(s) { isTarget[s] = true } }
    guard let firstTarget = isTarget.firstIndex(of: true) else { return nil }

    // The shortest stem to any target.
    var initial: Int
    var stem: [Int]
    let entry: Int
    switch goal {
    case .nonProgress, .nonProgressWhere:
      // State ids are BFS order: the lowest target is a shallowest one.
      entry = firstTarget
      (initial, stem) = g.stem(to: entry)
    case .eventually:
      guard let r = bfs(from: sources, allowed: { region[$0] }, edge: { _ in true }, target: { isTarget[$0] }, scratch)
      else { return nil }
      entry = r.end
      (initial, stem) = (g.stem(to: r.start).initial, r.actions)
    case .leadsTo(let p, let q):
      guard let r = triggeredBFS(p: p, q: q, region: region, isTarget: isTarget) else { return nil }
      entry = r.end
      (initial, stem) = (r.initial, r.actions)
    }
    if owner[entry] < 0 { return Lasso(initial: initial, stem: stem, loop: []) }
    let members = components[Int(owner[entry])]
    return Lasso(initial: initial, stem: stem, loop: fairLoop(through: entry, in: members, keep: keep, scratch))
  }

  /// Shortest path from an initial state through a trigger (P and not Q)
  /// and then, inside the region, to a target: BFS over (state, triggered).
  func triggeredBFS(p: Int, q: Int, region: [Bool], isTarget: [Bool]) -> (initial: Int, actions: [Int], end: Int)? {
    let g = graph
    let n = g.stateCount
    // node = state * 2 + phase (0: before the trigger, 1: after)
    var prev = [Int32](repeating: -2, count: 2 * n)
    var via = [Int32](repeating: -1, count: 2 * n)
    var queue: [Int] = []
    func trigger(_ s: Int) -> Bool { g.holds(p, at: s) && !g.holds(q, at: s) }
    func push(_ node: Int, from: Int, _ a: Int32) {
      guard prev[node] == -2 else { return }
      prev[node] = Int32(from)
      via[node] = a
      queue.append(node)
    }
    for s in 0..<n where g.parent[s] < 0 {
      push(2 * s, from: -1, -1)
      if trigger(s) { push(2 * s + 1, from: 2 * s, -1) }
    }
    var i = 0
    while i < queue.count {
      let node = queue[i]
      i += 1
      let s = node / 2, phase = node % 2
      if phase == 1 && isTarget[s] {
        var actions: [Int] = []
        var cur = node
        while prev[cur] >= 0 {
          if via[cur] >= 0 { actions.append(Int(via[cur])) }
          cur = Int(prev[cur])
        }
        return (g.stem(to: cur / 2).initial, actions.reversed(), s)
      }
      for e in g.edges(of: s) {
        let t = Int(g.edgeTarget[e])
        if phase == 0 {
          push(2 * t, from: node, g.edgeAction[e])
          if trigger(t) && region[t] { push(2 * t + 1, from: 2 * t, -1) }
        } else if region[t] {
          push(2 * t + 1, from: node, g.edgeAction[e])
        }
      }
    }
    return nil
  }

  // MARK: - Components

  /// Reusable per-state arrays: only the entries a call touched are reset.
  final class Scratch {
    // One search uses it at a time: no dynamic exclusivity checks.
    @exclusivity(unchecked) var index: [Int32]
    @exclusivity(unchecked) var low: [Int32]
    @exclusivity(unchecked) var onStack: [Bool]
    @exclusivity(unchecked) var member: [Int32]
    @exclusivity(unchecked) var stamp: Int32 = 0
    /// A second membership, for the component being closed.
    @exclusivity(unchecked) var comp: [Int32]
    @exclusivity(unchecked) var compStamp: Int32 = 0
    @exclusivity(unchecked) var prevNode: [Int32]
    @exclusivity(unchecked) var prevEdge: [Int32]
    init(_ n: Int) {
      index = [Int32](repeating: -1, count: n)
      low = [Int32](repeating: 0, count: n)
      onStack = [Bool](repeating: false, count: n)
      member = [Int32](repeating: 0, count: n)
      comp = [Int32](repeating: 0, count: n)
      prevNode = [Int32](repeating: -2, count: n)
      prevEdge = [Int32](repeating: -1, count: n)
    }
    /// Marks `nodes` as the current membership set; returns its stamp.
    func mark(_ nodes: [Int]) -> Int32 {
      stamp += 1
      for v in nodes { member[v] = stamp }
      return stamp
    }
  }

  /// Every strongly connected component of the whole graph with an edge
  /// inside it (the cycles of the state graph).
  public func cycles() -> [[Int]] {
    cycles(Array(0..<graph.stateCount), keep: { _ in true }, Scratch(graph.stateCount))
  }

  /// Strongly connected components of the subgraph on `nodes`, using only
  /// edges `keep` accepts, that have at least one internal edge.
  func cycles(_ nodes: [Int], keep: (Int) -> Bool, _ sc: Scratch) -> [[Int]] {
    let g = graph
    let inSet = sc.mark(nodes)
    var touched: [Int] = []
    var counter: Int32 = 0
    var stack: [Int] = []
    var result: [[Int]] = []
    var work: [(node: Int, edge: Int)] = []
    for root in nodes where sc.index[root] < 0 {
      work.append((root, Int(g.edgeStart[root])))
      sc.index[root] = counter; sc.low[root] = counter; counter += 1
      touched.append(root)
      stack.append(root); sc.onStack[root] = true
      while let (v, e) = work.last {
        if e < Int(g.edgeStart[v + 1]) {
          work[work.count - 1].edge += 1
          let w = Int(g.edgeTarget[e])
          guard sc.member[w] == inSet, keep(e) else { continue }
          if sc.index[w] < 0 {
            sc.index[w] = counter; sc.low[w] = counter; counter += 1
            touched.append(w)
            stack.append(w); sc.onStack[w] = true
            work.append((w, Int(g.edgeStart[w])))
          } else if sc.onStack[w] {
            sc.low[v] = min(sc.low[v], sc.index[w])
          }
        } else {
          work.removeLast()
          if let (u, _) = work.last { sc.low[u] = min(sc.low[u], sc.low[v]) }
          if sc.low[v] == sc.index[v] {
            var comp: [Int] = []
            while true {
              let w = stack.removeLast()
              sc.onStack[w] = false
              comp.append(w)
              if w == v { break }
            }
            // A component counts if some kept edge stays inside it.
            sc.compStamp += 1
            for x in comp { sc.comp[x] = sc.compStamp }
            let hasEdge = comp.contains { x in
              g.edges(of: x).contains { sc.comp[Int(g.edgeTarget[$0])] == sc.compStamp && keep($0) }
            }
            if hasEdge { result.append(comp.sorted()) }
          }
        }
      }
    }
    for v in touched { sc.index[v] = -1 }
    return result
  }

  // MARK: - Fairness

  /// The fair parts of a component: itself, or under strong fairness its
  /// fair sub-components (empty when none is fair).
  func fairParts(_ comp: [Int], keep: (Int) -> Bool, _ sc: Scratch) -> [[Int]] {
    let g = graph
    let inComp = sc.mark(comp)
    var taken: UInt32 = 0
    var somewhere: UInt32 = 0
    var everywhere: UInt32 = ~0
    for s in comp {
      let en = g.enabledActors[s]
      somewhere |= en
      everywhere &= en
      for e in g.edges(of: s) where sc.member[Int(g.edgeTarget[e])] == inComp && keep(e) {
        taken |= 1 << UInt32(g.actor(ofEdge: e))
      }
    }
    // Weak fairness: an actor enabled everywhere but never taken: no fair cycle here.
    for a in 0..<32 where everywhere & (1 << UInt32(a)) != 0 && fairnessOf(a) == .weak && taken & (1 << UInt32(a)) == 0 {
      return []
    }
    // Strong fairness: drop the states where an unserved actor is enabled, decompose again.
    var unserved: UInt32 = 0
    for a in 0..<32 where somewhere & (1 << UInt32(a)) != 0 && fairnessOf(a) == .strong && taken & (1 << UInt32(a)) == 0 {
      unserved |= 1 << UInt32(a)
    }
    if unserved == 0 { return [comp] }
    let sub = comp.filter { g.enabledActors[$0] & unserved == 0 }
    return cycles(sub, keep: keep, sc).flatMap { fairParts($0, keep: keep, sc) }
  }

  // MARK: - Paths

  /// States reachable from `sources` through states satisfying `stay`.
  func reach(from sources: [Int], stay: (Int) -> Bool) -> [Bool] {
    let g = graph
    var mask = [Bool](repeating: false, count: g.stateCount)
    var queue = sources.filter(stay)
    for s in queue { mask[s] = true }
    var i = 0
    while i < queue.count {
      for e in g.edges(of: queue[i]) {
        let t = Int(g.edgeTarget[e])
        if !mask[t] && stay(t) {
          mask[t] = true
          queue.append(t)
        }
      }
      i += 1
    }
    return mask
  }

  /// BFS within `allowed` from any of `from` to the first state satisfying
  /// `target`: the action ids, where it started and ended.
  func bfs(
    from: [Int], allowed: (Int) -> Bool, edge: (Int) -> Bool, target: (Int) -> Bool, _ sc: Scratch
  ) -> (start: Int, actions: [Int], end: Int)? {
    let g = graph
    var queue = from
    for v in from { sc.prevNode[v] = -1 }
    defer { for v in queue { sc.prevNode[v] = -2 } }
    var i = 0
    while i < queue.count {
      let v = queue[i]
      if target(v) {
        var actions: [Int] = []
        var cur = v
        while sc.prevNode[cur] >= 0 {
          actions.append(Int(g.edgeAction[Int(sc.prevEdge[cur])]))
          cur = Int(sc.prevNode[cur])
        }
        return (cur, actions.reversed(), v)
      }
      for e in g.edges(of: v) {
        let t = Int(g.edgeTarget[e])
        if sc.prevNode[t] == -2 && allowed(t) && edge(e) {
          sc.prevNode[t] = Int32(v)
          sc.prevEdge[t] = Int32(e)
          queue.append(t)
        }
      }
      i += 1
    }
    return nil
  }

  /// A loop through `entry` inside the component that serves every fair
  /// actor: it takes a step of each actor with a step inside, and visits a
  /// state where each other weakly fair actor is disabled.
  func fairLoop(through entry: Int, in members: [Int], keep: @escaping (Int) -> Bool, _ sc: Scratch) -> [Int] {
    let g = graph
    let inComp = sc.mark(members)
    let inside: (Int) -> Bool = { sc.member[$0] == inComp }
    var actors: UInt32 = 0
    var enabledSomewhere: UInt32 = 0
    for s in members {
      enabledSomewhere |= g.enabledActors[s]
      for e in g.edges(of: s) where inside(Int(g.edgeTarget[e])) && keep(e) { actors |= 1 << UInt32(g.actor(ofEdge: e)) }
    }
    var actions: [Int] = []
    var cur = entry
    for a in 0..<32 where actors & (1 << UInt32(a)) != 0 && fairnessOf(a) != .none {
      // walk to a source of an a-edge, then take it
      let source: (Int) -> Bool = { v in g.edges(of: v).contains { g.actor(ofEdge: $0) == a && inside(Int(g.edgeTarget[$0])) && keep($0) } }
      guard let r = bfs(from: [cur], allowed: inside, edge: keep, target: source, sc) else { continue }
      actions += r.actions
      let e = g.edges(of: r.end).first { g.actor(ofEdge: $0) == a && inside(Int(g.edgeTarget[$0])) && keep($0) }!
      actions.append(Int(g.edgeAction[e]))
      cur = Int(g.edgeTarget[e])
    }
    // weakly fair actors never taken here are disabled somewhere: visit it
    for a in 0..<32 where enabledSomewhere & (1 << UInt32(a)) != 0 && fairnessOf(a) == .weak && actors & (1 << UInt32(a)) == 0 {
      if let r = bfs(from: [cur], allowed: inside, edge: keep, target: { g.enabledActors[$0] & (1 << UInt32(a)) == 0 }, sc) {
        actions += r.actions
        cur = r.end
      }
    }
    // close the loop, with at least one step
    if actions.isEmpty {
      for e in g.edges(of: entry) where inside(Int(g.edgeTarget[e])) && keep(e) {
        let t = Int(g.edgeTarget[e])
        if t == entry { return [Int(g.edgeAction[e])] }
        if let r = bfs(from: [t], allowed: inside, edge: keep, target: { $0 == entry }, sc) { return [Int(g.edgeAction[e])] + r.actions }
      }
      return []
    }
    if cur == entry { return actions }
    return actions + bfs(from: [cur], allowed: inside, edge: keep, target: { $0 == entry }, sc)!.actions
  }
}
