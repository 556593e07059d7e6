import Testing

@testable import PropertyLanguage

/// Every error class, with the exact position it is reported at.
@Suite struct ErrorTests {
  func expectError(
    _ text: String, _ line: Int, _ column: Int, _ message: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    guard let e = Fixture.error(text) else { return }
    #expect(e.line == line && e.column == column, "at \(e.line):\(e.column): \(e.message)", sourceLocation: sourceLocation)
    #expect(e.message.contains(message), "message: \(e.message)", sourceLocation: sourceLocation)
    #expect(e.file == "Properties/test.hmmprop", sourceLocation: sourceLocation)
  }

  @Test func descriptionFormat() {
    let e = PropertyError(file: "Properties/x.hmmprop", line: 3, column: 7, message: "expected bool, got int")
    #expect(e.description == "Properties/x.hmmprop:3:7: error: expected bool, got int")
  }

  // MARK: Syntax

  @Test func syntaxErrors() {
    expectError("always t pte.kind[0] == present", 1, 10, "expected ':' after the property name, found name 'pte.kind'")
    expectError("always t: mm.rss == 1 mm.rss", 1, 23, "unexpected name 'mm.rss' after the end of the expression")
    expectError("always t: mm.rss == 1 &&\n true", 1, 23, "unexpected character '&'; use 'and'")
    expectError("always t: 1 < mm.rss < 3", 1, 22, "comparisons do not chain")
    expectError("always t: (mm.rss == 1", 1, 23, "expected ')' to close '(' at 1:11, found end of file")
    expectError("always t:\n  forall a page: true", 2, 12, "expected 'in' after 'a', found name 'page'")
    expectError("always t: 3x == 1", 1, 11, "a name cannot start with a digit")
    expectError("def f(a page): bool = true", 1, 9, "expected ':' after the parameter name")
    expectError("mm.rss == 1", 1, 1, "expected a declaration")
    expectError("always t: true\nsuite late", 2, 1, "the 'suite' header must come before every declaration")
    expectError("always t: if mm.rss == 1 then true", 1, 35, "expected 'else' after the 'then' branch, found end of file")
    expectError("always pte.x: true", 1, 8, "property name 'pte.x' cannot contain '.'")
  }

  // MARK: Names

  @Test func unknownNamesSuggestTheClosest() {
    expectError("always t: pte.knd[0] == present", 1, 11, "unknown variable 'pte.knd'; did you mean 'pte.kind'?")
    expectError("always t: mm.rs == 1", 1, 11, "unknown name 'mm.rs'; did you mean 'mm.rss'?")
    expectError(
      "def cpu_page(a: page): ref phys = pte.page[a]\nalways t: cpu_pag(0) == none", 2, 11,
      "unknown def 'cpu_pag'; did you mean 'cpu_page'?")
    expectError("always t: forall a in pgae: true", 1, 23, "unknown domain 'pgae'; did you mean 'page'?")
    expectError("def f(a: pgae): bool = true", 1, 10, "unknown type 'pgae'")
    expectError("def f(a: pgae): bool = true", 1, 10, "did you mean 'page'?")
    expectError("def f(k: enum pte_knd): bool = true", 1, 10, "unknown enum type 'pte_knd'; did you mean 'pte_kind'?")
    expectError("always t: pte.kind(0) == none", 1, 11, "'pte.kind' is a schema variable, not a def")
  }

  @Test func unboundVariables() {
    expectError(
      "always t: (forall a in page: pte.kind[a] == zero) and pte.page[a] == none", 1, 64, "unbound variable 'a'")
    expectError("def f(): bool = pte.kind[a] == zero\nalways t: forall a in page: f()", 1, 26, "unbound variable 'a'")
    expectError("always t: forall a in page, a in page: true", 1, 29, "'a' is already bound")
  }

  @Test func ambiguousConstants() {
    expectError("always t: present == present", 1, 11, "'present' is ambiguous: it is a case of enum(pte_kind) and a case of enum(dev_state)")
    expectError("always t: none == none", 1, 11, "cannot tell which 'none' this is")
  }

