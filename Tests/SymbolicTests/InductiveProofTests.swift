import CheckerCore
import Foundation
import HMM
import PropertyLanguage
@testable import Symbolic
import Testing

/// Unbounded proofs: 1-induction with strengthening lemmas, and what must
/// never be proved.
@Suite struct InductiveProofTests {
  /// Every bundled correct model is proved for every depth from its
  /// committed lemma file (`Properties/lemmas/<model>.hmmprop`), with every
  /// lemma kept: a lemma the prover drops means the file no longer matches
  /// the model (regenerate it with `hmmcheck prove --mine-lemmas MODEL`).
  /// The slowest proofs are in `HeavyProofTests`.
  @Test(arguments: Bundled.correctModels().filter { !Bundled.provedByReachableSet.contains($0) && !Bundled.heavyProofs.contains($0) })
  func correctModelIsProvedFromItsLemmaFile(_ file: String) throws {
    try Self.provedFromLemmaFile(file)
  }

  static func provedFromLemmaFile(_ file: String) throws {
    let m = try Bundled.load(file)
    #expect(
      FileManager.default.fileExists(atPath: m.lemmaFile),
      "no lemma file for \(file): run hmmcheck prove --mine-lemmas Models/\(file)")
    let lemmas = try Bundled.lemmas(m)
    let prover = InductiveProver(system: m.system, goals: m.goals)
    let outcome = try prover.prove(lemmas: lemmas)
    guard case .proved(_, let kept, let dropped, _) = outcome else {
      Issue.record("\(file) is not proved from its lemma file (\(outcome)); regenerate it with hmmcheck prove --mine-lemmas")
      return
    }
    #expect(dropped.isEmpty, "\(file): lemmas rejected: \(dropped.map(\.lemma))")
    #expect(kept == lemmas.count)
  }

  /// The heavy proofs are of correct models with lemma files.
  @Test func heavyProofsAreCorrectModels() {
    let correct = Set(Bundled.correctModels())
    for f in Bundled.heavyProofs { #expect(correct.contains(f) && !Bundled.provedByReachableSet.contains(f), "\(f)") }
  }

  /// The models without a lemma file are correct bundled models (one that
  /// gains a file must leave the list and be proved above); without one,
  /// k-induction does not go through, and their reachable sets are small
  /// enough for `prove`'s fallback, the reachable set as the invariant
  /// (`--certificate-states`, default 500,000).
  @Test(arguments: Array(Bundled.provedByReachableSet))
  func modelsWithoutLemmaFilesFallBackToTheirReachableSet(_ file: String) throws {
    #expect(Bundled.correctModels().contains(file))
    let m = try Bundled.load(file)
    #expect(!FileManager.default.fileExists(atPath: m.lemmaFile), "\(file) has a lemma file: remove it from Bundled.provedByReachableSet")
    let states = m.goals.filter { !$0.isStep }
    switch try KInduction(system: m.system, invariants: states, timeoutMilliseconds: 20_000).run(maxK: 1) {
    case .unknown: break
    default: Issue.record("\(file): k-induction without lemmas proved or refuted it; update Bundled.provedByReachableSet")
    }
    #expect(ReachableStates.explore(m.system, maxStates: 500_000).complete)
  }

  /// The goals include both headline suites wherever the model lists them.
  @Test func correctModelsCoverTheHeadlineSuites() throws {
    let models = Bundled.correctModels()
    #expect(models.count >= 20)
    for f in models {
      let m = try Bundled.load(f)
      let names = Set(m.goals.map(\.name))
      #expect(names.contains("device_maps_cpu_page") && names.contains("no_freed_page_mapped"), "\(f)")
      #expect(names.contains("memcg_usage_matches_charges") && names.contains("memcg_within_limit"), "\(f)")
    }
  }

  /// Mining from scratch (reachable states, templates, blocking clauses)
  /// produces lemmas that then prove the model, and the lemma file's text
  /// compiles to predicates equal to the mined ones on every reachable state.
  @Test func miningProvesTheMirrorModel() throws {
    let m = try Bundled.load("mirror_vs_munmap_1p1d.yaml")
    let prover = InductiveProver(system: m.system, goals: m.goals)
    let reachable = ReachableStates.explore(m.system, maxStates: 100_000)
    #expect(reachable.complete)
    let candidates = CandidateMiner(system: m.system, reachable: reachable, pairs: prover.pairs).mine()
    guard case .lemmas(let groups, _, _, _) = try prover.synthesize(candidates: candidates, reachable: reachable) else {
      Issue.record("mining did not find an inductive strengthening")
      return
    }
    let mined = groups.map { LemmaFile.lemma($0, system: m.system) }
    let text = LemmaFile.render(suite: "t", header: ["test"], lemmas: mined, system: m.system)
    let compiled = try Bundled.lemmas(m, text: text)
    #expect(compiled.map(\.name) == mined.map(\.name))
    for (a, b) in zip(compiled, mined) {
      for s in reachable.states.prefix(200) {
        #expect(a.expr.evaluate { s[$0] } == b.expr.evaluate { s[$0] }, "\(a.name): the text and the mined Expr differ")
      }
    }
    guard case .proved = try prover.prove(lemmas: compiled) else {
      Issue.record("the mined lemmas do not prove the model")
      return
    }
  }

  /// A blocking clause's strengthened facts speak of sequence numbers and
  /// versions only through what the renaming keeps (pinned values, parity,
  /// equality, order), never by a canonical number: Z3's counterexamples to
  /// induction range over every renaming, and a fact true on the canonical
  /// reachable states but false on their renamings makes mining give up
  /// (it did on migrate_hole_c9_two_devices).
  @Test func blockingClausesSpeakOfClassValuesAsTheRenamingDoes() throws {
    let m = try Bundled.load("mirror_vs_munmap_1p1d.yaml")
    let renaming = try #require(m.system.renaming)
    let reachable = ReachableStates.explore(m.system, maxStates: 100_000)
    let generalizer = CTIGeneralizer(system: m.system, reachable: reachable, pairs: InductiveProver(system: m.system, goals: m.goals).pairs)
    let pcs = m.system.threads.map(\.pcSlot)
    let classSlots = renaming.classes.flatMap(\.slots)
    var strengthened = 0
    for s in reachable.states {
      for x in classSlots {
        // "at these pcs, x has its value here": strengthening drops one
        // literal and concludes what the reachable states allow.
        let clause = LemmaForm(premises: pcs.map { .valueIn(slot: $0, values: [s[$0]]) } + [.valueIn(slot: x, values: [s[x]])], conclusion: nil)
        for f in generalizer.strengthen(clause) {
          strengthened += 1
          guard case .valueIn(let y, let vs) = f.conclusion, renaming.classOfSlot[y] >= 0 else { continue }
          let c = renaming.classes[renaming.classOfSlot[y]]
          #expect(vs.allSatisfy { (c.parity ? $0 >> 1 : $0) == 0 }, "\(f.text(m.system.schema)) names a canonical number")
        }
      }
    }
    #expect(strengthened > 0)
  }

  /// The miner's candidates are true on every state they were mined from
  /// (`InductiveProver.synthesize` relies on it), counters
  /// derived from the commands included.
  @Test(arguments: ["migrate_hole_p1_raced.yaml", "mirror_vs_munmap_2p2d.yaml"])
  func minedCandidatesHoldOnTheirStates(file: String) throws {
    let m = try Bundled.load(file)
    let prover = InductiveProver(system: m.system, goals: m.goals)
    let reachable = ReachableStates.explore(m.system, maxStates: 20_000)
    #expect(reachable.complete)
    let candidates = CandidateMiner(system: m.system, reachable: reachable, pairs: prover.pairs).mine()
    for c in candidates {
      #expect(reachable.states.allSatisfy { c.holds($0) }, "\(file): \(c.text(m.system.schema)) is false on a reachable state")
    }
  }

  /// A lemma that is false is rejected, never assumed: one false in the
  /// initial state, one true there but not preserved, and a committed lemma
  /// with one fact flipped.
  @Test func falseLemmasAreRejected() throws {
    let m = try Bundled.load("mirror_vs_munmap_1p1d.yaml")
    var text = try String(contentsOfFile: m.lemmaFile, encoding: .utf8)
    // Narrow the device PTE's tag values to one it leaves at the first mirror.
    guard let r = text.range(of: "(dpt.tag[gpu0][0] == unmapped or dpt.tag[gpu0][0] == write)") else {
      Issue.record("values_dpt_tag not found in the lemma file")
      return
    }
    text.replaceSubrange(r, with: "dpt.tag[gpu0][0] == unmapped")
    text += """

      always mutant_false_initially: mn.seq == 1
      always mutant_not_preserved: mm.rss == 1
      """
    let lemmas = try Bundled.lemmas(m, text: text)
    let outcome = try InductiveProver(system: m.system, goals: m.goals).prove(lemmas: lemmas)
    let dropped: [InductiveProver.Dropped]
    var used: [String] = []
    switch outcome {
    case .proved(let u, _, let d, _):
      dropped = d
      used = u
    case .notProved(_, _, let d): dropped = d
    default:
      Issue.record("unexpected outcome \(outcome)")
      return
    }
    let names = Set(dropped.map(\.lemma))
    #expect(names.contains("mutant_false_initially"))
    #expect(names.contains("mutant_not_preserved"))
    #expect(names.contains("values_dpt_tag"))
    #expect(dropped.first { $0.lemma == "mutant_false_initially" }?.reason == "false in the initial state")
    #expect(!used.contains { names.contains($0) })
  }

  /// A false goal is never proved, whatever the lemmas: for every buggy
  /// model whose reachable states number at most 3,000 (the debug build's
  /// budget; the two larger SPIN-twin models get the lemma-free check only),
  /// mining reports the violation instead of lemmas, and the prover given
  /// every mined fact (all true on the reachable states) does not prove
  /// the model's properties.
  @Test(arguments: Bundled.buggyModels())
  func buggyModelNeverProves(_ file: String) throws {
    let m = try Bundled.load(file)
    let prover = InductiveProver(system: m.system, goals: m.goals)
    let reachable = ReachableStates.explore(m.system, maxStates: 3_000)
    guard reachable.complete else {
      if case .proved = try prover.prove(lemmas: []) { Issue.record("\(file): proved without lemmas") }
      return
    }
    let candidates = CandidateMiner(system: m.system, reachable: reachable, pairs: prover.pairs).mine()
    do {
      let mined = try prover.synthesize(candidates: candidates, reachable: reachable)
      guard case .reachableViolation(let goal, _) = mined else {
        Issue.record("\(file): mining did not report the violation (\(mined))")
        return
      }
      #expect(m.goals.contains { $0.name == goal })
    }
    let groups = LemmaGroup.group(
      candidates.filter { c in reachable.states.allSatisfy { c.holds($0) } }, schema: m.system.schema,
      pcSlots: Set(m.system.threads.map(\.pcSlot)))
    let lemmas = groups.map { LemmaFile.lemma($0, system: m.system) }
    if case .proved = try prover.prove(lemmas: lemmas) {
      Issue.record("\(file): proved although \(Bundled.expectedSafetyViolations(m)) is violated")
    }
  }
}

