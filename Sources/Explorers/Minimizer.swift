import CheckerCore

/// Shortens a counterexample by delta debugging over its action sequence
/// (Zeller and Hildebrandt, "Simplifying and Isolating Failure-Inducing
/// Input", TSE 2002), keeping only candidates that still replay and still
/// show the same finding.
public enum Minimizer {
  public static func minimize<S: TransitionSystem>(
    _ system: S, _ path: ActionPath<S.Action>, stillFails: (ActionPath<S.Action>) -> Bool
  ) -> ActionPath<S.Action> {
    var best = path.actions
    var n = 2
    while best.count >= 2 {
      let chunk = (best.count + n - 1) / n
      var reduced = false
      var start = 0
      while start < best.count {
        var candidate = best
        candidate.removeSubrange(start..<min(best.count, start + chunk))
        if stillFails(ActionPath(initial: path.initial, actions: candidate)) {
          best = candidate
          n = max(n - 1, 2)
          reduced = true
          break
        }
        start += chunk
      }
      if !reduced {
        if n >= best.count { break }
        n = min(best.count, n * 2)
      }
    }
    // One-at-a-time removal to a 1-minimal result.
    var i = 0
    while i < best.count {
      var candidate = best
      candidate.remove(at: i)
      if stillFails(ActionPath(initial: path.initial, actions: candidate)) { best = candidate } else { i += 1 }
    }
    return ActionPath(initial: path.initial, actions: best)
  }
}
