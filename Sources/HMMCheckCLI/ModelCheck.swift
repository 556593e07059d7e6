import CheckerCore
import Explorers
import Foundation
import HMM
import PropertyLanguage
import Traces

/// How `check` and `simulate` explore a model.
struct EngineOptions {
  enum Engine: String { case bfs, random, pct }
  var engine: Engine = .bfs
  var limits = ExplorationLimits()
  var walks = 1000
  var walkDepth = 200
  var seed: UInt64 = 1
  var pctDepth = 3
  var traceDir: String? = nil
  var minimize = true
  var showProgress = true
  /// BFS workers for the packed explorer (the result is identical for any count).
  var workers = 1
  var stopAtFirst = false
  /// Device symmetry reduction where the model and its properties allow it.
  var symmetry = true

  /// Online cores: `--workers`' default.
  static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

/// The verdict on one model.
struct ModelResult {
  struct Line {
    var kind: FindingKind
    var property: String
    var steps: Int
    var expected: Bool
    var explanation: String?
    var traceFile: String?
  }

  var name: String
  var file: String
  var expectation: String
  var exit: HMMExit
  var verdict: String
  var report: ExplorationReport<Int>
  var findings: [Line] = []
  var unreachedWitnesses: [String] = []
  var vacuousOperations: [String] = []
  var neverFired: [String] = []
  var propertyCount = 0
  /// Seconds spent on the liveness pass (graph, SCCs, lassos), if any.
  var livenessSeconds: Double? = nil
  /// What symmetry reduction did (or why none), for exhaustive runs.
  var symmetry: SymmetryDecision = .none
}

enum ModelCheck {
  static func run(_ session: ModelSession, _ opt: EngineOptions) throws -> ModelResult {
    let system = session.system
    let props = session.properties
    var report: ExplorationReport<Int>
    var symmetryDecision = SymmetryDecision.none
    let livenessPass = session.liveness.isEmpty ? nil : session.livenessPass
    var graph: LivenessGraph? = nil
    switch opt.engine {
    case .bfs:
      let progress: (ExplorationReport<Int>, Int) -> Void = { r, queue in
        let rate = r.seconds > 0 ? Int(Double(r.distinctStates) / r.seconds) : 0
        Output.error("  [\(session.name)] \(r.distinctStates) states, \(rate) states/s, queue \(queue), depth \(r.maxDepth)")
      }
      var decision = opt.symmetry ? session.symmetryReduction() : .none
      // Liveness needs the graph, recorded during this one search: on one
      // worker and unreduced (fairness is per thread).
      let recording = livenessPass?.recording
      if recording != nil && decision.isReduced {
        decision = .off(reason: "liveness properties are checked on the unreduced graph")
      }
      symmetryDecision = decision
      let symmetry = decision.symmetry
      var bfs = PackedBFSExplorer(
        system: system, properties: session.slotProperties, limits: opt.limits, workers: opt.workers,
        stopAtFirstViolation: opt.stopAtFirst, symmetry: symmetry)
      if opt.showProgress && Output.stderrIsTTY { bfs.progress = progress }
      if let recording {
        bfs.recordGraph = recording
        report = bfs.runRecording()
        graph = bfs.recorder?.graph
      } else {
        report = bfs.run()
      }
      // Under symmetry a step "fired" when any step of its orbit did.
      if let symmetry, let orbit = symmetry.commandOrbitRepresentatives(of: system) {
        var byOrbit = [Int](repeating: 0, count: report.actionFires.count)
        for (c, k) in report.actionFires.enumerated() { byOrbit[orbit[c]] += k }
        report.actionFires = orbit.map { byOrbit[$0] }
      }
    case .random, .pct:
      report = PackedRandomExplorer(
        system: system, properties: session.slotProperties, walks: opt.walks, maxSteps: opt.walkDepth, seed: opt.seed,
        scheduler: opt.engine == .pct ? .pct(depth: opt.pctDepth) : .uniform, timeLimit: opt.limits.timeLimit
      ).run()
    }

    // Soundness: every finding is re-executed by the explicit stepper before
    // it is reported; random-walk findings are then shortened.
    for i in report.findings.indices {
      let f = report.findings[i]
      let confirms: (ActionPath<Int>) -> Bool = { path in
        if f.kind == .deadlock { return PathReplay.confirmsDeadlock(system, path) }
        guard let p = props.first(where: { $0.name == f.property }) else { return false }
        return PathReplay.confirms(system, path, property: p, kind: f.kind)
      }
      // A witness known by depth only has no path to replay (it is not a
      // counterexample; see PackedBFSExplorer).
      if f.kind == .witness && f.depthOnly != nil { continue }
      guard confirms(f.path) else {
        throw CLIError.internalError("internal error: the \(f.kind.rawValue) of \(f.property) found by \(report.engine) does not replay")
      }
      if opt.engine != .bfs && opt.minimize && f.kind != .witness {
        report.findings[i].path = Minimizer.minimize(system, f.path, stillFails: confirms)
      }
    }

    // Liveness: fair lassos over the graph the exhaustive search recorded.
    var livenessNote: String? = nil
    var livenessExplanations: [String: String] = [:]
    let livenessStart = monotonicSeconds()
    if let pass = livenessPass {
      func checkLiveness(_ g: LivenessGraph, suspected: Bool) throws {
        let found: [LivenessPass.Violation]
        do {
          found = try pass.check(g)
        } catch let e as LivenessError {
          throw CLIError.internalError("internal error: \(e.description)")
        }
        for v in found {
          report.findings.append(Finding(kind: .violation, property: v.property, path: v.path, loop: v.loop))
          livenessExplanations[v.property] =
            livenessExplanation(session, session.compiledProperty(v.property)!, v.path, loop: v.loop)
            + (suspected ? " (suspected by a random walk, confirmed by the exhaustive search)" : "")
        }
      }
      if pass.recording == nil {
        livenessNote =
          "liveness properties need more predicates than one search records (at most \(LivenessGraph.maxStatePredicates) state and \(LivenessGraph.maxStepPredicates) step predicates): not checked"
      } else if opt.engine == .bfs {
        if let graph, graph.complete {
          try checkLiveness(graph, suspected: false)
        } else if report.internalError == nil {
          livenessNote =
            "liveness properties (\(session.liveness.map(\.name).joined(separator: ", "))) need the whole state graph; the search was bounded (\(report.stop.rawValue)): not checked"
        }
      } else if !report.suspectedLivelocks.isEmpty {
        // A walk revisited a state without progress: confirm exhaustively
        // (fair lassos over the whole graph) before reporting anything.
        var lim = opt.limits
        lim.maxStates = lim.maxStates ?? 2_000_000
        var bfs = PackedBFSExplorer(system: system, properties: session.slotProperties, limits: lim)
        bfs.recordGraph = pass.recording
        _ = bfs.runRecording()
        if let g = bfs.recorder?.graph, g.complete {
          try checkLiveness(g, suspected: true)
          if report.findings.allSatisfy({ !(session.compiledProperty($0.property)?.kind.isLiveness ?? false) }) {
            livenessNote = "\(report.suspectedLivelocks.count) suspected livelock(s) from random walks not confirmed under the stated fairness"
          }
        } else {
          livenessNote = "\(report.suspectedLivelocks.count) suspected livelock(s) from random walks; the state graph is too large to confirm them"
        }
      } else if opt.engine != .bfs {
        livenessNote = "liveness properties (\(session.liveness.map(\.name).joined(separator: ", "))) need an exhaustive BFS run: not checked"
      }
    }

    var result = ModelResult(
      name: session.name, file: session.loaded.file, expectation: describe(session.config.expect), exit: .ok,
      verdict: "", report: report, propertyCount: props.count + session.liveness.count)
    result.livenessSeconds = session.liveness.isEmpty ? nil : monotonicSeconds() - livenessStart
    result.symmetry = symmetryDecision
    if let err = report.internalError {
      result.exit = .internalError
      result.verdict = "INTERNAL ERROR: \(err)"
      return result
    }

    let violated = report.violations.map(\.property)
    let expectedNames: [String] = {
      switch session.config.expect {
      case .pass: return []
      case .violation(let p): return [p]
      case .violations(let ps): return ps
      case .deadlock: return ["deadlock"]
      }
    }()
    for f in report.findings {
      var line = ModelResult.Line(
        kind: f.kind, property: f.property, steps: f.steps,
        expected: f.kind == .witness || expectedNames.contains(f.property))
      if let e = livenessExplanations[f.property] {
        line.explanation = e
      } else if f.kind != .deadlock {
        line.explanation = session.explain(f)
      }
      if f.kind != .witness, let dir = opt.traceDir {
        line.traceFile = try writeTrace(session, f, engine: report.engine, seed: report.seed, explanation: line.explanation, dir: dir)
      }
      result.findings.append(line)
    }
    let exhaustive = report.stop.isExhaustive
    let unexpected = violated.filter { !expectedNames.contains($0) }
    let missing = expectedNames.filter { !violated.contains($0) }
    if expectedNames.isEmpty || unexpected.isEmpty {
      // Witnesses matter where the state space is not cut by a violation.
      if expectedNames.isEmpty {
        result.unreachedWitnesses = props.filter { $0.kind == .sometimes && report.finding($0.name, .witness) == nil }.map(\.name)
        if exhaustive { result.vacuousOperations = vacuous(session, report) }
      }
    }
    result.neverFired = neverFired(session, report)

    var bound = exhaustive ? "" : " (bounded: \(report.stop.rawValue), not exhaustive)"
    if !report.unrecovered.isEmpty {
      bound += "; found but not replayed within the limits (rerun with more): " + report.unrecovered.joined(separator: ", ")
    }
    if let note = livenessNote { bound += "; \(note)" }
    if !unexpected.isEmpty {
      result.exit = .unexpectedViolation
      result.verdict = "FAIL: unexpected \(unexpected.count == 1 ? "violation" : "violations") of \(unexpected.joined(separator: ", "))"
    } else if !missing.isEmpty && !(report.stop == .firstViolation && !violated.isEmpty) {
      // (Stopped at the first counterexample on request: the other expected
      // violations were not looked for, so they are not missing.)
      result.exit = .expectedViolationMissing
      result.verdict =
        "FAIL: expected \(missing.map { $0 == "deadlock" ? "a deadlock" : "a violation of \($0)" }.joined(separator: " and ")), none found\(bound)"
    } else if !result.unreachedWitnesses.isEmpty {
      result.exit = .unexpectedViolation
      result.verdict =
        "FAIL: sometimes-properties never reached (the model is vacuous for them): \(result.unreachedWitnesses.joined(separator: ", "))\(bound)"
    } else if !result.vacuousOperations.isEmpty {
      result.exit = .unexpectedViolation
      result.verdict =
        "FAIL: declared operations that never start (list them in expect_unfired if intended): \(result.vacuousOperations.joined(separator: "; "))"
    } else if !expectedNames.isEmpty {
      let found = expectedNames.filter { violated.contains($0) }
      result.verdict =
        "PASS: expected \(found.map { $0 == "deadlock" ? "deadlock" : "violation of \($0)" }.joined(separator: " and ")) found"
        + (missing.isEmpty ? "" : " (stopped at the first counterexample: \(missing.joined(separator: ", ")) not looked for)")
    } else {
      result.verdict = exhaustive ? "PASS: every property holds in every reachable state" : "PASS\(bound): no violation within the bounds"
    }
    return result
  }

