import CheckerCore
import Explorers
import Foundation
import PropertyLanguage
import Traces

/// An interactive walk through one model: a path of steps from the model's
/// initial state, a position on it (`back` and `forward` move along it
/// without losing it), and the commands of `hmmcheck explore`.
///
/// Everything it prints goes through `write`, as whole lines wrapped to the
/// style's width, and depends only on the model and the commands given, so
/// a script of commands always prints the same transcript.
final class ExploreSession {
  let model: ModelSession
  var system: GuardedSystem { model.system }
  let style: ExploreStyle
  private let write: (String) -> Void
  private let why: GuardExplainer
  private let view: ExploreStateView
  /// Commands at each (thread, pc), in declaration order.
  private let commandsAt: [[[Int]]]

  /// Polled by `find` and `random`: Ctrl-C was pressed.
  var interrupted: @Sendable () -> Bool = { ExploreInterrupt.requested }
  /// Wraps a long command (the CLI marks it busy for the SIGINT handler).
  var long: (() -> Void) -> Void = { body in ExploreInterrupt.busy(body) }
  /// On a terminal, Ctrl-C echoes `^C` with no newline.
  var interactive = false
  /// `find` gives up after this many distinct states.
  var findLimit: Int? = 5_000_000

  /// The path: `states[0]` is initial state `initial`, `states[k]` the state
  /// after `actions[k - 1]`. Steps after `cursor` can be redone.
  private(set) var initial: Int
  private(set) var actions: [Int] = []
  private(set) var states: [StateVector]
  private(set) var cursor = 0
  /// The property of the last `find`, preferred by `save`.
  private(set) var lastFind: String?
  /// Commands rejected so far (unknown, malformed, impossible).
  private(set) var rejected = 0

  var current: StateVector { states[cursor] }
  var prompt: String { "hmm:\(cursor)> " }
  /// The path up to the current state.
  var pathHere: ActionPath<Int> { ActionPath(initial: initial, actions: Array(actions[..<cursor])) }

  init(model: ModelSession, style: ExploreStyle, write: @escaping (String) -> Void) {
    self.model = model
    self.style = style
    self.write = write
    let sys = model.system
    why = GuardExplainer(system: sys)
    view = ExploreStateView(system: sys, style: style)
    var at: [[[Int]]] = sys.threads.map { Array(repeating: [], count: $0.pcLabels.count) }
    for (i, c) in sys.commands.enumerated() where c.pc < at[c.thread].count { at[c.thread][c.pc].append(i) }
    commandsAt = at
    initial = 0
    states = [sys.initialStates()[0]]
  }

  /// Replaces the path (it must replay) and moves to step `at`.
  func setPath(_ path: ActionPath<Int>, at: Int) throws {
    let st = try PathReplay.states(system, path)
    initial = path.initial
    actions = path.actions
    states = st
    cursor = max(0, min(at, actions.count))
  }

  // MARK: - Output

  private func line(_ s: String = "", indent: Int = 4) {
    for l in style.wrap(s, indent: indent) { write(l + "\n") }
  }

  private func lines(_ ls: [String]) {
    for l in ls { write(l + "\n") }
  }

  private func fail(_ s: String) {
    rejected += 1
    // Messages placed in a file already say "file:line:column: error:".
    line(s.contains(": error: ") ? s : style.paint("error:", .red) + " " + s)
  }

  private func describe(_ a: Int) -> String { system.describe(a) }

  // MARK: - What the current state offers

  /// Everything a number can name here: the enabled actions (in the
  /// machine's stable order), then the commands of blocked threads at their
  /// current step, then the other branches of the current steps that are
  /// not enabled. Numbers count from 1 in that order.
  struct Choices {
    var enabled: [Int] = []
    var blocked: [Int] = []
    var branches: [Int] = []
    var all: [Int] { enabled + blocked + branches }
    /// Threads not finished with no enabled command.
    var blockedThreads: [Int] = []
  }

  func choices(_ state: StateVector? = nil) -> Choices {
    let s = state ?? current
    var c = Choices()
    system.enabledActions(in: s, into: &c.enabled)
    let enabled = Set(c.enabled)
    for (t, info) in system.threads.enumerated() where s[info.pcSlot] != info.donePC {
      let pc = s[info.pcSlot]
      let here = pc < commandsAt[t].count ? commandsAt[t][pc] : []
      if here.contains(where: enabled.contains) {
        c.branches += here.filter { !enabled.contains($0) }
      } else {
        c.blocked += here
        c.blockedThreads.append(t)
      }
    }
    return c
  }

