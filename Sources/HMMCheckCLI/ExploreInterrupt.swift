#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C while the explorer runs a long command (`find`, `random`): a
/// SIGINT handler sets a flag that the command polls, so the command stops
/// and the session goes on.
///
/// The flags live in memory allocated once and never freed, written by the
/// handler and read by the polling code through a pointer (the handler
/// does nothing but store a word, which is async-signal-safe). Word 0: an
/// interrupt arrived; word 1: a long command is running; word 2: when no
/// long command runs, SIGINT ends the process (script mode) instead of
/// being ignored (interactive mode, where the line editor reads Ctrl-C as a
/// key anyway).
enum ExploreInterrupt {
  nonisolated(unsafe) static let flags: UnsafeMutablePointer<sig_atomic_t> = {
    let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 3)
    p.initialize(repeating: 0, count: 3)
    return p
  }()

  /// Installs the handler. `exitWhenIdle`: SIGINT outside a long command
  /// exits 130 as an uncaught Ctrl-C would (script mode).
  static func install(exitWhenIdle: Bool) {
    let f = flags
    f[2] = exitWhenIdle ? 1 : 0
    _ = signal(SIGINT) { _ in
      let f = ExploreInterrupt.flags
      if f[1] == 0 && f[2] != 0 { _exit(130) }
      f[0] = 1
    }
  }

  /// Restores the default SIGINT action.
  static func uninstall() {
    _ = signal(SIGINT, SIG_DFL)
    flags[1] = 0
    flags[0] = 0
  }

  /// Runs a long command: the flag is cleared before, polled during, and
  /// the busy mark cleared after.
  static func busy<T>(_ body: () -> T) -> T {
    flags[0] = 0
    flags[1] = 1
    defer { flags[1] = 0 }
    return body()
  }

  /// Whether Ctrl-C was pressed since the long command started.
  static var requested: Bool { flags[0] != 0 }

  /// Simulates Ctrl-C (tests).
  static func request() { flags[0] = 1 }
  static func clear() { flags[0] = 0 }
}
