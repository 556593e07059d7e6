import CheckerCore
import Testing

@testable import PropertyLanguage

/// Checks that a lowered boolean formula is well sorted for an SMT encoder:
/// integers never appear where a truth value is expected, and vice versa.
/// A constant is tolerated as a truth value only at the root.
func wellSorted(_ e: Expr, bool: Bool, root: Bool = false) -> Bool {
  switch e {
  case .const: return !bool || root
  case .slot: return !bool
  case .not(let x): return bool && wellSorted(x, bool: true)
  case .and(let xs), .or(let xs): return bool && xs.allSatisfy { wellSorted($0, bool: true) }
  case .binary(let op, let a, let b):
    switch op {
    case .add, .sub, .mul: return !bool && wellSorted(a, bool: false) && wellSorted(b, bool: false)
    case .lt, .le: return bool && wellSorted(a, bool: false) && wellSorted(b, bool: false)
    case .implies: return bool && wellSorted(a, bool: true) && wellSorted(b, bool: true)
    case .eq, .ne:
      return bool
        && ((wellSorted(a, bool: true) && wellSorted(b, bool: true))
          || (wellSorted(a, bool: false) && wellSorted(b, bool: false)))
    }
  case .ite(let c, let a, let b):
    return wellSorted(c, bool: true) && wellSorted(a, bool: bool) && wellSorted(b, bool: bool)
  case .select(_, let i): return !bool && wellSorted(i, bool: false)
  }
}

@Suite struct LoweringTests {
  let s = Fixture.schema

  func slot(_ name: String, _ idx: Int...) -> Int { s.slot(s.variable(named: name)!, idx) }