  /// Always properties false here (state properties in this state, step
  /// properties on the step that led here), and sometimes properties true.
  func propertyStatus() -> (failing: [String], witnesses: [String]) {
    var failing: [String] = []
    var witnesses: [String] = []
    for p in model.properties {
      guard let holds = holds(p) else { continue }
      if p.kind == .always && !holds { failing.append(p.name) }
      if p.kind == .sometimes && holds { witnesses.append(p.name) }
    }
    return (failing, witnesses)
  }

  /// A property's value here; nil for a step property at the initial state.
  private func holds(_ p: Property<GuardedSystem>) -> Bool? {
    switch p.check {
    case .state(let f): return f(current)
    case .step(let f):
      guard cursor > 0 else { return nil }
      return f(states[cursor - 1], actions[cursor - 1], current)
    }
  }

  // MARK: - The step view

  /// Where we are: the step, what it was, the numbered actions, the blocked
  /// threads and the properties that fail.
  func showStep() {
    var head = style.paint("step \(cursor)", .bold)
    head += cursor == 0 ? ": the initial state" : ": after " + describe(actions[cursor - 1])
    line(head, indent: 6)
    if cursor < actions.count {
      line("  (the path goes on to step \(actions.count): forward redoes step \(cursor + 1), goto K jumps)")
    }
    let ch = choices()
    let width = String(ch.enabled.count + ch.blocked.count).count
    func item(_ n: Int, _ a: Int, _ tone: ExploreStyle.Tone) {
      let num = String(repeating: " ", count: width - String(n).count) + String(n)
      line("  " + style.paint(num, tone) + "  " + describe(a), indent: 4 + width)
    }
    if ch.enabled.isEmpty {
      if system.isFinal(current) {
        line("no action enabled: every thread has finished")
      } else {
        let stuck = ch.blockedThreads.map { system.threads[$0].name }
        line(
          style.paint("deadlock:", .boldRed)
            + " no action enabled, and \(stuck.joined(separator: ", ")) \(stuck.count == 1 ? "has" : "have") not finished")
      }
    } else {
      line("enabled:")
      for (i, a) in ch.enabled.enumerated() { item(i + 1, a, .green) }
    }
    if !ch.blocked.isEmpty {
      line("blocked (why N says why):")
      for (i, a) in ch.blocked.enumerated() { item(ch.enabled.count + i + 1, a, .yellow) }
    }
    let (failing, witnesses) = propertyStatus()
    if failing.isEmpty {
      line("failing: none")
    } else {
      line("failing: " + failing.map { style.paint($0, .boldRed) }.joined(separator: ", "), indent: 9)
    }
    if !witnesses.isEmpty { line("witnessed here: " + witnesses.joined(separator: ", "), indent: 16) }
  }

  // MARK: - Commands

  static let help: [String] = [
    "commands (short and long forms):",
    "  N                  take enabled action N (as numbered in the step view)",
    "  b, back            undo the last step (forward redoes it)",
    "  f, forward         redo the next step of the path",
    "  g K, goto K        go to step K of the path (0: the initial state)",
    "  p, path            the path so far, and where you are on it",
    "  l, list            this step again: actions, blocked threads, failures",
    "  s, state           the whole state, grouped",
    "  d, diff            what the last step changed",
    "  w, why [N|NAME]    why action N (or any step named NAME) is not enabled;",
    "                     alone: every blocked thread and what blocks it",
    "  c, check           every property here, with failing clause and values",
    "  r, random K [SEED] K seeded random steps from here (default seed 1)",
    "  /, find PROPERTY   shortest path from here to a violation of an always",
    "                     property, a witness of a sometimes one, or a",
    "                     deadlock (find deadlock); then follow it",
    "  save FILE          write the path to here as a trace (hmmcheck replay)",
    "  load TRACE         walk a trace of this model (at its last step)",
    "  h, help            this list",
    "  q, quit            leave (also Ctrl-D)",
    "Ctrl-C stops a long find or random; at the prompt it clears the line.",
  ]

