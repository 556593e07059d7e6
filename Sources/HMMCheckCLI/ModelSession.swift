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
  /// Safety properties and witnesses, checked state by state.
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
    compiler = PropertyCompiler(schema: system.schema, knownEvents: Self.eventVocabulary)
    let compiled = try catalogue.compile(loaded.config.properties, with: compiler)
    self.compiled = compiled
    properties = compiled.filter { !$0.kind.isLiveness }.map { Self.property($0, system: system) }
  }

  /// A compiled property as an explorer predicate. State properties run as
  /// compiled programs; step properties read the extended vector
  /// [pre][post][event flags].
  static func property(_ p: CompiledProperty, system: GuardedSystem) -> Property<GuardedSystem> {
    let kind: Property<GuardedSystem>.Kind = p.kind == .always ? .always : .sometimes
    if !p.isStep { return Property(name: p.name, kind: kind, check: .state(statePredicate(p.expr))) }
    return Property(name: p.name, kind: kind, check: .step(stepPredicate(p, system: system)))
  }

  static func statePredicate(_ e: Expr) -> @Sendable (StateVector) -> Bool {
    let p = Program(e)
    return { s in s.slots.withUnsafeBufferPointer { p.run($0) != 0 } }
  }

  /// A step predicate over (pre, command, post), reading the extended
  /// vector [pre][post][event flags]. One that reads only event flags (every
  /// bundled witness and progress property) depends on the command alone:
  /// it is decided once per command, so the explorers' hot loop pays a table
  /// lookup instead of building the extended vector per transition.
  static func stepPredicate(_ cp: CompiledProperty, system: GuardedSystem) -> @Sendable (StateVector, Int, StateVector) -> Bool {
    let n = system.schema.slotCount
    let program = Program(cp.expr)
    // Per command: which of the property's events it fires.
    let flags: [[UInt8]] = system.commands.map { c in cp.events.map { c.events.contains($0) ? 1 : 0 } }
    var read: [Int] = []
    cp.expr.slotsRead(into: &read)
    if read.allSatisfy({ $0 >= 2 * n }) {
      let table: [Bool] = flags.map { f in
        cp.expr.evaluate { $0 >= 2 * n ? Int(f[$0 - 2 * n]) : 0 } != 0
      }
      return { _, c, _ in table[c] }
    }
    return { a, c, b in (a.slots + b.slots + flags[c]).withUnsafeBufferPointer { program.run($0) != 0 } }
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
