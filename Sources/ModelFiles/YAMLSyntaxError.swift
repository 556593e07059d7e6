import Yams

/// Turns the errors Yams throws while composing a document into
/// diagnostics at the position libyaml reported.
enum YAMLSyntaxError {
  static func diagnostic(_ error: any Error, text: String) -> Diagnostic {
    guard let error = error as? YamlError else {
      return Diagnostic(line: 1, column: 1, "cannot parse YAML: \(error)")
    }
    switch error {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      var message = "YAML syntax error: \(problem)"
      if let context, !context.text.isEmpty {
        message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
      }
      return Diagnostic(line: mark.line, column: mark.column, message)
    case .reader(let problem, let offset, _, _):
      let (line, column) = position(ofCharacter: offset ?? 0, in: text)
      return Diagnostic(line: line, column: column, "cannot read YAML: \(problem)")
    case .duplicatedKeysInMapping(let duplicates, let context):
      // Yams reports the first occurrence; point at the repeat, which is
      // the line to delete or rename.
      let key = duplicates.first ?? ""
      let (line, column) =
        repeatOf(key: key, line: context.mark.line, column: context.mark.column, in: text)
        ?? (context.mark.line, context.mark.column)
      return Diagnostic(
        line: line, column: column, "duplicate key '\(key)' (first at line \(context.mark.line))")
    default:
      return Diagnostic(line: 1, column: 1, "cannot parse YAML: \(error)")
    }
  }

  /// 1-based line and column (in Unicode scalars) of the character at
  /// `offset` (counted in Characters, as Yams counts it).
  static func position(ofCharacter offset: Int, in text: String) -> (Int, Int) {
    var line = 1
    var column = 1
    for character in text.prefix(offset) {
      if character == "\n" || character == "\r\n" {
        line += 1
        column = 1
      } else {
        column += character.unicodeScalars.count
      }
    }
    return (line, column)
  }

  /// Where `key` is repeated in the mapping whose first occurrence starts
  /// at `line`:`column`: later in the same flow mapping, or on a later line
  /// at the same column of the same block mapping. Nil if not found.
  static func repeatOf(key: String, line: Int, column: Int, in text: String) -> (Int, Int)? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      Array($0.unicodeScalars)
    }
    guard line >= 1, line <= lines.count, column >= 1 else { return nil }
    let keyScalars = Array(key.unicodeScalars)

    /// Does `key` (maybe quoted) followed by optional spaces and ':' start at `at`?
    func keyStarts(in scalars: [Unicode.Scalar], at: Int) -> Bool {
      var i = at
      var quote: Unicode.Scalar?
      if i < scalars.count, scalars[i] == "\"" || scalars[i] == "'" {
        quote = scalars[i]
        i += 1
      }
      guard i + keyScalars.count <= scalars.count,
        Array(scalars[i..<i + keyScalars.count]) == keyScalars
      else { return false }
      i += keyScalars.count
      if let quote {
        guard i < scalars.count, scalars[i] == quote else { return false }
        i += 1
      }
      while i < scalars.count, scalars[i] == " " { i += 1 }
      return i < scalars.count && scalars[i] == ":"
    }

    // Flow mapping: later on the same line, after a ',' (or '{').
    let first = lines[line - 1]
    var i = column - 1 + keyScalars.count
    while i < first.count {
      if first[i] == "," || first[i] == "{" {
        var j = i + 1
        while j < first.count, first[j] == " " { j += 1 }
        if keyStarts(in: first, at: j) { return (line, j + 1) }
      }
      i += 1
    }
    // Block mapping: a later line with the key at the same column.
    for index in line..<lines.count {
      let scalars = lines[index]
      let indent = scalars.prefix { $0 == " " }.count
      if indent == scalars.count || scalars[indent] == "#" { continue }
      // A dedent, or a new list item further left, ends the mapping.
      if indent < column - 1 { return nil }
      if indent == column - 1, keyStarts(in: scalars, at: indent) { return (index + 1, column) }
    }
    return nil
  }
}
