import CheckerCore
import Testing

@testable import PropertyLanguage

/// `at(t, "name")`: program points by name, the same in the lowered formula
/// (what the explorers and Z3 read) and in the explainer's evaluation.
@Suite struct ProgramPointTests {
  /// Two threads running different programs: a mirror reader and an
  /// unmapper, with a shared counter to state facts about.
  static let schema: Schema = {
    var s = Schema()
    s.addDomain("thread", elements: ["m0", "c0"])
    s.addVariable("thread.pc", dimensions: ["thread"], type: .int(min: 0, max: 8), group: "threads")
    s.addVariable("mn.seq", type: .int(min: 0, max: 8), group: "mn")
    return s
  }()

  static let labels = [
    [
      "start", "done", "op 1 mirror page 0 write: mirror: program",
      "op 1 mirror page 0 write: mirror: programmed", "op 1 mirror page 0 write: gpu0 callback: seq set",
    ],
    ["start", "done", "op 1 munmap page 0: gpu0 callback: seq set", "op 1 munmap page 0: zapped page 0"],
  ]

  static let compiler = PropertyCompiler(
    schema: schema, knownEvents: [],
    programPoints: ProgramPoints(
      labels: labels, pcSlots: [schema.slot("thread.pc", 0), schema.slot("thread.pc", 1)]))

  func state(m0: Int, c0: Int, seq: Int = 0) -> [UInt8] {
    var s = [UInt8](repeating: 0, count: Self.schema.slotCount)
    s[Self.schema.slot("thread.pc", 0)] = UInt8(m0)
    s[Self.schema.slot("thread.pc", 1)] = UInt8(c0)
    s[Self.schema.slot("mn.seq")] = UInt8(seq)
    return s
  }

  @Test func namesMatchWholeLabelsOrTheirTailsAfterAColon() {
    let p = ProgramPoints(labels: Self.labels, pcSlots: [0, 1])
    #expect(p.matching("mirror: program") == [[2], []])  // not "programmed"
    #expect(p.matching("gpu0 callback: seq set") == [[4], [2]])
    #expect(p.matching("callback: seq set") == [[], []])  // not a tail: "gpu0 " precedes it
    #expect(p.matching("seq set") == [[4], [2]])  // the tail after "callback: "
    #expect(p.matching("set") == [[], []])
    #expect(p.matching("zapped page *") == [[], [3]])
    #expect(p.matching("* callback: seq set") == [[4], [2]])
    #expect(p.matching("start") == [[0], [0]])
    #expect(p.matching("op 1 munmap page 0: zapped page 0") == [[], [3]])
    #expect(p.matching("page 0") == [[], []])
    #expect(p.matching("nowhere") == [[], []])
  }

  @Test func loweredAndEvaluatedAgreeOnEveryState() throws {
    let suite = try PropertyParser.parse(
      text: """
        def published(t: thread): bool = at(t, "* callback: seq set") or at(t, "zapped page *")
        always p:
          forall t in thread: published(t) implies mn.seq == 3
        always q:
          at(m0, "mirror: program") or at(c0, "nowhere") or mn.seq == 1
        """, file: "Properties/test.hmmprop")
    let props = try Self.compiler.compile(suite)
    #expect(props.count == 2)
    for m0 in 0..<5 {
      for c0 in 0..<4 {
        for seq in [1, 3, 4] {
          let s = state(m0: m0, c0: c0, seq: seq)
          let published = m0 == 4 || c0 == 2 || c0 == 3
          let p = !published || seq == 3
          let q = m0 == 2 || seq == 1
          #expect((props[0].expr.evaluate { Int(s[$0]) } != 0) == p, "p at m0=\(m0) c0=\(c0) seq=\(seq)")
          #expect((props[1].expr.evaluate { Int(s[$0]) } != 0) == q, "q at m0=\(m0) c0=\(c0) seq=\(seq)")
          let e = Self.compiler.explain(props[0], suite: suite, pre: s, post: nil, eventsFired: [])
          #expect(e.holds == p)
        }
      }
    }
  }

  @Test func aFailureNamesTheProgramPointClause() throws {
    let suite = try PropertyParser.parse(
      text: "always p:\n  forall t in thread: mn.seq == 3 or not at(t, \"zapped page *\")\n",
      file: "Properties/test.hmmprop")
    let p = try Self.compiler.compile(suite)[0]
    let e = Self.compiler.explain(p, suite: suite, pre: state(m0: 0, c0: 3, seq: 4), post: nil, eventsFired: [])
    #expect(!e.holds)
    #expect(e.description.contains("t = c0"), "\(e.description)")
    #expect(e.description.contains("at(t, \"zapped page *\") = true"), "\(e.description)")
  }

  @Test func theThreadMayBeAnyThreadValuedExpression() throws {
    // A thread read from a variable (not a quantifier constant) becomes a
    // case split over the threads.
    var s = Self.schema
    s.addVariable("drv.lock", type: .reference(domain: "thread"), group: "locks")
    let compiler = PropertyCompiler(
      schema: s, knownEvents: [],
      programPoints: ProgramPoints(labels: Self.labels, pcSlots: [s.slot("thread.pc", 0), s.slot("thread.pc", 1)]))
    // drv.lock is a ref; at() takes an index, so go through a quantifier.
    let suite = try PropertyParser.parse(
      text: "always p:\n  forall t in thread: drv.lock == t implies at(t, \"mirror: program\")\n", file: "Properties/t.hmmprop")
    let p = try compiler.compile(suite)[0]
    var st = [UInt8](repeating: 0, count: s.slotCount)
    st[s.slot("drv.lock")] = 1  // m0 holds it
    st[s.slot("thread.pc", 0)] = 2
    #expect(p.expr.evaluate { Int(st[$0]) } != 0)
    st[s.slot("thread.pc", 0)] = 3
    #expect(p.expr.evaluate { Int(st[$0]) } == 0)
  }

  @Test func errors() {
    func error(_ text: String) -> PropertyError? { Fixture.error(text, compiler: Self.compiler) }
    let unterminated = error("always p: at(m0, \"mirror: program)\n")
    #expect(unterminated?.line == 1 && unterminated?.column == 18, "\(String(describing: unterminated))")
    #expect(unterminated?.message.contains("unterminated string") == true)
    let notAString = error("always p: at(m0, mirror)")
    #expect(notAString?.line == 1 && notAString?.column == 18, "\(String(describing: notAString))")
    #expect(notAString?.message.contains("expected a program point name in quotes") == true)
    let notAThread = error("always p: at(mn.seq, \"start\")")
    #expect(notAThread?.line == 1 && notAThread?.column == 14, "\(String(describing: notAThread))")
    #expect(notAThread?.message.contains("expected index(thread), got int") == true, "\(String(describing: notAThread))")
    let stray = error("always p: mn.seq == \"3\"")
    #expect(stray?.line == 1 && stray?.column == 21, "\(String(describing: stray))")
  }

  @Test func withoutThreadsAtIsAnError() {
    let e = Fixture.error("always t: at(0, \"start\")")
    #expect(e?.message.contains("'at' needs a model with threads") == true)
  }
}
