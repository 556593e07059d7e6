import ArgumentParser
import CheckerCore
import Explorers
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HMMCheck {
  /// `hmmcheck explore`: walk a model step by step.
  struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Explore a model step by step: take actions, undo, ask why a step is blocked, find and save counterexamples.",
      discussion: """
        On a terminal, an interactive session with line editing and history (help lists the commands). \
        With --script FILE, or commands on standard input when it is not a terminal, the commands run \
        in order and print the same text, each echoed after the prompt; the exit code is then 64 if \
        any command was rejected, else 0.
        """)

    @Argument(help: "The model file (default with --from: the trace's model).") var model: String?
    @OptionGroup var sources: SourceOptions
    @Option(help: "Start on the path of this trace (e.g. a counterexample), at --step.") var from: String?
    @Option(help: "With --from: the step to start at (default: the trace's last step).") var step: Int?
    @Option(help: "Run the commands of this file (one per line; # starts a comment).") var script: String?

    func run() throws {
      try guarded { try explore() }
    }

    func explore() throws -> HMMExit {
      if step != nil && from == nil { throw CLIError.input("error: --step needs --from TRACE") }
      // The model: given, or the one the trace names.
      // A malformed trace is reported before anything else (64, file:line:column).
      let parsedFrom = try from.map { try ExploreSession.parseTrace($0) }
      let modelFile: String
      if let model {
        modelFile = model
      } else if let from, let p = parsedFrom {
        modelFile = try locateModel(p.modelFile, trace: from, line: p.sourceLine)
      } else {
        throw CLIError.input("error: give a MODEL file to explore (or --from TRACE)")
      }
      let cat = try sources.catalogue()
      let s = try sources.session(modelFile, cat)

      // Script lines, before anything is printed (an unreadable script is bad usage).
      var scriptLines: [String]? = nil
      if let script {
        guard let data = FileManager.default.contents(atPath: script) else {
          throw CLIError.input("\(script):1:1: error: cannot read the script")
        }
        scriptLines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      }
      let editor: LineEditor? = scriptLines == nil ? LineEditor() : nil
      let style = ExploreStyle.detect(fd: 1)
      let session = ExploreSession(model: s, style: style) { text in ExploreText.writeOut(text) }
      session.interactive = editor != nil

      var header = "exploring \(s.name) (\(modelFile)): \(s.system.threads.count) threads, \(s.properties.count) properties"
      if let from {
        let t = try ExploreSession.readTrace(from, for: s)
        let k = step ?? t.path.actions.count
        guard k >= 0, k <= t.path.actions.count else {
          throw CLIError.input("error: --step \(k): the trace \(from) has steps 0-\(t.path.actions.count)")
        }
        try session.setPath(t.path, at: k)
        header += "; from step \(k) of \(from) (\(t.property.map { "\(t.status) of \($0)" } ?? t.status), \(t.path.actions.count) steps)"
      }
      for l in style.wrap(header) { session_write(l) }
      session_write("type help for the commands")
      session.showStep()

      ExploreInterrupt.install(exitWhenIdle: editor == nil)
      defer { ExploreInterrupt.uninstall() }

      if let editor {
        // Interactive: the editor shows what is typed.
        while let line = editor.readLine(prompt: style.paint(session.prompt, .bold)) {
          ExploreInterrupt.clear()
          if !session.execute(line) { break }
        }
        return .ok
      }

      // Plain lines (a script, or standard input that is not a terminal):
      // each command is echoed after the prompt, so the output reads as a
      // session transcript.
      var total = 0
      func run(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return true }
        if t.hasPrefix("#") {
          session_write(t)
          return true
        }
        total += 1
        session_write(session.prompt + t)
        return session.execute(t)
      }
      if let scriptLines {
        for l in scriptLines where !run(l) { break }
      } else {
        while let l = Swift.readLine(strippingNewline: true), run(l) {}
      }
      if session.rejected > 0 {
        Output.error("explore: \(session.rejected) of \(total) commands were rejected")
        return .badInput
      }
      return .ok
    }

    private func session_write(_ s: String) {
      ExploreText.writeOut(s + "\n")
    }

    func locateModel(_ source: String, trace: String, line: Int) throws -> String {
      let fm = FileManager.default
      if fm.fileExists(atPath: source) { return source }
      let dir = (trace as NSString).deletingLastPathComponent
      let beside = (dir as NSString).appendingPathComponent((source as NSString).lastPathComponent)
      if fm.fileExists(atPath: beside) { return beside }
      throw CLIError.input("\(trace):\(line):1: error: the trace's model \(source) was not found (give MODEL)")
    }
  }
}
