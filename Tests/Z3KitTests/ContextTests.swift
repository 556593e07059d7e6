import Testing
import Z3Kit

@Suite("Context, errors and versions")
struct ContextTests {
  @Test func versionIsDebians4x() {
    #expect(Z3Context.version.hasPrefix("4."))
    #expect(Z3Context.versionNumbers.major == 4)
  }

  @Test func sortMismatchThrowsInsteadOfExiting() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x"), b = try ctx.boolVar("b")
    let error = #expect(throws: Z3Error.self) { try ctx.add(x, b) }
    #expect(error?.message.contains("Sort mismatch") == true)
    #expect(throws: Z3Error.self) { try ctx.eq(x, b) }
    #expect(throws: Z3Error.self) { try ctx.ite(x, x, x) }
    #expect(throws: Z3Error.self) { try ctx.lt(b, b) }
  }

  @Test func contextStaysUsableAfterAnError() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x")
    _ = try? ctx.not(x)
    let s = try Z3Solver(context: ctx)
    try s.assert(ctx.eq(x, ctx.int(7)))
    #expect(try s.check() == .sat)
    #expect(try s.model().intValue(of: x) == 7)
  }

  @Test func wrapperSortChecksUseSortError() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x")
    // Singleton and/or skip Z3, so the wrapper must check the sort itself.
    let e1 = #expect(throws: Z3Error.self) { try ctx.and([x]) }
    #expect(e1?.code == .sortError)
    let s = try Z3Solver(context: ctx)
    let e2 = #expect(throws: Z3Error.self) { try s.assert(x) }
    #expect(e2?.code == .sortError)
  }

  @Test func termsFromAnotherContextAreRejected() throws {
    let a = try Z3Context(), b = try Z3Context()
    let x = try a.intVar("x"), y = try b.intVar("y")
    let e = #expect(throws: Z3Error.self) { try a.add(x, y) }
    #expect(e?.code == .invalidArgument)
    let s = try Z3Solver(context: a)
    #expect(throws: Z3Error.self) { try s.assert(b.eq(y, b.int(1))) }
    #expect(throws: Z3Error.self) { try a.variable("z", sort: b.intSort) }
  }

  @Test func errorCodesMirrorZ3() {
    #expect(Z3Error.Code.sortError.rawValue == 1)
    #expect(Z3Error.Code.exception.rawValue == 12)
    let e = Z3Error(code: .invalidUsage, message: "m")
    #expect(e.description.contains("m"))
  }
}
