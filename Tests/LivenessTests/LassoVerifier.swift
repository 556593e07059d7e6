import CheckerCore
import ExplorerOracles
import Explorers

/// Re-verifies a lasso state by state against the system itself (not the
/// StateGraph the checker searched): it replays, the loop comes back to its
/// first state (or the run ends with nothing enabled), the goal fails where
/// the lasso claims, and the loop is fair for every actor's fairness.
/// Returns the problems found (empty when the lasso is a genuine
/// counterexample).
func lassoProblems<S: TransitionSystem>(
  _ system: S, _ lasso: LivenessChecker<S>.Lasso, goal: LivenessChecker<S>.Goal,
  fairness: (Int) -> LivenessChecker<S>.Fairness
) -> [String] {
  let states: [S.State]
  do {
    states = try PathReplay.states(system, lasso.path)
  } catch {
    return ["does not replay: \(error)"]
  }
  var problems: [String] = []
  let last = states.count - 1
  let start = lasso.loopStart
  if lasso.stem.initial != lasso.path.initial { problems.append("path and stem start differently") }
  if start != lasso.stem.actions.count || last != lasso.stem.actions.count + lasso.loop.count {
    problems.append("loopStart/path inconsistent")
  }
  func enabledActors(_ s: S.State) -> Set<Int> {
    var acts: [S.Action] = []
    system.enabledActions(in: s, into: &acts)
    return Set(acts.map { system.actor(of: $0) })
  }

  if lasso.isFinite {
    if !enabledActors(states[last]).isEmpty { problems.append("finite run, but its last state has a step enabled") }
  } else {
    if states[start] != states[last] { problems.append("the loop does not return to its first state") }
    // Fairness over the loop's states (the last is the first again) and steps.
    let taken = Set(lasso.loop.map { system.actor(of: $0) })
    var everywhere: Set<Int>? = nil
    var somewhere = Set<Int>()
    for s in states[start..<last] {
      let en = enabledActors(s)
      somewhere.formUnion(en)
      everywhere = everywhere.map { $0.intersection(en) } ?? en
    }
    for a in somewhere.sorted() where !taken.contains(a) {
      switch fairness(a) {
      case .none: break
      case .weak:
        if everywhere?.contains(a) == true { problems.append("actor \(a) is enabled in every loop state but never steps (weak)") }
      case .strong:
        problems.append("actor \(a) is enabled in the loop but never steps (strong)")
      }
    }
  }

  switch goal {
  case .nonProgress:
    if lasso.isFinite { problems.append("a non-progress counterexample must loop") }
    for (i, a) in lasso.loop.enumerated() where system.isProgress(a) { problems.append("loop step \(i) is progress") }
  case .nonProgressWhere(let progress):
    if lasso.isFinite { problems.append("a non-progress counterexample must loop") }
    for (i, a) in lasso.loop.enumerated() where progress(states[start + i], a, states[start + i + 1]) {
      problems.append("loop step \(i) is progress")
    }
  case .eventually(let p):
    // The whole run (stem and loop) never satisfies the goal.
    for (i, s) in states.enumerated() where p(s) { problems.append("the goal holds at state \(i)") }
  case .leadsTo(let p, let q):
    // After the last Q state, a state with P and not Q, and Q never again
    // (in particular nowhere on the loop, which repeats forever).
    let lastQ = states.lastIndex(where: q) ?? -1
    if !lasso.isFinite && lastQ >= start { problems.append("Q holds on the loop, at state \(lastQ)") }
    if !states.indices.contains(where: { $0 > lastQ && p(states[$0]) }) {
      problems.append("no P state after the last Q state")
    }
  }
  return problems
}