/// The slow proofs (minutes in all): the bundled models in
/// `Bundled.heavyProofs` and the 4-page family member. Run with
/// `HMMCHECK_HEAVY_TESTS=1 swift test --filter HeavyProofTests`; CI does.
@Suite(.enabled(if: Bundled.heavyTier)) struct HeavyProofTests {
  @Test(arguments: Array(Bundled.heavyProofs).sorted())
  func heavyModelIsProvedFromItsLemmaFile(_ file: String) throws {
    try InductiveProofTests.provedFromLemmaFile(file)
  }

  /// Past exhaustive search's comfort: the 4-page member of the benchmark
  /// family (13,364,776 reachable states) is proved from the lemmas mined
  /// on 3 pages and carried over (`--mine-from`), every lemma kept, the
  /// sequence protocol among the goals (Benchmarks/prove.sh pages).
  @Test func fourPageFamilyIsProvedFromItsTransferredLemmas() throws {
    let m = try Bundled.load(Fixture.repo + "/Benchmarks/models/prove_mirror_munmap_4p.yaml")
    #expect(m.system.threads.count == 8)
    #expect(m.goals.contains { $0.name == "current_snapshot_is_cpu_page" })
    let file = Fixture.repo + "/Benchmarks/lemmas/prove_mirror_munmap_4p.hmmprop"
    let lemmas = try Bundled.lemmas(m, text: try String(contentsOfFile: file, encoding: .utf8))
    let outcome = try InductiveProver(system: m.system, goals: m.goals).prove(lemmas: lemmas)
    guard case .proved(_, let kept, let dropped, _) = outcome else {
      Issue.record("not proved from \(file): \(outcome)")
      return
    }
    #expect(dropped.isEmpty && kept == lemmas.count, "\(dropped.map(\.lemma))")
  }
}
