/// A problem in a model file, placed at the YAML node that caused it.
///
/// The description uses the compiler diagnostic format so editors, terminals
/// and CI logs turn it into a clickable location.
public struct ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The path as the caller gave it (not made absolute), so messages match
  /// what the user typed.
  public var file: String
  /// 1-based line of the offending node.
  public var line: Int
  /// 1-based column of the offending node, counted in Unicode scalars as
  /// libyaml counts them.
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
