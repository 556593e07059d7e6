import Foundation
import Testing

/// `check --trace-dir` writes traces; `replay` re-executes them.
@Suite struct TraceReplayTests {
  static let traceName = "mirror_bug.device_maps_cpu_page.itf.json"

  /// Checks the buggy fixture into `<scratch>/traces` and returns the
  /// trace's path and text.
  func writeTrace(_ s: Scratch, sourceLocation: SourceLocation = #_sourceLocation) async throws -> (String, String) {
    let r = try await hmmcheck(["check", Repo.model("mirror_bug"), "--trace-dir", s.path("traces")] + props, cwd: s.url)
    #expect(r.status == 0, "\(r)", sourceLocation: sourceLocation)
    let path = s.path("traces/" + Self.traceName)
    #expect(r.stdout.contains("trace: \(path)"), "\(r)", sourceLocation: sourceLocation)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return (path, text)
  }

  /// Index of the line holding `needle` in `lines` at or after `from`.
  func lineIndex(_ lines: [String], _ needle: String, from: Int = 0) -> Int? {
    lines[from...].firstIndex { $0.contains(needle) }
  }

  @Test func checkWritesATraceOnlyForViolations() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let (_, text) = try await writeTrace(s)
    #expect(try FileManager.default.contentsOfDirectory(atPath: s.path("traces")) == [Self.traceName])
    #expect(text.contains("\"status\": \"violation\""))
    #expect(text.contains("\"property\": \"device_maps_cpu_page\""))
    #expect(text.contains("\"source\": \"\(Repo.model("mirror_bug"))\""))
    let ok = try await hmmcheck(["check", Repo.model("mirror_ok"), "--trace-dir", s.path("ok")] + props, cwd: s.url)
    #expect(ok.status == 0, "\(ok)")
    let written = (try? FileManager.default.contentsOfDirectory(atPath: s.path("ok"))) ?? []
    #expect(written.isEmpty, "a passing model wrote \(written)")
  }

  @Test func replayReproduces() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let (path, text) = try await writeTrace(s)
    let steps = text.lines.filter { $0.contains("\"mbt::actionTaken\"") }.count
    #expect(steps > 0)
    let r = try await hmmcheck(["replay", path] + props, cwd: s.url)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("REPRODUCED: violation of device_maps_cpu_page after \(steps) steps"), "\(r)")
    #expect(r.stdout.contains("step \(steps): "), "the narrative tells every step: \(r)")
    #expect(!r.stdout.contains("DIVERGED"), "\(r)")
    #expect(r.stderr.isEmpty, "\(r)")

    let q = try await hmmcheck(["replay", "--quiet", path] + props, cwd: s.url)
    #expect(q.status == 0, "\(q)")
    #expect(q.stdout.lines.first == "REPRODUCED: violation of device_maps_cpu_page after \(steps) steps", "\(q)")
  }

  /// The trace names its model by the path `check` was given; a trace moved
  /// next to a copy of its model still replays, and --model overrides.
  /// The v6.1-v6.14 fault path's livelock (every faulter's reference fails
  /// the winner's migration, which goes through an MMU_NOTIFY_MIGRATE
  /// invalidation each round) is a lasso that `replay` re-executes, with
  /// the notifier sequence in the kernel's numbering.
  @Test func livelockLassoReplays() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let model = Repo.root.appendingPathComponent("Models/fault_path_get_page_2cpu.yaml").path
    let r = try await hmmcheck(["check", model, "--trace-dir", s.path("traces")] + props, cwd: s.url)
    #expect(r.status == 0, "\(r)")
    let trace = s.path("traces/fault_path_get_page_2cpu.all_threads_finish.itf.json")
    let text = try String(contentsOfFile: trace, encoding: .utf8)
    #expect(text.contains("\"loop\": 5"), "the loop starts after step 5")
    let replay = try await hmmcheck(["replay", trace, "--model", model] + props, cwd: s.url)
    #expect(replay.status == 0, "\(replay)")
    #expect(replay.stdout.contains("REPRODUCED: violation of all_threads_finish after 33 steps"), "\(replay)")
    #expect(replay.stdout.contains("hole P4: folio_migrate_mapping refcount mismatch"), "\(replay)")
    #expect(replay.stdout.contains("mn.seq: 4 → 5"), "sequences in the kernel's numbering: \(replay)")
  }

  @Test func replayFindsTheModelBesideTheTraceOrByOption() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let (_, text) = try await writeTrace(s)
    let moved = text.replacingOccurrences(of: Repo.model("mirror_bug"), with: "/gone/mirror_bug.yaml")
    #expect(moved != text)
    try FileManager.default.createDirectory(atPath: s.path("moved"), withIntermediateDirectories: true)
    try moved.write(toFile: s.path("moved/t.itf.json"), atomically: true, encoding: .utf8)
    try FileManager.default.copyItem(atPath: Repo.model("mirror_bug"), toPath: s.path("moved/mirror_bug.yaml"))
    let r = try await hmmcheck(["replay", "moved/t.itf.json", "--quiet"] + props, cwd: s.url)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("REPRODUCED"), "\(r)")

    try moved.write(toFile: s.path("alone.itf.json"), atomically: true, encoding: .utf8)
    let o = try await hmmcheck(["replay", "alone.itf.json", "--quiet", "--model", Repo.model("mirror_bug")] + props, cwd: s.url)
    #expect(o.status == 0, "\(o)")
    #expect(o.stdout.contains("REPRODUCED"), "\(o)")
  }

  /// Flips one recorded value in state `k`: replay must stop at step k,
  /// point at that state's line, and name the variable.
  @Test(arguments: [7, 1])
  func tamperedStateDiverges(k: Int) async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let (_, text) = try await writeTrace(s)
    var lines = text.lines
    let idx = try #require(lineIndex(lines, "\"index\": \(k),"), "the trace has no state \(k)")
    let metaLine = idx - 1  // `"#meta": {` of state k
    #expect(lines[metaLine].contains("\"#meta\""))
    let v = try #require(lineIndex(lines, "\"ghost.stale_read\": false", from: idx))
    lines[v] = lines[v].replacingOccurrences(of: "false", with: "true")
    try lines.joined(separator: "\n").write(toFile: s.path("t.itf.json"), atomically: true, encoding: .utf8)

    let r = try await hmmcheck(["replay", "t.itf.json"] + props, cwd: s.url)
    #expect(r.status == 3, "\(r)")
    #expect(r.stdout.contains("DIVERGED at step \(k) (t.itf.json:\(metaLine + 1)): "), "\(r)")
    #expect(r.stdout.contains("ghost.stale_read: true → false"), "\(r)")
    #expect(!r.stdout.contains("REPRODUCED"), "\(r)")
  }

  @Test func tamperedInitialStateDiverges() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let (_, text) = try await writeTrace(s)
    let t = text.replacingOccurrences(of: "\"memcg.limit\": 2,", with: "\"memcg.limit\": 1,")
    #expect(t != text)
    try t.write(toFile: s.path("t.itf.json"), atomically: true, encoding: .utf8)
    let r = try await hmmcheck(["replay", "t.itf.json"] + props, cwd: s.url)
    #expect(r.status == 3, "\(r)")
    #expect(r.stdout.contains("DIVERGED at step 0"), "\(r)")
    #expect(r.stdout.contains("the initial state differs: memcg.limit: 1 → 2"), "\(r)")
  }

  /// A recorded step the model cannot take (another command index).
  @Test func tamperedCommandDiverges() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let (_, text) = try await writeTrace(s)
    var lines = text.lines
    let idx = try #require(lineIndex(lines, "\"index\": 3,"))
    let c = try #require(lineIndex(lines, "\"command\": ", from: idx))
    lines[c] = lines[c].replacing(/"command": \d+/, with: "\"command\": 9999")
    try lines.joined(separator: "\n").write(toFile: s.path("t.itf.json"), atomically: true, encoding: .utf8)
    let r = try await hmmcheck(["replay", "t.itf.json"] + props, cwd: s.url)
    #expect(r.status == 3, "\(r)")
    #expect(r.stdout.contains("DIVERGED at step 3 (t.itf.json:\(idx)): the model has no command #9999"), "\(r)")
  }

  /// A trace cut short no longer ends in the violation it claims.
  @Test func truncatedPathDiverges() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let (_, text) = try await writeTrace(s)
    // Drop the last state (and its step): still valid ITF.
    let lines = text.lines
    let lastMeta = try #require(lines.lastIndex { $0.contains("\"#meta\": {") })
    // lines[lastMeta - 1] is `    {`, lines[lastMeta - 2] is `    },` closing the previous state.
    var cut = Array(lines[..<(lastMeta - 1)])
    cut[cut.count - 1] = "    }"
    cut += ["  ]", "}", ""]
    try cut.joined(separator: "\n").write(toFile: s.path("t.itf.json"), atomically: true, encoding: .utf8)
    let r = try await hmmcheck(["replay", "t.itf.json"] + props, cwd: s.url)
    #expect(r.status == 3, "\(r)")
    #expect(r.stdout.contains("the final state no longer shows the violation of device_maps_cpu_page"), "\(r)")
  }

  struct Malformed: CustomTestStringConvertible, Sendable {
    var name: String
    /// Edits the good trace's lines; returns the expected (line, column).
    var edit: @Sendable (inout [String]) -> (Int, Int)
    var fragment: String
    var testDescription: String { name }
  }

  static let malformed: [Malformed] = [
    Malformed(
      name: "double comma",
      edit: { lines in
        let i = lines.firstIndex { $0.contains("\"index\": 3,") }!
        lines[i] += ","
        return (i + 1, lines[i].count)  // the second comma
      }, fragment: "malformed JSON"),
    Malformed(
      name: "missing colon",
      edit: { lines in
        let i = lines.firstIndex { $0.contains("\"mn.active\": ") }!
        lines[i] = lines[i].replacingOccurrences(of: "\"mn.active\": ", with: "\"mn.active\" ")
        return (i + 1, lines[i].distance(from: lines[i].startIndex, to: lines[i].range(of: "\" ")!.upperBound) + 1)
      }, fragment: "malformed JSON"),
    Malformed(
      name: "truncated inside a string",
      edit: { lines in
        // Cut the file right after `"page.kind": ["zero_p` of state 0.
        let i = lines.firstIndex { $0.contains("\"page.kind\": [\"zero_page\"") }!
        lines = Array(lines[...i])
        lines[i] = String(lines[i][..<lines[i].range(of: "zero_page")!.lowerBound]) + "zero_p"
        return (i + 1, lines[i].count + 1)  // the end of the stream
      }, fragment: "malformed JSON: found unexpected end of stream"),
    Malformed(
      name: "unknown enum value",
      edit: { lines in
        let i = lines.firstIndex { $0.contains("\"pte.kind\": [\"present\"]") }!
        lines[i] = lines[i].replacingOccurrences(of: "\"present\"", with: "\"presnt\"")
        return (i + 1, lines[i].distance(from: lines[i].startIndex, to: lines[i].range(of: "\"presnt\"")!.lowerBound) + 1)
      }, fragment: "\"pte.kind\": \"presnt\" is not a pte_kind"),
    Malformed(
      name: "string where an integer belongs",
      edit: { lines in
        let i = lines.firstIndex { $0.contains("\"mn.seq\": ") }!
        lines[i] = lines[i].replacing(/"mn.seq": (\d+)/) { "\"mn.seq\": \"\($0.1)\"" }
        return (i + 1, lines[i].distance(from: lines[i].startIndex, to: lines[i].range(of: ": \"")!.lowerBound) + 3)
      }, fragment: "\"mn.seq\": expected an integer"),
  ]

  @Test(arguments: malformed)
  func malformedTraceIsBadInputAtItsPosition(_ m: Malformed) async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let (_, text) = try await writeTrace(s)
    var lines = text.lines
    let (line, column) = m.edit(&lines)
    try lines.joined(separator: "\n").write(toFile: s.path("bad.itf.json"), atomically: true, encoding: .utf8)
    let r = try await hmmcheck(["replay", "bad.itf.json"] + props, cwd: s.url)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.hasPrefix("bad.itf.json:\(line):\(column): error: "), "expected \(line):\(column): \(r)")
    #expect(r.stderr.contains(m.fragment), "\(r)")
    #expect(r.stdout.isEmpty, "\(r)")
  }

  @Test func notJSONAtAll() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    try "{\n  \"#meta\": {\n    \"format\": \"ITF\",\n  ]\n}\n".write(toFile: s.path("x.json"), atomically: true, encoding: .utf8)
    let r = try await hmmcheck(["replay", "x.json"] + props, cwd: s.url)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.hasPrefix("x.json:4:3: error: malformed JSON"), "\(r)")

    try "".write(toFile: s.path("empty.json"), atomically: true, encoding: .utf8)
    let e = try await hmmcheck(["replay", "empty.json"] + props, cwd: s.url)
    #expect(e.status == 64, "\(e)")
    #expect(e.stderr.hasPrefix("empty.json:1:1: error: "), "\(e)")

    let n = try await hmmcheck(["replay", "no-such.itf.json"] + props, cwd: s.url)
    #expect(n.status == 64, "\(n)")
    #expect(n.stderr.hasPrefix("no-such.itf.json:1:1: error: cannot read the trace"), "\(n)")
  }

  @Test func traceOfAnUnknownModelIsBadInput() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let (_, text) = try await writeTrace(s)
    let t = text.replacingOccurrences(of: "\"source\": \"\(Repo.model("mirror_bug"))\"", with: "\"source\": \"no/such/model.yaml\"")
    #expect(t != text)
    try t.write(toFile: s.path("t.itf.json"), atomically: true, encoding: .utf8)
    let r = try await hmmcheck(["replay", "t.itf.json"] + props, cwd: s.url)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.contains("t.itf.json:"), "\(r)")
    #expect(r.stderr.contains(": error: the trace's model no/such/model.yaml was not found"), "\(r)")
    // At the "source" line ...
    let lines = t.lines
    let l = try #require(lines.firstIndex { $0.contains("\"source\": ") })
    #expect(r.stderr.hasPrefix("t.itf.json:\(l + 1):"), "\(r)")
    // ... and, like every other trace error, at the column of the value.
    let col = lines[l].distance(from: lines[l].startIndex, to: lines[l].range(of: "\"no/such")!.lowerBound) + 1
    #expect(r.stderr.hasPrefix("t.itf.json:\(l + 1):\(col): error: "), "\(r)")
  }

  /// Every trace `check` writes must replay. This one passes through a
  /// thread program point whose label repeats an earlier one of the same
  /// thread (cpu_write's MMU_NOTIFY_MIGRATE callback steps are labelled like
  /// its MMU_NOTIFY_CLEAR ones); traces name program points by label, so the
  /// reader maps it to the earlier point and replay reports a divergence
  /// ("lock held → lock held") on a trace the checker itself just wrote.
  @Test func everyTraceCheckWritesReplays() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let model = Repo.fixtures.appendingPathComponent("replay/cpu_write_migrates_back.yaml").path
    let c = try await hmmcheck(["check", model, "--trace-dir", "traces"] + props, cwd: s.url)
    #expect(c.status == 0, "\(c)")
    let trace = "traces/cpu_write_migrates_back.device_maps_cpu_page.itf.json"
    #expect(FileManager.default.fileExists(atPath: s.path(trace)), "\(c)")
    let r = try await hmmcheck(["replay", "--quiet", trace] + props, cwd: s.url)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("REPRODUCED: violation of device_maps_cpu_page"), "\(r)")
  }

  /// The trace of a model that no longer has the recorded variables.
  @Test func traceReplayedAgainstAnotherModelIsBadInput() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let (path, _) = try await writeTrace(s)
    // A model with two threads of other names and no device: the state
    // layout differs (no dpt.* of one device).
    let other = """
      name: other
      system:
        pages: 2
        ram_pages: 1
      threads:
        - name: cpu0
          program:
            - cpu_read: 0
      properties: [page_invariants]

      """
    try other.write(toFile: s.path("other.yaml"), atomically: true, encoding: .utf8)
    let r = try await hmmcheck(["replay", path, "--model", "other.yaml"] + props, cwd: s.url)
    #expect([3, 64].contains(r.status), "\(r)")
    #expect(!r.stdout.contains("REPRODUCED"), "\(r)")
    #expect(r.stderr.contains("warning: other.yaml changed since the trace was written"), "\(r)")
  }
}
