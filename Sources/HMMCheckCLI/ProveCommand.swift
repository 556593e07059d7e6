import ArgumentParser
import CheckerCore
import Explorers
import Foundation
import HMM
import Symbolic
import Traces
import Z3Kit

extension HMMCheck {
  /// Z3-backed checking: bounded model checking depth by depth, then
  /// k-induction for every depth.
  struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Bounded model checking with Z3, then k-induction (default: every bundled model, with check's exit codes).")

    @Argument(help: "Model files (default: every *.yaml in the models directory).") var models: [String] = []
    @OptionGroup var sources: SourceOptions
    @Option(help: "Only this property (and the others as proved lemmas).") var property: String?
    @Option(help: "Bounded model checking depth.") var depth: Int = 20
    @Option(name: .customLong("max-k"), help: "Largest k tried by k-induction.") var maxK: Int = 6
    @Option(help: "Per-query Z3 timeout in milliseconds (0: none).") var timeout: UInt32 = 60_000
    @Option(help: "Write a trace file per counterexample into this directory.") var traceDir: String?

    func run() throws {
      try guarded {
        let cat = try sources.catalogue()
        var codes: [HMMExit] = []
        for file in try sources.modelFiles(models) {
          do {
            let s = try sources.session(file, cat)
            codes.append(try prove(s))
          } catch let e as CLIError {
            Output.error(e.description)
            codes.append(e.exit)
          }
        }
        Output.line("\(codes.filter { $0 == .ok }.count) of \(codes.count) models met their expectations")
        return HMMExit.worst(codes)
      }
    }

    func prove(_ s: ModelSession) throws -> HMMExit {
      Output.line("== \(s.name)  (\(s.loaded.file))  expect: \(ModelCheck.describe(s.config.expect))")
      var props = s.compiled.filter { $0.kind == .always }
      if let p = property {
        guard props.contains(where: { $0.name == p }) else {
          throw CLIError.input("\(s.loaded.file):1:1: error: the model does not check an always-property named '\(p)'")
        }
        props = props.filter { $0.name == p }
      }
      let symbolic = props.map {
        SymbolicProperty(name: $0.name, kind: .always, isStep: $0.isStep, expr: $0.expr, events: $0.events)
      }
      let expected: [String] = {
        switch s.config.expect {
        case .pass, .deadlock: return []
        case .violation(let p): return [p]
        case .violations(let ps): return ps
        }
      }()
      let to = timeout == 0 ? nil : timeout
      do {
        let bmc = try BoundedModelChecker(system: s.system, properties: symbolic, timeoutMilliseconds: to)
        let outcome = try bmc.run(maxDepth: depth) { r in
          Output.line(String(format: "   bmc depth %3d: %@ (%.2f s)", r.depth, r.result, r.seconds))
        }
        switch outcome {
        case .violation(let name, let path):
          // Soundness: the solver's path must replay on the explicit stepper.
          guard let p = s.properties.first(where: { $0.name == name }),
            PathReplay.confirms(s.system, path, property: p, kind: .violation)
          else {
            throw CLIError.internalError("internal error: the Z3 counterexample for \(name) does not replay on the explicit stepper")
          }
          let f = Finding(kind: .violation, property: name, path: path)
          let explanation = s.explain(f)
          Output.line("   ✗ violation of \(name) at depth \(path.actions.count)\(expected.contains(name) ? " (expected)" : "")")
          if let e = explanation { Output.line("     \(e)") }
          if let dir = traceDir {
            let t = try ModelCheck.writeTrace(s, f, engine: "bmc", seed: nil, explanation: explanation, dir: dir)
            Output.line("     trace: \(t)   (hmmcheck replay \(t))")
          }
          if expected.contains(name) {
            Output.line("   PASS: expected violation of \(name) found by bounded model checking")
            return .ok
          }
          Output.line("   FAIL: unexpected violation of \(name)")
          return .unexpectedViolation
        case .unknown(let d, let why):
          Output.line("   UNKNOWN at depth \(d): \(why)")
          return expected.isEmpty ? .ok : .expectedViolationMissing
        case .clean(let d):
          if !expected.isEmpty {
            Output.line("   FAIL: expected \(expected.joined(separator: ", ")), no violation up to depth \(d)")
            return .expectedViolationMissing
          }
        }
        // Unbounded: k-induction over the state invariants, proved together.
        let stateInvariants = symbolic.filter { !$0.isStep }
        guard !stateInvariants.isEmpty else {
          Output.line("   PASS (bounded): no violation up to depth \(depth); no state invariant to induct on")
          return .ok
        }
        let kind = KInduction(system: s.system, invariants: stateInvariants, timeoutMilliseconds: to)
        switch try kind.run(maxK: maxK, progress: { k, r, sec in Output.line(String(format: "   k-induction k = %d: %@ (%.2f s)", k, r, sec)) }) {
        case .proved(let k):
          Output.line("   PROVED for every depth by k-induction (k = \(k)): \(stateInvariants.map(\.name).joined(separator: ", "))")
        case .counterexample(let name, _):
          Output.line("   FAIL: base case found a violation of \(name)")
          return .unexpectedViolation
        case .unknown(let k, let cti, let failing, let why):
          Output.line("   PASS (bounded): no violation up to depth \(depth); not proved for every depth: \(why) (k = \(k))")
          if cti.count >= 2 {
            let r = StateRenderer(system: s.system)
            Output.line("   counterexample to induction (an unreachable-looking state satisfying every invariant, whose successor violates \(failing)):")
            for line in r.render(cti[cti.count - 2]).split(separator: "\n") { Output.line("     " + line) }
            Output.line("   its step:")
            for d in r.diff(cti[cti.count - 2], cti[cti.count - 1]) { Output.line("     " + d) }
          }
        }
        return .ok
      } catch let e as Z3Error {
        throw CLIError.internalError("internal error: Z3: \(e)")
      }
    }
  }
}
