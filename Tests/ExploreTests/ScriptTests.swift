import Foundation
import Testing

/// One recorded exploration: a script of commands on a bundled model.
struct ScriptCase: Sendable, CustomTestStringConvertible {
  var name: String
  var model: String
  var script: String
  var testDescription: String { name }

  static let all: [ScriptCase] = [
    ScriptCase(
      name: "walk", model: Repo.o2,
      script: """
        # By hand through the O2 race (read_retry checked without the driver lock).
        1
        1
        2
        why
        why 2
        state
        diff
        back
        forward
        goto 0
        path
        l
        """),
    ScriptCase(
      name: "race", model: Repo.o2,
      script: """
        # The shortest way to the race, the lock the mirror waits for, the proof.
        find device_maps_cpu_page
        goto 9
        why
        why mutex_lock
        goto 15
        diff
        check
        save race.itf.json
        """),
    ScriptCase(
      name: "mistakes", model: Repo.o2,
      script: """
        # Every mistake is reported and the session goes on.
        foo
        99
        0
        2 3
        goto
        goto 99
        goto x
        random
        random 0
        random 2 x
        find
        find nothing_like_this
        back
        forward
        why 42
        why no_such_step
        state now
        save
        load no_such_trace.itf.json
        1
        help
        quit
        1
        """),
    ScriptCase(
      name: "random", model: Repo.o2,
      script: """
        random 6 7
        path
        random 100 7
        save walk.itf.json
        """),
  ]

  /// Runs the script in a scratch directory holding a copy of the model
  /// (so paths in the transcript are the same on every machine).
  func run(stdinInstead: Bool = false) async throws -> (result: RunResult, dir: Scratch) {
    let s = try Scratch()
    try FileManager.default.copyItem(atPath: Repo.model(model), toPath: s.path("\(model).yaml"))
    try script.write(toFile: s.path("commands.script"), atomically: true, encoding: .utf8)
    var args = ["explore", "\(model).yaml", "--properties", Repo.properties]
    if !stdinInstead { args += ["--script", "commands.script"] }
    let r = try await hmmcheck(args, cwd: s.url, stdin: stdinInstead ? script + "\n" : "")
    return (r, s)
  }
}

/// `hmmcheck explore --script`: golden transcripts (Goldens.swift), the
/// same text from standard input, and the behaviour around them.
///
/// To re-record the transcripts after a deliberate change (of the explorer,
/// or of the model they walk), run
/// `HMMCHECK_UPDATE_GOLDEN=1 swift test --filter ScriptTests/recordGoldens`
/// and review the diff of Goldens.swift.
@Suite struct ScriptTests {
  static var updating: Bool { ProcessInfo.processInfo.environment["HMMCHECK_UPDATE_GOLDEN"] == "1" }

  @Test(.disabled(if: updating), arguments: ScriptCase.all)
  func transcriptMatchesGolden(_ c: ScriptCase) async throws {
    let (r, s) = try await c.run()
    defer { s.cleanup() }
    let golden = try #require(Goldens.transcripts[c.name], "no golden transcript for \(c.name): record it")
    #expect(r.status == golden.status, "\(r)")
    #expect(r.stdout == golden.stdout, "the transcript of \(c.name) changed:\n\(r.stdout)")
    if r.stdout != golden.stdout {
      let (a, b) = (r.stdout.lines, golden.stdout.lines)
      if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
        Issue.record("first difference at line \(i + 1):\n  now:    \(a[i])\n  golden: \(b[i])")
      }
    }
    for l in r.stdout.lines { #expect(l.count <= 80, "wider than 80 columns: \(l)") }
  }

  /// Commands on standard input (not a terminal) print the same text.
  @Test(arguments: ScriptCase.all.filter { ["walk", "mistakes"].contains($0.name) })
  func standardInputPrintsTheSameText(_ c: ScriptCase) async throws {
    let (a, s1) = try await c.run()
    let (b, s2) = try await c.run(stdinInstead: true)
    defer {
      s1.cleanup()
      s2.cleanup()
    }
    #expect(a.stdout == b.stdout, "\(a)\n\(b)")
    #expect(a.status == b.status)
  }