  static func describe(_ e: Expectation) -> String {
    switch e {
    case .pass: return "pass"
    case .violation(let p): return "violation of \(p)"
    case .violations(let ps): return "violations of exactly " + ps.joined(separator: ", ")
    case .deadlock: return "deadlock"
    }
  }

  /// A lasso in words: where the loop is, what never happens, the fairness.
  static func livenessExplanation(_ s: ModelSession, _ cp: CompiledProperty, _ path: ActionPath<Int>, loop: Int?) -> String {
    let fair = Set(s.config.threads.map { ($0.fairness ?? s.config.fairness).rawValue }).sorted().joined(separator: "/")
    let what: String
    switch cp.kind {
    case .eventually: what = "the goal never holds"
    case .leadsTo: what = "after the trigger, the response never holds"
    default: what = "no progress step is taken"
    }
    if let loop {
      let steps = loop + 1 == path.actions.count ? "step \(loop + 1) repeats" : "steps \(loop + 1)-\(path.actions.count) repeat"
      return "fair lasso (fairness: \(fair)): \(steps) forever and \(what)"
    }
    return "the run ends after \(path.actions.count) steps (nothing enabled) and \(what)"
  }

  /// Declared operations whose first step never fired.
  static func vacuous(_ s: ModelSession, _ r: ExplorationReport<Int>) -> [String] {
    var firedAt = Set<[Int]>()
    for (i, c) in s.system.commands.enumerated() where r.actionFires[i] > 0 { firedAt.insert([c.thread, c.pc]) }
    return s.model.operationEntries.compactMap { e in
      if firedAt.contains([e.thread, e.pc]) { return nil }
      let opName = e.operation.split(separator: " ").first.map(String.init) ?? e.operation
      if s.config.expectUnfired.contains(opName) || s.config.expectUnfired.contains(e.operation) { return nil }
      return "\(s.system.threads[e.thread].name): \(e.operation)"
    }
  }

