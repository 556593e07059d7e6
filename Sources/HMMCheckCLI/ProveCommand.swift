import ArgumentParser
import CheckerCore
import Explorers
import Foundation
import HMM
import PropertyLanguage
import Symbolic
import Traces
import Z3Kit

extension HMMCheck {
  /// Z3-backed checking. A model expected to pass is proved for every depth
  /// by 1-induction with the strengthening lemmas of its lemma file
  /// (`Properties/lemmas/<model>.hmmprop`, proved together with the goals);
  /// a model expected to fail, or one whose proof does not go through, gets
  /// bounded model checking, whose counterexamples are replayed by the
  /// explicit stepper before they are reported.
  struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Prove models with Z3: 1-induction with lemmas, bounded model checking for counterexamples.",
      discussion: """
        A model expected to pass is proved with its lemma file (--lemmas DIR, default \
        <properties>/lemmas/<model>.hmmprop): every lemma not preserved is rejected, and the model's \
        always properties are proved if they are inductive together with the lemmas that remain. \
        --mine-lemmas writes that file first (candidates mined from the reachable states, blocking \
        clauses for counterexamples to induction). Without a proof, bounded model checking runs to \
        --depth and k-induction without lemmas is tried. Exit codes as for check; with \
        --require-proof a model expected to pass that is not proved exits 1.
        """)

    @Argument(help: "Model files (default: every *.yaml in the models directory).") var models: [String] = []
    @OptionGroup var sources: SourceOptions
    @Option(help: "Only this property (and the others as proved lemmas).") var property: String?
    @Option(help: "Bounded model checking depth.") var depth: Int = 32
    @Option(name: .customLong("max-k"), help: "Largest k tried by k-induction without lemmas.") var maxK: Int = 3
    @Option(help: "Per-query Z3 timeout in milliseconds (0: none).") var timeout: UInt32 = 60_000
    @Option(help: "Write a trace file per counterexample into this directory.") var traceDir: String?
    @Option(name: .customLong("lemmas"), help: "Directory of lemma files (default: <properties>/lemmas).") var lemmasDir: String?
    @Flag(name: .customLong("mine-lemmas"), help: "Mine and write the lemma file of each model expected to pass, then prove.")
    var mineLemmas = false
    @Option(name: .customLong("mine-states"), help: "Mining enumerates at most this many reachable states (then samples).")
    var mineStates: Int = 2_000_000
    @Option(
      name: .customLong("mine-from"),
      help: "Mine a small instance of the model's family instead (renaming per-page names), then keep what is inductive here.")
    var mineFrom: String?
    @Option(name: .customLong("mine-time-limit"), help: "CPU seconds mining may spend per model.")
    var mineTimeLimit: Double = 600
    @Option(
      name: .customLong("certificate-states"),
      help: "When the lemmas do not prove a model, prove it with its reachable set as the invariant if it has at most this many states (0: never).")
    var certificateStates: Int = 500_000
    @Flag(name: .customLong("require-proof"), help: "A model expected to pass that is not proved fails (exit 1).")
    var requireProof = false

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

    var lemmaDirectory: String {
      lemmasDir ?? (sources.propertiesDir.hasSuffix("/") ? sources.propertiesDir : sources.propertiesDir + "/") + "lemmas"
    }

    func lemmaFile(_ s: ModelSession) -> String { lemmaDirectory + "/" + s.name + ".hmmprop" }

    func goals(_ s: ModelSession) throws -> [SymbolicProperty] {
      var props = s.compiled.filter { $0.kind == .always }
      if let p = property {
        guard props.contains(where: { $0.name == p }) else {
          throw CLIError.input("\(s.loaded.file):1:1: error: the model does not check an always-property named '\(p)'")
        }
        props = props.filter { $0.name == p }
      }
      return props.map { SymbolicProperty(name: $0.name, kind: .always, isStep: $0.isStep, expr: $0.expr, events: $0.events) }
    }

    func prove(_ s: ModelSession) throws -> HMMExit {
      Output.line("== \(s.name)  (\(s.loaded.file))  expect: \(ModelCheck.describe(s.config.expect))")
      let symbolic = try goals(s)
      let expected: [String] = {
        switch s.config.expect {
        case .pass, .deadlock: return []
        case .violation(let p): return [p]
        case .violations(let ps): return ps
        }
      }()
      // prove decides `always` properties; an expected violation of any
      // other kind (liveness, `sometimes` witnesses) is `check`'s to find.
      let alwaysNames = Set(s.compiled.filter { $0.kind == .always }.map(\.name))
      let expectedSafety = expected.filter { alwaysNames.contains($0) }
      let undecided = expected.filter { !alwaysNames.contains($0) }
      if !undecided.isEmpty {
        Output.line("   not decided by prove: \(undecided.joined(separator: ", ")) (not always properties; hmmcheck check decides them)")
      }
      let to = timeout == 0 ? nil : timeout
      do {
        if expectedSafety.isEmpty && !symbolic.isEmpty {
          if mineLemmas { try mine(s, symbolic, timeout: to) }
          if FileManager.default.fileExists(atPath: lemmaFile(s)) {
            if try proveWithLemmas(s, symbolic, timeout: to, started: monotonicSeconds()) { return .ok }
          } else {
            Output.line("   no lemma file \(lemmaFile(s)) (write one with --mine-lemmas)")
          }
          if try proveWithReachableSet(s, symbolic, timeout: to) { return .ok }
        }
        return try boundedThenKInduction(s, symbolic, expected: expectedSafety, timeout: to)
      } catch let e as Z3Error {
        throw CLIError.internalError("internal error: Z3: \(e)")
      }
    }

    // MARK: - Proof with lemmas

    func loadLemmas(_ s: ModelSession) throws -> [Lemma] {
      let path = lemmaFile(s)
      do {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let suite = try PropertyParser.parse(text: text, file: path)
        let compiled = try s.compiler.compile(suite)
        var out: [Lemma] = []
        for (p, decl) in zip(compiled, suite.properties) {
          guard p.kind == .always, !p.isStep else {
            throw CLIError.input("\(path):\(decl.nameLocation): error: a lemma must be an always-property over one state ('\(p.name)' is not)")
          }
          out.append(Lemma(name: p.name, text: "", doc: [], expr: p.expr))
        }
        return out
      } catch let e as PropertyError {
        throw CLIError.input(e.description)
      } catch let e as CLIError {
        throw e
      } catch {
        throw CLIError.input("\(path):1:1: error: cannot read the lemma file: \(error.localizedDescription)")
      }
    }

    /// True when proved (and reported).
    func proveWithLemmas(_ s: ModelSession, _ goals: [SymbolicProperty], timeout: UInt32?, started: Double) throws -> Bool {
      let lemmas = try loadLemmas(s)
      Output.line("   lemmas: \(lemmaFile(s)) (\(lemmas.count))")
      let prover = InductiveProver(system: s.system, goals: goals, timeoutMilliseconds: timeout)
      let outcome = try prover.prove(lemmas: lemmas) { Output.line("   induction " + $0) }
      let seconds = monotonicSeconds() - started
      func reportDropped(_ ds: [InductiveProver.Dropped]) {
        for d in ds.prefix(10) { Output.line("   rejected \(d.lemma): \(d.reason)") }
        if ds.count > 10 { Output.line("   ... and \(ds.count - 10) more lemmas rejected") }
      }
      switch outcome {
      case .proved(let used, let kept, let dropped, _):
        reportDropped(dropped)
        Output.line(
          String(
            format: "   PROVED for every depth by 1-induction (k = 1) with %d lemmas (%d of %d kept), %.2f s",
            used.count, kept, lemmas.count, seconds))
        Output.line("     goals: " + goals.map(\.name).joined(separator: ", "))
        Output.line("     lemmas used: " + (used.isEmpty ? "none" : compactList(used)))
        return true
      case .initialViolation(let g):
        Output.line("   \(g) is false in the initial state")
        return false
      case .notProved(let goal, let cti, let dropped):
        reportDropped(dropped)
        Output.line(String(format: "   NOT PROVED (%.2f s): %@ is not inductive relative to the lemmas that remain", seconds, goal))
        showCTI(s, cti, goal: goal)
        return false
      case .unknown(let why):
        Output.line("   UNKNOWN: \(why)")
        return false
      }
    }

    /// The fallback proof: the reachable set, enumerated, as the invariant
    /// Z3 checks (`ReachableSetCertificate`). True when proved (and reported).
    func proveWithReachableSet(_ s: ModelSession, _ goals: [SymbolicProperty], timeout: UInt32?) throws -> Bool {
      guard certificateStates > 0 else { return false }
      let started = monotonicSeconds()
      let reachable = ReachableStates.explore(s.system, maxStates: certificateStates)
      guard reachable.complete else {
        Output.line("   reachable set: more than \(certificateStates) states (--certificate-states), no certificate")
        return false
      }
      let certificate = ReachableSetCertificate(system: s.system, reachable: reachable)
      Output.line(
        "   reachable set: \(reachable.states.count) states, a decision diagram of \(certificate.nodeCount) nodes, checked by Z3")
      let prover = InductiveProver(system: s.system, goals: goals, timeoutMilliseconds: timeout)
      let outcome = try prover.prove(certificate: certificate) { Output.line("   induction " + $0) }
      let seconds = monotonicSeconds() - started
      switch outcome {
      case .proved:
        Output.line(String(format: "   PROVED for every depth by 1-induction (k = 1) with the reachable set as the invariant, %.2f s", seconds))
        Output.line("     goals: " + goals.map(\.name).joined(separator: ", "))
        return true
      case .initialViolation(let g):
        Output.line("   \(g) is false in the initial state")
      case .notProved(let goal, let cti, _):
        Output.line(String(format: "   NOT PROVED (%.2f s): the reachable set does not establish %@", seconds, goal))
        showCTI(s, cti, goal: goal == "reachable_set" ? nil : goal)
      case .unknown(let why):
        Output.line("   UNKNOWN: \(why)")
      }
      return false
    }

    func compactList(_ names: [String]) -> String {
      if names.count <= 12 { return names.joined(separator: ", ") }
      return names.prefix(10).joined(separator: ", ") + ", ... (\(names.count) in all)"
    }

    /// A counterexample to induction, in the state vocabulary.
    func showCTI(_ s: ModelSession, _ cti: InductiveProver.CTI, goal: String?) {
      let r = StateRenderer(system: s.system)
      Output.line("   counterexample to induction: a state satisfying every remaining lemma and goal (unreachable, or the lemmas would be false):")
      for line in r.render(cti.pre).split(separator: "\n") { Output.line("     " + line) }
      Output.line("   whose step \(s.system.describe(cti.command)) changes:")
      for d in r.diff(cti.pre, cti.post) { Output.line("     " + d) }
      if let goal, let cp = s.compiledProperty(goal), let suite = s.suite(named: cp.suite) {
        let e = s.compiler.explain(cp, suite: suite, pre: cti.post.slots, post: nil, eventsFired: [])
        Output.line("   and breaks \(goal): \(e.description)")
      } else {
        Output.line("   and breaks: " + cti.failing.prefix(5).joined(separator: "; "))
      }
    }

    // MARK: - Mining

    /// The lemmas of a small instance of the model's family, mined there
    /// (exhaustively) and renamed into this model (`LemmaTransfer`).
    func transferred(_ s: ModelSession, from file: String, timeout: UInt32?) throws -> [LemmaForm] {
      let small = try sources.session(file, s.catalogue)
      let goals = try self.goals(small)
      let reachable = ReachableStates.explore(small.system, maxStates: mineStates)
      guard reachable.complete else {
        throw CLIError.input("\(file):1:1: error: --mine-from needs a model small enough to enumerate (at most --mine-states states)")
      }
      let prover = InductiveProver(system: small.system, goals: goals, timeoutMilliseconds: timeout)
      // Only page-local facts carry over to any page count; what relates
      // pages must come from the model's own quantified properties
      // (Properties/seq_protocol.hmmprop), which are goals here and there.
      let local = LemmaTransfer(source: small.system, target: small.system, pageDomain: HMMLayout.pageDomain)
      let candidates = CandidateMiner(system: small.system, reachable: reachable, pairs: prover.pairs).mine()
        .filter { local.isPageLocal($0) }
      let result = try prover.synthesize(candidates: candidates, reachable: reachable, options: .init(timeLimit: mineTimeLimit)) {
        Output.line("   mining \(small.name): " + $0)
      }
      guard case .lemmas(let groups, _, _, _) = result else {
        throw CLIError.input("\(file):1:1: error: mining the small instance failed: \(result)")
      }
      let facts = LemmaTransfer(source: small.system, target: s.system, pageDomain: HMMLayout.pageDomain).instantiate(
        groups.flatMap(\.forms).filter { local.isPageLocal($0) })
      Output.line("   mining: \(groups.reduce(0) { $0 + $1.forms.count }) facts of \(small.name) give \(facts.count) facts here")
      return facts
    }

    func mine(_ s: ModelSession, _ goals: [SymbolicProperty], timeout: UInt32?) throws {
      let started = monotonicSeconds()
      var reachable = ReachableStates.explore(s.system, maxStates: mineFrom == nil ? mineStates : 0)
      if !reachable.complete {
        reachable = ReachableStates.sample(s.system, walks: 2_000, depth: 400, seed: 1)
      }
      Output.line(
        "   mining: \(reachable.states.count) reachable states (\(reachable.complete ? "exhaustive" : "sampled by random walks"))")
      let prover = InductiveProver(system: s.system, goals: goals, timeoutMilliseconds: timeout)
      let candidates: [LemmaForm]
      if let small = mineFrom {
        candidates = try transferred(s, from: small, timeout: timeout).filter { f in reachable.states.allSatisfy { f.holds($0) } }
      } else {
        candidates = CandidateMiner(system: s.system, reachable: reachable, pairs: prover.pairs).mine()
      }
      let result = try prover.synthesize(
        candidates: candidates, reachable: reachable, options: .init(timeLimit: mineTimeLimit)
      ) { Output.line("   mining: " + $0) }
      switch result {
      case .lemmas(let groups, let nCandidates, let clauses, _):
        let lemmas = groups.map { LemmaFile.lemma($0, system: s.system) }
        let header = [
          "Strengthening lemmas for \(s.loaded.file), written by `hmmcheck prove --mine-lemmas`.",
          "",
          "Candidates from templates over the schema, true on \(reachable.states.count) \(reachable.complete ? "(all)" : "sampled") reachable",
          "states (\(nCandidates) kept), plus \(clauses) clauses blocking counterexamples to induction;",
          "these are the ones the proof uses. `hmmcheck prove` proves them together with",
          "the model's always properties by 1-induction and rejects any that is not",
          "preserved: nothing here is assumed. `thread.pc[t] == k` is program point k of",
          "thread t (listed below). Regenerate after changing the model.",
        ]
        let text = LemmaFile.render(suite: LemmaFile.suiteName(model: s.name), header: header, lemmas: lemmas, system: s.system)
        do {
          try FileManager.default.createDirectory(atPath: lemmaDirectory, withIntermediateDirectories: true)
          try text.write(toFile: lemmaFile(s), atomically: true, encoding: .utf8)
        } catch {
          throw CLIError.input("\(lemmaFile(s)):1:1: error: cannot write the lemma file: \(error.localizedDescription)")
        }
        Output.line(String(format: "   wrote %@ (%d lemmas, %.2f s)", lemmaFile(s), lemmas.count, monotonicSeconds() - started))
      case .reachableViolation(let goal, _):
        Output.line("   mining: \(goal) fails on a transition from a reachable state (bounded model checking follows)")
      case .gaveUp(let why, let cti):
        Output.line("   mining gave up: \(why)")
        if let cti { showCTI(s, cti, goal: nil) }
      }
    }

    // MARK: - Bounded model checking, k-induction without lemmas

    func boundedThenKInduction(_ s: ModelSession, _ symbolic: [SymbolicProperty], expected: [String], timeout to: UInt32?) throws -> HMMExit {
      let bmc = try BoundedModelChecker(system: s.system, properties: symbolic, timeoutMilliseconds: to)
      // Every expected violation is looked for (each at its own shortest
      // depth), as check does; any other violation fails the model.
      var missing = expected
      while true {
        let outcome = try bmc.run(maxDepth: depth) { r in
          Output.line(String(format: "   bmc depth %3d: %@ (%.2f s)", r.depth, r.result, r.seconds))
        }
        switch outcome {
        case .violation(let name, let path) where name == BoundedModelChecker.rangeViolation:
          // As the explicit explorers do: a model bound too small is an error.
          let states = (try? PathReplay.states(s.system, path)) ?? []
          let why = states.last.flatMap { s.system.validate($0) } ?? "a state leaves the declared slot ranges"
          throw CLIError.internalError("internal error: after \(path.actions.count) steps (bounded model checking): \(why)")
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
          guard expected.contains(name) else {
            Output.line("   FAIL: unexpected violation of \(name)")
            return .unexpectedViolation
          }
          missing.removeAll { $0 == name }
          if missing.isEmpty {
            Output.line("   PASS: expected violation of \(expected.joined(separator: " and ")) found by bounded model checking")
            return .ok
          }
          bmc.ignored.insert(name)
          continue
        case .unknown(let d, let why):
          Output.line("   UNKNOWN at depth \(d): \(why)")
          if let r = partial(expected: expected, missing: missing) { return r }
          return expected.isEmpty ? notProved() : .expectedViolationMissing
        case .clean(let d):
          if let r = partial(expected: expected, missing: missing) { return r }
          if !missing.isEmpty {
            Output.line("   FAIL: expected \(missing.joined(separator: ", ")), no violation up to depth \(d)")
            return .expectedViolationMissing
          }
        }
        break
      }
      let stateInvariants = symbolic.filter { !$0.isStep }
      guard !stateInvariants.isEmpty, maxK > 0 else {
        Output.line("   PASS (bounded): no violation up to depth \(depth); not proved for every depth")
        return notProved()
      }
      let kind = KInduction(system: s.system, invariants: stateInvariants, timeoutMilliseconds: to)
      switch try kind.run(maxK: maxK, progress: { k, r, sec in Output.line(String(format: "   k-induction k = %d: %@ (%.2f s)", k, r, sec)) }) {
      case .proved(let k):
        Output.line("   PROVED for every depth by k-induction (k = \(k)) without lemmas: \(stateInvariants.map(\.name).joined(separator: ", "))")
        return .ok
      case .counterexample(let name, _):
        Output.line("   FAIL: base case found a violation of \(name)")
        return .unexpectedViolation
      case .unknown(let k, let cti, let failing, let why):
        Output.line("   PASS (bounded): no violation up to depth \(depth); not proved for every depth: \(why) (k = \(k))")
        if cti.count >= 2 {
          let r = StateRenderer(system: s.system)
          Output.line("   counterexample to induction (a state satisfying every invariant, whose successor violates \(failing)):")
          for line in r.render(cti[cti.count - 2]).split(separator: "\n") { Output.line("     " + line) }
          Output.line("   its step:")
          for d in r.diff(cti[cti.count - 2], cti[cti.count - 1]) { Output.line("     " + d) }
        }
        Output.line("   (strengthening lemmas: hmmcheck prove --mine-lemmas \(s.loaded.file))")
        return notProved()
      }
    }

    func notProved() -> HMMExit { requireProof ? .unexpectedViolation : .ok }

    /// The budget (--depth, --timeout) ended after some but not all expected
    /// violations were found: the bug is caught, the rest were not looked
    /// for to their depth (as with check --stop-at-first); nil otherwise.
    func partial(expected: [String], missing: [String]) -> HMMExit? {
      guard !missing.isEmpty, missing.count < expected.count else { return nil }
      let found = expected.filter { !missing.contains($0) }
      Output.line(
        "   PASS: expected violation of \(found.joined(separator: " and ")) found by bounded model checking; "
          + "\(missing.joined(separator: ", ")) not reached within the budget (hmmcheck check finds them)")
      return .ok
    }
  }
}
