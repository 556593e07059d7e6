import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tmux server of its own (`-L` socket), so the tests never touch the
/// user's sessions: a real pseudo-terminal the explorer runs in.
final class Tmux: @unchecked Sendable {
  let socket = "hmmcheck-explore-\(getpid())-\(UUID().uuidString.prefix(8))"
  let session = "explore"
  static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }
  static var path: String {
    for p in ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"] where FileManager.default.isExecutableFile(atPath: p) {
      return p
    }
    return "/usr/bin/tmux"
  }

  /// Runs tmux with `args`; returns its standard output.
  /// Runs tmux with `args` and returns its standard output. Spawned and
  /// reaped directly (posix_spawn, waitpid), its output through a file, not
  /// a pipe: the server a first tmux command starts would inherit a pipe
  /// and keep it open for ever.
  @discardableResult
  func tmux(_ args: [String]) throws -> String {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out")
    defer { try? FileManager.default.removeItem(at: file) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, file.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = [Self.path, "-L", socket, "-f", "/dev/null"] + args
    var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for a in cargs { free(a) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, Self.path, &actions, nil, &cargs, environ)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
    // A tmux client returns at once; 200 polls of 50 ms bound a stuck one.
    var status: Int32 = 0
    for _ in 0..<200 {
      if waitpid(pid, &status, WNOHANG) == pid { return (try? String(contentsOf: file, encoding: .utf8)) ?? "" }
      usleep(50_000)
    }
    kill(pid, SIGKILL)
    _ = waitpid(pid, &status, 0)
    throw POSIXError(.ETIMEDOUT)
  }

  /// Starts `command` (a shell command line) in an 80x50 terminal; when it
  /// ends, `[exit N]` is printed and the pane stays for capture.
  func start(_ command: String, cwd: URL) throws {
    try tmux([
      "new-session", "-d", "-s", session, "-x", "80", "-y", "50", "-c", cwd.path,
      // The shell ignores Ctrl-C (a shell waiting for a child would act on
      // it once the child ends); the explorer installs its own handler.
      "sh -c 'trap \"\" INT; \(command); echo \"[exit $?]\"; sleep 120'",
    ])
    try tmux(["set-option", "-t", session, "history-limit", "10000"])
  }

  /// Keys as tmux names them (`Enter`, `C-a`, `Up`) or literal text (`-l`).
  func keys(_ k: String...) throws { try tmux(["send-keys", "-t", session] + k) }
  func text(_ s: String) throws { try tmux(["send-keys", "-t", session, "-l", s]) }

  /// The whole pane, history included, as lines (trailing blanks dropped).
  func screen() throws -> [String] {
    var lines = try tmux(["capture-pane", "-p", "-J", "-t", session, "-S", "-10000"]).split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    while lines.last?.isEmpty == true { lines.removeLast() }
    return lines
  }

  /// Polls the pane until a line at or after `from` contains `needle`:
  /// at most `tries` polls, 50 ms apart (a bounded wait for the
  /// subprocess, not a timing assertion). Returns the index of that line.
  @discardableResult
  func wait(for needle: String, from: Int = 0, tries: Int = 300, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
    var last: [String] = []
    for _ in 0..<tries {
      last = try screen()
      if from < last.count, let i = last[from...].firstIndex(where: { $0.contains(needle) }) { return i }
      usleep(50_000)
    }
    Issue.record(
      "`\(needle)` did not appear after line \(from); the terminal shows:\n\(last.joined(separator: "\n"))", sourceLocation: sourceLocation)
    throw CancellationError()
  }

  /// The index after the last line now on screen: where new output starts.
  func mark() throws -> Int { max(0, try screen().count - 1) }

  func shutdown() { _ = try? tmux(["kill-server"]) }
}

/// `hmmcheck explore` on a real pseudo-terminal (tmux; `.ci/run` installs it).
@Suite(.serialized, .enabled(if: Tmux.available, "tmux is not installed (.ci/run installs it)"))
struct TerminalTests {
  static func command(_ args: String) throws -> String {
    "NO_COLOR=1 \(try Binary.url().path) explore \(args) --properties \(Repo.properties)"
  }

  /// Pick actions by number, go back, ask why, find the race, save it,
  /// with line editing and history; then `hmmcheck replay` reproduces the
  /// saved file exactly, with the same violation.
  @Test func exploreFindSaveReplay() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let t = Tmux()
    defer { t.shutdown() }
    try t.start(try Self.command(Repo.model(Repo.o2)), cwd: s.url)
    try t.wait(for: "hmm:0>")

