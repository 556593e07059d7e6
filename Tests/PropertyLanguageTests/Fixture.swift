import CheckerCore
import Testing

@testable import PropertyLanguage

/// A small hand-built schema shaped like the HMM model's: two pages, two
/// devices, three physical pages (one device-private).
enum Fixture {
  static let schema: Schema = {
    var s = Schema()
    s.addDomain("page", elements: ["0", "1"])
    s.addDomain("device", elements: ["gpu0", "gpu1"])
    s.addDomain("phys", elements: ["ram0", "ram1", "gpu0.0"])
    let kinds = ["none", "present", "zero", "migration", "device_private"]
    s.addVariable("pte.kind", dimensions: ["page"], type: .enumeration(name: "pte_kind", cases: kinds), group: "pte")
    s.addVariable("pte.page", dimensions: ["page"], type: .reference(domain: "phys"), group: "pte")
    s.addVariable("mig.committed", dimensions: ["page"], type: .bool, group: "mig")
    s.addVariable("mig.dst", dimensions: ["page"], type: .reference(domain: "phys"), group: "mig")
    s.addVariable("dpt.page", dimensions: ["device", "page"], type: .reference(domain: "phys"), group: "dpt")
    s.addVariable("mn.pending", dimensions: ["device", "page"], type: .int(min: 0, max: 2), group: "mn", ghost: true)
    s.addVariable("page.memcg", dimensions: ["phys"], type: .bool, group: "page")
    s.addVariable("page.refs", dimensions: ["phys"], type: .int(min: 0, max: 3), group: "page")
    s.addVariable("memcg.usage", type: .int(min: 0, max: 3), group: "memcg")
    s.addVariable("mm.rss", type: .int(min: 0, max: 3), group: "mm")
    s.addVariable(
      "dev.state", dimensions: ["device"], type: .enumeration(name: "dev_state", cases: ["idle", "present"]),
      group: "dev")
    s.addVariable("dev.map", dimensions: ["device", "phys"], type: .bool, group: "dev")
    s.addVariable("dev.owner", dimensions: ["phys"], type: .reference(domain: "device"), group: "dev")
    return s
  }()

  static let events: Set<String> = ["read_retry_collision", "migration_hole", "fault"]

  static let compiler = PropertyCompiler(schema: schema, knownEvents: events)

  static var n: Int { schema.slotCount }

  static func parse(_ text: String, file: String = "Properties/test.hmmprop") throws -> PropertySuite {
    try PropertyParser.parse(text: text, file: file)
  }

  static func compile(_ text: String, file: String = "Properties/test.hmmprop") throws -> [CompiledProperty] {
    try compiler.compile(try parse(text, file: file))
  }

  /// The one property of `text` (after any defs).
  static func property(_ text: String) throws -> CompiledProperty {
    let all = try compile(text)
    #expect(all.count == 1)
    return all[0]
  }

  /// A state with every slot 0 except the given `(variable, indices, value)`.
  static func state(_ sets: [(String, [Int], Int)]) -> [UInt8] {
    var s = [UInt8](repeating: 0, count: n)
    for (name, idx, v) in sets { s[schema.slot(schema.variable(named: name)!, idx)] = UInt8(v) }
    return s
  }

  /// A uniformly random state respecting every slot's declared range.
  static func randomState(_ rng: inout SplitMix64) -> [UInt8] {
    (0..<n).map { slot in
      let t = schema.variables[schema.slotOwner[slot]].type
      return UInt8(rng.below(schema.maxValue(of: t) + 1))
    }
  }

  static func value(_ e: Expr, _ vector: [UInt8]) -> Int { e.evaluate { Int(vector[$0]) } }

  static func holds(_ p: CompiledProperty, _ state: [UInt8]) -> Bool {
    #expect(!p.isStep)
    return value(p.expr, state) != 0
  }

  static func holds(_ p: CompiledProperty, pre: [UInt8], post: [UInt8], events: Set<String> = []) -> Bool {
    value(p.expr, p.stepVector(pre: pre, post: post, eventsFired: events)) != 0
  }

  /// The error `text` produces, or nil (recorded as a test failure) if it compiles.
  static func error(
    _ text: String, file: String = "Properties/test.hmmprop", compiler: PropertyCompiler = Fixture.compiler
  ) -> PropertyError? {
    do {
      _ = try compiler.compile(try parse(text, file: file))
      Issue.record("expected an error for:\n\(text)")
      return nil
    } catch let e as PropertyError {
      return e
    } catch {
      Issue.record("unexpected error type: \(error)")
      return nil
    }
  }
}
