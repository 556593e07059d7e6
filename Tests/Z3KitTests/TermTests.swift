import Testing
import Z3Kit

@Suite("Terms and sorts")
struct TermTests {
  @Test func sortsAreDistinguished() throws {
    let ctx = try Z3Context()
    #expect(try ctx.int(3).sort.kind == .int)
    #expect(try ctx.bool(true).sort.kind == .bool)
    #expect(try ctx.boolVar("b").isBool)
    #expect(try ctx.intVar("x").isInt)
    #expect(ctx.intSort == ctx.intSort)
    #expect(ctx.intSort != ctx.boolSort)
    #expect(try ctx.variable("v", sort: ctx.boolSort).sort == ctx.boolSort)
  }

  @Test func identityIsStructuralAndHashable() throws {
    let ctx = try Z3Context()
    let a = try ctx.add(ctx.intVar("x"), ctx.int(1))
    let b = try ctx.add(ctx.intVar("x"), ctx.int(1))
    let c = try ctx.add(ctx.intVar("x"), ctx.int(2))
    #expect(a == b)
    #expect(a != c)
    #expect(Set([a, b, c]).count == 2)
    #expect(a.id == b.id)
  }

  @Test func freshVariablesNeverAlias() throws {
    let ctx = try Z3Context()
    let f1 = try ctx.freshIntVar("t"), f2 = try ctx.freshIntVar("t")
    #expect(f1 != f2)
    #expect(try ctx.freshBoolVar().isBool)
    #expect(try ctx.intVar("x") == ctx.intVar("x"))
  }

  @Test func literalsAndSimplify() throws {
    let ctx = try Z3Context()
    #expect(try ctx.int(-42).intLiteral == -42)
    #expect(try ctx.int(Int.max).intLiteral == Int.max)
    #expect(try ctx.bool(false).boolLiteral == false)
    #expect(try ctx.intVar("x").intLiteral == nil)
    let e = try ctx.simplify(ctx.sub(ctx.mul([ctx.int(3), ctx.int(4), ctx.int(5)]), ctx.neg(ctx.int(2))))
    #expect(e.intLiteral == 62)
    #expect(try ctx.simplify(ctx.div(ctx.int(7), ctx.int(2))).intLiteral == 3)
    #expect(try ctx.simplify(ctx.mod(ctx.int(-7), ctx.int(3))).intLiteral == 2)
    #expect(try ctx.simplify(ctx.ite(ctx.lt(ctx.int(1), ctx.int(2)), ctx.int(10), ctx.int(20))).intLiteral == 10)
  }

  @Test func emptyAndSingletonFolds() throws {
    let ctx = try Z3Context()
    #expect(try ctx.and([]).boolLiteral == true)
    #expect(try ctx.or([]).boolLiteral == false)
    #expect(try ctx.add([]).intLiteral == 0)
    #expect(try ctx.mul([]).intLiteral == 1)
    #expect(try ctx.distinct([ctx.int(1)]).boolLiteral == true)
    let b = try ctx.boolVar("b")
    #expect(try ctx.and([b]) == b)
    #expect(try ctx.or([b]) == b)
  }

  @Test func comparisonsYieldBools() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x"), y = try ctx.intVar("y")
    for t in [
      try ctx.eq(x, y), try ctx.neq(x, y), try ctx.lt(x, y), try ctx.le(x, y),
      try ctx.gt(x, y), try ctx.ge(x, y), try ctx.distinct([x, y, ctx.int(0)]),
    ] {
      #expect(t.isBool)
    }
    let p = try ctx.boolVar("p"), q = try ctx.boolVar("q")
    for t in [try ctx.implies(p, q), try ctx.iff(p, q), try ctx.xor(p, q), try ctx.not(p)] {
      #expect(t.isBool)
    }
  }

  @Test func descriptionIsSMTLIB() throws {
    let ctx = try Z3Context()
    let t = try ctx.le(ctx.intVar("x"), ctx.int(5))
    #expect(t.description == "(<= x 5)")
    #expect(ctx.intSort.description == "Int")
  }
}
