import CheckerCore
import Testing
@testable import HMM

/// Drives a model step by step by naming steps the way traces do (thread,
/// kernel path, outcome), so a test reads like a kernel interleaving.
struct Driver {
  let model: HMMModel
  var state: StateVector
  var l: HMMLayout { model.layout }
  var sys: GuardedSystem { model.system }

  init(_ config: ModelConfig) throws {
    model = try HMMModel(config)
    state = model.system.initial[0]
  }

  /// The enabled commands of `thread` whose name contains `name` and whose
  /// outcome contains `outcome`.
  func candidates(_ thread: String, _ name: String, _ outcome: String = "") -> [Int] {
    var enabled: [Int] = []
    sys.enabledActions(in: state, into: &enabled)
    return enabled.filter { a in
      let c = sys.commands[a]
      return sys.threads[c.thread].name == thread && c.name.contains(name) && (outcome.isEmpty || c.outcome.contains(outcome))
    }
  }

  func isEnabled(_ thread: String, _ name: String, _ outcome: String = "") -> Bool {
    !candidates(thread, name, outcome).isEmpty
  }

  /// Takes the unique matching step; records a test issue otherwise.
  mutating func step(_ thread: String, _ name: String, _ outcome: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    let c = candidates(thread, name, outcome)
    guard c.count == 1 else {
      var enabled: [Int] = []
      sys.enabledActions(in: state, into: &enabled)
      Issue.record(
        "\(c.count) steps match \(thread): \(name) [\(outcome)]; enabled: \(enabled.map(sys.describe).joined(separator: " | "))",
        sourceLocation: sourceLocation)
      return
    }
    state = sys.successor(of: state, via: c[0])
    #expect(sys.validate(state) == nil, sourceLocation: sourceLocation)
  }

  /// Runs `thread` alone while exactly one of its steps is enabled.
  mutating func runAlone(_ thread: String, max: Int = 200) {
    for _ in 0..<max {
      let c = candidates(thread, "")
      guard c.count == 1 else { return }
      state = sys.successor(of: state, via: c[0])
    }
  }

  subscript(_ slot: Int) -> Int { state[slot] }
  func pc(_ thread: String) -> String {
    let t = sys.threads.first { $0.name == thread }!
    return t.pcLabels[state[t.pcSlot]]
  }
}

/// Small configurations shared by the step tests.
enum Configs {
  static func oneAnonPage(
    initial: InitialPage = .ram(writable: true), ram: Int = 2, pool: Int = 1, devices: Int = 1, memcg: Int = 4,
    variant: Variant = Variant(), threads: [ThreadConfig]
  ) -> ModelConfig {
    ModelConfig(
      name: "t",
      system: SystemConfig(
        pages: 1, vmas: [VMAConfig(first: 0, last: 0, kind: .privateAnon, prot: .readWrite)], initial: [initial],
        ramPages: ram, devices: (0..<devices).map { DeviceConfig(name: "gpu\($0)", poolPages: pool) }, memcgLimit: memcg),
      variant: variant, threads: threads)
  }
}
