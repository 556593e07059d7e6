import CheckerCore
import Explorers
import Foundation
import HMM
import ModelFiles
import PropertyLanguage

/// A model loaded as `hmmcheck check` loads it (HMMCheckCLI's `ModelSession`,
/// which is internal to the CLI): the model file through `ModelLoader`, the
/// property suites from `Properties/`, the safety properties and witnesses
/// as `SlotProperty` data for the packed explorers.
public struct BenchSession: Sendable {
  public let name: String
  public let system: GuardedSystem
  public let slotProperties: [SlotProperty]

  /// `path` is relative to the repository root (or absolute).
  public init(model path: String) throws {
    let file = path.hasPrefix("/") ? path : Workloads.repositoryRoot + "/" + path
    let catalogue = try SuiteCatalogue.load(directory: Workloads.repositoryRoot + "/Properties")
    let loaded = try ModelLoader.load(path: file) { name in (try? catalogue.select([name])) != nil }
    let model = try HMMModel(loaded.config)
    let system = model.system
    // As ModelSession: properties may name any HMM event.
    let compiler = PropertyCompiler(
      schema: system.schema, knownEvents: Set(HMMEvent.allCases.map(\.rawValue)), programPoints: ProgramPoints(system: system))
    let compiled = try catalogue.compile(loaded.config.properties, with: compiler)
    name = loaded.config.name
    self.system = system
    // As ModelSession.slotProperty: liveness is checked elsewhere, step
    // properties read [pre][post][event flags] with each command's flags.
    slotProperties = compiled.filter { !$0.kind.isLiveness }.map { p in
      SlotProperty(
        name: p.name, kind: p.kind == .always ? .always : .sometimes, isStep: p.isStep, expr: p.expr,
        commandFlags: p.isStep ? system.commands.map { c in p.events.map { c.events.contains($0) ? 1 : 0 } } : [])
    }
  }
}

/// The benchmarked workloads, shared by the benchmark target and `alloc-report`.
public enum Workloads {
  /// The hmmcheck repository: this file is
  /// Benchmarks/ExplorerBenchmarks/Sources/ExplorerWorkloads/Workloads.swift.
  public static let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<5 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// The exhaustive BFS workload: the SPIN twin at 1 page x 2 devices.
  public static let bfsModel = "Benchmarks/models/spin_twin_1x2.yaml"
  /// The random-walk workload: the default (largest bundled) model.
  public static let walkModel = "Models/mirror_migrate_cpu_2p2d.yaml"
  public static let walks = 20_000
  public static let walkSteps = 200
  public static let seed: UInt64 = 1

  /// Packed BFS, one worker, no limits: exhaustive.
  /// (`limits.maxDepth = 0`: only the setup and the initial states.)
  public static func bfs(_ s: BenchSession, workers: Int = 1, limits: ExplorationLimits = ExplorationLimits()) -> ExplorationReport<Int> {
    PackedBFSExplorer(system: s.system, properties: s.slotProperties, limits: limits, workers: workers).run()
  }

  /// Uniform random walks, as `hmmcheck check --random` / `simulate`.
  public static func randomWalks(
    _ s: BenchSession, walks: Int = Workloads.walks, steps: Int = Workloads.walkSteps, seed: UInt64 = Workloads.seed
  ) -> ExplorationReport<Int> {
    PackedRandomExplorer(system: s.system, properties: s.slotProperties, walks: walks, maxSteps: steps, seed: seed).run()
  }

  /// Loads a model or stops the process with the loader's message.
  public static func load(_ path: String) -> BenchSession {
    do {
      return try BenchSession(model: path)
    } catch {
      fatalError("cannot load \(path): \(error)")
    }
  }
}
