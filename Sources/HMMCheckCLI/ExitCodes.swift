import ArgumentParser

/// The exit codes, stable from version 1 on (README, "Exit codes").
public enum HMMExit: Int32, Sendable {
  /// check: every expectation met; replay: the trace reproduced exactly.
  case ok = 0
  /// A property was violated (or a witness not reached, or a step vacuous)
  /// that the model did not expect.
  case unexpectedViolation = 1
  /// A violation the model expects was not found.
  case expectedViolationMissing = 2
  /// A replay diverged from its trace.
  case replayDiverged = 3
  /// Bad usage, or a malformed model, property or trace file.
  case badInput = 64
  /// An internal error (a bug in hmmcheck or a model bound too small).
  case internalError = 70

  var code: ExitCode { ExitCode(rawValue) }

  /// The overall code of several results: internal error, then unexpected
  /// violation, then missing expectation.
  static func worst(_ xs: [HMMExit]) -> HMMExit {
    for c in [HMMExit.internalError, .badInput, .unexpectedViolation, .expectedViolationMissing, .replayDiverged] where xs.contains(c) {
      return c
    }
    return .ok
  }
}

/// An error the CLI reports on stderr and maps to an exit code.
enum CLIError: Error, CustomStringConvertible {
  /// Malformed input: the message already carries file:line:column.
  case input(String)
  case internalError(String)

  var description: String {
    switch self {
    case .input(let m), .internalError(let m): return m
    }
  }

  var exit: HMMExit {
    switch self {
    case .input: return .badInput
    case .internalError: return .internalError
    }
  }
}
