import CheckerCore
import Explorers

// Hand-written toys whose fair lassos can be worked out on paper. Actions
// are small integers listed in a fixed order; actor = thread.

/// A lock holder (actor 0) and a spinner (actor 1). The holder's one step
/// releases the lock (progress); the spinner tries the lock, failing back to
/// where it was while it is held (not progress), and takes it (progress)
/// once it is free; then both are done.
///
/// States (held, spinnerDone): (1,0) initial, (0,0), (0,1). Action 0:
/// release; 1: spin (self-loop at (1,0)); 2: acquire. The only cycle is the
/// spin self-loop at the initial state, where the holder is enabled: a
/// violation without fairness (stem 0, loop [spin]), none under weak
/// fairness (the holder stays enabled and never runs).
struct SpinStarvesHolder: TransitionSystem {
  struct State: Hashable, Sendable {
    var held: Bool
    var spinnerDone: Bool
  }
  typealias Action = Int

  func initialStates() -> [State] { [State(held: true, spinnerDone: false)] }
  func enabledActions(in s: State, into actions: inout [Int]) {
    if s.held { actions.append(0) }
    if !s.spinnerDone { actions.append(s.held ? 1 : 2) }
  }
  func successor(of s: State, via a: Int) -> State {
    var t = s
    switch a {
    case 0: t.held = false
    case 2: t.spinnerDone = true
    default: break
    }
    return t
  }
  func fingerprint(of s: State) -> UInt64 { Fingerprint.of([s.held ? 1 : 0, s.spinnerDone ? 1 : 0]) }
  func isFinal(_ s: State) -> Bool { !s.held && s.spinnerDone }
  func isProgress(_ a: Int) -> Bool { a != 1 }
  func actionID(_ a: Int) -> Int { a }
  var actionIDCount: Int { 3 }
  func actor(of a: Int) -> Int { a == 0 ? 0 : 1 }
}

/// A toggler (actor 0) flips a bit forever (not progress) until the waiter
/// (actor 1) has run; the waiter can run only while the bit is 1, and its
/// step (progress) ends everything.
///
/// States (bit, done): (0,0) initial, (1,0), (1,1) terminal. Actions 0:
/// toggle, 1: finish. The non-progress cycle (0,0) ⇄ (1,0) has the waiter
/// enabled in one of its two states: fair under weak fairness (it is not
/// enabled continuously), unfair under strong fairness (enabled infinitely
/// often), and no smaller cycle avoids its state.
struct IntermittentWaiter: TransitionSystem {
  struct State: Hashable, Sendable {
    var bit: Bool
    var done: Bool
  }
  typealias Action = Int

  func initialStates() -> [State] { [State(bit: false, done: false)] }
  func enabledActions(in s: State, into actions: inout [Int]) {
    if !s.done { actions.append(0) }
    if !s.done && s.bit { actions.append(1) }
  }
  func successor(of s: State, via a: Int) -> State {
    var t = s
    if a == 0 { t.bit.toggle() } else { t.done = true }
    return t
  }
  func fingerprint(of s: State) -> UInt64 { Fingerprint.of([s.bit ? 1 : 0, s.done ? 1 : 0]) }
  func isFinal(_ s: State) -> Bool { s.done }
  func isProgress(_ a: Int) -> Bool { a == 1 }
  func actionID(_ a: Int) -> Int { a }
  var actionIDCount: Int { 2 }
  func actor(of a: Int) -> Int { a }
}

/// A chain into a cycle, with a longer detour: states 0...`length` along a
/// main road (action 0 from i to i+1), then the cycle `length` →
/// `length`+1 → `length`+2 → `length` (action 0); and a detour from 0
/// (action 1) through 100, 101, ..., 100+`length` (action 0) that joins the
/// cycle at `length`. One actor, no progress steps.
///
/// The shortest stem to the cycle is `length` steps (the main road; the
/// detour takes `length`+2). `onDetour` (states ≥ 100) is a goal the main
/// road never meets: `eventually onDetour` fails with the same stem.
struct ChainIntoCycle: TransitionSystem {
  typealias State = Int
  typealias Action = Int
  var length: Int

  func initialStates() -> [Int] { [0] }
  func enabledActions(in s: Int, into actions: inout [Int]) {
    actions.append(0)
    if s == 0 { actions.append(1) }
  }
  func successor(of s: Int, via a: Int) -> Int {
    if a == 1 { return 100 }
    if s >= 100 { return s == 100 + length ? length : s + 1 }
    if s == length + 2 { return length }
    return s + 1
  }
  func fingerprint(of s: Int) -> UInt64 { Fingerprint.of([UInt8(s)]) }
  func isFinal(_ s: Int) -> Bool { false }
  func actionID(_ a: Int) -> Int { a }
  var actionIDCount: Int { 2 }
  static func onDetour(_ s: Int) -> Bool { s >= 100 }
}

/// A countdown from `start` to 0, where nothing is enabled: finite runs.
/// Action 0 (actor 0) decrements. No cycle at all.
struct Countdown: TransitionSystem {
  typealias State = Int
  typealias Action = Int
  var start: Int

  func initialStates() -> [Int] { [start] }
  func enabledActions(in s: Int, into actions: inout [Int]) { if s > 0 { actions.append(0) } }
  func successor(of s: Int, via a: Int) -> Int { s - 1 }
  func fingerprint(of s: Int) -> UInt64 { Fingerprint.of([UInt8(s)]) }
  func isFinal(_ s: Int) -> Bool { s == 0 }
  func actionID(_ a: Int) -> Int { a }
  var actionIDCount: Int { 1 }
}

/// A request/grant server for leadsTo: a client (actor 0) walks `walk`
/// steps (0 → 1 → ... → walk), then requests (state 100 = requested); the
/// server (actor 1) may grant (state 200, progress, then back to 0) or the
/// client may idle (a self-loop at 100, not progress). The server is also
/// enabled at 0...walk, where it does nothing (a self-loop).
///
/// request leadsTo grant: without fairness the idle self-loop at 100 is a
/// counterexample with stem `walk`+1 steps (trigger at step `walk`+1); with
/// weak fairness the server, enabled at 100, must run: no counterexample.
struct RequestGrant: TransitionSystem {
  typealias State = Int
  typealias Action = Int
  var walk: Int

  func initialStates() -> [Int] { [0] }
  func enabledActions(in s: Int, into actions: inout [Int]) {
    switch s {
    case 100: actions += [0, 1]  // 0: idle, 1: grant
    case 200: actions.append(2)  // 2: back to the start
    default: actions += [0, 1]  // 0: walk / request, 1: server no-op
    }
  }
  func successor(of s: Int, via a: Int) -> Int {
    switch (s, a) {
    case (100, 0): return 100
    case (100, 1): return 200
    case (200, _): return 0
    case (_, 1): return s
    default: return s == walk ? 100 : s + 1
    }
  }
  func fingerprint(of s: Int) -> UInt64 { Fingerprint.of([UInt8(s)]) }
  func isFinal(_ s: Int) -> Bool { false }
  func isProgress(_ a: Int) -> Bool { a == 1 }
  func actionID(_ a: Int) -> Int { a }
  var actionIDCount: Int { 3 }
  func actor(of a: Int) -> Int { a == 1 ? 1 : 0 }
}
