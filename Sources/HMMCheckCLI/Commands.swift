import ArgumentParser
import CheckerCore
import Explorers
import Foundation
import HMM
import ModelFiles
import PropertyLanguage
import Traces

/// `hmmcheck`: check the HMM policy models, simulate them, replay traces.
public struct HMMCheck: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "hmmcheck",
    abstract: "A model checker for the Linux kernel's HMM (heterogeneous memory management) policy.",
    discussion: """
      Exit codes: 0 every expectation met (check) or the trace reproduced (replay); 1 a property \
      violated that the model did not expect; 2 an expected violation not found; 3 a replay diverged \
      from its trace; 64 bad usage or a malformed model, property or trace file; 70 internal error.
      """,
    version: "hmmcheck 0.1.0",
    subcommands: [Check.self, Simulate.self, Replay.self, List.self, Prove.self, Explore.self, Graph.self])

  public init() {}
}

/// Where the bundled models and property suites live.
struct SourceOptions: ParsableArguments {
  @Option(name: .customLong("properties"), help: "Directory of property suites (*.hmmprop).")
  var propertiesDir: String = ProcessInfo.processInfo.environment["HMMCHECK_PROPERTIES"] ?? "Properties"

  @Option(name: .customLong("models"), help: "Directory of bundled models, used when no MODEL is given.")
  var modelsDir: String = ProcessInfo.processInfo.environment["HMMCHECK_MODELS"] ?? "Models"

  func catalogue() throws -> SuiteCatalogue {
    do {
      return try SuiteCatalogue.load(directory: propertiesDir)
    } catch let e as PropertyError {
      throw CLIError.input(e.description)
    } catch let e as CatalogueError {
      throw CLIError.input("\(propertiesDir): error: \(e)")
    } catch {
      throw CLIError.input("\(propertiesDir):1:1: error: cannot read the property suites: \(error.localizedDescription)")
    }
  }

  func modelFiles(_ given: [String]) throws -> [String] {
    if !given.isEmpty { return given }
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: modelsDir) else {
      throw CLIError.input("\(modelsDir):1:1: error: no such models directory (give MODEL files or --models DIR)")
    }
    let files = names.filter { $0.hasSuffix(".yaml") }.sorted().map { (modelsDir.hasSuffix("/") ? modelsDir : modelsDir + "/") + $0 }
    guard !files.isEmpty else {
      throw CLIError.input("\(modelsDir):1:1: error: no *.yaml model in this directory")
    }
    return files
  }

  func session(_ file: String, _ cat: SuiteCatalogue, renamed: Bool = true) throws -> ModelSession {
    let loaded: LoadedModel
    do {
      loaded = try ModelLoader.load(path: file) { name in (try? cat.select([name])) != nil }
    } catch let e as ModelFileError {
      throw CLIError.input(e.description)
    }
    do {
      return try ModelSession(loaded: loaded, catalogue: cat, renamed: renamed)
    } catch let e as PropertyError {
      throw CLIError.input(e.description)
    } catch let e as CatalogueError {
      throw CLIError.input("\(file):1:1: error: \(e)")
    }
  }
}

struct LimitOptions: ParsableArguments {
  @Option(help: "Stop after this many distinct states (partial report).") var maxStates: Int?
  @Option(help: "Do not explore beyond this depth (partial report).") var maxDepth: Int?
  @Option(help: "Stop after this many seconds (partial report).") var timeLimit: Double?
  @Option(help: "Stop before the explorer's tables exceed this many MiB (partial report).") var maxMemory: Int?

  var limits: ExplorationLimits {
    ExplorationLimits(maxStates: maxStates, maxDepth: maxDepth, timeLimit: timeLimit, maxMemory: maxMemory.map { $0 << 20 })
  }
}

struct RandomOptions: ParsableArguments {
  @Option(help: "Random walks to run.") var walks: Int = 1000
  @Option(help: "Steps per walk at most.") var depth: Int = 200
  @Option(help: "Seed of the pinned SplitMix64 generator.") var seed: UInt64 = 1
  @Option(help: "PCT scheduling with this many priority change points + 1 (0 = uniform choice).") var pct: Int = 0
  @Flag(help: "Keep random-walk counterexamples as found (no delta debugging).") var noMinimize = false
}

/// Runs `body`, mapping errors to exit codes with the message on stderr.
func guarded(_ body: () throws -> HMMExit) throws {
  let code: HMMExit
  do {
    code = try body()
  } catch let e as CLIError {
    Output.error(e.description)
    code = e.exit
  }
  if code != .ok { throw code.code }
}

extension HMMCheck {
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check models against their properties and expected outcomes (default: every file in Models/).")