  /// Runs one command line; false when the session should end.
  @discardableResult
  func execute(_ input: String) -> Bool {
    let text = input.trimmingCharacters(in: .whitespaces)
    if text.isEmpty || text.hasPrefix("#") { return true }
    var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    if words[0].hasPrefix("/") && words[0] != "/" {
      words.insert("/", at: 0)
      words[1].removeFirst()
    }
    let cmd = words[0].lowercased()
    let args = Array(words.dropFirst())
    if cmd.allSatisfy(\.isNumber) {
      guard args.isEmpty else { return rejectArgs(cmd, args) }
      pick(cmd)
      return true
    }
    switch cmd {
    case "b", "back": noArgs(cmd, args) { back() }
    case "f", "forward": noArgs(cmd, args) { forward() }
    case "g", "goto": goto(args)
    case "p", "path": noArgs(cmd, args) { showPath() }
    case "l", "list": noArgs(cmd, args) { showStep() }
    case "s", "state": noArgs(cmd, args) { lines(view.render(current)) }
    case "d", "diff": noArgs(cmd, args) { diff() }
    case "w", "why": whyCommand(args)
    case "c", "check": noArgs(cmd, args) { check() }
    case "r", "random": random(args)
    case "/", "find": find(args)
    case "save": save(args)
    case "load": load(args)
    case "h", "help", "?": lines(Self.help)
    case "q", "quit", "exit": return false
    default:
      fail("unknown command `\(words[0])` (help lists the commands)")
    }
    return true
  }

  private func noArgs(_ cmd: String, _ args: [String], _ body: () -> Void) {
    if args.isEmpty { body() } else { _ = rejectArgs(cmd, args) }
  }

  private func rejectArgs(_ cmd: String, _ args: [String]) -> Bool {
    fail("`\(cmd)` takes no argument (got `\(args.joined(separator: " "))`)")
    return true
  }

  /// Takes `a` from the current state: the redo path is kept when `a` is
  /// its next step, dropped otherwise.
  private func take(_ a: Int) {
    if cursor < actions.count && actions[cursor] == a {
      cursor += 1
      return
    }
    let next = system.successor(of: current, via: a)
    actions.removeSubrange(cursor...)
    states.removeSubrange((cursor + 1)...)
    actions.append(a)
    states.append(next)
    cursor += 1
  }

  private func pick(_ text: String) {
    let ch = choices()
    guard let n = Int(text), n >= 1, n <= ch.all.count else {
      let range = ch.enabled.isEmpty ? "no action is enabled here" : "choose 1-\(ch.enabled.count)"
      fail("there is no action \(text) here: \(range)")
      return
    }
    let a = ch.all[n - 1]
    guard n <= ch.enabled.count else {
      fail("action \(n) is not enabled: \(describe(a))")
      for r in why.reasons(a, in: current) { line("  - " + r) }
      return
    }
    take(a)
    showStep()
  }

  private func back() {
    guard cursor > 0 else {
      fail("back: already at the initial state")
      return
    }
    cursor -= 1
    showStep()
  }

  private func forward() {
    guard cursor < actions.count else {
      fail("forward: nothing to redo (the path ends here; pick an action)")
      return
    }
    cursor += 1
    showStep()
  }

  private func goto(_ args: [String]) {
    guard args.count == 1, let k = Int(args[0]) else {
      fail("goto takes one step number (0-\(actions.count))")
      return
    }
    guard k >= 0, k <= actions.count else {
      fail("goto \(args[0]): the path has steps 0-\(actions.count)")
      return
    }
    cursor = k
    showStep()
  }

  private func showPath() {
    if actions.isEmpty {
      line("the path is empty: at the initial state")
      return
    }
    line("the path (\(actions.count) steps):")
    if cursor == 0 { line(style.paint("  -- you are here: step 0 --", .cyan)) }
    for (i, a) in actions.enumerated() {
      line("  step \(i + 1): " + describe(a), indent: 6)
      if i + 1 == cursor && cursor < actions.count { line(style.paint("  -- you are here: step \(cursor) --", .cyan)) }
    }
  }

  private func diff() {
    guard cursor > 0 else {
      line("at the initial state: no step taken yet")
      return
    }
    line("step \(cursor): " + describe(actions[cursor - 1]), indent: 6)
    // Sequences and versions in the kernel's numbering along the path.
    let rows = system.kernelNumbering(Array(states[...cursor]), actions: Array(actions[..<cursor]))
    let changes = StateRenderer(system: system).diff(rows[cursor - 1], rows[cursor])
    if changes.isEmpty { line("    (no variable changed)") }
    for c in changes { line("    " + c, indent: 8) }
  }

  // MARK: why

