import CheckerCore
import Explorers
import Foundation
import HMM
import PropertyLanguage
import Symbolic
import Testing

/// Small models built in code, and the repo's property suites.
enum Fixture {
  static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  static func mirrorVsMunmap(_ variant: Variant = Variant()) -> ModelConfig {
    ModelConfig(
      name: "t",
      system: SystemConfig(
        pages: 1, vmas: [VMAConfig(first: 0, last: 0, kind: .privateAnon, prot: .readWrite)],
        initial: [.ram(writable: true)], ramPages: 2, devices: [DeviceConfig(name: "gpu0", poolPages: 1)], memcgLimit: 2),
      variant: variant,
      threads: [
        ThreadConfig(name: "mirror", device: 0, program: [.mirror(PageRange(0, 0), write: true)]),
        ThreadConfig(name: "cpu", program: [.munmap(PageRange(0, 0))]),
      ])
  }

  static func migrateFault() -> ModelConfig {
    ModelConfig(
      name: "mf",
      system: SystemConfig(
        pages: 1, vmas: [VMAConfig(first: 0, last: 0, kind: .privateAnon, prot: .readWrite)],
        initial: [.ram(writable: true)], ramPages: 2, devices: [DeviceConfig(name: "gpu0", poolPages: 2)], memcgLimit: 2),
      threads: [
        ThreadConfig(name: "gpu", device: 0, program: [.migrateToDevice(PageRange(0, 0)), .deviceRead(0)]),
        ThreadConfig(name: "cpu", program: [.cpuWrite(0)]),
      ])
  }

  static func properties(_ m: HMMModel, _ names: [String]) throws -> [CompiledProperty] {
    let cat = try SuiteCatalogue.load(directory: repo + "/Properties")
    let compiler = PropertyCompiler(
      schema: m.system.schema, knownEvents: Set(HMMEvent.allCases.map(\.rawValue)), programPoints: ProgramPoints(system: m.system))
    return try cat.compile(names, with: compiler)
  }

  static func symbolic(_ ps: [CompiledProperty]) -> [SymbolicProperty] {
    ps.map { SymbolicProperty(name: $0.name, kind: $0.kind == .always ? .always : .sometimes, isStep: $0.isStep, expr: $0.expr, events: $0.events) }
  }

  static func explicit(_ ps: [CompiledProperty], _ sys: GuardedSystem) -> [Property<GuardedSystem>] {
    ps.map { p in
      let flags: [[UInt8]] = sys.commands.map { c in p.events.map { c.events.contains($0) ? 1 : 0 } }
      return SlotProperty(name: p.name, kind: p.kind == .always ? .always : .sometimes, isStep: p.isStep, expr: p.expr, commandFlags: flags)
        .property(for: sys)
    }
  }

  /// Every reachable state (BFS order), for small models.
  static func reachable(_ sys: GuardedSystem) -> [StateVector] {
    var seen: Set<StateVector> = Set(sys.initial)
    var order = sys.initial
    var i = 0
    var acts: [Int] = []
    while i < order.count {
      acts.removeAll()
      sys.enabledActions(in: order[i], into: &acts)
      for a in acts {
        let t = sys.successor(of: order[i], via: a)
        if seen.insert(t).inserted { order.append(t) }
      }
      i += 1
    }
    return order
  }
}

@Suite struct SymbolicAgreementTests {
  /// The symbolic transition relation and the explicit stepper are the same
  /// relation: for every reachable state, Z3 enumerates exactly the explicit
  /// successors (same commands, same next states).
  @Test(arguments: [
    ("mirror vs munmap", Fixture.mirrorVsMunmap()),
    ("O2", Fixture.mirrorVsMunmap(Variant(bugs: [.readRetryUnlocked]))),
    ("2017", Fixture.mirrorVsMunmap(Variant(era: .hmmMirror2017))),
    ("2019", Fixture.mirrorVsMunmap(Variant(era: .validFlag2019))),
    ("migrate fault", Fixture.migrateFault()),
  ])
  func successorsAgree(_ name: String, _ config: ModelConfig) throws {
    let m = try HMMModel(config)
    let sym = try SymbolicSuccessors(system: m.system)
    var acts: [Int] = []
    for s in Fixture.reachable(m.system) {
      acts.removeAll()
      m.system.enabledActions(in: s, into: &acts)
      let explicit = acts.map { ($0, m.system.successor(of: s, via: $0)) }
      let symbolic = try sym.successors(of: s)
      #expect(symbolic.map(\.command) == explicit.map(\.0), "\(name): commands differ")
      #expect(symbolic.map(\.next) == explicit.map(\.1), "\(name): next states differ")
    }
  }
}

@Suite struct BoundedModelCheckingTests {
  /// For every bundled buggy model, BMC's first violation is at exactly the
  /// depth of BFS's shortest counterexample (over every always property the
  /// model checks), it violates a property BFS also violates at that depth,
  /// and its path replays on the explicit stepper.
  @Test(arguments: Bundled.buggyModels())
  func bmcDepthEqualsBFSDepth(_ file: String) throws {
    let m = try Bundled.load(file)
    let safety = m.properties.filter { $0.kind == .always || $0.kind == .sometimes }
    let explicit = Fixture.explicit(safety, m.system)
    let bfs = BFSExplorer(system: m.system, properties: explicit).run()
    var shortest: [String: Int] = [:]
    for p in safety where p.kind == .always {
      if let f = bfs.finding(p.name, .violation) { shortest[p.name] = f.path.actions.count }
    }
    let depth = try #require(shortest.values.min(), "\(file): BFS finds no violation")
    #expect(Bundled.expectedSafetyViolations(m).contains { shortest[$0] != nil })
    let bmc = try BoundedModelChecker(system: m.system, properties: Fixture.symbolic(safety))
    guard case .violation(let name, let path) = try bmc.run(maxDepth: depth) else {
      Issue.record("\(file): BMC found no violation up to depth \(depth)")
      return
    }
    #expect(path.actions.count == depth, "\(file)")
    #expect(shortest[name] == depth, "\(file): \(name) is not violated at depth \(depth) by BFS")
    let prop = explicit.first { $0.name == name }!
    #expect(PathReplay.confirms(m.system, path, property: prop, kind: .violation))
  }

  /// Depth 10 keeps the suite fast in debug builds; the benchmark goes deeper.
  @Test func correctModelIsCleanToDepth10() throws {
    let m = try HMMModel(Fixture.mirrorVsMunmap())
    let ps = try Fixture.properties(m, ["no_stale_device_mapping", "no_memcg_overcharge", "no_lost_write", "page_invariants"])
    let bmc = try BoundedModelChecker(system: m.system, properties: Fixture.symbolic(ps))
    var depths: [Int] = []
    guard case .clean(let d) = try bmc.run(maxDepth: 10, progress: { depths.append($0.depth) }) else {
      Issue.record("unexpected BMC result")
      return
    }
    #expect(d == 10)
    #expect(depths == Array(0...10))
  }
}
