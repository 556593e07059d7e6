import Foundation
import Testing

/// The same inputs give the same bytes: seeded simulation and traces.
@Suite struct DeterminismTests {
  /// Replaces every timing figure ("0.04 s") so runs can be compared.
  static func untimed(_ s: String) -> String {
    s.replacing(/\d+(\.\d+)? s\b/, with: "<t> s")
  }

  @Test func untimedRemovesOnlySeconds() {
    #expect(
      Self.untimed("seed 7, 200 walks, 2902 steps, 79 distinct states seen, 0.04 s (never exhaustive)")
        == "seed 7, 200 walks, 2902 steps, 79 distinct states seen, <t> s (never exhaustive)")
    #expect(Self.untimed("depth 14, 12.50 s") == "depth 14, <t> s")
    #expect(Self.untimed("2 steps") == "2 steps")
  }

  @Test(arguments: ["mirror_ok", "mirror_bug"])
  func simulateIsReproducibleFromItsSeed(model: String) async throws {
    let args = ["simulate", Repo.model(model), "--seed", "7", "--walks", "200"] + props
    let a = try await hmmcheck(args)
    let b = try await hmmcheck(args)
    #expect(a.status == 0, "\(a)")
    #expect(b.status == a.status)
    #expect(a.stdout.contains("random: seed 7, 200 walks, "), "\(a)")
    #expect(Self.untimed(a.stdout) == Self.untimed(b.stdout), "\(a)\n\(b)")
    #expect(Self.untimed(a.stdout).contains("<t> s"), "the timing figure was found and masked: \(a)")
  }

  /// The comparison above is not vacuous: another seed walks elsewhere.
  @Test func anotherSeedGivesAnotherRun() async throws {
    let a = try await hmmcheck(["simulate", Repo.model("mirror_ok"), "--seed", "7", "--walks", "200"] + props)
    let b = try await hmmcheck(["simulate", Repo.model("mirror_ok"), "--seed", "8", "--walks", "200"] + props)
    #expect(a.status == 0 && b.status == 0, "\(a)\n\(b)")
    let strip = { (s: String) in Self.untimed(s).replacing(/seed \d+/, with: "seed N") }
    #expect(strip(a.stdout) != strip(b.stdout), "seeds 7 and 8 gave the same walks")
  }

  @Test func checkWritesByteIdenticalTraces() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    for dir in ["t1", "t2"] {
      let r = try await hmmcheck(["check", Repo.model("mirror_bug"), "--trace-dir", dir] + props, cwd: s.url)
      #expect(r.status == 0, "\(r)")
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: s.path("t1")).sorted()
    #expect(files == ["mirror_bug.device_maps_cpu_page.itf.json"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: s.path("t2")).sorted() == files)
    for f in files {
      let a = try Data(contentsOf: s.url.appendingPathComponent("t1/" + f))
      let b = try Data(contentsOf: s.url.appendingPathComponent("t2/" + f))
      #expect(!a.isEmpty)
      #expect(a == b, "\(f) differs between two runs")
    }
  }

  /// Random-walk counterexamples (then minimised) are reproducible too.
  @Test func simulateWritesByteIdenticalTraces() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    for dir in ["t1", "t2"] {
      let r = try await hmmcheck(
        ["simulate", Repo.model("mirror_bug"), "--seed", "7", "--walks", "200", "--trace-dir", dir] + props, cwd: s.url)
      #expect(r.status == 0, "\(r)")
    }
    let f = "mirror_bug.device_maps_cpu_page.itf.json"
    let a = try String(contentsOfFile: s.path("t1/" + f), encoding: .utf8)
    let b = try String(contentsOfFile: s.path("t2/" + f), encoding: .utf8)
    #expect(a == b)
    #expect(a.contains("\"engine\": \"random\""))
    #expect(a.contains("\"seed\": \"7\""))
    let r = try await hmmcheck(["replay", "--quiet", "t1/" + f] + props, cwd: s.url)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("REPRODUCED: violation of device_maps_cpu_page"), "\(r)")
  }
}

/// `hmmcheck list`.
@Suite struct ListTests {
  @Test func listsEveryFixtureModelWithItsExpectation() async throws {
    let r = try await hmmcheck(["list", "--models", Repo.models.path] + props)
    #expect(r.status == 0, "\(r)")
    #expect(r.stderr.isEmpty, "\(r)")
    let expected: [(String, String)] = [
      ("mirror_bug", "violation of device_maps_cpu_page"),
      ("mirror_bug_expects_pass", "pass"),
      ("mirror_ok", "pass"),
      ("mirror_ok_expects_violation", "violation of device_maps_cpu_page"),
    ]
    let files = try FileManager.default.contentsOfDirectory(atPath: Repo.models.path).filter { $0.hasSuffix(".yaml") }
    #expect(files.count == expected.count, "a fixture model was added: list it here too")
    let lines = r.stdout.lines
    var seen: [String] = []
    for (i, l) in lines.enumerated() where !l.hasPrefix(" ") && l.contains("  [") {
      let name = String(l[..<l.range(of: "  [")!.lowerBound])
      seen.append(name)
      #expect(l.hasSuffix("[\(Repo.model(name))]"), "\(l)")
      // The model's block runs until the next unindented line.
      let block = lines[(i + 1)...].prefix { $0.hasPrefix("  ") }
      let want = expected.first { $0.0 == name }?.1
      #expect(block.contains("  expect: \(want ?? "?")"), "\(name): \(block)")
      if name.hasPrefix("mirror_bug") {
        #expect(block.contains { $0.contains("bugs: read_retry_unlocked") }, "\(name): \(block)")
      }
    }
    #expect(seen == expected.map(\.0), "\(r)")
    #expect(lines.contains { $0.hasPrefix("suites: ") && $0.contains("page_invariants (") }, "\(r)")
  }

  @Test func listOfAMalformedModelIsBadInput() async throws {
    let r = try await hmmcheck(["list", "bad/out_of_range.yaml"] + props, cwd: Repo.fixtures)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.hasPrefix("bad/out_of_range.yaml:4:10: error: system.pages must be in 1...8, got 9"), "\(r)")
  }
}
