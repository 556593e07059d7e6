import Testing
import Z3Kit

@Suite("Solver")
struct SolverTests {
  @Test func satAndModelValues() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x"), y = try ctx.intVar("y"), b = try ctx.boolVar("b")
    let s = try Z3Solver(context: ctx)
    try s.assert([
      ctx.eq(ctx.add(x, y), ctx.int(10)),
      ctx.eq(ctx.sub(x, y), ctx.int(4)),
      ctx.iff(b, ctx.gt(x, y)),
    ])
    #expect(try s.check() == .sat)
    let m = try s.model()
    #expect(try m.intValue(of: x) == 7)
    #expect(try m.intValue(of: y) == 3)
    #expect(try m.boolValue(of: b) == true)
    #expect(try m.intValue(of: ctx.mul(x, y)) == 21)
    #expect(try m.eval(ctx.add(x, ctx.int(1))).intLiteral == 8)
  }

  @Test func unsatInteger() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x")
    let s = try Z3Solver(context: ctx)
    // 2x = 7 has no integer solution (it has a rational one).
    try s.assert(ctx.eq(ctx.mul(ctx.int(2), x), ctx.int(7)))
    #expect(try s.check() == .unsat)
    let e = #expect(throws: Z3Error.self) { try s.model() }
    #expect(e?.code == .invalidUsage)
  }

  @Test func completionGivesValuesForUnconstrainedVariables() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x"), free = try ctx.intVar("free"), fb = try ctx.boolVar("fb")
    let s = try Z3Solver(context: ctx)
    try s.assert(ctx.ge(x, ctx.int(0)))
    #expect(try s.check() == .sat)
    let m = try s.model()
    #expect(try m.eval(free, completion: false) == free)
    _ = try m.intValue(of: free)
    _ = try m.boolValue(of: fb)
    // Completion records the chosen default in the model itself.
    #expect(try m.eval(free, completion: false).intLiteral != nil)
    #expect(throws: Z3Error.self) { try m.boolValue(of: x) }
  }

  @Test func pushPopScoping() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x")
    let s = try Z3Solver(context: ctx)
    try s.assert(ctx.ge(x, ctx.int(5)))
    try s.push()
    #expect(s.scopeCount == 1)
    try s.assert(ctx.lt(x, ctx.int(5)))
    #expect(try s.check() == .unsat)
    try s.pop()
    #expect(s.scopeCount == 0)
    #expect(try s.check() == .sat)
    try s.push(); try s.push()
    try s.assert(ctx.eq(x, ctx.int(9)))
    #expect(try s.check() == .sat)
    #expect(try s.model().intValue(of: x) == 9)
    try s.pop(2)
    #expect(s.scopeCount == 0)
    let e = #expect(throws: Z3Error.self) { try s.pop() }
    #expect(e?.code == .invalidUsage)
  }

  @Test func modelIsInvalidatedByChangesButSurvivesPop() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x")
    let s = try Z3Solver(context: ctx)
    try s.push()
    try s.assert(ctx.eq(x, ctx.int(3)))
    #expect(try s.check() == .sat)
    let m = try s.model()
    try s.pop()
    #expect(throws: Z3Error.self) { try s.model() }
    #expect(try m.intValue(of: x) == 3)
  }

  @Test(arguments: [Z3Solver.Kind.simple, .combined, .logic("QF_LIA")])
  func incrementalManyQueries(kind: Z3Solver.Kind) throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x"), y = try ctx.intVar("y")
    let s = try Z3Solver(context: ctx, kind: kind)
    try s.assert([ctx.ge(x, ctx.int(0)), ctx.le(x, ctx.int(100)), ctx.eq(y, ctx.mul(ctx.int(3), x))])
    var sats = 0
    for k in 0..<500 {
      try s.push()
      try s.assert(ctx.eq(y, ctx.int(k)))
      switch try s.check() {
      case .sat:
        sats += 1
        #expect(try s.model().intValue(of: x) * 3 == k)
      case .unsat: #expect(k % 3 != 0 || k > 300)
      case .unknown(let r): Issue.record("unknown: \(r)")
      }
      try s.pop()
    }
    #expect(sats == 101)  // y = 3x with 0 <= x <= 100: the multiples of 3 up to 300
  }

  @Test func bmcStyleUnrolling() throws {
    // x' = x + 2 from x = 0; "x == 7" is never reachable, "x == 8" first at step 4.
    let ctx = try Z3Context()
    let s = try Z3Solver(context: ctx)
    var x = try ctx.intVar("x@0")
    try s.assert(ctx.eq(x, ctx.int(0)))
    var firstHit: Int?
    for k in 1...10 {
      let next = try ctx.intVar("x@\(k)")
      try s.assert(ctx.eq(next, ctx.add(x, ctx.int(2))))
      x = next
      let act = try ctx.freshBoolVar("act")
      try s.assert(ctx.implies(act, ctx.or([ctx.eq(x, ctx.int(7)), ctx.eq(x, ctx.int(8))])))
      if try s.check(assuming: [act]) == .sat, firstHit == nil {
        firstHit = k
        #expect(try s.model().intValue(of: x) == 8)
      }
    }
    #expect(firstHit == 4)
  }

  @Test func nonlinearMayBeUnknownButNeverThrows() throws {
    let ctx = try Z3Context()
    let x = try ctx.intVar("x"), y = try ctx.intVar("y")
    let s = try Z3Solver(context: ctx)
    try s.assert([ctx.eq(ctx.mul(x, x), ctx.int(49)), ctx.gt(x, ctx.int(0)), ctx.eq(y, ctx.mul(x, ctx.int(2)))])
    if try s.check() == .sat {
      #expect(try s.model().intValue(of: y) == 14)
    }
  }

  @Test func timeoutYieldsUnknown() throws {
    let ctx = try Z3Context()
    let s = try Z3Solver(context: ctx)
    try assertPigeonhole(ctx, s, holes: 11)
    guard case .unknown = try s.check(timeoutMilliseconds: 50) else {
      Issue.record("pigeonhole(11) decided within 50 ms?")
      return
    }
    // The per-call timeout does not stick: the standing timeout is still "none".
    #expect(s.timeoutMilliseconds == nil)
    try s.setTimeout(milliseconds: 20)
    guard case .unknown = try s.check() else {
      Issue.record("standing timeout ignored")
      return
    }
  }

  @Test func interruptFromAnotherTask() async throws {
    let ctx = try Z3Context()
    let s = try Z3Solver(context: ctx)
    try assertPigeonhole(ctx, s, holes: 11)
    // The long timeout only guards against a hang if interrupt were broken.
    let running = Task.detached { try s.check(timeoutMilliseconds: 120_000) }
    // Interrupts are not sticky (lost if the check has not started), so repeat.
    let watchdog = Task.detached {
      while !Task.isCancelled {
        s.interrupt()
        try? await Task.sleep(for: .milliseconds(10))
      }
    }
    let result = try await running.value
    watchdog.cancel()
    guard case .unknown = result else {
      Issue.record("expected unknown after interrupt, got \(result)")
      return
    }
    // The context and solver stay usable afterwards.
    let x = try ctx.intVar("x")
    let t = try Z3Solver(context: ctx)
    try t.assert(ctx.eq(x, ctx.int(1)))
    #expect(try t.check() == .sat)
  }

  @Test func paramsAndDescription() throws {
    let ctx = try Z3Context()
    let s = try Z3Solver(context: ctx, timeoutMilliseconds: 10_000)
    #expect(s.timeoutMilliseconds == 10_000)
    let p = try Z3Params(context: ctx)
    try p.set("random_seed", UInt32(7))
    try s.set(p)
    let x = try ctx.intVar("x")
    try s.assert(ctx.gt(x, ctx.int(1)))
    // Z3 normalises `>` to `not <=` when printing.
    #expect(s.description.contains("(assert (not (<= x 1)))"))
    try s.reset()
    #expect(!s.description.contains("assert"))
    #expect(Z3Result.unknown(reason: "canceled").description == "unknown (canceled)")
  }
}
