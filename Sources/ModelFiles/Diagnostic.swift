import Yams

/// An error at a node, before the file name is known.
///
/// The readers are file-agnostic; `ModelLoader.parse` attaches the file
/// when it turns a `Diagnostic` into a `ModelFileError`.
struct Diagnostic: Error {
  var line: Int
  var column: Int
  var message: String

  init(line: Int, column: Int, _ message: String) {
    self.line = line
    self.column = column
    self.message = message
  }

  /// An error at the start of `node` (every parsed node has a mark; a
  /// synthesised one falls back to the top of the file).
  init(at node: Node, _ message: String) {
    self.init(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1, message)
  }

  func error(file: String) -> ModelFileError {
    ModelFileError(file: file, line: line, column: column, message: message)
  }
}
