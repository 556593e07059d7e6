import Testing
import Z3Kit

/// The `QF_FD` solver the symbolic engines use, and unsat cores of
/// assumptions (how the inductive prover learns which lemmas a step used).
@Suite("FiniteDomain")
struct FiniteDomainTests {
  /// x ∈ [0, 7] as a 4-bit vector, with three activation literals:
  /// a ⇒ x > 5, b ⇒ x < 3, c ⇒ x == 4.
  func setUp(_ kind: Z3Solver.Kind) throws -> (Z3Solver, Z3Term, [Z3Term]) {
    let ctx = try Z3Context()
    let s = try Z3Solver(context: ctx, kind: kind)
    let x = try ctx.bvVar("x", bits: 4)
    try s.assert(ctx.bvULE(x, ctx.bv(7, bits: 4)))
    let lits = try ["a", "b", "c"].map { try ctx.boolVar($0) }
    try s.assert(ctx.implies(lits[0], ctx.bvULT(ctx.bv(5, bits: 4), x)))
    try s.assert(ctx.implies(lits[1], ctx.bvULT(x, ctx.bv(3, bits: 4))))
    try s.assert(ctx.implies(lits[2], ctx.eq(x, ctx.bv(4, bits: 4))))
    return (s, x, lits)
  }

  @Test(arguments: [Z3Solver.Kind.finiteDomain, .simple])
  func assumptionsModelsAndCores(kind: Z3Solver.Kind) throws {
    let (s, x, lits) = try setUp(kind)
    #expect(try s.check(assuming: [lits[0]]) == .sat)
    let v = try s.model().bvValue(of: x)
    #expect(v == 6 || v == 7)
    #expect(try s.check(assuming: [lits[0], lits[1]]) == .unsat)
    let core = try s.unsatCore()
    #expect(Set(core) == Set([lits[0], lits[1]]))
    // The core is gone once the solver changes.
    try s.push()
    #expect(throws: Z3Error.self) { try s.unsatCore() }
    try s.assert(lits[2])
    #expect(try s.check(assuming: [lits[0]]) == .unsat)
    #expect(try s.unsatCore() == [lits[0]])
    try s.pop()
    #expect(try s.check(assuming: [lits[2]]) == .sat)
    #expect(try s.model().bvValue(of: x) == 4)
  }

  @Test func noCoreAfterSat() throws {
    let (s, _, lits) = try setUp(.finiteDomain)
    #expect(try s.check(assuming: [lits[2]]) == .sat)
    let e = #expect(throws: Z3Error.self) { try s.unsatCore() }
    #expect(e?.code == .invalidUsage)
  }
}