  @Test func forallIsUnrolledToAConjunctionOverConstantSlots() throws {
    let p = try Fixture.property("always no_zero: forall a in page: pte.kind[a] != zero")
    #expect(
      p.expr
        == .and([
          .binary(.ne, .slot(slot("pte.kind", 0)), .const(2)),
          .binary(.ne, .slot(slot("pte.kind", 1)), .const(2)),
        ]))
    #expect(!p.isStep && p.events.isEmpty && p.kind == .always && p.suite == "test")
    #expect(Fixture.holds(p, Fixture.state([("pte.kind", [0], 1)])))
    #expect(!Fixture.holds(p, Fixture.state([("pte.kind", [1], 2)])))
  }

  @Test func existsWithFilterAndSeveralBinders() throws {
    let p = try Fixture.property(
      "sometimes shared: exists d in device, a in page where dpt.page[d][a] != none: dpt.page[d][a] == pte.page[a]")
    #expect(!Fixture.holds(p, Fixture.state([])))  // both none: filtered out
    #expect(Fixture.holds(p, Fixture.state([("dpt.page", [1, 1], 2), ("pte.page", [1], 2)])))
    #expect(!Fixture.holds(p, Fixture.state([("dpt.page", [1, 1], 2), ("pte.page", [1], 3)])))
  }

  @Test func forallFilterIsAnImplication() throws {
    let p = try Fixture.property("always t: forall p in phys where page.memcg[p]: page.refs[p] > 0")
    #expect(Fixture.holds(p, Fixture.state([])))
    #expect(!Fixture.holds(p, Fixture.state([("page.memcg", [2], 1)])))
    #expect(Fixture.holds(p, Fixture.state([("page.memcg", [2], 1), ("page.refs", [2], 1)])))
  }

  @Test func refComparedWithIndexAddsOne() throws {
    let p = try Fixture.property("always t: forall p in phys: pte.page[0] != p")
    #expect(p.expr == .and((1...3).map { .binary(.ne, .slot(slot("pte.page", 0)), .const($0)) }))
  }

  @Test func refSubscriptBecomesSelectWithNoneRow() throws {
    let p = try Fixture.property("always t: forall a in page: page.memcg[pte.page[a]]")
    let table = [-1, slot("page.memcg", 0), slot("page.memcg", 1), slot("page.memcg", 2)]
    #expect(
      p.expr
        == .and(
          (0...1).map {
            .binary(.ne, .select(table: table, index: .slot(slot("pte.page", $0))), .const(0))
          }))
    #expect(!Fixture.holds(p, Fixture.state([("page.memcg", [0], 1)])))  // none reads false
    #expect(
      Fixture.holds(
        p,
        Fixture.state([
          ("pte.page", [0], 3), ("pte.page", [1], 3), ("page.memcg", [2], 1),
        ])))
  }

  @Test func countAndSum() throws {
    let all = try Fixture.compile(
      """
      always usage_matches: memcg.usage == count p in phys: page.memcg[p]
      always refs: mm.rss == sum p in phys where page.memcg[p]: page.refs[p]
      always two_binders: (count d in device, a in page: dpt.page[d][a] != none) <= 2
      """)
    let st = Fixture.state([
      ("page.memcg", [0], 1), ("page.memcg", [2], 1), ("memcg.usage", [], 2),
      ("page.refs", [0], 1), ("page.refs", [1], 3), ("page.refs", [2], 2), ("mm.rss", [], 3),
    ])
    #expect(Fixture.holds(all[0], st))
    #expect(Fixture.holds(all[1], st))
    var bad = st
    bad[slot("memcg.usage")] = 3
    bad[slot("mm.rss")] = 2
    #expect(!Fixture.holds(all[0], bad))
    #expect(!Fixture.holds(all[1], bad))
    let three = Fixture.state([("dpt.page", [0, 0], 1), ("dpt.page", [0, 1], 1), ("dpt.page", [1, 1], 2)])
    #expect(Fixture.holds(all[2], Fixture.state([("dpt.page", [0, 0], 1)])))
    #expect(!Fixture.holds(all[2], three))
  }

  @Test func defsExpandAndIfSelects() throws {
    let p = try Fixture.property(
      """
      def cpu_page(a: page): ref phys =
        if pte.kind[a] == migration and mig.committed[a] then mig.dst[a] else pte.page[a]
      always t: forall d in device, a in page:
        dpt.page[d][a] != none and mn.pending[d][a] == 0 implies dpt.page[d][a] == cpu_page(a)
      """)
    #expect(Fixture.holds(p, Fixture.state([])))
    // gpu1 maps page 1 to ram1, the CPU maps ram1: fine.
    let ok = Fixture.state([("dpt.page", [1, 1], 2), ("pte.page", [1], 2)])
    #expect(Fixture.holds(p, ok))
    // A committed migration moved the CPU to gpu0.0: stale unless pending.
    var stale = ok
    stale[slot("pte.kind", 1)] = 3
    stale[slot("mig.committed", 1)] = 1
    stale[slot("mig.dst", 1)] = 3
    #expect(!Fixture.holds(p, stale))
    stale[slot("mn.pending", 1, 1)] = 1
    #expect(Fixture.holds(p, stale))
  }

  @Test func constantsResolveByContext() throws {
    let all = try Fixture.compile(
      """
      always a: pte.kind[0] == present
      always b: dev.state[gpu1] == present
      always c: present == pte.kind[1]
      always d: pte.kind[0] != none and pte.page[0] != none
      always e: dpt.page[gpu1][1] == gpu0.0 and pte.page[1] == ram1
      always f: forall a in page: a == 1 or pte.kind[a] == zero
      """)
    #expect(all[0].expr == .binary(.eq, .slot(slot("pte.kind", 0)), .const(1)))
    #expect(all[1].expr == .binary(.eq, .slot(slot("dev.state", 1)), .const(1)))
    #expect(all[2].expr == .binary(.eq, .const(1), .slot(slot("pte.kind", 1))))
    #expect(
      all[3].expr
        == .and([
          .binary(.ne, .slot(slot("pte.kind", 0)), .const(0)), .binary(.ne, .slot(slot("pte.page", 0)), .const(0)),
        ]))
    #expect(
      all[4].expr
        == .and([
          .binary(.eq, .slot(slot("dpt.page", 1, 1)), .const(3)), .binary(.eq, .slot(slot("pte.page", 1)), .const(2)),
        ]))
    // `a == 1` folds per unrolled page: false for page 0, true for page 1.
    #expect(all[5].expr == .binary(.eq, .slot(slot("pte.kind", 0)), .const(2)))
  }

  @Test func arithmeticAndOrderings() throws {
    let all = try Fixture.compile(
      """
      always a: 2 * mm.rss - memcg.usage >= -1
      always b: -mm.rss + 3 > memcg.usage
      always c: forall a in page, b in page where a < b: pte.kind[a] == pte.kind[b]
      """)
    for (rss, usage) in [(0, 0), (0, 3), (1, 3), (2, 3), (3, 0)] {
      let st = Fixture.state([("mm.rss", [], rss), ("memcg.usage", [], usage)])
      #expect(Fixture.holds(all[0], st) == (2 * rss - usage >= -1))
      #expect(Fixture.holds(all[1], st) == (-rss + 3 > usage))
    }
    #expect(all[2].expr == .binary(.eq, .slot(slot("pte.kind", 0)), .slot(slot("pte.kind", 1))))
  }

  @Test func booleanEqualityAndLiterals() throws {
    let all = try Fixture.compile(
      """
      always a: mig.committed[0] == true
      always b: mig.committed[0] != false
      always c: mig.committed[0] == mig.committed[1]
      always d: if mm.rss > 0 then true else mig.committed[1]
      always e: true
      """)
    let c0 = Expr.binary(.ne, .slot(slot("mig.committed", 0)), .const(0))
    let c1 = Expr.binary(.ne, .slot(slot("mig.committed", 1)), .const(0))
    #expect(all[0].expr == c0)
    #expect(all[1].expr == c0)
    #expect(all[2].expr == .binary(.eq, c0, c1))
    #expect(all[3].expr == .or([.binary(.lt, .const(0), .slot(slot("mm.rss"))), c1]))
    #expect(all[4].expr == .true)
  }

  @Test func severalVaryingSubscriptsBecomeAnIteChain() throws {
    let p = try Fixture.property(
      "always t: dev.map[if mig.committed[0] then gpu0 else gpu1][pte.page[1]]")
    for committed in 0...1 {
      for page in 0...3 {
        for mapped in [(0, 2), (1, 0), (1, 2)] {
          let st = Fixture.state([
            ("mig.committed", [0], committed), ("pte.page", [1], page), ("dev.map", [mapped.0, mapped.1], 1),
          ])
          let device = committed == 1 ? 0 : 1
          let expected = page != 0 && mapped == (device, page - 1)
          #expect(Fixture.holds(p, st) == expected)
        }
      }
    }
  }

  @Test func loweredFormulasAreWellSorted() throws {
    let all = try Fixture.compile(
      """
      def cpu_page(a: page): ref phys =
        if pte.kind[a] == migration and mig.committed[a] then mig.dst[a] else pte.page[a]
      def mapped(d: device, a: page): bool = dpt.page[d][a] != none
      always a: forall d in device, a in page: mapped(d, a) and mn.pending[d][a] == 0 implies dpt.page[d][a] == cpu_page(a)
      always b: memcg.usage == count p in phys: page.memcg[p]
      always c: forall a in page: page.memcg[pte.page[a]] == mig.committed[a] implies false
      always d: exists p in phys: if page.memcg[p] then dev.map[gpu0][p] else false
      always e: next(mm.rss) - mm.rss <= 1 and (event(fault) or not event(migration_hole))
      always f: dev.map[if mig.committed[0] then gpu0 else gpu1][pte.page[1]] == page.memcg[mig.dst[0]]
      """)
    for p in all {
      #expect(wellSorted(p.expr, bool: true, root: true), "\(p.name): \(p.expr)")
    }
  }

  /// The snippets of Docs/property-language.md, against the test schema.
  @Test func referenceExamplesCompile() throws {
    let all = try Fixture.compile(
      ParserTests.example + """

        always rss_only_moves_by_one: next(mm.rss) - mm.rss <= 1 and mm.rss - next(mm.rss) <= 1
        always b: (count p in phys: page.memcg[p]) + 1 >= memcg.usage
        always c: forall a in page, b in page where a < b: pte.kind[a] == pte.kind[b]
        always d: exists p in phys where page.memcg[p]: page.refs[p] > 0
        always e: (sum p in phys where page.memcg[p]: page.refs[p]) <= 3
        always f: migration == pte.kind[1] implies next(cpu_page(1)) != none
        """)
    #expect(all.map(\.isStep) == [false, false, true, true, false, false, false, false, true])
    #expect(all.allSatisfy { wellSorted($0.expr, bool: true, root: true) })
  }
}
