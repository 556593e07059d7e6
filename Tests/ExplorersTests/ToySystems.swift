import CheckerCore
import Explorers

// Toy transition systems small enough that their state counts can be worked
// out by hand. Actions are process (or direction) indices; every toy lists
// them in a fixed order, as the protocol requires.

/// Two processes, each `idle → checked → critical → idle`, guarding the
/// critical section with check-then-set on the other's flag (flag_i is set
/// exactly while process i is critical). Flawed: both can pass the check
/// before either sets its flag.
///
/// Golden: every (pc0, pc1) pair is reachable, 9 states; process i is
/// disabled only at (idle, other critical), so 16 transitions, 14 with (2,2)
/// not expanded; the shortest violation is check, check, enter, enter (4).
struct CheckThenSetMutex: TransitionSystem {
  struct State: Hashable, Sendable {
    var pc: [UInt8]  // 0 idle, 1 checked, 2 critical
  }
  typealias Action = Int

  func initialStates() -> [State] { [State(pc: [0, 0])] }
  func enabledActions(in s: State, into actions: inout [Int]) {
    for i in 0..<2 where !(s.pc[i] == 0 && s.pc[1 - i] == 2) { actions.append(i) }
  }
  func successor(of s: State, via i: Int) -> State {
    var t = s
    t.pc[i] = (s.pc[i] + 1) % 3
    return t
  }
  func fingerprint(of s: State) -> UInt64 { Fingerprint.of(s.pc) }
  func isFinal(_ s: State) -> Bool { false }
  func actionID(_ a: Int) -> Int { a }
  var actionIDCount: Int { 2 }
  func actor(of a: Int) -> Int { a }

  static let mutex = Property<Self>(name: "mutex", kind: .always, check: .state { !($0.pc[0] == 2 && $0.pc[1] == 2) })
  static let p0Critical = Property<Self>(name: "p0_critical", kind: .sometimes, check: .state { $0.pc[0] == 2 })
}

/// Peterson's algorithm for two processes: `0: flag[i] = 1; 1: turn = 1-i;
/// 2: await !flag[1-i] || turn == i; 3: critical, flag[i] = 0`. flag_i is
/// derived (pc_i != 0), so a state is (pc0, pc1, turn), turn starting at 0.
///
/// Golden 20 states, 34 transitions. turn's last writer decides it: with
/// one process in {2,3} and the other in {0,1} the former wrote last (turn
/// = the other's index), 4 + 4 states; with both in {0,1} either value is
/// possible, 8; both waiting, either value, 2; one critical and the other
/// waiting only if the waiter wrote turn last, (2,3,1) and (3,2,0); (3,3,·)
/// never. A waiting process is blocked in (2,b≠0,1) and (a≠0,2,0): 3 + 3
/// of the 40 pc moves.
struct Peterson: TransitionSystem {
  struct State: Hashable, Sendable {
    var pc: [UInt8]
    var turn: UInt8
  }
  typealias Action = Int

  func initialStates() -> [State] { [State(pc: [0, 0], turn: 0)] }
  func enabledActions(in s: State, into actions: inout [Int]) {
    for i in 0..<2 {
      if s.pc[i] == 2 && !(s.pc[1 - i] == 0 || Int(s.turn) == i) { continue }
      actions.append(i)
    }
  }
  func successor(of s: State, via i: Int) -> State {
    var t = s
    if s.pc[i] == 1 { t.turn = UInt8(1 - i) }
    t.pc[i] = (s.pc[i] + 1) % 4
    return t
  }
  func fingerprint(of s: State) -> UInt64 { Fingerprint.of(s.pc + [s.turn]) }
  func isFinal(_ s: State) -> Bool { false }
  func actionID(_ a: Int) -> Int { a }
  var actionIDCount: Int { 2 }
  func actor(of a: Int) -> Int { a }
  func isProgress(_ a: Int) -> Bool { true }

  static let mutex = Property<Self>(name: "mutex", kind: .always, check: .state { !($0.pc[0] == 3 && $0.pc[1] == 3) })
  static let bothWaiting = Property<Self>(
    name: "both_waiting", kind: .sometimes, check: .state { $0.pc[0] == 2 && $0.pc[1] == 2 })
}

/// Two dining philosophers, each taking the left fork, then the right, then
/// releasing both; philosopher 0's left fork is philosopher 1's right.
///
/// Golden: 6 states (thinking/left/eating pairs, minus those sharing a fork:
/// (2,1), (1,2), (2,2)); 8 transitions; (1,1) is a deadlock at depth 2.
struct Philosophers: TransitionSystem {
  struct State: Hashable, Sendable {
    var pc: [UInt8]  // 0 thinking, 1 holds left, 2 eating
  }
  typealias Action = Int

