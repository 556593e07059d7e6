import Testing
@testable import CheckerCore

@Suite struct RandomAndFingerprintTests {
  @Test func splitMix64MatchesReferenceVector() {
    // Vigna's splitmix64.c with seed 1234567.
    var g = SplitMix64(seed: 1_234_567)
    let got = (0..<5).map { _ in g.next() }
    #expect(
      got == [
        6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
        4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
      ])
  }

  @Test func belowIsInRangeAndDeterministic() {
    var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
    for n in 1..<200 {
      let x = a.below(n)
      #expect(x >= 0 && x < n)
      #expect(x == b.below(n))
    }
  }

  @Test func fingerprintIsPinned() {
    // Guards the algorithm: traces and golden files store fingerprints.
    #expect(Fingerprint.of([1, 2, 3]) != Fingerprint.of([1, 2, 4]))
    #expect(Fingerprint.of([0]) != Fingerprint.of([0, 0]))
    #expect(Fingerprint.of(Array(0..<20)) == 0x0ca0_a5eb_4210_3bfc)  // computed independently in Python
  }
}

@Suite struct FlatCodeTests {
  /// Random expression trees, compiled into one shared pool (as
  /// `CompiledSystem` does, so jumps are absolute and programs sit at
  /// offsets), must agree with the reference evaluator on random states.
  @Test func flatCodeAgreesWithReferenceEvaluator() {
    var rng = SplitMix64(seed: 42)
    func gen(_ depth: Int) -> Expr {
      if depth == 0 || rng.below(4) == 0 {
        return rng.below(2) == 0 ? .const(rng.below(7) - 2) : .slot(rng.below(6))
      }
      switch rng.below(7) {
      case 0: return .not(gen(depth - 1))
      case 1: return .and([gen(depth - 1), gen(depth - 1), gen(depth - 1)])
      case 2: return .or([gen(depth - 1), gen(depth - 1)])
      case 3:
        let ops: [Expr.BinaryOp] = [.add, .sub, .mul, .eq, .ne, .lt, .le, .implies]
        return .binary(ops[rng.below(ops.count)], gen(depth - 1), gen(depth - 1))
      case 4: return .ite(gen(depth - 1), gen(depth - 1), gen(depth - 1))
      case 5: return .select(table: [-1, 0, 3, 5], index: gen(depth - 1))
      default: return .binary(.eq, .slot(rng.below(6)), .const(rng.below(3)))
      }
    }
    var pool = FlatCode()
    var programs: [(Expr, Int32)] = []
    for _ in 0..<2000 {
      let e = gen(4)
      programs.append((e, pool.add(e)))
    }
    var disagreements = 0
    for (e, offset) in programs {
      for _ in 0..<4 {
        let state: [UInt8] = (0..<6).map { _ in UInt8(rng.below(4)) }
        let ref = e.evaluate { Int(state[$0]) }
        let pooled = state.withUnsafeBufferPointer { pool.run(at: offset, $0) }
        let alone = state.withUnsafeBufferPointer { FlatCode(e).run($0) }
        if ref != pooled || ref != alone { disagreements += 1 }
        #expect(ref == pooled && ref == alone, "\(e) on \(state): \(ref) vs \(pooled), \(alone)")
      }
    }
    #expect(disagreements == 0)
  }

  @Test func smartConstructorsFold() {
    #expect(Expr.conj([.true, .slot(1), .true]) == .slot(1))
    #expect(Expr.conj([.slot(1), .false]) == .false)
    #expect(Expr.disj([.false, .false]) == .false)
    #expect(Expr.op(.add, .const(2), .const(3)) == .const(5))
    #expect(Expr.cond(.true, .slot(1), .slot(2)) == .slot(1))
  }
}