    @Argument(help: "Model files (default: every *.yaml in the models directory).") var models: [String] = []
    @OptionGroup var sources: SourceOptions
    @OptionGroup var limitOptions: LimitOptions
    @Flag(help: "Random walks instead of exhaustive search.") var random = false
    @OptionGroup var randomOptions: RandomOptions
    @Option(help: "Write one trace file per violation found into this directory.") var traceDir: String?
    @Option(help: "BFS worker threads (default: every core); the result is identical for any count.")
    var workers: Int = EngineOptions.cores
    @Flag(help: "Stop at the end of the BFS level where the first counterexample is found.")
    var stopAtFirst = false
    @Flag(help: "Explore every state even where interchangeable devices make states equivalent.")
    var noSymmetry = false
    @Flag(
      help: ArgumentHelp(
        "Keep notifier sequences and content versions as plain counters (no canonical renaming).",
        discussion:
          "Without the renaming a retry loop through an invalidation never closes, so a model that can retry forever has no finite state space; for comparing counts."
      ))
    var noRenaming = false
    @Option(help: "Also write a report: junit or json.") var report: ReportFormat?
    @Option(help: "The report file (with --report).") var reportFile: String?
    @Flag(name: .shortAndLong, help: "Show witnesses and kernel paths never taken.") var verbose = false

    enum ReportFormat: String, ExpressibleByArgument { case junit, json }

    func run() throws {
      try guarded {
        let cat = try sources.catalogue()
        var opt = EngineOptions()
        opt.engine = random ? (randomOptions.pct > 0 ? .pct : .random) : .bfs
        opt.limits = limitOptions.limits
        opt.walks = randomOptions.walks
        opt.walkDepth = randomOptions.depth
        opt.seed = randomOptions.seed
        opt.pctDepth = randomOptions.pct
        opt.minimize = !randomOptions.noMinimize
        opt.traceDir = traceDir
        guard workers >= 1 else { throw CLIError.input("error: --workers must be at least 1") }
        opt.workers = workers
        opt.stopAtFirst = stopAtFirst
        opt.symmetry = !noSymmetry
        var results: [ModelResult] = []
        var codes: [HMMExit] = []
        for file in try sources.modelFiles(models) {
          do {
            let s = try sources.session(file, cat, renamed: !noRenaming)
            let r = try ModelCheck.run(s, opt)
            ModelCheck.print(r, s, verbose: verbose)
            results.append(r)
            codes.append(r.exit)
          } catch let e as CLIError {
            Output.error(e.description)
            codes.append(e.exit)
            // A model that cannot be loaded is still a failed case in reports.
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            results.append(
              ModelResult(
                name: stem, file: file, expectation: "-", exit: e.exit, verdict: "ERROR: \(e.description)",
                report: ExplorationReport(engine: "none", stop: .internalError)))
          }
        }
        let failed = codes.filter { $0 != .ok }.count
        Output.line("\(codes.count - failed) of \(codes.count) models met their expectations")
        if let report {
          let f = reportFile ?? (report == .junit ? "hmmcheck-junit.xml" : "hmmcheck-report.json")
          let text = report == .junit ? Reports.junit(results) : Reports.json(results)
          do {
            try text.write(toFile: f, atomically: true, encoding: .utf8)
          } catch {
            throw CLIError.input("\(f):1:1: error: cannot write the report: \(error.localizedDescription)")
          }
        }
        return HMMExit.worst(codes)
      }
    }
  }

  struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Seeded random walks over one model (reproducible from the seed).")

    @Argument(help: "The model file.") var model: String
    @OptionGroup var sources: SourceOptions
    @OptionGroup var randomOptions: RandomOptions
    @Option(help: "Stop after this many seconds.") var timeLimit: Double?
    @Option(help: "Write one trace file per violation found into this directory.") var traceDir: String?

    func run() throws {
      try guarded {
        let cat = try sources.catalogue()
        let s = try sources.session(model, cat)
        var opt = EngineOptions()
        opt.engine = randomOptions.pct > 0 ? .pct : .random
        opt.walks = randomOptions.walks
        opt.walkDepth = randomOptions.depth
        opt.seed = randomOptions.seed
        opt.pctDepth = randomOptions.pct
        opt.minimize = !randomOptions.noMinimize
        opt.limits.timeLimit = timeLimit
        opt.traceDir = traceDir
        let r = try ModelCheck.run(s, opt)
        ModelCheck.print(r, s, verbose: true)
        return r.exit
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the models with their variants, properties and expected outcomes.")

    @Argument(help: "Model files (default: every *.yaml in the models directory).") var models: [String] = []
    @OptionGroup var sources: SourceOptions

    func run() throws {
      try guarded {
        let cat = try sources.catalogue()
        for file in try sources.modelFiles(models) {
          let s = try sources.session(file, cat)
          let c = s.config
          var variant = "\(c.variant.era.rawValue), memcg \(c.variant.memcg.rawValue)"
          if !c.variant.bugs.isEmpty { variant += ", bugs: " + c.variant.bugs.map(\.rawValue).joined(separator: ", ") }
          Output.line("\(c.name)  [\(file)]")
          Output.line(
            "  \(c.system.pages) pages, \(c.system.devices.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ")), \(c.threads.count) threads"
          )
          Output.line("  variant: \(variant)")
          Output.line("  properties: \(c.properties.joined(separator: ", "))")
          Output.line("  expect: \(ModelCheck.describe(c.expect))")
        }
        Output.line("suites: " + cat.suites.map { "\($0.name) (\($0.properties.count))" }.joined(separator: ", "))
        return .ok
      }
    }
  }
}