  // MARK: Types

  @Test func typeErrors() {
    expectError("always t: mm.rss", 1, 11, "expected bool, got int")
    expectError("always t: true + 1 == 2", 1, 11, "expected int, got bool")
    expectError("always t: mm.rss == 1 and\n  memcg.usage", 2, 3, "expected bool, got int")
    expectError("always t: pte.kind[0] == dev.state[gpu0]", 1, 11, "cannot compare enum(pte_kind) with enum(dev_state)")
    expectError("always t: pte.kind[0] == 1", 1, 11, "cannot compare enum(pte_kind) with int")
    expectError("always t: pte.page[0] == gpu0", 1, 11, "cannot compare ref(phys) with index(device)")
    expectError(
      "always t: pte.kind[0] < present", 1, 11, "'<' needs int, index or same-class counter operands, got enum(pte_kind) and enum(pte_kind)")
    expectError("always t: (if true then 1 else false) == 1", 1, 32, "the branches of 'if' have different types: int and bool")
    expectError("always t: (count p in phys: page.refs[p]) == 1", 1, 29, "expected bool, got int")
    expectError("always t: (sum p in phys: page.memcg[p]) == 1", 1, 27, "expected int, got bool")
    expectError("def f(a: page): ref phys = pte.kind[a]", 1, 28, "expected ref(phys), got enum(pte_kind)")
    expectError("def f(a: page): bool = true\nalways t: f(pte.page[0])", 2, 13, "expected index(page), got ref(phys)")
    expectError("always t: forall a in page: a", 1, 29, "expected bool, got index(page)")
  }

  @Test func indexErrors() {
    expectError("always t: dpt.page[gpu0] == none", 1, 11, "'dpt.page' takes 2 indices (dpt.page[device][page]), got 1")
    expectError("always t: mm.rss[0] == 1", 1, 11, "'mm.rss' is not an array and takes no index")
    expectError(
      "always t: forall d in device, a in page:\n  dpt.page[a][d] == none", 2, 12,
      "wrong index for 'dpt.page': subscript 1 ranges over 'device', got index(page)")
    expectError("always t: pte.kind[mm.rss] == none", 1, 20, "subscript 1 ranges over 'page', got int")
    expectError("always t: page.memcg[dev.owner[ram0]]", 1, 22, "ranges over 'phys', got ref(device)")
    expectError("always t: forall a in page: a[0] == 1", 1, 31, "'a' has type index(page) and cannot be indexed")
  }

  // MARK: Events, declarations, defs

  @Test func unknownEvent() {
    expectError(
      "sometimes t: event(read_retry_colision)", 1, 14,
      "unknown event 'read_retry_colision'; did you mean 'read_retry_collision'?")
  }

  @Test func duplicateNames() {
    expectError("always t: true\nsometimes t: false", 2, 11, "duplicate property name 't' (already declared as a property at 1:8)")
    expectError("def t: bool = true\nalways t: t", 2, 8, "duplicate name 't' (already declared as a def at 1:5)")
    expectError("def f(a: page, a: page): bool = true", 1, 16, "duplicate parameter 'a'")
  }

  @Test func defArity() {
    expectError("def f(a: page): bool = true\nalways t: f(0, 1)", 2, 11, "def 'f' takes 1 argument, got 2")
    expectError("def f(a: page, b: page): bool = true\nalways t: f", 2, 11, "def 'f' takes 2 arguments, got 0")
  }

  @Test func recursion() {
    expectError(
      "def f(a: page): bool = g(a)\ndef g(a: page): bool = not f(a)\nalways t: f(0)", 2, 28,
      "recursive def: f -> g -> f")
    expectError("def f: bool = f\nalways t: f", 1, 15, "recursive def: f -> f")
  }

  @Test func nestedNext() {
    expectError("always t: next(next(mm.rss)) == 1", 1, 16, "'next' cannot be nested")
    expectError("def r: int = next(mm.rss)\nalways t: next(r) == 1", 2, 16, "'next' is nested in another 'next'")
  }
}
