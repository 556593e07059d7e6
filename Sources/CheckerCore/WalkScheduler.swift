/// How a random walk picks its next step, for every walker (the explorers'
/// random and PCT engines, the lemma miner's sampler, `explore`'s `random`):
/// one place that draws from the pinned generator, so the same seed makes
/// the same choices whichever walker runs it.
///
/// `uniform` picks among the enabled steps uniformly. `pct` is PCT
/// (Burckhardt, Kothari, Musuvathi and Nagarakatte, "A Randomized Scheduler
/// with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010): random
/// priorities for the actors, and `depth - 1` random change points at which
/// the actor that would run is demoted below every other; among the enabled
/// steps of the highest-priority actor, one is picked uniformly.
public struct WalkScheduler: Sendable {
  public enum Kind: Sendable, Hashable {
    case uniform
    /// PCT with `depth` - 1 priority change points per walk.
    case pct(depth: Int)
  }

  public let kind: Kind
  /// The generator, advanced by every choice (a caller that runs several
  /// walks from one stream takes it back from here).
  public private(set) var rng: SplitMix64
  let maxSteps: Int
  /// PCT: priority of each actor (modulo 64) and the change points, drawn
  /// at the walk's first step.
  var priority: [Int] = []
  var changePoints: [Int] = []
  var step = 0

  /// A walk of at most `maxSteps` steps drawing from `rng`.
  public init(_ kind: Kind, rng: SplitMix64, maxSteps: Int) {
    self.kind = kind
    self.rng = rng
    self.maxSteps = maxSteps
  }

  /// Which of `count` initial states the walk starts from (drawn before
  /// anything else).
  public mutating func pickInitial(_ count: Int) -> Int {
    rng.below(count)
  }

  /// Which of the `count` enabled steps to take; `actor(k)` is the thread of
  /// the k-th.
  public mutating func pick(_ count: Int, actor: (Int) -> Int) -> Int {
    defer { step += 1 }
    guard case .pct(let depth) = kind else { return rng.below(count) }
    if step == 0 {
      priority = Self.shuffled(Array(0..<64), &rng)
      changePoints = (0..<max(0, depth - 1)).map { _ in rng.below(max(1, maxSteps)) }
    }
    if let c = changePoints.firstIndex(of: step) {
      // Demote the actor that would run now (the first of highest priority).
      var top = actor(0)
      for k in 1..<count where priority[actor(k) % 64] > priority[top % 64] { top = actor(k) }
      priority[top % 64] = -1 - c
    }
    var best = Int.min
    for k in 0..<count { best = max(best, priority[actor(k) % 64]) }
    var mine = 0
    for k in 0..<count where priority[actor(k) % 64] == best { mine += 1 }
    var chosen = rng.below(mine)
    for k in 0..<count where priority[actor(k) % 64] == best {
      if chosen == 0 { return k }
      chosen -= 1
    }
    return count - 1
  }

  /// Fisher-Yates with the pinned generator (the standard library's shuffle
  /// algorithm is not promised to stay the same).
  static func shuffled(_ a: [Int], _ rng: inout SplitMix64) -> [Int] {
    var a = a
    if a.count < 2 { return a }
    for i in stride(from: a.count - 1, to: 0, by: -1) {
      a.swapAt(i, rng.below(i + 1))
    }
    return a
  }
}
