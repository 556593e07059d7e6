import CheckerCore
import ExplorerOracles
import Explorers
import Testing

/// Runs one liveness check on a toy with per-actor fairness, and
/// re-verifies the lasso if there is one.
func checkToy<S: TransitionSystem>(
  _ system: S, _ goal: LivenessChecker<S>.Goal, fairness: [LivenessChecker<S>.Fairness],
  sourceLocation: SourceLocation = #_sourceLocation
) -> LivenessChecker<S>.Lasso? {
  let graph = StateGraph(system: system)
  #expect(graph.complete, sourceLocation: sourceLocation)
  // Actors beyond the array: none, so a toy's fairness is exactly what the test says.
  let checker = LivenessChecker(graph: graph, fairness: fairness, defaultFairness: .none)
  let lasso = checker.check(goal)
  if let lasso {
    let f = { (a: Int) in a < fairness.count ? fairness[a] : .none }
    #expect(lassoProblems(system, lasso, goal: goal, fairness: f) == [], sourceLocation: sourceLocation)
  }
  return lasso
}

@Suite struct FairnessToyTests {
  typealias Spin = LivenessChecker<SpinStarvesHolder>

  /// A spinner starving the lock holder: a non-progress cycle only if the
  /// holder may be starved forever.
  @Test func spinStarvingHolderNeedsNoFairness() {
    let s = SpinStarvesHolder()
    let free = checkToy(s, .nonProgress, fairness: [.none, .none])
    #expect(free?.stem.actions == [])
    #expect(free?.loop == [1])
    #expect(checkToy(s, .nonProgress, fairness: [.weak, .weak]) == nil)
    #expect(checkToy(s, .nonProgress, fairness: [.strong, .strong]) == nil)
    // Only the holder's fairness matters: the spinner does run in the loop.
    #expect(checkToy(s, .nonProgress, fairness: [.weak, .none]) == nil)
    #expect(checkToy(s, .nonProgress, fairness: [.none, .weak])?.loop == [1])
  }

  @Test func spinStarvingHolderEventually() {
    let s = SpinStarvesHolder()
    let finish: Spin.Goal = .eventually { s.isFinal($0) }
    #expect(checkToy(s, finish, fairness: [.none, .none])?.loop == [1])
    #expect(checkToy(s, finish, fairness: [.weak, .weak]) == nil)
    // "Held leads to free": the same spin is the counterexample, and the
    // holder's weak fairness alone removes it.
    #expect(checkToy(s, .leadsTo({ $0.held }, { !$0.held }), fairness: [.none, .none])?.loop == [1])
    #expect(checkToy(s, .leadsTo({ $0.held }, { !$0.held }), fairness: [.weak, .none]) == nil)
  }

  /// A waiter enabled in only one of the two states of a cycle: weak
  /// fairness admits the cycle, strong fairness does not.
  @Test func intermittentlyEnabledActorSeparatesWeakFromStrong() {
    let s = IntermittentWaiter()
    #expect(checkToy(s, .nonProgress, fairness: [.none, .none]) != nil)
    let weak = checkToy(s, .nonProgress, fairness: [.weak, .weak])
    #expect(weak?.stem.actions == [])
    #expect(weak?.loop == [0, 0], "the cycle through both bit values")
    #expect(checkToy(s, .nonProgress, fairness: [.strong, .strong]) == nil)
    // The waiter's fairness decides; the toggler runs in the loop anyway.
    #expect(checkToy(s, .nonProgress, fairness: [.strong, .weak]) != nil)
    #expect(checkToy(s, .nonProgress, fairness: [.weak, .strong]) == nil)
    #expect(checkToy(s, .nonProgress, fairness: [.none, .strong]) == nil)
  }

  @Test func intermittentlyEnabledActorEventually() {
    let s = IntermittentWaiter()
    let done: LivenessChecker<IntermittentWaiter>.Goal = .eventually { $0.done }
    #expect(checkToy(s, done, fairness: [.weak, .weak])?.loop.count == 2)
    #expect(checkToy(s, done, fairness: [.strong, .strong]) == nil)
    let bitLeadsToDone: LivenessChecker<IntermittentWaiter>.Goal = .leadsTo({ $0.bit }, { $0.done })
    let weak = checkToy(s, bitLeadsToDone, fairness: [.weak, .weak])
    #expect(weak?.stem.actions == [0], "the trigger is the bit's first flip")
    #expect(checkToy(s, bitLeadsToDone, fairness: [.strong, .strong]) == nil)
  }

