import CheckerCore
import Symbolic
import Testing

/// The fallback proof: the enumerated reachable set, as a decision diagram,
/// checked by Z3 to be closed and to imply the goals. Nothing of the
/// enumeration may be trusted, so a set missing one state must fail.
@Suite struct ReachableSetCertificateTests {
  /// A correct model is proved with its reachable set, and the diagram
  /// holds every reachable state under one node per distinct sub-diagram.
  @Test(arguments: ["mirror_vs_munmap_1p1d.yaml", "migrate_hole_p1_raced.yaml"])
  func correctModelIsProvedByItsReachableSet(_ file: String) throws {
    let m = try Bundled.load(file)
    let reachable = ReachableStates.explore(m.system, maxStates: 100_000)
    #expect(reachable.complete)
    let certificate = ReachableSetCertificate(system: m.system, reachable: reachable)
    #expect(certificate.stateCount == reachable.states.count)
    #expect(certificate.nodeCount > m.system.schema.slotCount)
    #expect(reachable.states.allSatisfy { certificate.contains($0) })
    let outcome = try InductiveProver(system: m.system, goals: m.goals).prove(certificate: certificate)
    guard case .proved(let used, _, _, _) = outcome else {
      Issue.record("\(file): not proved by its reachable set (\(outcome))")
      return
    }
    #expect(used == ["reachable_set"])
  }

  /// A set that misses one reachable state is not closed: the
  /// counterexample is a real step, on the explicit stepper, from a state
  /// of the set to the missing one.
  @Test func aSetMissingAStateIsNotClosed() throws {
    let m = try Bundled.load("mirror_vs_munmap_1p1d.yaml")
    let reachable = ReachableStates.explore(m.system, maxStates: 100_000)
    let missing = reachable.states[reachable.states.count / 2]
    let partial = ReachableStates(states: reachable.states.filter { $0 != missing }, complete: true)
    let certificate = ReachableSetCertificate(system: m.system, reachable: partial)
    #expect(!certificate.contains(missing))
    #expect(partial.states.allSatisfy { certificate.contains($0) })
    let outcome = try InductiveProver(system: m.system, goals: m.goals).prove(certificate: certificate)
    guard case .notProved(let goal, let cti, _) = outcome else {
      Issue.record("a set missing a reachable state was accepted (\(outcome))")
      return
    }
    #expect(goal == "reachable_set")
    #expect(partial.contains(cti.pre))
    #expect(m.system.isEnabled(cti.command, in: cti.pre))
    #expect(m.system.successor(of: cti.pre, via: cti.command) == cti.post)
    #expect(cti.post == missing)
  }

  /// A buggy model's reachable set is closed but contains the violation:
  /// the certificate names an expected goal and never proves it.
  @Test func buggyModelIsNotProvedByItsReachableSet() throws {
    let m = try Bundled.load("bug_o8_own_filter_no_invalidate_1p1d.yaml")
    let reachable = ReachableStates.explore(m.system, maxStates: 100_000)
    #expect(reachable.complete)
    let certificate = ReachableSetCertificate(system: m.system, reachable: reachable)
    let outcome = try InductiveProver(system: m.system, goals: m.goals).prove(certificate: certificate)
    guard case .notProved(let goal, let cti, _) = outcome else {
      Issue.record("a buggy model was proved by its reachable set (\(outcome))")
      return
    }
    #expect(Bundled.expectedSafetyViolations(m).contains(goal), "\(goal)")
    #expect(reachable.contains(cti.pre))
  }
}