  private func whyCommand(_ args: [String]) {
    let ch = choices()
    if args.isEmpty {
      if ch.blockedThreads.isEmpty {
        line(ch.enabled.isEmpty ? "no thread is blocked: every thread has finished" : "no thread is blocked: every unfinished thread can take a step")
      }
      var n = ch.enabled.count
      for t in ch.blockedThreads {
        let info = system.threads[t]
        line("\(info.name) is blocked at \u{201C}\(why.label(t, current[info.pcSlot]))\u{201D}:", indent: 6)
        let pc = current[info.pcSlot]
        for a in (pc < commandsAt[t].count ? commandsAt[t][pc] : []) {
          n += 1
          explainBlocked(n, a)
        }
      }
      if !ch.branches.isEmpty {
        line("other branches of the current steps, not enabled here (why N):")
        for (i, a) in ch.branches.enumerated() {
          line("  \(ch.enabled.count + ch.blocked.count + i + 1)  " + describe(a), indent: 6)
        }
      }
      return
    }
    let query = args.joined(separator: " ")
    if let n = Int(query) {
      guard n >= 1, n <= ch.all.count else {
        fail("there is no action \(query) here: numbers go 1-\(ch.all.count) (why alone lists the blocked ones)")
        return
      }
      if n <= ch.enabled.count {
        line("\(n) is enabled: " + describe(ch.all[n - 1]), indent: 6)
      } else {
        explainBlocked(n, ch.all[n - 1])
      }
      return
    }
    // A name: the steps at the threads' current program points first, then
    // any step of the model.
    let q = query.lowercased()
    let here = ch.all.enumerated().filter { describe($0.element).lowercased().contains(q) }
    if !here.isEmpty {
      for (i, a) in here {
        if i < ch.enabled.count {
          line("\(i + 1) is enabled: " + describe(a), indent: 6)
        } else {
          explainBlocked(i + 1, a)
        }
      }
      return
    }
    let anywhere = system.commands.indices.filter { describe($0).lowercased().contains(q) }
    guard !anywhere.isEmpty else {
      fail("no step of this model is named like `\(query)`")
      return
    }
    let shown = anywhere.prefix(8)
    for a in shown {
      line("- " + describe(a), indent: 4)
      for r in why.reasons(a, in: current) { line("    " + r, indent: 6) }
    }
    if anywhere.count > shown.count { line("(\(anywhere.count - shown.count) more steps match; be more specific)") }
  }

  private func explainBlocked(_ n: Int, _ a: Int) {
    line("  \(n)  " + describe(a), indent: 6)
    for r in why.reasons(a, in: current) { line("      " + r, indent: 8) }
  }

  // MARK: check

  private func check() {
    let (failing, _) = propertyStatus()
    line("check at step \(cursor): \(model.properties.count) properties, \(failing.isEmpty ? "none" : String(failing.count)) failing")
    for p in model.properties {
      guard let cp = model.compiledProperty(p.name) else { continue }
      let kind = p.kind.rawValue
      guard let holds = holds(p) else {
        line("  - \(p.name) (\(kind), a step property): no step taken yet")
        continue
      }
      let explain = { () -> String in
        guard let suite = self.model.suite(named: cp.suite) else { return "" }
        var pre = self.current.slots
        var post: [UInt8]? = nil
        var fired: Set<String> = []
        if cp.isStep {
          pre = self.states[self.cursor - 1].slots
          post = self.current.slots
          fired = Set(self.system.commands[self.actions[self.cursor - 1]].events)
        }
        return self.model.compiler.explain(cp, suite: suite, pre: pre, post: post, eventsFired: fired).description
      }
      switch (p.kind, holds) {
      case (.always, true):
        line("  " + style.paint("✓", .green) + " \(p.name)")
      case (.always, false):
        line("  " + style.paint("✗", .red) + " " + style.paint(p.name, .boldRed) + " (always) is violated")
        line("    " + explain(), indent: 6)
      case (.sometimes, true):
        line("  " + style.paint("★", .cyan) + " \(p.name) (sometimes) is witnessed here")
        line("    " + explain(), indent: 6)
      case (.sometimes, false):
        line("  · \(p.name) (sometimes): not here")
      }
    }
    // Properties of whole runs (liveness) have no value in one state.
    let stateChecked = Set(model.properties.map(\.name))
    for cp in model.compiled where !stateChecked.contains(cp.name) {
      line("  - \(cp.name): a property of whole runs, checked over the state graph by hmmcheck check")
    }
  }

