import Testing

@testable import PropertyLanguage

@Suite struct LexerTests {
  @Test func dottedNamesAndElementNamesAreSingleTokens() throws {
    var lexer = Lexer(text: "pte.kind[a] == gpu0.0 # tail\n<= >= != -3", file: "f")
    let (tokens, comments) = try lexer.tokenize()
    let kinds = tokens.map(\.kind)
    #expect(
      kinds == [
        .identifier("pte.kind"), .symbol(.lbracket), .identifier("a"), .symbol(.rbracket),
        .symbol(.eq), .identifier("gpu0.0"), .symbol(.le), .symbol(.ge), .symbol(.ne),
        .symbol(.minus), .integer(3), .endOfFile,
      ])
    #expect(comments == [Comment(text: "tail", line: 1, ownLine: false)])
    #expect(tokens[5].range.start == SourceLocation(line: 1, column: 16, offset: 15))
    #expect(tokens[6].range.start.line == 2 && tokens[6].range.start.column == 1)
  }

  @Test func keywordsAreReservedButTypeWordsAreNot() throws {
    var lexer = Lexer(text: "forall int none mig.next next", file: "f")
    let kinds = try lexer.tokenize().tokens.map(\.kind)
    #expect(
      kinds == [
        .keyword(.forall), .identifier("int"), .identifier("none"), .identifier("mig.next"),
        .keyword(.next), .endOfFile,
      ])
  }
}

@Suite struct ParserTests {
  static let example = """
    # Suite about stale device mappings.

    suite no_stale_device_mapping        # optional header

    # Which physical page the CPU maps at `a`, counting a committed migration.
    def cpu_page(a: page): ref phys =
      if pte.kind[a] == migration and mig.committed[a] then mig.dst[a] else pte.page[a]

    # INV-1: outside a pending callback, a device maps only the CPU's current page.
    # (second doc line)
    always device_maps_cpu_page:
      forall d in device, a in page:
        dpt.page[d][a] != none and mn.pending[d][a] == 0
          implies dpt.page[d][a] == cpu_page(a)

    always usage_matches: memcg.usage == count p in phys: page.memcg[p]

    sometimes mirror_retries: event(read_retry_collision)
    """

  @Test func parsesTheExampleSuite() throws {
    let suite = try Fixture.parse(Self.example)
    #expect(suite.name == "no_stale_device_mapping")
    #expect(suite.definitions.map(\.name) == ["cpu_page"])
    #expect(suite.properties.map(\.name) == ["device_maps_cpu_page", "usage_matches", "mirror_retries"])
    #expect(suite.properties.map(\.kind) == [.always, .always, .sometimes])
    let def = suite.definitions[0]
    #expect(def.doc == "Which physical page the CPU maps at `a`, counting a committed migration.")
    #expect(def.parameters.map(\.name) == ["a"])
    #expect(def.parameters[0].type.kind == .named("page"))
    #expect(def.returnType.kind == .ref("phys"))
    let p = suite.properties[0]
    #expect(p.doc == "INV-1: outside a pending callback, a device maps only the CPU's current page.\n(second doc line)")
    #expect(p.location.line == 11 && p.location.column == 1)
    #expect(p.nameLocation.line == 11 && p.nameLocation.column == 8)
    #expect(suite.properties[1].doc == "")
  }

  @Test func suiteNameDefaultsToFileStem() throws {
    let suite = try Fixture.parse("always t: true", file: "Properties/memcg_accounting.hmmprop")
    #expect(suite.name == "memcg_accounting")
    #expect(PropertyParser.stem(of: "x.hmmprop") == "x")
    #expect(PropertyParser.stem(of: "dir.d/noext") == "noext")
  }

  @Test func precedenceAndAssociativity() throws {
    let suite = try Fixture.parse("always t: not a and b or c implies d implies e == 1 + 2 * 3")
    guard case .binary(.implies, let lhs, let rhs) = suite.properties[0].expr.kind else {
      Issue.record("top is not implies"); return
    }
    // (not a and b) or c
    guard case .binary(.or, let orL, _) = lhs.kind, case .binary(.and, let andL, _) = orL.kind,
      case .unary(.not, _) = andL.kind
    else { Issue.record("bad lhs \(lhs)"); return }
    // implies is right-associative: d implies (e == 1 + 2 * 3)
    guard case .binary(.implies, _, let inner) = rhs.kind, case .binary(.eq, _, let sum) = inner.kind,
      case .binary(.add, _, let prod) = sum.kind, case .binary(.mul, _, _) = prod.kind
    else { Issue.record("bad rhs \(rhs)"); return }
  }

  @Test func quantifierBodiesExtendRight() throws {
    let suite = try Fixture.parse("always t: x == count p in phys where y: z + 1")
    guard case .binary(.eq, _, let c) = suite.properties[0].expr.kind,
      case .quantifier(.count, let binders, let filter, let body) = c.kind
    else { Issue.record("shape"); return }
    #expect(binders.map(\.name) == ["p"] && binders.map(\.domain) == ["phys"])
    #expect(filter != nil)
    if case .binary(.add, _, _) = body.kind {} else { Issue.record("body should be z + 1") }
  }

  @Test func nodesKnowTheirSourceText() throws {
    let text = "always t:\n  forall a in page:  pte.kind[a]   ==\n present  # why\n  and mm.rss < 2"
    let suite = try Fixture.parse(text)
    guard case .quantifier(_, _, _, let body) = suite.properties[0].expr.kind,
      case .binary(.and, let l, let r) = body.kind
    else { Issue.record("shape"); return }
    #expect(suite.text(of: l.range) == "pte.kind[a] == present")
    #expect(suite.text(of: r.range) == "mm.rss < 2")
    #expect(suite.text(of: body.range) == "pte.kind[a] == present and mm.rss < 2")
    #expect(l.range.start.line == 2 && l.range.start.column == 22)
  }

  @Test func typeSyntaxForms() throws {
    let suite = try Fixture.parse(
      "def f(a: index(page), b: ref device, c: enum pte_kind, d: bool, e: int, g: pte_kind): enum(pte_kind) = c")
    let kinds = suite.definitions[0].parameters.map(\.type.kind)
    #expect(kinds == [.index("page"), .ref("device"), .enumeration("pte_kind"), .bool, .int, .named("pte_kind")])
    #expect(suite.definitions[0].returnType.kind == .enumeration("pte_kind"))
  }

  @Test func negativeLiteralsAndNullaryDefs() throws {
    let suite = try Fixture.parse("def z: int = -2\ndef w(): int = -(z)\nalways t: z() < w")
    #expect(suite.definitions[0].body.kind == .integer(-2))
    #expect(suite.definitions[1].parameters.isEmpty)
    if case .unary(.negate, _) = suite.definitions[1].body.kind {} else { Issue.record("negate") }
  }
}
