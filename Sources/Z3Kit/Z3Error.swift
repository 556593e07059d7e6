import CZ3

/// A failed Z3 call, surfaced as a Swift error instead of Z3's default behaviour
/// (print and `exit(1)`), so one bad query cannot take the whole checker down.
public struct Z3Error: Error, Sendable, Equatable, CustomStringConvertible {
  /// Mirrors `Z3_error_code`; raw values match the C enum so codes stay comparable with Z3 docs.
  /// Z3 4.8.12 reports sort mismatches (e.g. `Int + Bool`) as `.exception` with a
  /// "Sort mismatch ..." message; the wrapper's own sort checks use `.sortError`.
  public enum Code: UInt32, Sendable, Equatable {
    case sortError = 1
    case indexOutOfBounds
    case invalidArgument
    case parserError
    case noParser
    case invalidPattern
    case memoryOut
    case fileAccess
    case internalFatal
    case invalidUsage
    case decRefError
    case exception
  }

  public let code: Code
  public let message: String

  public init(code: Code, message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "Z3 error (\(code)): \(message)" }
}

extension Z3Error.Code {
  /// Unknown future codes map to `.exception` rather than trapping.
  init(_ raw: Z3_error_code) {
    self = Self(rawValue: raw.rawValue) ?? .exception
  }
}