  // MARK: random

  private func random(_ args: [String]) {
    guard (1...2).contains(args.count), let k = Int(args[0]), k > 0 else {
      fail("random takes a number of steps and an optional seed: random K [SEED]")
      return
    }
    var seed: UInt64 = 1
    if args.count == 2 {
      guard let s = UInt64(args[1]) else {
        fail("random: the seed must be a non-negative integer (got `\(args[1])`)")
        return
      }
      seed = s
    }
    var schedule = WalkScheduler(.uniform, rng: SplitMix64(seed: seed), maxSteps: k)
    var taken = 0
    var stopped: String? = nil
    long {
      var enabled: [Int] = []
      while taken < k {
        if interrupted() {
          if interactive { write("\n") }
          stopped = "interrupted (Ctrl-C)"
          return
        }
        enabled.removeAll(keepingCapacity: true)
        system.enabledActions(in: current, into: &enabled)
        if enabled.isEmpty {
          stopped = system.isFinal(current) ? "every thread has finished" : "deadlock: no action is enabled"
          return
        }
        let a = enabled[schedule.pick(enabled.count) { system.actor(of: enabled[$0]) }]
        take(a)
        taken += 1
        line("  step \(cursor): " + describe(a), indent: 6)
        let failing = propertyStatus().failing
        if !failing.isEmpty {
          stopped = "violation of " + failing.joined(separator: ", ")
          return
        }
      }
    }
    line("random (seed \(seed)): \(taken) step\(taken == 1 ? "" : "s")" + (stopped.map { "; stopped: \($0)" } ?? ""))
    showStep()
  }

  // MARK: find

  /// A property of the model (exact name, or a unique part of one), or
  /// `deadlock`.
  private func target(_ name: String) -> ExploreFind.Target? {
    if name == "deadlock" { return .deadlock }
    if let p = model.properties.first(where: { $0.name == name }) { return .property(p) }
    let prefixed = model.properties.filter { $0.name.hasPrefix(name) }
    if prefixed.count == 1 { return .property(prefixed[0]) }
    let matches = prefixed.isEmpty ? model.properties.filter { $0.name.contains(name) } : prefixed
    if matches.count == 1 { return .property(matches[0]) }
    let names = (matches.isEmpty ? model.properties : matches).map(\.name)
    fail(
      "\(matches.isEmpty ? "this model checks no property" : "more than one property matches") `\(name)`; "
        + "one of: \(names.joined(separator: ", ")), deadlock")
    return nil
  }

  private func find(_ args: [String]) {
    guard args.count == 1 else {
      fail("find takes one property name (or deadlock): find PROPERTY")
      return
    }
    guard let t = target(args[0]) else { return }
    let what: String
    switch t.findingKind {
    case .violation: what = "a violation of \(t.name)"
    case .witness: what = "a witness of \(t.name)"
    case .deadlock: what = "a deadlock"
    }
    var outcome: ExploreFind.Outcome = .unreachable(states: 0)
    let stop = interrupted
    long {
      outcome = ExploreFind.run(system, from: current, target: t, maxStates: findLimit, stop: stop)
    }
    switch outcome {
    case .found(let path, let n):
      if path.isEmpty {
        line("\(what) is already here (step \(cursor))")
        lastFind = t.name
        return
      }
      let from = cursor
      line("found \(what) \(path.count) step\(path.count == 1 ? "" : "s") from step \(from) (shortest; \(n) states searched):")
      for a in path {
        take(a)
        line("  step \(cursor): " + describe(a), indent: 6)
      }
      lastFind = t.name
      showStep()
    case .unreachable(let n):
      line("no path from step \(cursor) reaches \(what) (\(n) states searched, exhaustive)")
    case .cancelled(let n):
      if interactive { write("\n") }
      line("find interrupted (Ctrl-C) after \(n) states; still at step \(cursor)")
    case .gaveUp(let why, let n):
      line("find gave up (\(why.rawValue)) after \(n) states without reaching \(what); still at step \(cursor)")
    case .internalError(let e):
      fail("find: internal error: \(e)")
    }
  }

  // MARK: save and load

