import CheckerCore
import Explorers
import Foundation
import HMM
import ModelFiles
import PropertyLanguage
import Symbolic

/// The repository's own model files, properties and lemma files.
enum Bundled {
  static let models = Fixture.repo + "/Models"
  static let lemmas = Fixture.repo + "/Properties/lemmas"

  static let catalogue: SuiteCatalogue = {
    do { return try SuiteCatalogue.load(directory: Fixture.repo + "/Properties") } catch { fatalError("\(error)") }
  }()

  struct Model {
    var file: String
    var name: String
    var config: ModelConfig
    var model: HMMModel
    var properties: [CompiledProperty]
    var compiler: PropertyCompiler
    var system: GuardedSystem { model.system }
    /// Every `always` property, as the prover's goals.
    var goals: [SymbolicProperty] {
      properties.filter { $0.kind == .always }.map {
        SymbolicProperty(name: $0.name, kind: .always, isStep: $0.isStep, expr: $0.expr, events: $0.events)
      }
    }
    var lemmaFile: String { Bundled.lemmas + "/" + name + ".hmmprop" }
  }

  static func load(_ file: String) throws -> Model {
    let path = file.hasPrefix("/") ? file : models + "/" + file
    let loaded = try ModelLoader.load(path: path) { (try? catalogue.select([$0])) != nil }
    let m = try HMMModel(loaded.config)
    let compiler = PropertyCompiler(
      schema: m.system.schema, knownEvents: Set(HMMEvent.allCases.map(\.rawValue)), programPoints: ProgramPoints(system: m.system))
    let ps = try catalogue.compile(loaded.config.properties, with: compiler)
    return Model(file: path, name: loaded.config.name, config: loaded.config, model: m, properties: ps, compiler: compiler)
  }

  static func files() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: models)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
  }

  /// Models whose `always` properties all hold (expected to pass, or to
  /// violate only liveness properties) and that check either headline suite.
  static func correctModels() -> [String] {
    files().filter { f in
      guard let text = try? String(contentsOfFile: models + "/" + f, encoding: .utf8),
        text.contains("no_stale_device_mapping") || text.contains("no_memcg_overcharge"),
        let m = try? load(f)
      else { return false }
      return expectedSafetyViolations(m).isEmpty
    }
  }

  /// Correct models with no lemma file, which `prove` proves with the
  /// reachable set as the invariant (`ReachableSetCertificate`): mining
  /// mirror_migrate_cpu_2p2d's 30,145 reachable states (three threads, two
  /// devices) still finds new counterexamples to induction after 3,000
  /// rounds and 15 minutes. Its certificate takes minutes, so the suite does
  /// not run it (`Benchmarks/prove.sh models` does).
  static let provedByReachableSet: Set<String> = ["mirror_migrate_cpu_2p2d.yaml"]

  /// Correct models whose proof from their lemma file takes Z3 more than
  /// 5 s (release `hmmcheck prove`, this machine): proved by the heavy
  /// tier (`HMMCHECK_HEAVY_TESTS=1 swift test --filter HeavyProofTests`,
  /// which CI runs too), so the default suite stays within minutes.
  static let heavyProofs: Set<String> = [
    "fault_path_get_page_3cpu.yaml", "migrate_hole_c3_other_owner.yaml", "migrate_hole_c9_two_devices.yaml",
    "mirror_vs_munmap_2p2d.yaml", "own_filter_invalidate_before_copy_1p1d.yaml", "selftest_anon_teardown.yaml",
    "selftest_double_map.yaml", "selftest_hmm_gup_test.yaml", "selftest_migrate_fault.yaml", "selftest_migrate_mixed.yaml",
    "selftest_migrate_multiple.yaml", "selftest_migrate_partial_unmap_fault.yaml", "selftest_snapshot.yaml",
  ]

  /// The heavy tier runs (`HMMCHECK_HEAVY_TESTS=1`).
  static var heavyTier: Bool { ProcessInfo.processInfo.environment["HMMCHECK_HEAVY_TESTS"] == "1" }

  /// Models expecting the violation of a safety (`always`) property.
  static func buggyModels() -> [String] {
    files().filter { f in
      guard let m = try? load(f) else { return false }
      return !expectedSafetyViolations(m).isEmpty
    }
  }

  static func expectedSafetyViolations(_ m: Model) -> [String] {
    let expected: [String]
    switch m.config.expect {
    case .violation(let p): expected = [p]
    case .violations(let ps): expected = ps
    case .pass, .deadlock: expected = []
    }
    return expected.filter { p in m.properties.contains { $0.name == p && $0.kind == .always } }
  }

  /// The lemmas of a lemma file, compiled for the model.
  static func lemmas(_ m: Model, text: String? = nil) throws -> [Lemma] {
    let source = try text ?? String(contentsOfFile: m.lemmaFile, encoding: .utf8)
    let suite = try PropertyParser.parse(text: source, file: m.lemmaFile)
    return try m.compiler.compile(suite).map { Lemma(name: $0.name, text: "", expr: $0.expr) }
  }
}