    // Pick actions by number.
    var m = try t.mark()
    try t.text("1")
    try t.keys("Enter")
    try t.wait(for: "step 1: after gpu0_mirror: mmu_interval_read_begin", from: m)
    m = try t.mark()
    try t.text("1")
    try t.keys("Enter")
    try t.wait(for: "step 2: after gpu0_mirror: mmap_read_lock", from: m)
    // Why is munmap (action 2) blocked?
    m = try t.mark()
    try t.text("why 2")
    try t.keys("Enter")
    try t.wait(for: "waits for the mmap_lock: 1 reader holds it for read", from: m)
    // Back, then forward again.
    m = try t.mark()
    try t.text("back")
    try t.keys("Enter")
    try t.wait(for: "step 1: after gpu0_mirror", from: m)
    try t.wait(for: "hmm:1>", from: m)
    m = try t.mark()
    try t.text("forward")
    try t.keys("Enter")
    try t.wait(for: "step 2: after gpu0_mirror: mmap_read_lock", from: m)

    // Line editing: a typo fixed with Ctrl-A / Ctrl-E / Left / Backspace.
    m = try t.mark()
    try t.text("ath")
    try t.keys("C-a")
    try t.text("p")
    try t.keys("C-e", "Enter")
    try t.wait(for: "the path (2 steps):", from: m)
    // Ctrl-C clears a line; Ctrl-U kills to the start; history with Up.
    m = try t.mark()
    try t.text("garbage")
    try t.keys("C-c")
    try t.text("junk")
    try t.keys("C-u")
    try t.keys("Up", "Enter")
    try t.wait(for: "the path (2 steps):", from: m + 1)
    #expect(!(try t.screen()[m...]).contains { $0.contains("unknown command") }, "Ctrl-C and Ctrl-U left text behind")

    // Find the violation, look at the lock the mirror waits for, save.
    m = try t.mark()
    try t.text("find device_maps_cpu_page")
    try t.keys("Enter")
    try t.wait(for: "found a violation of device_maps_cpu_page", from: m)
    try t.wait(for: "failing: device_maps_cpu_page", from: m)
    m = try t.mark()
    try t.text("goto 9")
    try t.keys("Enter")
    try t.wait(for: "hmm:9>", from: m)
    m = try t.mark()
    try t.text("why")
    try t.keys("Enter")
    try t.wait(for: "waits for the driver lock of gpu0 (driver->update), held by cpu0", from: m)
    m = try t.mark()
    try t.text("goto 15")
    try t.keys("Enter")
    try t.wait(for: "failing: device_maps_cpu_page", from: m)
    m = try t.mark()
    try t.text("save race.itf.json")
    try t.keys("Enter")
    let saved = try t.wait(for: "saved 15 steps to race.itf.json: violation of device_maps_cpu_page", from: m)
    #expect(saved >= m)

    // Ctrl-D on an empty line leaves.
    try t.keys("C-d")
    try t.wait(for: "[exit 0]", from: m)

    let r = try await hmmcheck(["replay", "race.itf.json", "--properties", Repo.properties], cwd: s.url)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("REPRODUCED: violation of device_maps_cpu_page after 15 steps"), "\(r)")
    #expect(!r.stdout.contains("DIVERGED"), "\(r)")
  }

  /// Ctrl-C during a long find stops the search, not the session.
  @Test func ctrlCStopsAFindNotTheSession() throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let t = Tmux()
    defer { t.shutdown() }
    try t.start(try Self.command(Repo.model("mirror_migrate_cpu_2p2d")), cwd: s.url)
    try t.wait(for: "hmm:0>")
    let m = try t.mark()
    try t.text("find deadlock")
    try t.keys("Enter")
    // Ctrl-C until the search has stopped, one way or the other (a fast
    // machine may finish first).
    var stopped = false
    for _ in 0..<100 where !stopped {
      try t.keys("C-c")
      usleep(50_000)
      stopped = try t.screen()[m...].contains { $0.contains("find interrupted (Ctrl-C)") || $0.contains("no path from step 0 reaches a deadlock") }
    }
    #expect(stopped)
    let after = try t.mark()
    try t.text("1")
    try t.keys("Enter")
    try t.wait(for: "step 1: after", from: after)
    try t.text("quit")
    try t.keys("Enter")
    try t.wait(for: "[exit 0]", from: after)
  }
}