  /// The self-loop of a strongly fair actor that is taken serves it: a
  /// strong actor taking steps inside the loop is not starved.
  @Test func takenStrongActorIsServed() {
    let s = SpinStarvesHolder()
    // The spinner is strong and spins (it is taken); the holder is free.
    #expect(checkToy(s, .nonProgress, fairness: [.none, .strong])?.loop == [1])
  }
}

@Suite struct StemToyTests {
  /// Non-progress: the stem is the shortest path to the cycle, the loop the
  /// three-state cycle.
  @Test(arguments: [1, 2, 5, 12])
  func nonProgressStemIsShortestPath(_ length: Int) {
    let s = ChainIntoCycle(length: length)
    for f in LivenessChecker<ChainIntoCycle>.Fairness.allCases {
      let lasso = checkToy(s, .nonProgress, fairness: [f])
      #expect(lasso?.stem.actions == Array(repeating: 0, count: length), "fairness \(f)")
      #expect(lasso?.loop.count == 3, "fairness \(f)")
    }
  }

  /// Eventually: the same stem, inside the states where the goal fails.
  @Test(arguments: [1, 2, 5, 12])
  func eventuallyStemIsShortestPath(_ length: Int) {
    let s = ChainIntoCycle(length: length)
    let lasso = checkToy(s, .eventually(ChainIntoCycle.onDetour), fairness: [.weak])
    #expect(lasso?.stem.actions.count == length)
    #expect(lasso?.loop.count == 3)
    // The goal is met by the detour only if the run takes it: the road to
    // the cycle is a counterexample even though the detour exists.
  }

  /// A run that stops without the goal is a counterexample of length the
  /// whole countdown; nothing else is.
  @Test(arguments: [0, 1, 4, 9])
  func finiteRunsCountForEventually(_ start: Int) {
    let s = Countdown(start: start)
    let never = checkToy(s, .eventually { _ in false }, fairness: [.weak])
    #expect(never?.isFinite == true)
    #expect(never?.stem.actions.count == start)
    #expect(checkToy(s, .eventually { $0 == 0 }, fairness: [.none]) == nil)
    #expect(checkToy(s, .nonProgress, fairness: [.none]) == nil, "no cycle at all")
    let stuck = checkToy(s, .leadsTo({ $0 == start }, { _ in false }), fairness: [.weak])
    #expect(stuck?.isFinite == true)
    #expect(stuck?.stem.actions.count == start)
    #expect(checkToy(s, .leadsTo({ $0 == start }, { $0 == 0 }), fairness: [.none]) == nil)
  }

  /// leadsTo: the stem reaches the trigger by the shortest path, then
  /// stays where Q fails; weak fairness of the server removes the lasso.
  @Test(arguments: [0, 1, 3, 8])
  func leadsToStemReachesTrigger(_ walk: Int) {
    let s = RequestGrant(walk: walk)
    let goal: LivenessChecker<RequestGrant>.Goal = .leadsTo({ $0 == 100 }, { $0 == 200 })
    let lasso = checkToy(s, goal, fairness: [.none, .none])
    #expect(lasso?.stem.actions == Array(repeating: 0, count: walk + 1))
    #expect(lasso?.loop == [0])
    #expect(checkToy(s, goal, fairness: [.weak, .weak]) == nil)
    #expect(checkToy(s, goal, fairness: [.none, .weak]) == nil, "the server's fairness is what matters")
    #expect(checkToy(s, goal, fairness: [.weak, .none])?.loop == [0])
    // Eventually granted: without fairness the server's no-op at the start
    // is already a counterexample (stem 0); with weak fairness the client,
    // enabled there, must move on, and the server must grant.
    let granted: LivenessChecker<RequestGrant>.Goal = .eventually { $0 == 200 }
    #expect(checkToy(s, granted, fairness: [.none, .none])?.stem.actions == [])
    #expect(checkToy(s, granted, fairness: [.weak, .weak]) == nil)
  }
}
