import CheckerCore

/// A property ready for any engine: a plain `Expr` plus what is needed to
/// report on it.
public struct CompiledProperty: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable, Codable {
    /// Must hold in every reachable state (or on every transition).
    case always
    /// Must hold in some reachable state (or on some transition); otherwise
    /// the model is vacuous for it.
    case sometimes
    /// Every fair run reaches a state satisfying `expr` (liveness).
    case eventually
    /// Every state satisfying `expr` is followed by one satisfying `target`.
    case leadsTo = "leads_to"
    /// `expr` (a step predicate) marks progress transitions: no fair cycle
    /// may go without one (a non-progress cycle, SPIN's `-l`).
    case progress

    /// Checked on fair runs over the whole state graph, not state by state.
    public var isLiveness: Bool { self == .eventually || self == .leadsTo || self == .progress }
  }

  public var name: String
  public var suite: String
  public var kind: Kind
  public var doc: String
  /// Uses `next(...)` or `event(...)`, directly or through a def.
  public var isStep: Bool
  /// State property: an Expr over slots 0..<N. Step property: over an extended vector
  /// [pre-state slots 0..<N][post-state slots N..<2N][one 0/1 flag per entry of `events`, at 2N+k].
  public var expr: Expr
  /// The `Q` of `P leads_to Q` (a state predicate), nil otherwise.
  public var target: Expr?
  public var events: [String]
  /// Where the declaration starts (its `always` / `sometimes` keyword).
  public var file: String
  public var line: Int
  public var column: Int

  public init(
    name: String, suite: String, kind: Kind, doc: String, isStep: Bool, expr: Expr,
    target: Expr? = nil, events: [String], file: String, line: Int, column: Int
  ) {
    self.target = target
    self.name = name
    self.suite = suite
    self.kind = kind
    self.doc = doc
    self.isStep = isStep
    self.expr = expr
    self.events = events
    self.file = file
    self.line = line
    self.column = column
  }

  /// The extended vector a step property reads, for engines that evaluate
  /// `expr` directly: pre, post, then one flag per entry of `events`.
  public func stepVector(pre: [UInt8], post: [UInt8], eventsFired: Set<String>) -> [UInt8] {
    pre + post + events.map { eventsFired.contains($0) ? 1 : 0 }
  }
}

/// Type checks, lowers and explains property suites against one schema.
public struct PropertyCompiler: Sendable {
  public let schema: Schema
  /// Every event some command of the model can fire; `event(X)` for any
  /// other X is an error (it could never be true, so it is surely a typo).
  public let knownEvents: Set<String>
  /// What `at(t, "...")` resolves against; without them `at` is an error.
  public let programPoints: ProgramPoints

  public init(schema: Schema, knownEvents: Set<String>, programPoints: ProgramPoints = .none) {
    self.schema = schema
    self.knownEvents = knownEvents
    self.programPoints = programPoints
  }

  /// Takes the schema, the events of every command and the threads' program points of `system`.
  public init(system: GuardedSystem) {
    self.init(
      schema: system.schema, knownEvents: Set(system.commands.flatMap(\.events)),
      programPoints: ProgramPoints(system: system))
  }

  func check(_ suite: PropertySuite) throws -> CheckedSuite {
    var checker = TypeChecker(schema: schema, knownEvents: knownEvents, programPoints: programPoints, file: suite.file)
    return try checker.check(suite)
  }

  /// Every property of the suite, in declaration order. Throws the first
  /// error in the file.
  public func compile(_ suite: PropertySuite) throws -> [CompiledProperty] {
    let checked = try check(suite)
    var out: [CompiledProperty] = []
    for p in checked.properties {
      var lowering = Lowering(schema: schema, checked: checked, programPoints: programPoints)
      let expr = try lowering.lower(p.expr, env: [:], post: false)
      let target = try p.target.map { try lowering.lower($0, env: [:], post: false) }
      let d = p.declaration
      out.append(
        CompiledProperty(
          name: d.name, suite: suite.name, kind: d.kind, doc: d.doc, isStep: p.isStep, expr: expr,
          target: target, events: lowering.events, file: suite.file, line: d.location.line, column: d.location.column))
    }
    return out
  }

  /// Why a property fails (or, for sometimes, holds) in a state: the failing clause and the quantifier values.
  ///
  /// The explanation follows the property's actual value in the state: for
  /// a false property it finds a failing clause, for a true one a witness.
  /// `post` is the post-state of the transition for step properties; when it
  /// is nil the pre-state is used for `next(...)` too.
  public func explain(
    _ property: CompiledProperty, suite: PropertySuite, pre: [UInt8], post: [UInt8]?,
    eventsFired: Set<String>
  ) -> Explanation {
    let checked: CheckedSuite
    do {
      checked = try check(suite)
    } catch {
      return Explanation(
        property: property.name, holds: false, bindings: [], clause: "\(error)", clauseValue: false, values: [])
    }
    guard let p = checked.properties.first(where: { $0.declaration.name == property.name }) else {
      return Explanation(
        property: property.name, holds: false, bindings: [],
        clause: "property \(property.name) is not in suite \(suite.name)", clauseValue: false, values: [])
    }
    let evaluator = Evaluator(
      schema: schema, checked: checked, programPoints: programPoints, pre: pre, post: post ?? pre, events: eventsFired)
    return Explainer(evaluator: evaluator, suite: suite).explain(p)
  }
}
