import CheckerCore
import Testing

@testable import PropertyLanguage

@Suite struct ExplainerTests {
  static let text = """
    def cpu_page(a: page): ref phys =
      if pte.kind[a] == migration and mig.committed[a] then mig.dst[a] else pte.page[a]
    def not_zero(a: page): bool = pte.kind[a] != zero

    always device_maps_cpu_page:
      forall d in device, a in page:
        dpt.page[d][a] != none and mn.pending[d][a] == 0
          implies dpt.page[d][a] == cpu_page(a)
    always usage_matches: memcg.usage == count p in phys: page.memcg[p]
    always no_orphan: not (exists p in phys: page.memcg[p] and page.refs[p] == 0)
    always pages_not_zero: forall a in page: not_zero(a)
    always charged_pages: forall a in page where pte.kind[a] == present: page.memcg[pte.page[a]]
    sometimes shared_mapping: exists d in device, a in page: dpt.page[d][a] != none and dpt.page[d][a] == pte.page[a]
    always rss_only_moves_by_one: next(mm.rss) - mm.rss <= 1 and mm.rss - next(mm.rss) <= 1
    always holes_are_faults: event(migration_hole) implies event(fault) or next(pte.kind[0]) == none
    """

  let suite: PropertySuite
  let props: [String: CompiledProperty]

  init() throws {
    suite = try Fixture.parse(Self.text)
    props = Dictionary(uniqueKeysWithValues: try Fixture.compiler.compile(suite).map { ($0.name, $0) })
  }

  func explain(_ name: String, _ pre: [UInt8], post: [UInt8]? = nil, events: Set<String> = []) -> Explanation {
    Fixture.compiler.explain(props[name]!, suite: suite, pre: pre, post: post, eventsFired: events)
  }

