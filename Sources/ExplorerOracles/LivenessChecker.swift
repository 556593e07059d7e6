import CheckerCore
import Explorers

/// Liveness checks over the `StateGraph` of any `TransitionSystem`, with
/// goals given as predicates on its states: a thin layer over
/// `FairCycleSearch` (which see for the semantics) that evaluates the
/// predicates over the stored states and maps action ids back to actions.
public struct LivenessChecker<S: TransitionSystem> {
  public typealias Fairness = FairCycleSearch.Fairness

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
  public var fairness: [Fairness]
  public var defaultFairness: Fairness

  public init(graph: StateGraph<S>, fairness: [Fairness] = [], defaultFairness: Fairness = .weak) {
    self.graph = graph
    self.fairness = fairness
    self.defaultFairness = defaultFairness
  }

  /// The first (lowest-numbered) counterexample, or nil when the goal holds
  /// on every fair run.
  public func check(_ goal: Goal) -> Lasso? {
    let g = graph.graph
    let states = graph.states
    var bits = [UInt16](repeating: 0, count: states.count)
    var edgeBits: [UInt8] = []
    let core: FairCycleSearch.Goal
    switch goal {
    case .nonProgress:
      core = .nonProgress
    case .nonProgressWhere(let progress):
      edgeBits = [UInt8](repeating: 0, count: g.edgeCount)
      for v in 0..<states.count {
        for e in g.edges(of: v) {
          let a = graph.action(Int(g.edgeAction[e]))
          if progress(states[v], a, states[Int(g.edgeTarget[e])]) { edgeBits[e] = 1 }
        }
      }
      core = .nonProgressWhere(edgeBit: 0)
    case .eventually(let p):
      for v in states.indices where p(states[v]) { bits[v] = 1 }
      core = .eventually(0)
    case .leadsTo(let p, let q):
      for v in states.indices {
        if p(states[v]) { bits[v] |= 1 }
        if q(states[v]) { bits[v] |= 2 }
      }
      core = .leadsTo(trigger: 0, response: 1)
    }
    let search = FairCycleSearch(graph: g.withStateBits(bits, edgeBits: edgeBits), fairness: fairness, defaultFairness: defaultFairness)
    guard let l = search.check(core) else { return nil }
    return Lasso(stem: ActionPath(initial: l.initial, actions: l.stem.map(graph.action)), loop: l.loop.map(graph.action))
  }
}
