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
    compiler = PropertyCompiler(
      schema: system.schema, knownEvents: Self.eventVocabulary, programPoints: ProgramPoints(system: system))
    let compiled = try catalogue.compile(loaded.config.properties, with: compiler)
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

  static func statePredicate(_ e: Expr) -> @Sendable (StateVector) -> Bool {
    let p = Program(e)
    return { s in s.slots.withUnsafeBufferPointer { p.run($0) != 0 } }
  }

  /// A step predicate over (pre, command, post), built as the safety step
  /// properties are (`SlotProperty`: event-only ones are decided per command).
  static func stepPredicate(_ cp: CompiledProperty, system: GuardedSystem) -> @Sendable (StateVector, Int, StateVector) -> Bool {
    guard case .step(let f) = slotProperty(cp, system: system).property(for: system).check else {
      preconditionFailure("stepPredicate of a state property")
    }
    return f
  }

  /// The symmetry the packed explorer may reduce by, with a line saying
  /// what is interchanged (or why nothing is): the model's verified
  /// device/thread symmetry, if every safety property and witness is
  /// invariant under it. Liveness runs on the full graph and is unaffected.
  func symmetryReduction() -> (StateSymmetry?, String?) {
    let analysis = model.symmetryAnalysis()
    guard let sym = analysis.symmetry else { return (nil, nil) }
    if let p = slotProperties.first(where: { !sym.isSymmetric($0.expr) }) {
      return (nil, "symmetry: off (\(p.name) is not invariant under interchanging \(Self.classes(analysis)))")
    }
    return (sym, "symmetry: \(Self.classes(analysis)) interchangeable (\(sym.groupOrder) permutations; --no-symmetry to explore them all)")
  }

  private static func classes(_ a: HMMSymmetryAnalysis) -> String {
    (a.deviceClasses + a.threadClasses).map { $0.joined(separator: "/") }.joined(separator: ", ")
  }

  func compiledProperty(_ name: String) -> CompiledProperty? { compiled.first { $0.name == name } }

  /// Fairness of each thread for liveness checks.
  var fairness: [LivenessChecker<GuardedSystem>.Fairness] {
    config.threads.map { t in
      switch t.fairness ?? config.fairness {
      case .none: return .none
      case .weak: return .weak
      case .strong: return .strong
      }
    }
  }

  func statePredicate(_ e: Expr) -> (StateVector) -> Bool { Self.statePredicate(e) }

  /// A step predicate (for `progress`) over (pre, command, post).
  func stepPredicate(_ cp: CompiledProperty) -> (StateVector, Int, StateVector) -> Bool {
    Self.stepPredicate(cp, system: system)
  }

  /// The liveness goal a compiled property states.
  func goal(_ cp: CompiledProperty) -> LivenessChecker<GuardedSystem>.Goal {
    switch cp.kind {
    case .eventually: return .eventually(statePredicate(cp.expr))
    case .leadsTo: return .leadsTo(statePredicate(cp.expr), statePredicate(cp.target!))
    default:
      let progress = stepPredicate(cp)
      return .nonProgressWhere(progress)
    }
  }

  /// Re-verifies a lasso state by state, independently of the SCC search:
  /// it replays, its loop returns to the loop's first state (or the run ends
  /// with nothing enabled), the goal is never met where it must not be, and
  /// every weakly or strongly fair thread is served by the loop.
  func confirmsLasso(_ cp: CompiledProperty, _ path: ActionPath<Int>, loop: Int?) -> Bool {
    guard let states = try? PathReplay.states(system, path) else { return false }
    let last = states.count - 1
    var acts: [Int] = []
    if let loop {
      guard loop < last, states[loop] == states[last] else { return false }
      // fairness over the loop's states and steps
      let taken = Set(path.actions[loop...].map { system.commands[$0].thread })
      var enabledEverywhere: Set<Int>? = nil
      var enabledSomewhere = Set<Int>()
      for s in states[loop..<last] {
        acts.removeAll()
        system.enabledActions(in: s, into: &acts)
        let en = Set(acts.map { system.commands[$0].thread })
        enabledSomewhere.formUnion(en)
        enabledEverywhere = enabledEverywhere.map { $0.intersection(en) } ?? en
      }
      for (t, f) in fairness.enumerated() {
        if f == .weak && enabledEverywhere?.contains(t) == true && !taken.contains(t) { return false }
        if f == .strong && enabledSomewhere.contains(t) && !taken.contains(t) { return false }
      }
    } else {
      acts.removeAll()
      system.enabledActions(in: states[last], into: &acts)
      guard acts.isEmpty else { return false }
    }
    switch cp.kind {
    case .eventually:
      let p = statePredicate(cp.expr)
      return states.allSatisfy { !p($0) }
    case .leadsTo:
      let p = statePredicate(cp.expr), q = statePredicate(cp.target!)
      guard let i = states.firstIndex(where: { p($0) && !q($0) }) else { return false }
      return states[i...].allSatisfy { !q($0) } && (loop.map { $0 >= i } ?? true)
    default:
      guard let loop else { return false }
      let progress = stepPredicate(cp)
      return (loop..<last).allSatisfy { !progress(states[$0], path.actions[$0], states[$0 + 1]) }
    }
  }

  /// The failing clause and quantifier values of a finding, at the end of
  /// its path.
  func explain(_ finding: Finding<Int>) -> String? {
    guard finding.depthOnly == nil, let cp = compiledProperty(finding.property),
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