  @Test func failingInvariantNamesQuantifierValuesAndConsequent() {
    let st = Fixture.state([("dpt.page", [0, 1], 2), ("pte.page", [1], 1)])
    let e = explain("device_maps_cpu_page", st)
    #expect(!e.holds)
    #expect(e.bindings == [.init(name: "d", value: "gpu0"), .init(name: "a", value: "1")])
    #expect(e.clause == "dpt.page[d][a] == cpu_page(a)")
    #expect(!e.clauseValue)
    #expect(e.values == [.init(term: "dpt.page[gpu0][1]", value: "ram1"), .init(term: "cpu_page(1)", value: "ram0")])
    #expect(
      e.description
        == "for d = gpu0, a = 1: `dpt.page[d][a] == cpu_page(a)` is false (dpt.page[gpu0][1] = ram1, cpu_page(1) = ram0)")
  }

  @Test func aggregatesAreShownAsTerms() {
    let e = explain("usage_matches", Fixture.state([("page.memcg", [0], 1), ("page.memcg", [2], 1), ("memcg.usage", [], 1)]))
    #expect(!e.holds && e.bindings.isEmpty)
    #expect(e.clause == "memcg.usage == count p in phys: page.memcg[p]")
    #expect(
      e.values == [
        .init(term: "memcg.usage", value: "1"), .init(term: "count p in phys: page.memcg[p]", value: "2"),
      ])
  }

  @Test func negationLooksForTheWitness() {
    let e = explain("no_orphan", Fixture.state([("page.memcg", [1], 1), ("page.refs", [0], 1), ("page.memcg", [0], 1)]))
    #expect(!e.holds)
    #expect(e.bindings == [.init(name: "p", value: "ram1")])
    #expect(e.clause == "page.memcg[p] and page.refs[p] == 0")
    #expect(e.clauseValue)
    #expect(e.description == "for p = ram1: `page.memcg[p] and page.refs[p] == 0` is true (page.memcg[ram1] = true, page.refs[ram1] = 0)")
  }

  @Test func boolDefsAreOpened() {
    let e = explain("pages_not_zero", Fixture.state([("pte.kind", [1], 2)]))
    #expect(e.bindings == [.init(name: "a", value: "1")])
    #expect(e.clause == "pte.kind[a] != zero")
    #expect(e.values == [.init(term: "pte.kind[1]", value: "zero")])
  }

  @Test func noneSubscriptsRenderAsNone() {
    let e = explain("charged_pages", Fixture.state([("pte.kind", [0], 1)]))
    #expect(e.bindings == [.init(name: "a", value: "0")])
    #expect(e.clause == "page.memcg[pte.page[a]]")
    #expect(e.values == [.init(term: "page.memcg[none]", value: "false"), .init(term: "pte.page[0]", value: "none")])
  }

  @Test func sometimesExplainsItsWitness() {
    let e = explain("shared_mapping", Fixture.state([("dpt.page", [1, 0], 3), ("pte.page", [0], 3)]))
    #expect(e.holds)
    #expect(e.bindings == [.init(name: "d", value: "gpu1"), .init(name: "a", value: "0")])
    #expect(e.clause == "dpt.page[d][a] != none and dpt.page[d][a] == pte.page[a]")
    #expect(e.values == [.init(term: "dpt.page[gpu1][0]", value: "gpu0.0"), .init(term: "pte.page[0]", value: "gpu0.0")])
  }

  @Test func holdingInvariantSaysSo() {
    let e = explain("device_maps_cpu_page", Fixture.state([]))
    #expect(e.holds && e.clauseValue)
  }

  @Test func stepPropertiesShowPostStateAndEvents() {
    let e = explain(
      "rss_only_moves_by_one", Fixture.state([("mm.rss", [], 0)]), post: Fixture.state([("mm.rss", [], 2)]))
    #expect(!e.holds)
    #expect(e.clause == "next(mm.rss) - mm.rss <= 1")
    #expect(e.values == [.init(term: "next(mm.rss)", value: "2"), .init(term: "mm.rss", value: "0")])
    let h = explain(
      "holes_are_faults", Fixture.state([]), post: Fixture.state([("pte.kind", [0], 1)]), events: ["migration_hole"])
    #expect(!h.holds)
    #expect(h.clause == "event(fault) or next(pte.kind[0]) == none")
    #expect(h.values == [.init(term: "event(fault)", value: "false"), .init(term: "next(pte.kind[0])", value: "present")])
  }

  /// The explainer's evaluator and the lowered `Expr` must never disagree.
  @Test func explainerAgreesWithLoweredExprOnRandomStates() {
    var rng = SplitMix64(seed: 2024)
    let allEvents = Fixture.events.sorted()
    for _ in 0..<400 {
      let pre = Fixture.randomState(&rng)
      let post = Fixture.randomState(&rng)
      let fired = Set(allEvents.filter { _ in rng.below(2) == 0 })
      for p in props.values {
        let lowered: Bool
        if p.isStep {
          lowered = Fixture.holds(p, pre: pre, post: post, events: fired)
        } else {
          lowered = Fixture.holds(p, pre)
        }
        let e = Fixture.compiler.explain(p, suite: suite, pre: pre, post: post, eventsFired: fired)
        #expect(e.holds == lowered, "\(p.name) disagrees on \(pre) -> \(post) \(fired)")
      }
    }
  }

  @Test func explainerAgreesOnConstructsThatLowerToSelectsAndChains() throws {
    let text = """
      always a: dev.map[if mig.committed[0] then gpu0 else gpu1][pte.page[1]] == page.memcg[mig.dst[0]]
      always b: forall p in phys: dev.owner[p] != none implies dev.map[dev.owner[p]][p]
      always c: (sum a in page: (if pte.page[a] == gpu0.0 then 2 else 0) * mn.pending[gpu1][a]) >= (count d in device: dev.state[d] == present)
      always d: exists a in page, b in page where a < b: dpt.page[gpu0][a] == dpt.page[gpu0][b] and not mig.committed[a]
      """
    let suite = try Fixture.parse(text)
    let compiled = try Fixture.compiler.compile(suite)
    var rng = SplitMix64(seed: 7)
    for _ in 0..<500 {
      let st = Fixture.randomState(&rng)
      for p in compiled {
        let e = Fixture.compiler.explain(p, suite: suite, pre: st, post: nil, eventsFired: [])
        #expect(e.holds == Fixture.holds(p, st), "\(p.name) on \(st)")
      }
    }
  }
}
