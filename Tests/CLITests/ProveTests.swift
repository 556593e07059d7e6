import Foundation
import Testing

/// `hmmcheck prove`: proofs from lemma files, bounded model checking of the
/// buggy models, traces that replay, rejected lemmas, placed input errors.
@Suite struct ProveTests {
  static let bundled = Repo.root.appendingPathComponent("Models/mirror_vs_munmap_1p1d.yaml").path
  static let lemmas = Repo.properties.appendingPathComponent("lemmas/mirror_vs_munmap_1p1d.hmmprop").path

  @Test func correctModelIsProvedFromItsLemmaFile() async throws {
    let r = try await hmmcheck(["prove", Self.bundled, "--require-proof"] + props)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("PROVED for every depth by 1-induction (k = 1)"), "\(r)")
    #expect(r.stdout.contains("goals: device_maps_cpu_page, no_freed_page_mapped"), "\(r)")
    #expect(r.stdout.contains("memcg_usage_matches_charges, memcg_within_limit"), "\(r)")
    #expect(r.stdout.contains("1 of 1 models met their expectations"), "\(r)")
    #expect(!r.stdout.contains("rejected"), "\(r)")
  }

  /// The counterexample is found by Z3, replayed by the stepper, written
  /// as a trace that `replay` reproduces.
  @Test func buggyModelCounterexampleReplays() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let r = try await hmmcheck(["prove", Repo.model("mirror_bug"), "--trace-dir", s.path("traces")] + props)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("✗ violation of device_maps_cpu_page at depth"), "\(r)")
    #expect(r.stdout.contains("PASS: expected violation of device_maps_cpu_page found by bounded model checking"), "\(r)")
    let trace = s.path("traces/mirror_bug.device_maps_cpu_page.itf.json")
    #expect(FileManager.default.fileExists(atPath: trace), "\(r)")
    let replay = try await hmmcheck(["replay", trace] + props)
    #expect(replay.status == 0, "\(replay)")
  }

  /// A false lemma is rejected with its reason, and the proof still goes
  /// through with the others: lemmas are proved, never assumed.
  @Test func falseLemmaIsRejectedNotAssumed() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    var text = try String(contentsOfFile: Self.lemmas, encoding: .utf8)
    text += "\nalways mutant_not_preserved:\n  mm.rss == 1\n"
    try text.write(toFile: s.path("mirror_vs_munmap_1p1d.hmmprop"), atomically: true, encoding: .utf8)
    let r = try await hmmcheck(["prove", Self.bundled, "--lemmas", s.url.path] + props)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("rejected mutant_not_preserved: "), "\(r)")
    #expect(r.stdout.contains("PROVED for every depth"), "\(r)")
  }

  @Test func malformedLemmaFileIsPlaced() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    try "suite broken\n\nalways oops:\n  mm.rss == )\n".write(
      toFile: s.path("mirror_vs_munmap_1p1d.hmmprop"), atomically: true, encoding: .utf8)
    let r = try await hmmcheck(["prove", Self.bundled, "--lemmas", s.url.path] + props)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.contains("mirror_vs_munmap_1p1d.hmmprop:4:"), "\(r)")
  }

  /// --mine-lemmas writes a lemma file that the same run then proves.
  @Test func minedLemmasProveTheModel() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let r = try await hmmcheck(["prove", Repo.model("mirror_ok"), "--mine-lemmas", "--lemmas", s.url.path, "--require-proof"] + props)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("wrote \(s.url.path)/mirror_ok.hmmprop"), "\(r)")
    #expect(r.stdout.contains("PROVED for every depth"), "\(r)")
    #expect(FileManager.default.fileExists(atPath: s.path("mirror_ok.hmmprop")))
  }

  /// Without lemmas a correct model whose reachable set is small enough is
  /// proved with that set as the invariant, checked by Z3.
  @Test func reachableSetProvesAModelWithoutLemmas() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let r = try await hmmcheck(["prove", Repo.model("mirror_ok"), "--lemmas", s.url.path, "--require-proof"] + props)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("no lemma file"), "\(r)")
    #expect(r.stdout.contains("reachable set: 79 states, a decision diagram of"), "\(r)")
    #expect(r.stdout.contains("PROVED for every depth by 1-induction (k = 1) with the reachable set as the invariant"), "\(r)")
    #expect(!r.stdout.contains("bmc depth"), "\(r)")
  }

  /// Without lemmas and without the reachable-set fallback the correct
  /// model is only a bounded pass, and --require-proof turns that into
  /// exit 1.
  @Test func boundedPassIsNotAProof() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let r = try await hmmcheck(
      ["prove", Repo.model("mirror_ok"), "--lemmas", s.url.path, "--certificate-states", "0", "--depth", "4", "--max-k", "1", "--require-proof"]
        + props)
    #expect(r.status == 1, "\(r)")
    #expect(r.stdout.contains("no lemma file"), "\(r)")
    #expect(r.stdout.contains("PASS (bounded): no violation up to depth 4; not proved for every depth"), "\(r)")
    #expect(!r.stdout.contains("PROVED"), "\(r)")
  }
}
