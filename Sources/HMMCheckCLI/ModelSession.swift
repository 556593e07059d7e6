import CheckerCore
import Explorers
import HMM
import ModelFiles
import PropertyLanguage

/// One model ready to check: the loaded file, the instantiated kernel model,
/// and its properties compiled for the explorers.
struct ModelSession {
  let loaded: LoadedModel
  let model: HMMModel
  let compiled: [CompiledProperty]
  let properties: [Property<GuardedSystem>]
  let catalogue: SuiteCatalogue
  let compiler: PropertyCompiler

  var system: GuardedSystem { model.system }
  var config: ModelConfig { model.config }
  var name: String { config.name }

  /// Every event any HMM command can fire: properties may name them even in
  /// models where no command fires them (they are then never true).
  static var eventVocabulary: Set<String> { Set(HMMEvent.allCases.map(\.rawValue)) }

  init(loaded: LoadedModel, catalogue: SuiteCatalogue) throws {
    self.loaded = loaded
    self.catalogue = catalogue
    do {
      model = try HMMModel(loaded.config)
    } catch let e as ModelError {
      throw CLIError.input("\(loaded.file):1:1: error: \(e.message)")
    }
    let system = model.system
    compiler = PropertyCompiler(schema: system.schema, knownEvents: Self.eventVocabulary)
    let compiled = try catalogue.compile(loaded.config.properties, with: compiler)
    self.compiled = compiled
    properties = compiled.map { Self.property($0, system: system) }
  }

  /// A compiled property as an explorer predicate. State properties run as
  /// compiled programs; step properties read the extended vector
  /// [pre][post][event flags].
  static func property(_ p: CompiledProperty, system: GuardedSystem) -> Property<GuardedSystem> {
    let kind: Property<GuardedSystem>.Kind = p.kind == .always ? .always : .sometimes
    let program = Program(p.expr)
    if !p.isStep {
      return Property(name: p.name, kind: kind, check: .state { s in s.slots.withUnsafeBufferPointer { program.run($0) != 0 } })
    }
    // Per command: which of the property's events it fires.
    let flags: [[UInt8]] = system.commands.map { c in p.events.map { c.events.contains($0) ? 1 : 0 } }
    return Property(
      name: p.name, kind: kind,
      check: .step { pre, action, post in
        var v = pre.slots
        v.append(contentsOf: post.slots)
        v.append(contentsOf: flags[action])
        return v.withUnsafeBufferPointer { program.run($0) != 0 }
      })
  }

  func compiledProperty(_ name: String) -> CompiledProperty? { compiled.first { $0.name == name } }

  /// The failing clause and quantifier values of a finding, at the end of
  /// its path.
  func explain(_ finding: Finding<Int>) -> String? {
    guard let cp = compiledProperty(finding.property),
      let suite = catalogue.suite(named: cp.suite),
      let states = try? PathReplay.states(system, finding.path), let last = states.last
    else { return nil }
    var pre = last.slots
    var post: [UInt8]? = nil
    var fired: Set<String> = []
    if cp.isStep, states.count >= 2, let a = finding.path.actions.last {
      pre = states[states.count - 2].slots
      post = last.slots
      fired = Set(system.commands[a].events)
    }
    return compiler.explain(cp, suite: suite, pre: pre, post: post, eventsFired: fired).description
  }
}