  func initialStates() -> [State] { [State(pc: [0, 0])] }
  /// Whether fork f is held (fork i is philosopher i's left, 1-i's right).
  func held(_ f: Int, _ s: State) -> Bool { s.pc[f] >= 1 || s.pc[1 - f] == 2 }
  func enabledActions(in s: State, into actions: inout [Int]) {
    for i in 0..<2 {
      switch s.pc[i] {
      case 0: if !held(i, s) { actions.append(i) }
      case 1: if !held(1 - i, s) { actions.append(i) }
      default: actions.append(i)
      }
    }
  }
  func successor(of s: State, via i: Int) -> State {
    var t = s
    t.pc[i] = (s.pc[i] + 1) % 3
    return t
  }
  func fingerprint(of s: State) -> UInt64 { Fingerprint.of(s.pc) }
  func isFinal(_ s: State) -> Bool { false }
  func actionID(_ a: Int) -> Int { a }
  var actionIDCount: Int { 2 }
  func actor(of a: Int) -> Int { a }

  static let someoneEats = Property<Self>(
    name: "someone_eats", kind: .sometimes, check: .state { $0.pc[0] == 2 || $0.pc[1] == 2 })
}

/// An n x n grid walked right (action 0) and up (action 1) from the given
/// starts; the far corner is a normal end. No cycles.
///
/// Golden (n = 5, start (0,0)): 25 states, 2·5·4 = 40 transitions, depth 8.
/// With the `always` step property `no_up_at_left_edge` the 4 states (0,y>0)
/// are unreachable: 21 states and 2 + 15 + 16 = 33 transitions (the
/// violating step is counted as a transition, as in BFS).
struct Grid: TransitionSystem {
  struct State: Hashable, Sendable {
    var x: UInt8
    var y: UInt8
  }
  typealias Action = Int
  var n: Int
  var starts: [State]
  /// `validate` reports states with x + y above this (to test internal errors).
  var validLimit: Int = .max

  init(n: Int, starts: [(Int, Int)] = [(0, 0)], validLimit: Int = .max) {
    self.n = n
    self.starts = starts.map { State(x: UInt8($0.0), y: UInt8($0.1)) }
    self.validLimit = validLimit
  }

  func initialStates() -> [State] { starts }
  func enabledActions(in s: State, into actions: inout [Int]) {
    if Int(s.x) < n - 1 { actions.append(0) }
    if Int(s.y) < n - 1 { actions.append(1) }
  }
  func successor(of s: State, via a: Int) -> State {
    var t = s
    if a == 0 { t.x += 1 } else { t.y += 1 }
    return t
  }
  func fingerprint(of s: State) -> UInt64 { Fingerprint.of([s.x, s.y]) }
  func isFinal(_ s: State) -> Bool { Int(s.x) == n - 1 && Int(s.y) == n - 1 }
  func actionID(_ a: Int) -> Int { a }
  var actionIDCount: Int { 2 }
  func validate(_ s: State) -> String? { Int(s.x) + Int(s.y) > validLimit ? "x + y = \(Int(s.x) + Int(s.y))" : nil }

  static func below(_ k: Int) -> Property<Self> {
    Property(name: "sum_below_\(k)", kind: .always, check: .state { Int($0.x) + Int($0.y) < k })
  }
  static let noUpAtLeftEdge = Property<Self>(
    name: "no_up_at_left_edge", kind: .always, check: .step { s, a, _ in !(s.x == 0 && a == 1) })
  static let reachesCorner = Property<Self>(name: "corner", kind: .sometimes, check: .state { $0.x == 4 && $0.y == 4 })
  static let stepsDiagonal = Property<Self>(
    name: "steps_onto_diagonal", kind: .sometimes, check: .step { s, _, t in s.x != s.y && t.x == t.y })
}

/// An independent reference: plain worklist reachability over full states
/// in a Swift `Set` (no fingerprints, no explorer code), with the explorers'
/// semantics for `always` properties (violating states not expanded,
/// violating transitions not followed).
struct Reference<S: TransitionSystem> {
  var states: Set<S.State> = []
  var transitions = 0
  /// "kind/property" of every finding.
  var findings: Set<String> = []

  init(_ system: S, _ properties: [Property<S>]) {
    var work: [S.State] = []
    func visit(_ s: S.State) {
      guard states.insert(s).inserted else { return }
      var ok = true
      for p in properties {
        guard case .state(let f) = p.check else { continue }
        if p.kind == .always && !f(s) { findings.insert("violation/\(p.name)"); ok = false }
        if p.kind == .sometimes && f(s) { findings.insert("witness/\(p.name)") }
      }
      if ok { work.append(s) }
    }
    for s in system.initialStates() { visit(s) }
    var actions: [S.Action] = []
    while let s = work.popLast() {
      actions.removeAll()
      system.enabledActions(in: s, into: &actions)
      if actions.isEmpty && !system.isFinal(s) { findings.insert("deadlock/deadlock") }
      for a in actions {
        let t = system.successor(of: s, via: a)
        transitions += 1
        var ok = true
        for p in properties {
          guard case .step(let f) = p.check else { continue }
          if p.kind == .always && !f(s, a, t) { findings.insert("violation/\(p.name)"); ok = false }
          if p.kind == .sometimes && f(s, a, t) { findings.insert("witness/\(p.name)") }
        }
        if ok { visit(t) }
      }
    }
  }
}

extension ExplorationReport {
  /// "kind/property" of every finding, as a set (order differs by engine).
  var findingKeys: Set<String> { Set(findings.map { "\($0.kind.rawValue)/\($0.property)" }) }
}
