import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `hmmcheck check`: verdicts, exit codes, placed input errors, reports.
@Suite struct CheckTests {
  // MARK: - Verdicts and exit codes

  @Test func correctModelPasses() async throws {
    let r = try await hmmcheck(["check", Repo.model("mirror_ok")] + props)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("== mirror_ok"), "\(r)")
    #expect(r.stdout.contains("PASS: every property holds in every reachable state"), "\(r)")
    #expect(r.stdout.contains("1 of 1 models met their expectations"), "\(r)")
    #expect(!r.stdout.contains("✗"), "\(r)")
    #expect(r.stderr.isEmpty, "\(r)")
  }

  @Test func buggyModelFindsItsExpectedViolation() async throws {
    let r = try await hmmcheck(["check", Repo.model("mirror_bug")] + props)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("✗ violation of device_maps_cpu_page in "), "\(r)")
    #expect(r.stdout.contains("(expected)"), "\(r)")
    #expect(r.stdout.contains("PASS: expected violation of device_maps_cpu_page found"), "\(r)")
    #expect(r.stderr.isEmpty, "\(r)")
  }

  @Test func wrongExpectationIsAnUnexpectedViolation() async throws {
    let r = try await hmmcheck(["check", Repo.model("mirror_bug_expects_pass")] + props)
    #expect(r.status == 1, "\(r)")
    #expect(r.stdout.contains("FAIL: unexpected violation of device_maps_cpu_page"), "\(r)")
    #expect(r.stdout.contains("0 of 1 models met their expectations"), "\(r)")
  }

  /// Liveness needs the whole graph: a bounded search says it did not
  /// check it (and the expected lasso is then missing: exit 2), never
  /// crashes or reports a lasso of a partial graph.
  @Test func boundedSearchLeavesLivenessUnchecked() async throws {
    let model = Repo.root.appendingPathComponent("Models/fault_path_get_page_2cpu.yaml").path
    let r = try await hmmcheck(["check", model, "--max-states", "50"] + props)
    #expect(r.status == 2, "\(r)")
    #expect(r.stdout.contains("need the whole state graph; the search was bounded (max-states): not checked"), "\(r)")
    let full = try await hmmcheck(["check", model] + props)
    #expect(full.status == 0, "\(full)")
    #expect(full.stdout.contains("✗ violation of all_threads_finish in 33 steps (expected)"), "\(full)")
    #expect(full.stdout.contains("fair lasso (fairness: weak): steps 6-33 repeat forever"), "\(full)")
  }

  @Test func impossibleExpectationIsMissing() async throws {
    let r = try await hmmcheck(["check", Repo.model("mirror_ok_expects_violation")] + props)
    #expect(r.status == 2, "\(r)")
    #expect(r.stdout.contains("FAIL: expected a violation of device_maps_cpu_page, none found"), "\(r)")
  }

  /// Several models: the worst code wins (1 before 2), every model is
  /// checked, and the summary counts them.
  @Test func directoryOfModelsReportsTheWorstCode() async throws {
    let r = try await hmmcheck(["check", "--models", Repo.models.path] + props)
    #expect(r.status == 1, "\(r)")
    for name in ["mirror_ok", "mirror_bug", "mirror_bug_expects_pass", "mirror_ok_expects_violation"] {
      #expect(r.stdout.contains("== \(name)  ("), "\(name) not checked: \(r)")
    }
    #expect(r.stdout.contains("2 of 4 models met their expectations"), "\(r)")
  }

  @Test func missingExpectationWithoutUnexpectedViolationGives2() async throws {
    let r = try await hmmcheck(["check", Repo.model("mirror_ok"), Repo.model("mirror_ok_expects_violation")] + props)
    #expect(r.status == 2, "\(r)")
    #expect(r.stdout.contains("1 of 2 models met their expectations"), "\(r)")
  }

  // MARK: - Malformed models: exit 64, FILE:LINE:COLUMN: error: on stderr

  struct BadModel: CustomTestStringConvertible, Sendable {
    var file: String
    var line: Int
    var column: Int
    var fragment: String
    var testDescription: String { file }
  }

  /// Positions are 1-based, of the node at fault (see Docs/model-format.md).
  static let badModels: [BadModel] = [
    // `    program: [ cpu_read: 0` never closes; libyaml notices at the next key.
    BadModel(file: "syntax_error.yaml", line: 9, column: 11, fragment: "YAML syntax error"),
    // `  ram_pagse: 2`: the key.
    BadModel(file: "unknown_key.yaml", line: 5, column: 3, fragment: "unknown key 'ram_pagse' in system (did you mean 'ram_pages'?)"),
    // `  pages: 9`: the value.
    BadModel(file: "out_of_range.yaml", line: 4, column: 10, fragment: "system.pages must be in 1...8, got 9"),
    // `properties: [page_invariants, no_such_suite]`: the item.
    BadModel(file: "unknown_suite.yaml", line: 10, column: 31, fragment: "unknown property suite 'no_such_suite'"),
    // An assertion's misspelt enum case: at its position in the model file.
    BadModel(file: "bad_assertion.yaml", line: 15, column: 68, fragment: "unknown name 'nonne'; did you mean 'none'?"),
  ]

  @Test(arguments: badModels)
  func malformedModelIsBadInputAtItsPosition(_ bad: BadModel) async throws {
    // Run from the fixtures directory with a relative path: the message
    // names the file exactly as given.
    let rel = "bad/" + bad.file
    let r = try await hmmcheck(["check", rel] + props, cwd: Repo.fixtures)
    #expect(r.status == 64, "\(r)")
    let first = r.stderr.lines.first ?? ""
    #expect(first.hasPrefix("\(rel):\(bad.line):\(bad.column): error: "), "\(r)")
    #expect(first.contains(bad.fragment), "\(r)")
    #expect(r.stdout.contains("0 of 1 models met their expectations"), "\(r)")
  }

  /// The exact position in the source text for the ones a test can find by
  /// itself (guards the table above against fixture edits).
  @Test func fixturePositionsMatchTheirText() throws {
    func position(of needle: String, in file: String) throws -> (Int, Int)? {
      let text = try String(contentsOf: Repo.bad.appendingPathComponent(file), encoding: .utf8)
      for (i, l) in text.lines.enumerated() {
        if let r = l.range(of: needle) { return (i + 1, l.distance(from: l.startIndex, to: r.lowerBound) + 1) }
      }
      return nil
    }
    #expect(try position(of: "ram_pagse", in: "unknown_key.yaml")! == (5, 3))
    #expect(try position(of: "9", in: "out_of_range.yaml")! == (4, 10))
    #expect(try position(of: "no_such_suite]", in: "unknown_suite.yaml")! == (10, 31))
    #expect(try position(of: ": [page_invariants]", in: "syntax_error.yaml")! == (9, 11))
  }

  @Test func badModelAmongGoodOnesStillChecksTheOthers() async throws {
    let r = try await hmmcheck(["check", Repo.model("mirror_ok"), Repo.bad.appendingPathComponent("unknown_key.yaml").path] + props)
    #expect(r.status == 64, "\(r)")
    #expect(r.stdout.contains("PASS: every property holds"), "\(r)")
    #expect(r.stdout.contains("1 of 2 models met their expectations"), "\(r)")
    #expect(r.stderr.contains("unknown_key.yaml:5:3: error: unknown key 'ram_pagse'"), "\(r)")
  }

  @Test func missingModelFileIsBadInput() async throws {
    let r = try await hmmcheck(["check", "no/such/model.yaml"] + props)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.hasPrefix("no/such/model.yaml:1:1: error: "), "\(r)")
  }

  @Test func missingPropertiesDirectoryIsBadInput() async throws {
    let r = try await hmmcheck(["check", Repo.model("mirror_ok"), "--properties", "no/such/dir"])
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.hasPrefix("no/such/dir"), "\(r)")
  }

  @Test func unknownOptionIsUsageError() async throws {
    let r = try await hmmcheck(["check", "--no-such-option"] + props)
    #expect(r.status == 64, "\(r)")
  }

  // MARK: - Reports

  /// The models of the fixtures directory with their expected exit codes.
  static let expectedExits: [String: Int] = [
    "mirror_bug": 0, "mirror_bug_expects_pass": 1, "mirror_ok": 0, "mirror_ok_expects_violation": 2,
  ]

  @Test func jsonReport() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let r = try await hmmcheck(["check", "--models", Repo.models.path, "--report", "json", "--report-file", "r.json"] + props, cwd: s.url)
    #expect(r.status == 1, "\(r)")
    let data = try Data(contentsOf: s.url.appendingPathComponent("r.json"))
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(root["hmmcheck"] as? Int == 1)
    let models = try #require(root["models"] as? [[String: Any]])
    #expect(models.count == 4)
    var exits: [String: Int] = [:]
    for m in models {
      let name = try #require(m["model"] as? String)
      exits[name] = m["exit"] as? Int
      #expect(m["engine"] as? String == "bfs")
      #expect(m["exhaustive"] as? Bool == true)
      #expect((m["distinctStates"] as? Int ?? 0) > 0)
      #expect((m["file"] as? String)?.hasSuffix("/\(name).yaml") == true)
    }
    #expect(exits == Self.expectedExits)
    // Findings: both buggy models find the one violation; only one expects it.
    func findings(_ name: String) -> [[String: Any]] {
      models.first { $0["model"] as? String == name }?["findings"] as? [[String: Any]] ?? []
    }
    let bug = findings("mirror_bug").filter { $0["kind"] as? String == "violation" }
    #expect(bug.count == 1)
    #expect(bug.first?["property"] as? String == "device_maps_cpu_page")
    #expect(bug.first?["expected"] as? Bool == true)
    #expect(bug.first?["trace"] is NSNull, "no --trace-dir, so no trace")
    let wrong = findings("mirror_bug_expects_pass").filter { $0["kind"] as? String == "violation" }
    #expect(wrong.count == 1)
    #expect(wrong.first?["expected"] as? Bool == false)
    #expect(findings("mirror_ok").filter { $0["kind"] as? String == "violation" }.isEmpty)
  }

  @Test func jsonReportNamesTraceFiles() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let r = try await hmmcheck(
      ["check", Repo.model("mirror_bug"), "--trace-dir", "traces", "--report", "json", "--report-file", "r.json"] + props, cwd: s.url)
    #expect(r.status == 0, "\(r)")
    let data = try Data(contentsOf: s.url.appendingPathComponent("r.json"))
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let m = try #require((root["models"] as? [[String: Any]])?.first)
    let f = try #require((m["findings"] as? [[String: Any]])?.first { $0["kind"] as? String == "violation" })
    let trace = try #require(f["trace"] as? String)
    #expect(trace == "traces/mirror_bug.device_maps_cpu_page.itf.json")
    #expect(FileManager.default.fileExists(atPath: s.path(trace)))
  }

  #if canImport(FoundationXML) || canImport(Darwin)
  @Test func junitReport() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let r = try await hmmcheck(["check", "--models", Repo.models.path, "--report", "junit", "--report-file", "r.xml"] + props, cwd: s.url)
    #expect(r.status == 1, "\(r)")
    let doc = try XMLDocument(contentsOf: s.url.appendingPathComponent("r.xml"))
    let suite = try #require(doc.rootElement())
    #expect(suite.name == "testsuite")
    #expect(suite.attribute(forName: "tests")?.stringValue == "4")
    #expect(suite.attribute(forName: "failures")?.stringValue == "2")
    #expect(suite.attribute(forName: "errors")?.stringValue == "0")
    let cases = suite.elements(forName: "testcase")
    #expect(cases.count == 4)
    var failed: [String: String] = [:]
    for c in cases {
      let name = try #require(c.attribute(forName: "name")?.stringValue)
      #expect(Double(c.attribute(forName: "time")?.stringValue ?? "") != nil, "time of \(name)")
      if let f = c.elements(forName: "failure").first {
        failed[name] = f.attribute(forName: "type")?.stringValue
        #expect(f.attribute(forName: "message")?.stringValue?.hasPrefix("FAIL: ") == true)
      }
    }
    #expect(failed == ["mirror_bug_expects_pass": "exit 1", "mirror_ok_expects_violation": "exit 2"])
  }

  /// A model that cannot be loaded still appears in the reports CI reads,
  /// as a failed case with exit 64 (fixed in 625b603: it used to be counted
  /// in `tests` with no <testcase>, and left out of the JSON report).
  @Test func reportsAccountForModelsThatFailToLoad() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let badModel = Repo.bad.appendingPathComponent("unknown_key.yaml").path
    let j = try await hmmcheck(
      ["check", Repo.model("mirror_ok"), badModel, "--report", "junit", "--report-file", "r.xml"] + props, cwd: s.url)
    #expect(j.status == 64, "\(j)")
    let doc = try XMLDocument(contentsOf: s.url.appendingPathComponent("r.xml"))
    let suite = try #require(doc.rootElement())
    let tests = Int(suite.attribute(forName: "tests")?.stringValue ?? "") ?? -1
    let failures = Int(suite.attribute(forName: "failures")?.stringValue ?? "") ?? -1
    let errors = Int(suite.attribute(forName: "errors")?.stringValue ?? "") ?? -1
    #expect(tests == 2)
    #expect(failures + errors == 1)
    let cases = suite.elements(forName: "testcase")
    #expect(cases.count == tests, "tests=\(tests) but \(cases.count) <testcase> elements")
    let bad = cases.first { $0.attribute(forName: "file")?.stringValue == badModel }
    let failure = bad?.elements(forName: "failure").first ?? bad?.elements(forName: "error").first
    #expect(failure != nil, "the unloadable model is not a failed case")
    #expect(failure?.attribute(forName: "message")?.stringValue?.contains("unknown_key.yaml:5:3: error: unknown key 'ram_pagse'") == true)

    let k = try await hmmcheck(
      ["check", Repo.model("mirror_ok"), badModel, "--report", "json", "--report-file", "r.json"] + props, cwd: s.url)
    #expect(k.status == 64, "\(k)")
    let data = try Data(contentsOf: s.url.appendingPathComponent("r.json"))
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let models = try #require(root["models"] as? [[String: Any]])
    #expect(models.count == 2, "the JSON report lists \(models.count) of 2 models")
    let entry = models.first { $0["file"] as? String == badModel }
    #expect(entry?["exit"] as? Int == 64)
    #expect((entry?["verdict"] as? String)?.contains("unknown key 'ram_pagse'") == true)
    #expect(models.first { $0["model"] as? String == "mirror_ok" }?["exit"] as? Int == 0)
  }
  #endif

  @Test func unwritableReportFileIsBadInput() async throws {
    let r = try await hmmcheck(
      ["check", Repo.model("mirror_ok"), "--report", "json", "--report-file", "no/such/dir/r.json"] + props)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.hasPrefix("no/such/dir/r.json:1:1: error: cannot write the report"), "\(r)")
  }
}
