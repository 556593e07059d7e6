import CheckerCore

/// A counterexample or witness trace: what `check` writes and `replay`
/// re-executes. Serialized as ITF (Apalache ADR-015) with hmmcheck's own
/// metadata under `#meta`, so ITF readers (itf-rs, itf-py, Quint tooling)
/// can load it, and `mbt::actionTaken` on each state for model-based testing
/// drivers.
public struct Trace: Sendable, Equatable {
  /// Bumped on any incompatible change of the layout below.
  public static let formatVersion = 1

  public struct Step: Sendable, Equatable {
    /// Index of the command in the model's stable command order.
    public var command: Int
    public var thread: String
    public var name: String
    public var params: [String]
    public var outcome: String
    public init(command: Int, thread: String, name: String, params: [String], outcome: String) {
      self.command = command
      self.thread = thread
      self.name = name
      self.params = params
      self.outcome = outcome
    }
  }

  public var modelFile: String
  public var modelName: String
  /// Pinned fingerprint of the model file's bytes.
  public var modelHash: UInt64
  public var engine: String
  public var seed: UInt64?
  /// "violation", "witness", "deadlock", or "path" for a saved exploration.
  public var status: String
  public var property: String?
  public var explanation: String?
  /// Index of the state where a lasso's loop starts (liveness).
  public var loop: Int?
  public var initial: Int
  public var steps: [Step]
  /// The states: the initial state, then one after each step.
  public var states: [StateVector]

  public init(
    modelFile: String, modelName: String, modelHash: UInt64, engine: String, seed: UInt64?,
    status: String, property: String?, explanation: String?, loop: Int? = nil,
    initial: Int, steps: [Step], states: [StateVector]
  ) {
    self.modelFile = modelFile
    self.modelName = modelName
    self.modelHash = modelHash
    self.engine = engine
    self.seed = seed
    self.status = status
    self.property = property
    self.explanation = explanation
    self.loop = loop
    self.initial = initial
    self.steps = steps
    self.states = states
  }

  /// Builds the trace of `path` by re-executing it (so every state in a
  /// trace was produced by the explicit stepper).
  public static func make(
    system: GuardedSystem, path: ActionPath<Int>, modelFile: String, modelName: String, modelHash: UInt64,
    engine: String, seed: UInt64?, status: String, property: String?, explanation: String?, loop: Int? = nil
  ) throws -> Trace {
    let states = try PathReplay.states(system, path)
    let steps = path.actions.map { a -> Step in
      let c = system.commands[a]
      return Step(command: a, thread: system.threads[c.thread].name, name: c.name, params: c.params, outcome: c.outcome)
    }
    return Trace(
      modelFile: modelFile, modelName: modelName, modelHash: modelHash, engine: engine, seed: seed,
      status: status, property: property, explanation: explanation, loop: loop,
      initial: path.initial, steps: steps, states: states)
  }

  public var path: ActionPath<Int> { ActionPath(initial: initial, actions: steps.map(\.command)) }
}
