import CheckerCore

/// States known to be reachable: the whole reachable set (exhaustive BFS of a
/// small model) or a sample of it (seeded random walks).
///
/// The inductive prover uses it only to choose candidate lemmas and to
/// generalise counterexamples to induction; nothing is proved from it. A
/// complete set is also an oracle: a predicate true on every state of it is
/// an invariant, so a counterexample to induction whose pre-state is not in
/// the set is unreachable and can be blocked.
public struct ReachableStates: Sendable {
  public private(set) var states: [StateVector]
  /// True when `states` is the whole reachable set.
  public let complete: Bool
  private var index: Set<StateVector>

  public init(states: [StateVector], complete: Bool) {
    self.states = states
    self.complete = complete
    index = Set(states)
  }

  public func contains(_ s: StateVector) -> Bool { index.contains(s) }

  /// Adds a state found reachable another way (e.g. a successor of a known one).
  public mutating func insert(_ s: StateVector) {
    if index.insert(s).inserted { states.append(s) }
  }

  /// Breadth-first enumeration; incomplete (a prefix in BFS order) when more
  /// than `maxStates` states are reachable. A state outside the declared
  /// slot ranges (a model bound too small, or a bug such as a refcount
  /// dropped below zero) is neither kept nor expanded, and makes the set
  /// incomplete.
  public static func explore(_ system: GuardedSystem, maxStates: Int) -> ReachableStates {
    var seen = Set(system.initial)
    var order = system.initial
    var complete = true
    var i = 0
    var acts: [Int] = []
    while i < order.count {
      acts.removeAll(keepingCapacity: true)
      system.enabledActions(in: order[i], into: &acts)
      for a in acts {
        let t = system.successor(of: order[i], via: a)
        if seen.insert(t).inserted {
          if order.count >= maxStates || system.validate(t) != nil { complete = false }
          if order.count >= maxStates { return ReachableStates(states: order, complete: false) }
          if system.validate(t) == nil { order.append(t) }
        }
      }
      i += 1
    }
    return ReachableStates(states: order, complete: complete)
  }

  /// Seeded uniform random walks from the initial states (each walk ends
  /// when nothing is enabled or after `depth` steps): a sample for models
  /// too large to enumerate. Deterministic for a seed.
  public static func sample(_ system: GuardedSystem, walks: Int, depth: Int, seed: UInt64) -> ReachableStates {
    var rng = SplitMix64(seed: seed)
    var seen = Set(system.initial)
    var order = system.initial
    var acts: [Int] = []
    for _ in 0..<walks {
      // One stream for all the walks, so each continues where the last stopped.
      var schedule = WalkScheduler(.uniform, rng: rng, maxSteps: depth)
      defer { rng = schedule.rng }
      var s = system.initial[schedule.pickInitial(system.initial.count)]
      for _ in 0..<depth {
        acts.removeAll(keepingCapacity: true)
        system.enabledActions(in: s, into: &acts)
        if acts.isEmpty { break }
        s = system.successor(of: s, via: acts[schedule.pick(acts.count) { system.actor(of: acts[$0]) }])
        if system.validate(s) != nil { break }
        if seen.insert(s).inserted { order.append(s) }
      }
    }
    return ReachableStates(states: order, complete: false)
  }
}
