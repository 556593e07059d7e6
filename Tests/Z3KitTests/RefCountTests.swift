import Testing
import Z3Kit

@Suite("Reference counting")
struct RefCountTests {
  /// Creates and drops 100k terms; a missing inc_ref would make Z3 reuse freed nodes
  /// (wrong terms or a crash), a missing dec_ref would only leak, so also check that the
  /// surviving terms are still intact at the end.
  @Test func hundredThousandTermsCreatedAndDropped() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x")
    let keep = try ctx.le(x, ctx.int(3))
    var acc = try ctx.bool(true)
    for i in 0..<100_000 {
      let t = try ctx.add(x, ctx.int(i))
      let c = try ctx.gt(t, ctx.int(i &* 7))
      if i % 10_000 == 0 { acc = try ctx.and([acc, c]) }
    }
    #expect(keep.description == "(<= x 3)")
    // Kept conjuncts say x + i > 7i for i = 0, 10000, ..., 90000, i.e. x > 540000.
    let s = try Z3Solver(context: ctx)
    try s.assert(acc)
    #expect(try s.check() == .sat)
    #expect(try s.model().intValue(of: x) > 540_000)
    try s.assert(keep)
    #expect(try s.check() == .unsat)
  }

  @Test func objectsOutliveTheirCreatorsReference() throws {
    // The context must stay alive while any term, solver or model refers to it.
    func make() throws -> (Z3Solver, Z3Term) {
      let ctx = try Z3Context()
      let x = try ctx.intVar("x")
      let s = try Z3Solver(context: ctx)
      try s.assert(ctx.eq(x, ctx.int(11)))
      return (s, x)
    }
    let (s, x) = try make()
    #expect(try s.check() == .sat)
    let m = try s.model()
    #expect(try m.intValue(of: x) == 11)
  }

  @Test func manySolversAndModelsReleased() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x")
    for i in 0..<200 {
      let s = try Z3Solver(context: ctx)
      try s.assert(ctx.eq(x, ctx.int(i)))
      #expect(try s.check() == .sat)
      #expect(try s.model().intValue(of: x) == i)
    }
  }
}