  /// Mistakes do not end the session; the script's exit code says that
  /// some commands were rejected, and `quit` ends it.
  @Test func rejectedCommandsAreCountedAndTheSessionGoesOn() async throws {
    let c = ScriptCase.all.first { $0.name == "mistakes" }!
    let (r, s) = try await c.run()
    defer { s.cleanup() }
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr == "explore: 19 of 22 commands were rejected\n", "\(r)")
    #expect(r.stdout.contains("hmm:0> 1\nstep 1: after gpu0_mirror"), "the session went on after the mistakes: \(r)")
    #expect(r.stdout.contains("hmm:1> quit\n") && !r.stdout.contains("hmm:1> 1"), "quit ends the script: \(r)")
  }

  /// The traces the scripts save replay exactly: a violation, and an
  /// ordinary path.
  @Test func savedTracesReplay() async throws {
    for (name, file, verdict) in [
      ("race", "race.itf.json", "REPRODUCED: violation of device_maps_cpu_page after 15 steps"),
      ("random", "walk.itf.json", "REPRODUCED: 17 steps"),
    ] {
      let c = ScriptCase.all.first { $0.name == name }!
      let (r, s) = try await c.run()
      defer { s.cleanup() }
      #expect(r.status == 0, "\(r)")
      let replay = try await hmmcheck(["replay", file, "--properties", Repo.properties], cwd: s.url)
      #expect(replay.status == 0, "\(replay)")
      #expect(replay.stdout.contains(verdict), "\(replay)")
    }
  }

  /// `--from TRACE --step K` starts K steps into a counterexample; forward
  /// walks the rest of it; a branch saved from there is still a whole path
  /// from the model's initial state, and replays.
  @Test func fromATraceAtAStep() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    try FileManager.default.copyItem(atPath: Repo.model(Repo.o2), toPath: s.path("\(Repo.o2).yaml"))
    let check = try await hmmcheck(["check", "\(Repo.o2).yaml", "--trace-dir", "t", "--properties", Repo.properties], cwd: s.url)
    #expect(check.status == 0, "\(check)")
    let trace = "t/\(Repo.o2).device_maps_cpu_page.itf.json"
    try "forward\n1\nsave branch.itf.json\ngoto 15\nforward\n".write(toFile: s.path("s"), atomically: true, encoding: .utf8)
    let r = try await hmmcheck(["explore", "--from", trace, "--step", "6", "--script", "s", "--properties", Repo.properties], cwd: s.url)
    #expect(r.status == 64, "the last forward has nothing to redo: \(r)")
    #expect(r.stdout.flat.contains("from step 6 of \(trace) (violation of device_maps_cpu_page, 15 steps)"), "\(r)")
    #expect(r.stdout.contains("step 6: after gpu0_mirror: mmu_interval_read_retry"), "\(r)")
    #expect(r.stdout.contains("hmm:6> forward\nstep 7: after cpu0: munmap"), "forward redoes the trace's step 7: \(r)")
    #expect(r.stdout.contains("hmm:7> 1\nstep 8: after gpu0_mirror: mutex_lock(driver->update)"), "a branch off the trace: \(r)")
    #expect(r.stdout.contains("saved 8 steps to branch.itf.json: path"), "\(r)")
    #expect(r.stdout.contains("error: goto 15: the path has steps 0-8"), "branching dropped the rest of the trace: \(r)")
    let replay = try await hmmcheck(["replay", "branch.itf.json", "--properties", Repo.properties], cwd: s.url)
    #expect(replay.status == 0, "\(replay)")
    #expect(replay.stdout.contains("REPRODUCED: 8 steps"), "\(replay)")
    #expect(replay.stdout.contains("step 1: gpu0_mirror: mmu_interval_read_begin"), "saved from the initial state: \(replay)")

    // Without --step: at the trace's last step, the violation.
    let end = try await hmmcheck(["explore", "--from", trace, "--properties", Repo.properties], cwd: s.url)
    #expect(end.status == 0, "\(end)")
    #expect(end.stdout.contains("failing: device_maps_cpu_page"), "\(end)")
    // A step outside the trace is bad usage.
    let out = try await hmmcheck(["explore", "--from", trace, "--step", "16", "--properties", Repo.properties], cwd: s.url)
    #expect(out.status == 64 && out.stderr.contains("--step 16: the trace \(trace) has steps 0-15"), "\(out)")
  }

  /// A malformed trace given to --from: exit 64, placed at file:line:column.
  @Test(arguments: [
    ("{\n  \"#meta\": {\n    \"format\": \"ITF\",\n", #"^bad\.itf\.json:\d+:\d+: error: malformed JSON"#),
    ("{\n  \"#meta\": {},\n  \"states\": []\n}\n", #"^bad\.itf\.json:2:\d+: error: missing "#),
    ("[1, 2]\n", #"^bad\.itf\.json:1:1: error: a trace is a JSON object"#),
  ])
  func malformedTraceIsBadInput(text: String, pattern: String) async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    try text.write(toFile: s.path("bad.itf.json"), atomically: true, encoding: .utf8)
    try FileManager.default.copyItem(atPath: Repo.model(Repo.o2), toPath: s.path("m.yaml"))
    for args in [["explore", "--from", "bad.itf.json"], ["explore", "m.yaml", "--from", "bad.itf.json"]] {
      let r = try await hmmcheck(args + ["--properties", Repo.properties], cwd: s.url)
      #expect(r.status == 64, "\(r)")
      #expect(r.stderr.contains(try Regex(pattern)), "\(r)")
      #expect(r.stdout.isEmpty, "nothing explored: \(r)")
    }
    let missing = try await hmmcheck(["explore", "--from", "none.itf.json", "--properties", Repo.properties], cwd: s.url)
    #expect(missing.status == 64 && missing.stderr.hasPrefix("none.itf.json:1:1: error: cannot read the trace: no such file"), "\(missing)")
    let noModel = try await hmmcheck(["explore", "--properties", Repo.properties], cwd: s.url)
    #expect(noModel.status == 64 && noModel.stderr.contains("give a MODEL"), "\(noModel)")
    let stepAlone = try await hmmcheck(["explore", "m.yaml", "--step", "3", "--properties", Repo.properties], cwd: s.url)
    #expect(stepAlone.status == 64 && stepAlone.stderr.contains("--step needs --from"), "\(stepAlone)")
  }

  /// Re-records Goldens.swift (only with HMMCHECK_UPDATE_GOLDEN=1).
  @Test(.enabled(if: updating)) func recordGoldens() async throws {
    var out = """
      // Generated by `HMMCHECK_UPDATE_GOLDEN=1 swift test --filter ScriptTests/recordGoldens`:
      // the transcripts of ScriptCase.all. Review changes like any golden file.

      enum Goldens {
        static let transcripts: [String: (status: Int32, stdout: String)] = [

      """
    for c in ScriptCase.all {
      let (r, s) = try await c.run()
      s.cleanup()
      out += "    \"\(c.name)\": (\n      status: \(r.status),\n      stdout: #\"\"\"\n"
      out += r.stdout.lines.map { $0.isEmpty ? "" : "      " + $0 }.joined(separator: "\n")
      out += "\n      \"\"\"#),\n"
    }
    out += "  ]\n}\n"
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens.swift")
    try out.write(to: file, atomically: true, encoding: .utf8)
  }
}