  /// What the current state shows, for a saved trace: a violation (the
  /// last `find`'s property first), a deadlock, a witness (the last `find`'s
  /// first), or an ordinary path.
  func verdictHere() -> (status: String, property: String?) {
    let (failing, witnesses) = propertyStatus()
    if let p = lastFind, failing.contains(p) { return ("violation", p) }
    if let p = failing.first { return ("violation", p) }
    var enabled: [Int] = []
    system.enabledActions(in: current, into: &enabled)
    if enabled.isEmpty && !system.isFinal(current) { return ("deadlock", nil) }
    if let p = lastFind, witnesses.contains(p) { return ("witness", p) }
    if let p = witnesses.first { return ("witness", p) }
    return ("path", nil)
  }

  private func save(_ args: [String]) {
    guard args.count == 1 else {
      fail("save takes one file name: save FILE")
      return
    }
    let file = args[0]
    let path = pathHere
    let (status, property) = verdictHere()
    let explanation: String? = {
      guard let property else { return nil }
      return model.explain(Finding(kind: status == "violation" ? .violation : .witness, property: property, path: path))
    }()
    do {
      let trace = try Trace.make(
        system: system, path: path, modelFile: model.loaded.file, modelName: model.name,
        modelHash: model.loaded.sourceHash, engine: "explore", seed: nil, status: status, property: property,
        explanation: explanation)
      try TraceCodec.encode(trace, system: system).write(toFile: file, atomically: true, encoding: .utf8)
    } catch {
      fail("save: cannot write \(file): \(error.localizedDescription)")
      return
    }
    let what = property.map { "\(status) of \($0)" } ?? status
    line("saved \(path.actions.count) steps to \(file): \(what) (hmmcheck replay \(file))")
  }

  private func load(_ args: [String]) {
    guard args.count == 1 else {
      fail("load takes one trace file: load TRACE")
      return
    }
    do {
      let t = try Self.readTrace(args[0], for: model)
      try setPath(t.path, at: t.path.actions.count)
      lastFind = t.property
      line("loaded \(args[0]): \(t.property.map { "\(t.status) of \($0)" } ?? t.status), \(t.path.actions.count) steps")
      showStep()
    } catch let e as CLIError {
      fail(e.description)
    } catch {
      fail("load: \(error)")
    }
  }

  /// A trace of `model`, decoded and re-executed: every recorded state must
  /// be the one the model produces. Errors carry file:line:column.
  static func readTrace(_ file: String, for model: ModelSession) throws -> (path: ActionPath<Int>, status: String, property: String?) {
    let parsed = try parseTrace(file)
    guard parsed.modelName == model.name else {
      throw CLIError.input("\(file):\(parsed.sourceLine):1: error: the trace is of model \(parsed.modelName), not \(model.name)")
    }
    let recorded: [StateVector]
    do {
      recorded = try TraceCodec.states(of: parsed, system: model.system)
    } catch let e as TraceFileError {
      throw CLIError.input(e.description)
    }
    let path = ActionPath(initial: parsed.initial, actions: parsed.steps.map(\.command))
    for (i, st) in parsed.steps.enumerated()
    where st.command < 0 || st.command >= model.system.commands.count || model.system.commands[st.command].name != st.name {
      throw CLIError.input("\(file):\(parsed.stepLines[i]):1: error: step \(i + 1): the model has no command #\(st.command) named \(st.name)")
    }
    let replayed: [StateVector]
    do {
      replayed = try PathReplay.states(model.system, path)
    } catch let d as PathReplay.Divergence {
      let line = d.step >= 0 && d.step < parsed.stepLines.count ? parsed.stepLines[d.step] : 1
      throw CLIError.input("\(file):\(line):1: error: step \(d.step + 1) is not enabled in the model (the trace does not replay)")
    }
    if let k = recorded.indices.first(where: { $0 >= replayed.count || recorded[$0] != replayed[$0] }) {
      let line = k > 0 && k <= parsed.stepLines.count ? parsed.stepLines[k - 1] : 1
      throw CLIError.input("\(file):\(line):1: error: state \(k) differs from the model's (the trace does not replay)")
    }
    return (path, parsed.status, parsed.property)
  }

  static func parseTrace(_ file: String) throws -> TraceCodec.Parsed {
    guard let data = FileManager.default.contents(atPath: file) else {
      let why = FileManager.default.fileExists(atPath: file) ? "cannot read it" : "no such file"
      throw CLIError.input("\(file):1:1: error: cannot read the trace: \(why)")
    }
    let text = String(decoding: data, as: UTF8.self)
    do {
      return try TraceCodec.parse(text: text, file: file)
    } catch let e as TraceFileError {
      throw CLIError.input(e.description)
    }
  }
}
