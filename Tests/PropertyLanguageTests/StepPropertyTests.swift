import CheckerCore
import Testing

@testable import PropertyLanguage

@Suite struct StepPropertyTests {
  let s = Fixture.schema
  var n: Int { Fixture.n }

  func slot(_ name: String, _ idx: Int...) -> Int { s.slot(s.variable(named: name)!, idx) }

  @Test func nextReadsThePostStateHalf() throws {
    let p = try Fixture.property(
      "always rss_only_moves_by_one: next(mm.rss) - mm.rss <= 1 and mm.rss - next(mm.rss) <= 1")
    #expect(p.isStep && p.events.isEmpty)
    let rss = slot("mm.rss")
    #expect(
      p.expr
        == .and([
          .binary(.le, .binary(.sub, .slot(rss + n), .slot(rss)), .const(1)),
          .binary(.le, .binary(.sub, .slot(rss), .slot(rss + n)), .const(1)),
        ]))
    for (a, b) in [(0, 0), (0, 1), (1, 0), (0, 2), (3, 1), (2, 3)] {
      let ok = Fixture.holds(p, pre: Fixture.state([("mm.rss", [], a)]), post: Fixture.state([("mm.rss", [], b)]))
      #expect(ok == (abs(a - b) <= 1))
    }
  }

  @Test func eventsGetFlagsAfterBothStates() throws {
    let p = try Fixture.property("sometimes mirror_retries: event(read_retry_collision)")
    #expect(p.isStep && p.kind == .sometimes)
    #expect(p.events == ["read_retry_collision"])
    #expect(p.expr == .binary(.ne, .slot(2 * n), .const(0)))
    let st = Fixture.state([])
    #expect(Fixture.holds(p, pre: st, post: st, events: ["read_retry_collision"]))
    #expect(!Fixture.holds(p, pre: st, post: st, events: ["fault"]))
    #expect(p.stepVector(pre: st, post: st, eventsFired: ["read_retry_collision"]).count == 2 * n + 1)
  }

  @Test func eventFlagsFollowFirstUse() throws {
    let p = try Fixture.property(
      "always t: event(fault) implies not event(migration_hole) or next(pte.kind[0]) == present")
    #expect(p.events == ["fault", "migration_hole"])
    #expect(
      p.expr
        == .binary(
          .implies, .binary(.ne, .slot(2 * n), .const(0)),
          .or([.binary(.eq, .slot(2 * n + 1), .const(0)), .binary(.eq, .slot(slot("pte.kind", 0) + n), .const(1))])))
    let st = Fixture.state([])
    #expect(!Fixture.holds(p, pre: st, post: st, events: ["fault", "migration_hole"]))
    #expect(Fixture.holds(p, pre: st, post: Fixture.state([("pte.kind", [0], 1)]), events: ["fault", "migration_hole"]))
    #expect(Fixture.holds(p, pre: st, post: st, events: ["migration_hole"]))
  }

  @Test func nextShiftsSelectTablesAndIndices() throws {
    let p = try Fixture.property("always t: next(page.memcg[pte.page[0]]) or page.memcg[pte.page[0]]")
    let table = [-1, slot("page.memcg", 0), slot("page.memcg", 1), slot("page.memcg", 2)]
    #expect(
      p.expr
        == .or([
          .binary(.ne, .select(table: [-1] + table.dropFirst().map { $0 + n }, index: .slot(slot("pte.page", 0) + n)), .const(0)),
          .binary(.ne, .select(table: table, index: .slot(slot("pte.page", 0))), .const(0)),
        ]))
  }

  @Test func stepnessSeesThroughDefs() throws {
    let all = try Fixture.compile(
      """
      def moved: bool = next(mm.rss) != mm.rss
      def stable: bool = mm.rss == 0
      always a: moved implies event(fault)
      always b: stable or mm.rss > 0
      always c: next(stable)
      """)
    #expect(all.map(\.isStep) == [true, false, true])
    #expect(all[0].events == ["fault"])
    // `next(stable)`: the def body is read in the post-state.
    #expect(all[2].expr == .binary(.eq, .slot(slot("mm.rss") + n), .const(0)))
  }

  @Test func defArgumentsAreReadWhereTheCallIs() throws {
    let p = try Fixture.property(
      """
      def same(x: ref phys, a: page): bool = pte.page[a] == x
      always t: same(next(pte.page[0]), 0)
      """)
    #expect(p.expr == .binary(.eq, .slot(slot("pte.page", 0)), .slot(slot("pte.page", 0) + n)))
  }
}
