import Foundation
import Testing

@testable import HMMCheckCLI

/// Paths of the repository and the built `hmmcheck` binary, computed from
/// this file's location.
enum Repo {
  /// <repo>/Tests/ExploreTests/Support.swift → <repo>
  static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let properties = root.appendingPathComponent("Properties").path
  static func model(_ name: String) -> String { root.appendingPathComponent("Models/\(name).yaml").path }

  /// The bundled buggy variant the explorer is demonstrated on.
  static let o2 = "bug_o2_read_retry_unlocked_1p1d"

  static var sources: SourceOptions {
    var s = SourceOptions()
    s.propertiesDir = properties
    s.modelsDir = root.appendingPathComponent("Models").path
    return s
  }

  /// A bundled model loaded as `hmmcheck` loads it.
  static func session(_ name: String) throws -> ModelSession {
    try sources.session(model(name), try sources.catalogue())
  }
}

/// The `hmmcheck` executable: `HMMCHECK_BINARY`, else beside the test
/// bundle (the same build as the tests: `swift test` builds it), else
/// `<repo>/.build/debug/hmmcheck`.
enum Binary {
  struct Missing: Error, CustomStringConvertible {
    var description: String
  }

  static func candidates() -> [URL] {
    var out: [URL] = []
    if let env = ProcessInfo.processInfo.environment["HMMCHECK_BINARY"], !env.isEmpty {
      out.append(URL(fileURLWithPath: env))
    }
    var dirs: [URL] = []
    if let exe = Bundle.main.executableURL { dirs.append(exe.resolvingSymlinksInPath().deletingLastPathComponent()) }
    for b in Bundle.allBundles where b.bundleURL.pathExtension == "xctest" {
      dirs.append(b.bundleURL.resolvingSymlinksInPath().deletingLastPathComponent())
    }
    for d in dirs where d.path.contains("/.build/") { out.append(d.appendingPathComponent("hmmcheck")) }
    out.append(Repo.root.appendingPathComponent(".build/debug/hmmcheck"))
    return out
  }

  static func url() throws -> URL {
    if let u = candidates().first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return u }
    throw Missing(description: "hmmcheck was not built (looked at \(candidates().map(\.path))); run `swift build` first or set HMMCHECK_BINARY")
  }
}

struct RunResult: CustomStringConvertible {
  var args: [String]
  var status: Int32
  var stdout: String
  var stderr: String

  var description: String {
    "hmmcheck \(args.joined(separator: " ")) → exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)"
  }
}

/// A scratch directory for one test.
struct Scratch {
  let url: URL
  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("hmmcheck-explore-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
  func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Runs the built binary with `args` in `cwd`, `stdin` as its standard
/// input (empty by default), output through files, killed after `timeout`.
func hmmcheck(_ args: [String], cwd: URL, stdin: String = "", timeout: Double = 60) async throws -> RunResult {
  let bin = try Binary.url()
  let io = try Scratch()
  defer { io.cleanup() }
  let inURL = io.url.appendingPathComponent("stdin")
  let outURL = io.url.appendingPathComponent("stdout")
  let errURL = io.url.appendingPathComponent("stderr")
  try stdin.write(to: inURL, atomically: true, encoding: .utf8)
  _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
  _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
  let input = try FileHandle(forReadingFrom: inURL)
  let out = try FileHandle(forWritingTo: outURL)
  let err = try FileHandle(forWritingTo: errURL)
  let p = Process()
  p.executableURL = bin
  p.arguments = args
  p.currentDirectoryURL = cwd
  var env = ProcessInfo.processInfo.environment
  env["HMMCHECK_MODELS"] = nil
  env["HMMCHECK_PROPERTIES"] = nil
  p.environment = env
  p.standardInput = input
  p.standardOutput = out
  p.standardError = err
  let status: Int32 = try await withCheckedThrowingContinuation { (k: CheckedContinuation<Int32, Error>) in
    p.terminationHandler = { k.resume(returning: $0.terminationStatus) }
    do {
      try p.run()
    } catch {
      p.terminationHandler = nil
      k.resume(throwing: error)
      return
    }
    let pid = p.processIdentifier
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
      if p.isRunning && p.processIdentifier == pid { p.terminate() }
    }
  }
  try input.close()
  try out.close()
  try err.close()
  return RunResult(
    args: args, status: status,
    stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
    stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// An in-process explorer session on a bundled model, its output collected.
final class Transcript: @unchecked Sendable {
  private(set) var text = ""
  let session: ExploreSession

  init(_ model: String) throws {
    let m = try Repo.session(model)
    var sink: ((String) -> Void)? = nil
    session = ExploreSession(model: m, style: .plain) { s in sink?(s) }
    sink = { [unowned self] s in self.text += s }
    // Never the process-wide Ctrl-C flag: tests run in parallel.
    session.interrupted = { false }
    session.long = { body in body() }
  }

  /// Runs commands and returns what they printed.
  @discardableResult
  func run(_ commands: String...) -> String {
    let start = text.utf8.count
    for c in commands { session.execute(c) }
    return String(decoding: Array(text.utf8.dropFirst(start)), as: UTF8.self)
  }
}

extension String {
  var lines: [String] { split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
  /// The text with every run of white space (line wraps included) as one space.
  var flat: String { split(whereSeparator: \.isWhitespace).joined(separator: " ") }
}
