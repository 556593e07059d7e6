import CheckerCore
import Foundation
import Testing
@testable import Traces

/// Malformed trace files: every error is a TraceFileError at the line and
/// column (1-based) of the offending JSON node.
@Suite struct TraceErrorTests {
  static let file = "bad.itf.json"

  /// A good trace's text.
  static func good() throws -> String { TraceCodec.encode(try Fixture.trace(), system: Fixture.system) }

  /// The error of parsing then decoding `text`, or nil with a test issue.
  static func error(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> TraceFileError? {
    do {
      let p = try TraceCodec.parse(text: text, file: file)
      _ = try TraceCodec.states(of: p, system: Fixture.system)
      Issue.record("the trace was accepted", sourceLocation: sourceLocation)
    } catch let e as TraceFileError {
      return e
    } catch {
      Issue.record("expected a TraceFileError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
  }

  /// Expects `text` to fail at `at` with a message containing `message`.
  static func expectError(
    _ text: String, at: (line: Int, column: Int)?, _ message: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard let at else {
      Issue.record("the test's needle is not in the text", sourceLocation: sourceLocation)
      return
    }
    guard let e = error(text, sourceLocation: sourceLocation) else { return }
    #expect(e.file == file, sourceLocation: sourceLocation)
    #expect((e.line, e.column) == (at.line, at.column), "\(e)", sourceLocation: sourceLocation)
    #expect(e.message.contains(message), "\(e)", sourceLocation: sourceLocation)
    #expect(e.description == "\(file):\(e.line):\(e.column): error: \(e.message)", sourceLocation: sourceLocation)
  }

  /// `text` with the first occurrence of `old` after `after` replaced.
  static func edit(_ text: String, _ old: String, _ new: String, after: String? = nil) -> String {
    let start = after.flatMap { text.range(of: $0)?.upperBound } ?? text.startIndex
    guard let r = text.range(of: old, range: start..<text.endIndex) else { return text + "<needle \(old) not found>" }
    return text.replacingCharacters(in: r, with: new)
  }

  // MARK: - Not JSON

  @Test func syntaxErrors() {
    let a = "{\n  \"#meta\": {\n    \"format\": \"ITF\",\n  ]\n}\n"
    Self.expectError(a, at: (4, 3), "malformed JSON")
    let b = "{\"states\": [1, 2,, 3]}"
    Self.expectError(b, at: position(of: ",, 3", in: b).map { ($0.line, $0.column + 1) }, "malformed JSON")
    let c = "{\n  \"#meta\": {\n    \"source\": \"unterminated\n"
    Self.expectError(c, at: (4, 1), "malformed JSON")
  }

  @Test func syntaxErrorInsideARealTrace() throws {
    let good = try Self.good()
    let t = Self.edit(good, "\"index\": 3,", "\"index\": 3,,")
    Self.expectError(t, at: position(of: ",,", in: t).map { ($0.line, $0.column + 1) }, "malformed JSON")
    let u = Self.edit(good, "\"mn.active\": ", "\"mn.active\" ")
    Self.expectError(u, at: position(of: "\"mn.active\" ", in: u).map { ($0.line, $0.column + 12) }, "malformed JSON")
  }

  @Test func emptyAndNonObjectFiles() {
    Self.expectError("", at: (1, 1), "empty trace file")
    Self.expectError("[1, 2]\n", at: (1, 1), "a trace is a JSON object")
    Self.expectError("\"text\"\n", at: (1, 1), "a trace is a JSON object")
  }

  @Test func duplicateKey() throws {
    let good = try Self.good()
    let t = Self.edit(good, "\"status\": \"violation\",", "\"status\": \"violation\",\n    \"status\": \"witness\",")
    let e = try #require(Self.error(t))
    #expect(e.message.contains("duplicate"), "\(e)")
    #expect(e.line > 1, "\(e)")
  }

  // MARK: - Missing parts

  @Test func missingMeta() {
    let t = "{\n  \"vars\": [],\n  \"states\": []\n}\n"
    Self.expectError(t, at: (1, 1), "missing \"#meta\"")
  }

  @Test func missingHmmcheckMeta() throws {
    let t = "{\n  \"#meta\": {\"format\": \"ITF\"},\n  \"states\": []\n}\n"
    Self.expectError(t, at: (2, 12), "not an hmmcheck trace")
  }

  @Test func missingStates() throws {
    let good = try Self.good()
    let r = try #require(good.range(of: ",\n  \"states\": ["))
    let t = String(good[..<r.lowerBound]) + "\n}\n"
    Self.expectError(t, at: (1, 1), "missing \"states\" array")
  }

  @Test func statesNotAnArray() throws {
    let t = Self.edit(try Self.good(), "\"states\": [", "\"states\": {\"x\": 1}, \"ignored\": [")
    Self.expectError(t, at: position(of: "{\"x\"", in: t), "missing \"states\" array")
  }

  @Test func statesEmpty() throws {
    let good = try Self.good()
    let r = try #require(good.range(of: "\"states\": ["))
    let t = String(good[..<r.upperBound]) + "]\n}\n"
    Self.expectError(t, at: position(of: "\"states\": [", in: t).map { ($0.line, $0.column + 10) }, "\"states\" is empty")
  }

  @Test func missingMetaField() throws {
    let t = Self.edit(try Self.good(), "\"engine\": \"bfs\",\n", "")
    // Reported at the enclosing "hmmcheck" object.
    Self.expectError(t, at: position(of: "\"hmmcheck\": {", in: t).map { ($0.line, $0.column + 12) }, "missing \"engine\"")
  }

  @Test func stateWithoutMeta() throws {
    let good = try Self.good()
    let t = Self.edit(good, "\"#meta\": {\n        \"index\": 2,", "\"#mota\": {\n        \"index\": 2,")
    Self.expectError(t, at: position(of: "\"#mota\"", in: t).map { ($0.line - 1, $0.column - 2) }, "state 2 has no \"#meta\"")
  }

  @Test func stateIndexOutOfOrder() throws {
    let t = Self.edit(try Self.good(), "\"index\": 2,", "\"index\": 5,")
    Self.expectError(t, at: position(of: "\"index\": 5", in: t).map { ($0.line, $0.column + 9) }, "state index 5 where 2 was expected")
  }

  @Test func stateMissingVariable() throws {
    let good = try Self.good()
    let t = Self.edit(good, "      \"mn.seq\": ", "      \"mn.sequence\": ", after: "\"index\": 3,")
    let e = try #require(Self.error(t))
    #expect(e.message == "state 3 lacks variable \"mn.seq\" (was the trace written for another model?)")
    // At the state object: the `{` opening state 3.
    let meta = try #require(position(of: "\"index\": 3,", in: t))
    #expect((e.line, e.column) == (meta.line - 2, 5), "\(e)")
  }

  // MARK: - Wrong value types

  @Test func versionMustBeASupportedInteger() throws {
    let good = try Self.good()
    let a = Self.edit(good, "\"version\": 1,", "\"version\": \"1\",")
    Self.expectError(a, at: position(of: "\"1\"", in: a), "\"version\" must be an integer")
    let b = Self.edit(good, "\"version\": 1,", "\"version\": 99,")
    Self.expectError(b, at: position(of: "99", in: b), "trace format version 99 is not supported")
  }

  @Test func metaStringsMustBeStrings() throws {
    let good = try Self.good()
    let a = Self.edit(good, "\"source\": \"Models/codec_1p1d.yaml\"", "\"source\": 42")
    Self.expectError(a, at: position(of: "42", in: a), "\"source\" must be a string")
    let b = Self.edit(good, "\"engine\": \"bfs\"", "\"engine\": [\"bfs\"]")
    Self.expectError(b, at: position(of: "[\"bfs\"]", in: b), "\"engine\" must be a string")
    let c = Self.edit(good, "\"modelHash\": \"0123456789abcdef\"", "\"modelHash\": \"xyz\"")
    Self.expectError(c, at: position(of: "\"xyz\"", in: c), "\"modelHash\" must be 16 hex digits")
    let d = Self.edit(good, "\"seed\": null", "\"seed\": \"-1\"")
    Self.expectError(d, at: position(of: "\"-1\"", in: d), "\"seed\" must be a decimal string or null")
    let e = Self.edit(good, "\"initial\": 0", "\"initial\": 0.5")
    Self.expectError(e, at: position(of: "0.5", in: e), "\"initial\" must be an integer")
  }

  @Test func stepMetaTypes() throws {
    let good = try Self.good()
    let a = Self.edit(good, "\"command\": ", "\"command\": \"x\", \"was\": ", after: "\"index\": 2,")
    Self.expectError(a, at: position(of: "\"x\"", in: a), "\"command\" must be an integer")
    let b = Self.edit(good, "\"actor\": \"", "\"actor\": true, \"was\": \"", after: "\"index\": 2,")
    Self.expectError(b, at: position(of: "true, \"was\"", in: b), "\"actor\" must be a string")
    let c = Self.edit(good, "\"params\": [", "\"params\": [[\"nested\"], ", after: "\"index\": 2,")
    Self.expectError(c, at: position(of: "[\"nested\"]", in: c), "params must be strings")
  }

  @Test func stateValueTypes() throws {
    let good = try Self.good()
    // An integer given as a string.
    let a = Self.edit(good, "\"mn.seq\": ", "\"mn.seq\": \"", after: "\"index\": 1,")
    let a2 = a.replacing(/"mn.seq": "(\d+)/) { "\"mn.seq\": \"\($0.1)\"" }
    Self.expectError(a2, at: position(of: "\"mn.seq\": \"", in: a2).map { ($0.line, $0.column + 10) }, "\"mn.seq\": expected an integer in")
    // An integer out of its range.
    let b = Self.edit(good, "\"memcg.limit\": 3", "\"memcg.limit\": 99")
    Self.expectError(b, at: position(of: "99", in: b), "\"memcg.limit\": expected an integer in")
    // A boolean given as a number.
    let c = Self.edit(good, "\"mm.writer\": false", "\"mm.writer\": 0")
    Self.expectError(c, at: position(of: "\"mm.writer\": 0", in: c).map { ($0.line, $0.column + 13) }, "\"mm.writer\": expected true or false")
    // A scalar where an array belongs.
    let d = Self.edit(good, "\"pte.kind\": [\"present\"]", "\"pte.kind\": \"present\"")
    Self.expectError(
      d, at: position(of: "\"pte.kind\": \"present\"", in: d).map { ($0.line, $0.column + 12) }, "\"pte.kind\" must be an array of 1 (page)")
    // An array of the wrong length.
    let e = Self.edit(good, "\"pte.kind\": [\"present\"]", "\"pte.kind\": [\"present\", \"none\"]")
    Self.expectError(e, at: position(of: "[\"present\", \"none\"]", in: e), "\"pte.kind\" must be an array of 1 (page)")
    // An object where a value belongs.
    let f = Self.edit(good, "\"mn.active\": 0", "\"mn.active\": {}")
    Self.expectError(f, at: position(of: "{}", in: f), "\"mn.active\": expected a value")
  }

  @Test func unknownEnumValues() throws {
    let good = try Self.good()
    let a = Self.edit(good, "\"pte.kind\": [\"present\"]", "\"pte.kind\": [\"presnt\"]")
    Self.expectError(
      a, at: position(of: "\"presnt\"", in: a), "\"pte.kind\": \"presnt\" is not a pte_kind (none, present, zero, migration, device_private)")
    let b = Self.edit(good, "\"pte.page\": [\"ram0\"]", "\"pte.page\": [\"ram9\"]")
    Self.expectError(b, at: position(of: "\"ram9\"", in: b), "\"pte.page\": \"ram9\" is not a phys")
    let c = Self.edit(good, "\"thread.pc\": [\"start\"", "\"thread.pc\": [\"nowhere\"")
    Self.expectError(c, at: position(of: "\"nowhere\"", in: c), "unknown program point \"nowhere\" of thread gpu0_mirror")
  }

  /// Errors in later states point into those states, not at state 0.
  @Test func errorInALaterState() throws {
    let good = try Self.good()
    let t = Self.edit(good, "\"ghost.stale_read\": false", "\"ghost.stale_read\": maybe", after: "\"index\": 4,")
    let e = try #require(Self.error(t))
    #expect((e.line, e.column) == position(of: "maybe", in: t).map { ($0.line, $0.column) }!, "\(e)")
    #expect(e.message.contains("expected true or false"), "\(e)")
  }
}
