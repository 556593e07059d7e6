import ArgumentParser
import CheckerCore
import Explorers
import Foundation
import HMM
import Traces

extension HMMCheck {
  /// Re-executes a trace step by step and tells it in kernel terms.
  struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Re-execute a trace, check every state, and narrate it step by step.")

    @Argument(help: "The trace file (.itf.json).") var trace: String
    @OptionGroup var sources: SourceOptions
    @Option(help: "The model file (default: the trace's source, relative to here or to the trace).") var model: String?
    @Flag(help: "Print only the verdict.") var quiet = false
    @Flag(help: "Include ghost variables in the per-step changes.") var ghosts = false

    func run() throws {
      try guarded {
        let text: String
        do {
          text = try String(contentsOfFile: trace, encoding: .utf8)
        } catch {
          throw CLIError.input("\(trace):1:1: error: cannot read the trace: \(error.localizedDescription)")
        }
        let parsed: TraceCodec.Parsed
        do {
          parsed = try TraceCodec.parse(text: text, file: trace)
        } catch let e as TraceFileError {
          throw CLIError.input(e.description)
        }
        let modelPath = try locateModel(parsed.modelFile, line: parsed.sourceLine, column: parsed.sourceColumn)
        let cat = try sources.catalogue()
        let s = try sources.session(modelPath, cat)
        if let h = parsed.modelHash, h != s.loaded.sourceHash {
          Output.error(
            "warning: \(modelPath) changed since the trace was written (hash \(TraceCodec.hex(s.loaded.sourceHash)), trace has \(TraceCodec.hex(h)))")
        }
        let recorded: [StateVector]
        do {
          recorded = try TraceCodec.states(of: parsed, system: s.system)
        } catch let e as TraceFileError {
          throw CLIError.input(e.description)
        }
        return replay(parsed, recorded, s)
      }
    }

    func locateModel(_ source: String, line: Int, column: Int) throws -> String {
      if let model { return model }
      let fm = FileManager.default
      if fm.fileExists(atPath: source) { return source }
      let dir = (trace as NSString).deletingLastPathComponent
      let beside = (dir as NSString).appendingPathComponent((source as NSString).lastPathComponent)
      if fm.fileExists(atPath: beside) { return beside }
      throw CLIError.input("\(trace):\(line):\(column): error: the trace's model \(source) was not found (pass --model FILE)")
    }

    func replay(_ p: TraceCodec.Parsed, _ recorded: [StateVector], _ s: ModelSession) -> HMMExit {
      let sys = s.system
      let r = StateRenderer(system: sys)
      let inits = sys.initialStates()
      func diverged(_ step: Int, _ why: String) -> HMMExit {
        let line = step > 0 && step <= p.stepLines.count ? p.stepLines[step - 1] : 1
        Output.line("DIVERGED at step \(step) (\(trace):\(line)): \(why)")
        return .replayDiverged
      }
      guard p.initial >= 0, p.initial < inits.count else { return diverged(0, "initial state \(p.initial) does not exist") }
      var state = inits[p.initial]
      if state != recorded[0] {
        return diverged(0, "the initial state differs: " + r.diff(recorded[0], state).joined(separator: "; "))
      }
      if !quiet {
        Output.line(
          "trace \(trace): \(p.status)\(p.property.map { " of \($0)" } ?? "") in model \(s.name), \(p.steps.count) steps (engine \(p.engine)\(p.seed.map { ", seed \($0)" } ?? ""))"
        )
        Output.line("step 0: initial state")
      }
      var enabled: [Int] = []
      var states = [state]
      // Narrates the steps re-executed so far, values in the kernel's
      // numbering (sequences and versions as an unrenamed run counts them).
      func narrate() {
        guard !quiet else { return }
        let rows = sys.kernelNumbering(states, actions: p.steps.prefix(states.count - 1).map(\.command))
        for k in 1..<states.count {
          Output.line("step \(k): \(sys.describe(p.steps[k - 1].command))")
          for d in r.diff(rows[k - 1], rows[k], includeGhosts: ghosts) { Output.line("    \(d)") }
        }
      }
      for (i, st) in p.steps.enumerated() {
        let k = i + 1
        guard st.command >= 0, st.command < sys.commands.count, sys.commands[st.command].name == st.name else {
          narrate()
          return diverged(k, "the model has no command #\(st.command) named \(st.name)")
        }
        enabled.removeAll()
        sys.enabledActions(in: state, into: &enabled)
        guard enabled.contains(st.command) else {
          narrate()
          return diverged(k, "\(sys.describe(st.command)) is not enabled here")
        }
        let next = sys.successor(of: state, via: st.command)
        if next != recorded[k] {
          narrate()
          return diverged(
            k,
            "the state after \(sys.describe(st.command)) differs from the recorded one: "
              + r.diff(recorded[k], next).joined(separator: "; "))
        }
        state = next
        states.append(next)
      }
      narrate()
      if let loop = p.loop {
        guard loop >= 0, loop < recorded.count, recorded[loop] == state else {
          return diverged(p.steps.count, "the lasso does not return to state \(loop)")
        }
      }
      // The trace must still end in what it claims.
      let path = ActionPath(initial: p.initial, actions: p.steps.map(\.command))
      switch p.status {
      case "violation" where p.property.flatMap(s.compiledProperty)?.kind.isLiveness == true:
        let cp = s.compiledProperty(p.property!)!
        guard s.confirmsLasso(cp, path, loop: p.loop) else {
          return diverged(p.steps.count, "the run no longer violates \(cp.name) (the lasso does not re-verify)")
        }
        Output.line("REPRODUCED: violation of \(cp.name) after \(p.steps.count) steps")
        Output.line("  " + ModelCheck.livenessExplanation(s, cp, path, loop: p.loop))
      case "violation", "witness":
        guard let name = p.property, let prop = s.properties.first(where: { $0.name == name }) else {
          return diverged(p.steps.count, "the model no longer checks property \(p.property ?? "?")")
        }
        let kind: FindingKind = p.status == "violation" ? .violation : .witness
        guard PathReplay.confirms(sys, path, property: prop, kind: kind) else {
          return diverged(p.steps.count, "the final state no longer shows the \(p.status) of \(name)")
        }
        let explanation = s.explain(Finding(kind: kind, property: name, path: path)) ?? ""
        Output.line("REPRODUCED: \(p.status) of \(name) after \(p.steps.count) steps")
        if !explanation.isEmpty { Output.line("  \(explanation)") }
      case "deadlock":
        guard PathReplay.confirmsDeadlock(sys, path) else {
          return diverged(p.steps.count, "the final state is no longer a deadlock")
        }
        Output.line("REPRODUCED: deadlock after \(p.steps.count) steps")
        for t in sys.threads where state[t.pcSlot] != t.donePC {
          Output.line("  \(t.name) blocked at: \(t.pcLabels[state[t.pcSlot]])")
        }
      default:
        Output.line("REPRODUCED: \(p.steps.count) steps")
      }
      return .ok
    }
  }
}
