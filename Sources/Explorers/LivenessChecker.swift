import CheckerCore

/// Exhaustive liveness checking by SCC decomposition of the reachable graph.
///
/// A counterexample is a *fair lasso*: a stem from an initial state and a
/// loop back to the loop's first state, in which the property's "bad" suffix
/// never ends; or a finite run that ends (no step enabled) without the goal.
/// Fairness is per actor (thread): weak (an actor enabled in every state of
/// the loop must take a step in it) or strong (an actor enabled somewhere in
/// the loop must take a step in it, checked by the Streett-style recursive
/// decomposition: remove the states where an unserved actor is enabled and
/// decompose again).
public struct LivenessChecker<S: TransitionSystem> {
  public enum Fairness: String, Sendable, Codable, CaseIterable {
    case none, weak, strong
  }

  public enum Goal {
    /// No fair cycle made only of non-progress steps (SPIN's `-l`), progress
    /// as the system marks it.
    case nonProgress
    /// The same, with progress steps given by a predicate on (pre, action, post).
    case nonProgressWhere((S.State, S.Action, S.State) -> Bool)
    /// Every fair run reaches a state satisfying the predicate.
    case eventually((S.State) -> Bool)
    /// Every state satisfying P is followed (now or later) by one satisfying Q.
    case leadsTo((S.State) -> Bool, (S.State) -> Bool)
  }

  public struct Lasso: Sendable {
    /// From an initial state to the first state of the loop.
    public var stem: ActionPath<S.Action>
    /// From the loop's first state back to it; empty for a finite run that
    /// ends without the goal.
    public var loop: [S.Action]
    /// The whole run as one path (stem, then one turn of the loop).
    public var path: ActionPath<S.Action> { ActionPath(initial: stem.initial, actions: stem.actions + loop) }
    /// Index of the loop's first state in `path`'s states.
    public var loopStart: Int { stem.actions.count }
    public var isFinite: Bool { loop.isEmpty }
  }

  public let graph: StateGraph<S>
  /// Fairness of each actor (index = actor); actors beyond the array get `defaultFairness`.
  public var fairness: [Fairness]
  public var defaultFairness: Fairness

  public init(graph: StateGraph<S>, fairness: [Fairness] = [], defaultFairness: Fairness = .weak) {
    self.graph = graph
    self.fairness = fairness
    self.defaultFairness = defaultFairness
  }

  func fairnessOf(_ actor: Int) -> Fairness { actor < fairness.count ? fairness[actor] : defaultFairness }

  /// The first (lowest-numbered) counterexample, or nil when the goal holds
  /// on every fair run.
  public func check(_ goal: Goal) -> Lasso? {
    let g = graph
    let n = g.states.count
    var region = [Bool](repeating: false, count: n)
    var sources: [Int] = []  // where the bad suffix starts
    var keep: (Int, StateGraph<S>.Edge) -> Bool = { _, _ in true }
    var prefixTo: [Int: ActionPath<S.Action>] = [:]
    var allowTerminal = true

    switch goal {
    case .nonProgress:
      region = [Bool](repeating: true, count: n)
      keep = { _, e in !e.progress }
      allowTerminal = false
    case .nonProgressWhere(let progress):
      region = [Bool](repeating: true, count: n)
      keep = { v, e in !progress(g.states[v], e.action, g.states[Int(e.to)]) }
      allowTerminal = false
    case .eventually(let p):
      for s in 0..<n where g.parent[s] < 0 && !p(g.states[s]) { sources.append(s) }
      region = reach(from: sources) { !p(g.states[$0]) }
    case .leadsTo(let p, let q):
      let triggers = (0..<n).filter { p(g.states[$0]) && !q(g.states[$0]) }
      sources = triggers
      for t in triggers { prefixTo[t] = g.path(to: t) }
      region = reach(from: triggers) { !q(g.states[$0]) }
    }

    // Where a bad suffix can live: every fair component (under strong
    // fairness, every fair sub-component), and, for eventually / leads_to,
    // every state of the region where the run ends with nothing enabled.
    var components: [[Int]] = []
    for comp in g.cycles(in: region, keep: keep) { components += fairParts(comp, keep: keep) }
    var owner = [Int32](repeating: -1, count: n)
    for (k, c) in components.enumerated() { for s in c { owner[s] = Int32(k) } }
    var isTarget = owner.map { $0 >= 0 }
    if allowTerminal { for s in 0..<n where region[s] && g.edges[s].isEmpty { isTarget[s] = true } }
    guard isTarget.contains(true) else { return nil }

    // The shortest stem to any target.
    let stemPath: ActionPath<S.Action>
    let entry: Int
    switch goal {
    case .nonProgress, .nonProgressWhere:
      // State ids are BFS order: the lowest target is a shallowest one.
      entry = isTarget.firstIndex(of: true)!
      stemPath = g.path(to: entry)
    case .eventually:
      guard let r = bfs(from: sources.sorted(), allowed: { region[$0] }, edge: { _, _ in true }, target: { isTarget[$0] }) else { return nil }
      entry = r.end
      stemPath = ActionPath(initial: g.initialIndex[r.start], actions: r.actions)
    case .leadsTo(let p, let q):
      guard let r = triggeredBFS(p: p, q: q, region: region, isTarget: isTarget) else { return nil }
      entry = r.end
      stemPath = r.path
    }
    if owner[entry] < 0 { return Lasso(stem: stemPath, loop: []) }  // a finite run
    let members = Set(components[Int(owner[entry])])
    return Lasso(stem: stemPath, loop: fairLoop(through: entry, in: members, keep: keep))
  }