  /// Kernel paths (command names) none of whose branches ever fired.
  static func neverFired(_ s: ModelSession, _ r: ExplorationReport<Int>) -> [String] {
    var fired = Set<String>()
    var all: [String] = []
    for (i, c) in s.system.commands.enumerated() {
      if r.actionFires[i] > 0 { fired.insert(c.name) }
      if !all.contains(c.name) { all.append(c.name) }
    }
    return all.filter { !fired.contains($0) }
  }

  static func writeTrace(
    _ s: ModelSession, _ f: Finding<Int>, engine: String, seed: UInt64?, explanation: String?, dir: String
  ) throws -> String {
    let trace = try Trace.make(
      system: s.system, path: f.path, modelFile: s.loaded.file, modelName: s.name, modelHash: s.loaded.sourceHash,
      engine: engine, seed: seed, status: f.kind.rawValue, property: f.kind == .deadlock ? nil : f.property,
      explanation: explanation, loop: f.loop)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let file = (dir.hasSuffix("/") ? dir : dir + "/") + "\(s.name).\(f.property).itf.json"
    try TraceCodec.encode(trace, system: s.system).write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }

  /// The human summary of one model.
  static func print(_ r: ModelResult, _ s: ModelSession, verbose: Bool) {
    let rep = r.report
    Output.line("== \(r.name)  (\(r.file))")
    let v = s.config.variant
    var variant = "\(v.era.rawValue), memcg \(v.memcg.rawValue)"
    if !v.bugs.isEmpty { variant += ", bugs: " + v.bugs.map(\.rawValue).joined(separator: ", ") }
    if v.ownMigrateFilter != .none { variant += ", own MIGRATE filter: \(v.ownMigrateFilter.rawValue)" }
    Output.line("   variant: \(variant); expect: \(r.expectation)")
    let seconds = String(format: "%.2f", rep.seconds)
    switch rep.engine {
    case "bfs":
      let rate = rep.seconds > 0 ? Int(Double(rep.distinctStates) / rep.seconds) : 0
      Output.line(
        "   bfs: \(rep.stop.rawValue), \(rep.distinctStates) distinct states, \(rep.transitions) transitions, depth \(rep.maxDepth), \(seconds) s (\(rate) states/s, \(rep.memoryBytes >> 20) MiB tables)"
      )
      if let sym = r.symmetry.note { Output.line("   \(sym)") }
      if let l = r.livenessSeconds {
        Output.line(
          "   liveness (fairness \(Set(s.config.threads.map { ($0.fairness ?? s.config.fairness).rawValue }).sorted().joined(separator: "/"))): \(s.liveness.count) properties over the state graph, \(String(format: "%.2f", l)) s"
        )
      }
      if rep.stop.isExhaustive {
        Output.line(
          "   fingerprint collision probability ≤ \(String(format: "%.1e", FingerprintTable.collisionProbability(states: rep.distinctStates)))")
      }
    default:
      Output.line(
        "   \(rep.engine): seed \(rep.seed ?? 0), \(rep.walks) walks, \(rep.transitions) steps, \(rep.distinctStates) distinct states seen, \(seconds) s (never exhaustive)"
      )
    }
    Output.line("   properties: \(r.propertyCount)")
    for f in r.findings where f.kind == .witness && verbose {
      Output.line("   ✓ \(f.property) reached in \(f.steps) steps")
    }
    for f in r.findings where f.kind != .witness {
      let tag = f.kind == .deadlock ? "deadlock" : "violation of \(f.property)"
      Output.line("   ✗ \(tag) in \(f.steps) steps\(f.expected ? " (expected)" : "")")
      if let e = f.explanation { Output.line("     \(e)") }
      if let t = f.traceFile { Output.line("     trace: \(t)   (hmmcheck replay \(t))") }
    }
    if verbose && !r.neverFired.isEmpty {
      Output.line("   kernel paths never taken: \(r.neverFired.joined(separator: ", "))")
    }
    Output.line("   \(r.verdict)")
  }
}
