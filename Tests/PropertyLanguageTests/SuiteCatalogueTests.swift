import Foundation
import Testing

@testable import PropertyLanguage

@Suite struct SuiteCatalogueTests {
  let a = try! Fixture.parse(
    "suite mapping\nalways m1: true\nsometimes m2: event(fault)", file: "Properties/mapping.hmmprop")
  let b = try! Fixture.parse("always u1: memcg.usage <= 3\nalways u2: mm.rss >= 0", file: "Properties/memcg.hmmprop")

  @Test func selectsSuitesAndSingleProperties() throws {
    let cat = try SuiteCatalogue(suites: [a, b])
    let sel = try cat.select(["mapping", "u2"])
    #expect(sel.map(\.suite.name) == ["mapping", "memcg"])
    #expect(sel.map(\.properties) == [nil, ["u2"]])
    let compiled = try cat.compile(["u2", "mapping", "m1"], with: Fixture.compiler)
    #expect(compiled.map(\.name) == ["u2", "m1", "m2"])
    #expect(compiled.map(\.suite) == ["memcg", "mapping", "mapping"])
  }

  @Test func unknownNamesSuggest() throws {
    let cat = try SuiteCatalogue(suites: [a, b])
    #expect(throws: CatalogueError.unknownName("mapings", suggestion: "mapping")) { try cat.select(["mapings"]) }
  }

  @Test func propertyNamesAreGlobal() throws {
    let c = try Fixture.parse("\nalways m1: false", file: "Properties/other.hmmprop")
    do {
      _ = try SuiteCatalogue(suites: [a, c])
      Issue.record("expected a duplicate error")
    } catch let e as PropertyError {
      #expect(e.file == "Properties/other.hmmprop" && e.line == 2 && e.column == 8)
      #expect(e.message.contains("also declared in suite 'mapping' at Properties/mapping.hmmprop:2:8"))
    }
  }

  @Test func loadsADirectory() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("proplang-\(UInt32.random(in: 0...UInt32.max))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "always z: true\n".write(toFile: dir + "/zeta.hmmprop", atomically: true, encoding: .utf8)
    try "suite alpha_suite\nalways y: true\n".write(toFile: dir + "/alpha.hmmprop", atomically: true, encoding: .utf8)
    try "not a property file".write(toFile: dir + "/README.md", atomically: true, encoding: .utf8)
    let cat = try SuiteCatalogue.load(directory: dir)
    #expect(cat.suites.map(\.name) == ["alpha_suite", "zeta"])
    #expect(cat.suite(containing: "z")?.file == dir + "/zeta.hmmprop")
  }
}
