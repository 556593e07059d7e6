/// A problem in an input file (model, property suite, trace), placed at the
/// character or node that caused it.
///
/// One type for every input, so every message uses the compiler diagnostic
/// format `FILE:LINE:COLUMN: error: MESSAGE` that editors, terminals and CI
/// logs turn into a clickable location. Modules name it after their input
/// (`ModelFileError`, `PropertyError`, `TraceFileError`).
public struct InputError: Error, CustomStringConvertible, Sendable, Hashable {
  /// The path as the caller gave it (not made absolute), so messages match
  /// what the user typed.
  public var file: String
  /// 1-based line.
  public var line: Int
  /// 1-based column (Unicode scalars, as libyaml counts them).
  public var column: Int
  /// What is wrong, in one sentence without a trailing period.
  public var message: String

  public init(file: String, line: Int, column: Int, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  /// `FILE:LINE:COLUMN: error: MESSAGE`.
  public var description: String { "\(file):\(line):\(column): error: \(message)" }
}
