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
  /// Safety properties and witnesses as data (what the packed explorer and
  /// Z3 compile), and as the classic explorers' predicates built from them.
  let slotProperties: [SlotProperty]
  let properties: [Property<GuardedSystem>]
  /// Liveness properties, checked over the whole state graph.
  var liveness: [CompiledProperty] { compiled.filter { $0.kind.isLiveness } }
  let catalogue: SuiteCatalogue
  /// The model file's `assertions:` as a suite named "assertions".
  let assertionSuite: PropertySuite?
  let compiler: PropertyCompiler

  /// A suite of the catalogue, or the model's own assertions.
  func suite(named name: String) -> PropertySuite? {
    name == "assertions" && assertionSuite != nil ? assertionSuite : catalogue.suite(named: name)
  }

  var system: GuardedSystem { model.system }
  var config: ModelConfig { model.config }
  var name: String { config.name }

  /// Every event any HMM command can fire: properties may name them even in
  /// models where no command fires them (they are then never true).
  static var eventVocabulary: Set<String> { Set(HMMEvent.allCases.map(\.rawValue)) }

  /// - Parameter renamed: rename notifier sequences and content versions
  ///   canonically (`ValueRenaming`; the default).
  init(loaded: LoadedModel, catalogue: SuiteCatalogue, renamed: Bool = true) throws {
    self.loaded = loaded
    self.catalogue = catalogue
    do {
      model = try HMMModel(loaded.config, renamed: renamed)
    } catch let e as ModelError {
      throw CLIError.input("\(loaded.file):1:1: error: \(e.message)")
    }
    let system = model.system
    compiler = PropertyCompiler(
      schema: system.schema, knownEvents: Self.eventVocabulary, programPoints: ProgramPoints(system: system))
    var compiled = try catalogue.compile(loaded.config.properties, with: compiler)
    // The model's own assertions: always checked, named like no suite's.
    if !loaded.config.assertions.isEmpty {
      var suite = try PropertyParser.parse(text: loaded.config.assertions, file: loaded.file)
      suite.name = "assertions"
      for p in suite.properties where catalogue.suite(containing: p.name) != nil {
        throw PropertyError(
          file: loaded.file, line: p.nameLocation.line, column: p.nameLocation.column,
          message: "assertion '\(p.name)' has the name of a property of Properties/")
      }
      compiled += try compiler.compile(suite)
      assertionSuite = suite
    } else {
      assertionSuite = nil
    }
    self.compiled = compiled
    slotProperties = compiled.filter { !$0.kind.isLiveness }.map { Self.slotProperty($0, system: system) }
    properties = slotProperties.map { $0.property(for: system) }
  }

  /// A compiled safety property or witness as data: step properties read
  /// the extended vector [pre][post][event flags], with each command's flags.
  static func slotProperty(_ p: CompiledProperty, system: GuardedSystem) -> SlotProperty {
    SlotProperty(
      name: p.name, kind: p.kind == .always ? .always : .sometimes, isStep: p.isStep, expr: p.expr,
      commandFlags: p.isStep ? system.commands.map { c in p.events.map { c.events.contains($0) ? 1 : 0 } } : [])
  }

  /// A step predicate over (pre, command, post), built as the safety step
  /// properties are (`SlotProperty`: event-only ones are decided per command).
  static func stepPredicate(_ cp: CompiledProperty, system: GuardedSystem) -> @Sendable (StateVector, Int, StateVector) -> Bool {
    guard case .step(let f) = slotProperty(cp, system: system).property(for: system).check else {
      preconditionFailure("stepPredicate of a state property")
    }
    return f
  }

  /// The symmetry the packed explorer may reduce by, or why it may not: the
  /// model's verified device/thread symmetry, if every safety property and
  /// witness is invariant under it. Liveness runs on the full graph and is
  /// unaffected.
  func symmetryReduction() -> SymmetryDecision {
    let analysis = model.symmetryAnalysis()
    guard let sym = analysis.symmetry else { return .none }
    if let p = slotProperties.first(where: { !sym.isSymmetric($0.expr) }) {
      return .off(reason: "\(p.name) is not invariant under interchanging \(Self.classes(analysis))")
    }
    return .reduced(sym, classes: Self.classes(analysis))
  }

  private static func classes(_ a: HMMSymmetryAnalysis) -> String {
    (a.deviceClasses + a.threadClasses).map { $0.joined(separator: "/") }.joined(separator: ", ")
  }

  func compiledProperty(_ name: String) -> CompiledProperty? { compiled.first { $0.name == name } }

  /// Fairness of each thread for liveness checks.
  var fairness: [FairCycleSearch.Fairness] {
    config.threads.map { t in
      switch t.fairness ?? config.fairness {
      case .none: return .none
      case .weak: return .weak
      case .strong: return .strong
      }
    }
  }

  /// The liveness properties as the engines take them.
  var livenessPass: LivenessPass {
    let props = liveness.map { cp -> LivenessProperty in
      switch cp.kind {
      case .eventually: return LivenessProperty(name: cp.name, kind: .eventually(cp.expr))
      case .leadsTo: return LivenessProperty(name: cp.name, kind: .leadsTo(cp.expr, cp.target!))
      default: return LivenessProperty(name: cp.name, kind: .progress(Self.slotProperty(cp, system: system)))
      }
    }
    return LivenessPass(system: system, properties: props, fairness: fairness)
  }

  /// Re-verifies a liveness lasso (for replayed traces).
  func confirmsLasso(_ cp: CompiledProperty, _ path: ActionPath<Int>, loop: Int?) -> Bool {
    let pass = livenessPass
    guard let p = pass.properties.first(where: { $0.name == cp.name }) else { return false }
    return pass.confirms(p, path, loop: loop)
  }

  /// The failing clause and quantifier values of a finding, at the end of
  /// its path.
  func explain(_ finding: Finding<Int>) -> String? {
    guard finding.depthOnly == nil, let cp = compiledProperty(finding.property),
      let suite = suite(named: cp.suite),
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

/// What device/thread symmetry reduction does on a run.
enum SymmetryDecision {
  /// The model has no symmetry to reduce by.
  case none
  /// It has one, not used (a property tells the interchanged elements apart,
  /// liveness needs the full graph, or `--no-symmetry`).
  case off(reason: String)
  /// States are explored up to these permutations.
  case reduced(StateSymmetry, classes: String)

  var symmetry: StateSymmetry? {
    if case .reduced(let s, _) = self { return s }
    return nil
  }

  var isReduced: Bool { symmetry != nil }

  /// The report's line, nil when there is nothing to say.
  var note: String? {
    switch self {
    case .none: return nil
    case .off(let reason): return "symmetry: off (\(reason))"
    case .reduced(let s, let classes):
      return "symmetry: \(classes) interchangeable (\(s.groupOrder) permutations; --no-symmetry to explore them all)"
    }
  }
}
