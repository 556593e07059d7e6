import Foundation
import Testing

/// Paths of the repository, the fixtures and the built `hmmcheck` binary.
/// Everything is computed from this file's location, never hard-coded.
enum Repo {
  /// <repo>/Tests/CLITests/Support.swift → <repo>
  static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let fixtures = root.appendingPathComponent("Tests/CLITests/Fixtures")
  /// Fixture models that load (each has a different expected outcome).
  static let models = fixtures.appendingPathComponent("models")
  /// Fixture models that must be rejected with exit 64.
  static let bad = fixtures.appendingPathComponent("bad")
  static let properties = root.appendingPathComponent("Properties")

  static func model(_ name: String) -> String { models.appendingPathComponent(name + ".yaml").path }
}

/// Locates the `hmmcheck` executable once per test process.
///
/// `swift test` builds every target of the package, the executable included
/// (verified from an empty `.build`), so the binary is normally a sibling
/// of the test bundle. The lookup order:
///  1. `HMMCHECK_BINARY` (an explicit override);
///  2. the directory of the running test bundle (the same build, in the
///     same configuration as the tests, so never a stale debug binary when
///     testing with `-c release`);
///  3. `<repo>/.build/debug/hmmcheck`;
///  4. otherwise `swift build --product hmmcheck` runs once (the static
///     initialiser below runs exactly once even with parallel tests) and
///     the places above are tried again. Under `swift test --skip-build`
///     SwiftPM's lock on .build makes that build wait forever, so it gives
///     up at once and every CLI test fails saying so.
enum Binary {
  static let located: Result<URL, BinaryMissing> = locate()

  struct BinaryMissing: Error, CustomStringConvertible {
    var description: String
  }

  /// The binary, or an error (failing the test) naming every place that
  /// was searched.
  static func url() throws -> URL {
    try located.get()
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
    for d in dirs where d.path.contains("/.build/") {
      out.append(d.appendingPathComponent("hmmcheck"))
    }
    out.append(Repo.root.appendingPathComponent(".build/debug/hmmcheck"))
    return out
  }

  static func firstExisting() -> URL? {
    candidates().first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }

  static func locate() -> Result<URL, BinaryMissing> {
    if let u = firstExisting() { return .success(u) }
    let why = build()
    if let u = firstExisting() { return .success(u) }
    return .failure(
      BinaryMissing(
        description: """
          The hmmcheck executable was not found (looked at: \(candidates().map(\.path).joined(separator: ", "))) \
          and building it failed: \(why ?? "the build succeeded but produced no binary there"). \
          Run `swift build` in \(Repo.root.path) before `swift test`, or set HMMCHECK_BINARY.
          """))
  }

  /// Last resort: `swift build --product hmmcheck`, 10 minutes at most.
  /// Returns why it failed, or nil.
  static func build() -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["swift", "build", "--product", "hmmcheck"]
    p.currentDirectoryURL = Repo.root
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("hmmcheck-clitests-build-\(getpid()).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    guard let h = try? FileHandle(forWritingTo: log) else { return "cannot write \(log.path)" }
    defer { try? h.close() }
    p.standardOutput = h
    p.standardError = h
    do {
      try p.run()
    } catch {
      return "cannot run `swift build --product hmmcheck`: \(error)"
    }
    let deadline = Date().addingTimeInterval(600)
    while p.isRunning {
      usleep(100_000)
      // `swift test` keeps its lock on .build while the tests run (even
      // with --skip-build): waiting for it would hang until the deadline.
      if let text = try? String(contentsOf: log, encoding: .utf8), text.contains("Another instance of SwiftPM") {
        p.terminate()
        p.waitUntilExit()
        return """
          SwiftPM's lock on \(Repo.root.path)/.build is held (by the `swift test` running these tests, \
          e.g. with --skip-build), so the tests cannot build the executable themselves
          """
      }
      if Date() > deadline {
        p.terminate()
        p.waitUntilExit()
        return "`swift build --product hmmcheck` did not finish within 10 minutes (log: \(log.path))"
      }
    }
    return p.terminationStatus == 0 ? nil : "`swift build --product hmmcheck` exited \(p.terminationStatus) (log: \(log.path))"
  }
}

/// The outcome of one `hmmcheck` run.
struct RunResult: CustomStringConvertible {
  var args: [String]
  var status: Int32
  var stdout: String
  var stderr: String

  var description: String {
    "hmmcheck \(args.joined(separator: " ")) → exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)"
  }
}

/// A scratch directory for one test, removed by `cleanup()`.
struct Scratch {
  let url: URL
  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("hmmcheck-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
  func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Runs the built binary with `args` in `cwd` (a scratch directory by
/// default), stdout and stderr captured through files (no pipe can fill up),
/// killed after `timeout` seconds.
func hmmcheck(
  _ args: [String], cwd: URL? = nil, timeout: Double = 60
) async throws -> RunResult {
  let bin = try Binary.url()
  let io = try Scratch()
  defer { io.cleanup() }
  let outURL = io.url.appendingPathComponent("stdout")
  let errURL = io.url.appendingPathComponent("stderr")
  FileManager.default.createFile(atPath: outURL.path, contents: nil)
  FileManager.default.createFile(atPath: errURL.path, contents: nil)
  let out = try FileHandle(forWritingTo: outURL)
  let err = try FileHandle(forWritingTo: errURL)

  let p = Process()
  p.executableURL = bin
  p.arguments = args
  p.currentDirectoryURL = cwd ?? io.url
  var env = ProcessInfo.processInfo.environment
  // The defaults of --models / --properties must not leak in from the caller.
  env["HMMCHECK_MODELS"] = nil
  env["HMMCHECK_PROPERTIES"] = nil
  p.environment = env
  p.standardInput = FileHandle.nullDevice
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
  try out.close()
  try err.close()
  return RunResult(
    args: args, status: status,
    stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
    stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// `--properties <repo>/Properties`: every run reads the bundled suites.
let props = ["--properties", Repo.properties.path]

extension String {
  var lines: [String] { split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}