  /// Shortest path from an initial state through a trigger (P and not Q)
  /// and then, inside the region, to a target: BFS over (state, triggered).
  func triggeredBFS(p: (S.State) -> Bool, q: (S.State) -> Bool, region: [Bool], isTarget: [Bool])
    -> (path: ActionPath<S.Action>, end: Int)?
  {
    let g = graph
    let n = g.states.count
    // node = state * 2 + phase (0: before the trigger, 1: after)
    var prev = [Int32](repeating: -2, count: 2 * n)
    var via = [S.Action?](repeating: nil, count: 2 * n)
    var queue: [Int] = []
    func trigger(_ s: Int) -> Bool { p(g.states[s]) && !q(g.states[s]) }
    func push(_ node: Int, from: Int, _ a: S.Action?) {
      guard prev[node] == -2 else { return }
      prev[node] = Int32(from)
      via[node] = a
      queue.append(node)
    }
    for s in 0..<n where g.parent[s] < 0 {
      push(2 * s, from: -1, nil)
      if trigger(s) { push(2 * s + 1, from: 2 * s, nil) }
    }
    var i = 0
    while i < queue.count {
      let node = queue[i]
      i += 1
      let s = node / 2, phase = node % 2
      if phase == 1 && isTarget[s] {
        var actions: [S.Action] = []
        var cur = node
        while prev[cur] >= 0 {
          if let a = via[cur] { actions.append(a) }
          cur = Int(prev[cur])
        }
        return (ActionPath(initial: g.initialIndex[cur / 2], actions: actions.reversed()), s)
      }
      for e in g.edges[s] {
        let t = Int(e.to)
        if phase == 0 {
          push(2 * t, from: node, e.action)
          if trigger(t) && region[t] { push(2 * t + 1, from: 2 * t, nil) }
        } else if region[t] {
          push(2 * t + 1, from: node, e.action)
        }
      }
    }
    return nil
  }

  // MARK: - Fairness

  /// The fair parts of a component: itself, or under strong fairness its
  /// fair sub-components (empty when none is fair).
  func fairParts(_ comp: [Int], keep: (Int, StateGraph<S>.Edge) -> Bool) -> [[Int]] {
    let g = graph
    let members = Set(comp)
    var taken = Set<Int32>()
    var enabledSomewhere = Set<Int32>()
    var enabledEverywhere: Set<Int32>? = nil
    for s in comp {
      let en = Set(g.enabledActors[s])
      enabledSomewhere.formUnion(en)
      enabledEverywhere = enabledEverywhere.map { $0.intersection(en) } ?? en
      for e in g.edges[s] where members.contains(Int(e.to)) && keep(s, e) { taken.insert(e.actor) }
    }
    // Weak fairness: an actor enabled everywhere but never taken: no fair cycle here.
    for a in enabledEverywhere ?? [] where fairnessOf(Int(a)) == .weak && !taken.contains(a) { return [] }
    // Strong fairness: drop the states where an unserved actor is enabled, decompose again.
    let unserved = enabledSomewhere.filter { fairnessOf(Int($0)) == .strong && !taken.contains($0) }
    if unserved.isEmpty { return [comp] }
    var sub = [Bool](repeating: false, count: g.states.count)
    for s in comp where g.enabledActors[s].allSatisfy({ !unserved.contains($0) }) { sub[s] = true }
    return g.cycles(in: sub, keep: keep).flatMap { fairParts($0, keep: keep) }
  }

