/// Turns property text into tokens and comments.
///
/// Dotted names are single tokens (`pte.kind`, `page.memcg`, the element
/// `gpu0.0`), because schema names and element display names contain dots;
/// the grammar never needs a `.` operator. Newlines carry no meaning: a
/// declaration ends where the next declaration keyword begins.
struct Lexer {
  let file: String
  let scalars: [Unicode.Scalar]
  private var pos = 0
  private var line = 1
  private var lineStart = 0

  init(text: String, file: String) {
    self.file = file
    self.scalars = Array(text.unicodeScalars)
  }

  /// Lexes the whole text; the token list always ends with `.endOfFile`.
  mutating func tokenize() throws -> (tokens: [Token], comments: [Comment]) {
    var tokens: [Token] = []
    var comments: [Comment] = []
    var lastCodeLine = 0
    while true {
      skipBlanks()
      let start = location
      guard pos < scalars.count else {
        tokens.append(Token(kind: .endOfFile, range: SourceRange(start: start, end: pos)))
        return (tokens, comments)
      }
      let c = scalars[pos]
      if c == "#" {
        var text = ""
        pos += 1
        while pos < scalars.count, scalars[pos] != "\n" {
          text.unicodeScalars.append(scalars[pos])
          pos += 1
        }
        if text.hasPrefix(" ") { text.removeFirst() }
        while text.last == " " || text.last == "\r" || text.last == "\t" { text.removeLast() }
        comments.append(Comment(text: text, line: start.line, ownLine: lastCodeLine != start.line))
        continue
      }
      let kind: Token.Kind
      if Self.isIdentStart(c) {
        kind = lexIdentifier()
      } else if Self.isDigit(c) {
        kind = try lexInteger(start)
      } else if c == "\"" {
        kind = try lexString(start)
      } else {
        kind = .symbol(try lexSymbol(start))
      }
      tokens.append(Token(kind: kind, range: SourceRange(start: start, end: pos)))
      lastCodeLine = line
    }
  }

  private var location: SourceLocation {
    SourceLocation(line: line, column: pos - lineStart + 1, offset: pos)
  }

  private mutating func skipBlanks() {
    while pos < scalars.count {
      let c = scalars[pos]
      if c == "\n" {
        pos += 1
        line += 1
        lineStart = pos
      } else if c == " " || c == "\t" || c == "\r" {
        pos += 1
      } else {
        return
      }
    }
  }

  static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
  }

  static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

  static func isIdentPart(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || isDigit(c) }

  private mutating func lexIdentifier() -> Token.Kind {
    var text = ""
    while pos < scalars.count {
      let c = scalars[pos]
      if Self.isIdentPart(c) {
        text.unicodeScalars.append(c)
        pos += 1
      } else if c == ".", pos + 1 < scalars.count, Self.isIdentPart(scalars[pos + 1]) {
        text.unicodeScalars.append(c)
        pos += 1
      } else {
        break
      }
    }
    if let k = Keyword(rawValue: text) { return .keyword(k) }
    return .identifier(text)
  }

  private mutating func lexInteger(_ start: SourceLocation) throws -> Token.Kind {
    var value = 0
    while pos < scalars.count, Self.isDigit(scalars[pos]) {
      let (m, o1) = value.multipliedReportingOverflow(by: 10)
      let (s, o2) = m.addingReportingOverflow(Int(scalars[pos].value - 48))
      if o1 || o2 { throw PropertyError(file: file, at: start, "integer literal is too large") }
      value = s
      pos += 1
    }
    if pos < scalars.count, Self.isIdentStart(scalars[pos]) {
      throw PropertyError(
        file: file, at: start, "a name cannot start with a digit")
    }
    return .integer(value)
  }

  /// A string on one line, without escapes (program point names have no quotes).
  private mutating func lexString(_ start: SourceLocation) throws -> Token.Kind {
    var text = ""
    pos += 1
    while pos < scalars.count, scalars[pos] != "\"" {
      if scalars[pos] == "\n" { break }
      text.unicodeScalars.append(scalars[pos])
      pos += 1
    }
    guard pos < scalars.count, scalars[pos] == "\"" else {
      throw PropertyError(file: file, at: start, "unterminated string: a string ends with '\"' on the line it starts")
    }
    pos += 1
    return .string(text)
  }

  private mutating func lexSymbol(_ start: SourceLocation) throws -> Symbol {
    let c = scalars[pos]
    let n: Unicode.Scalar? = pos + 1 < scalars.count ? scalars[pos + 1] : nil
    if let n, let two = Symbol(rawValue: String(c) + String(n)) {
      pos += 2
      return two
    }
    if let one = Symbol(rawValue: String(c)) {
      pos += 1
      return one
    }
    let hint: String
    switch c {
    case "&": hint = "; use 'and'"
    case "|": hint = "; use 'or'"
    case "!": hint = "; use 'not' (or '!=')"
    case ".": hint = "; '.' belongs inside a name such as 'pte.kind'"
    default: hint = ""
    }
    throw PropertyError(file: file, at: start, "unexpected character '\(c)'\(hint)")
  }
}