  // MARK: - Paths

  /// States reachable from `sources` through states satisfying `stay`.
  func reach(from sources: [Int], stay: (Int) -> Bool) -> [Bool] {
    var mask = [Bool](repeating: false, count: graph.states.count)
    var queue = sources.filter(stay)
    for s in queue { mask[s] = true }
    var i = 0
    while i < queue.count {
      for e in graph.edges[queue[i]] where !mask[Int(e.to)] && stay(Int(e.to)) {
        mask[Int(e.to)] = true
        queue.append(Int(e.to))
      }
      i += 1
    }
    return mask
  }

  /// BFS within `allowed` from `from` (any of them) to the first state
  /// satisfying `target`: the actions, and where it started.
  func bfs(from: [Int], allowed: (Int) -> Bool, edge: (Int, StateGraph<S>.Edge) -> Bool, target: (Int) -> Bool) -> (start: Int, actions: [S.Action], end: Int)? {
    var prev: [Int: (Int, S.Action)] = [:]
    var seen = Set(from)
    var queue = from
    var i = 0
    while i < queue.count {
      let v = queue[i]
      if target(v) {
        var actions: [S.Action] = []
        var cur = v
        while let (p, a) = prev[cur] {
          actions.append(a)
          cur = p
        }
        return (cur, actions.reversed(), v)
      }
      for e in graph.edges[v] where allowed(Int(e.to)) && edge(v, e) && !seen.contains(Int(e.to)) {
        seen.insert(Int(e.to))
        prev[Int(e.to)] = (v, e.action)
        queue.append(Int(e.to))
      }
      i += 1
    }
    return nil
  }

  /// A loop through `entry` inside the component that serves every fair
  /// actor: it takes a step of each actor with a step inside, and visits a
  /// state where each other weakly fair actor is disabled.
  func fairLoop(through entry: Int, in members: Set<Int>, keep: @escaping (Int, StateGraph<S>.Edge) -> Bool) -> [S.Action] {
    let g = graph
    var actors = Set<Int32>()
    for s in members { for e in g.edges[s] where members.contains(Int(e.to)) && keep(s, e) { actors.insert(e.actor) } }
    var actions: [S.Action] = []
    var cur = entry
    let inside: (Int) -> Bool = { members.contains($0) }
    for a in actors.sorted() where fairnessOf(Int(a)) != .none {
      // walk to a source of an a-edge, then take it
      guard let r = bfs(from: [cur], allowed: inside, edge: keep, target: { v in g.edges[v].contains { $0.actor == a && inside(Int($0.to)) && keep(v, $0) } }) else { continue }
      actions += r.actions
      let e = g.edges[r.end].first { $0.actor == a && inside(Int($0.to)) && keep(r.end, $0) }!
      actions.append(e.action)
      cur = Int(e.to)
    }
    // weakly fair actors never taken here are disabled somewhere: visit it
    let allActors = Set(members.flatMap { g.enabledActors[$0] })
    for a in allActors.sorted() where fairnessOf(Int(a)) == .weak && !actors.contains(a) {
      if let r = bfs(from: [cur], allowed: inside, edge: keep, target: { !g.enabledActors[$0].contains(a) }) {
        actions += r.actions
        cur = r.end
      }
    }
    // close the loop, with at least one step
    if actions.isEmpty {
      for e in g.edges[entry] where inside(Int(e.to)) && keep(entry, e) {
        if Int(e.to) == entry { return [e.action] }
        if let r = bfs(from: [Int(e.to)], allowed: inside, edge: keep, target: { $0 == entry }) { return [e.action] + r.actions }
      }
      return []
    }
    if cur == entry { return actions }
    return actions + bfs(from: [cur], allowed: inside, edge: keep, target: { $0 == entry })!.actions
  }
}
