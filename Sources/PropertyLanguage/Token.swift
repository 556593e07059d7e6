/// A point in a property file. `offset` counts Unicode scalars from the start
/// of the text, so the explainer can cut a sub-formula's source back out.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
  /// 1-based.
  public var line: Int
  /// 1-based, in Unicode scalars.
  public var column: Int
  public var offset: Int

  public init(line: Int, column: Int, offset: Int) {
    self.line = line
    self.column = column
    self.offset = offset
  }

  public var description: String { "\(line):\(column)" }
}

/// The source span of a syntax node: `start` up to (not including) offset `end`.
public struct SourceRange: Hashable, Sendable {
  public var start: SourceLocation
  public var end: Int

  public init(start: SourceLocation, end: Int) {
    self.start = start
    self.end = end
  }

  /// The span covering both `self` and `other`.
  func through(_ other: SourceRange) -> SourceRange {
    SourceRange(start: start, end: max(end, other.end))
  }
}

/// Reserved words. Type names (`bool`, `int`, `enum`, `ref`, `index`) and
/// `none` are deliberately not reserved: they are meaningful only in a type
/// position, or resolved by the expected type, so schema names stay free.
public enum Keyword: String, Hashable, Sendable, CaseIterable {
  case suite, always, sometimes, def
  case eventually, leadsTo = "leads_to", progress
  case forall, exists, count, sum, `in`, `where`
  case and, or, not, implies
  case `if`, then, `else`
  case `true`, `false`
  case next, event, at
}

public enum Symbol: String, Hashable, Sendable, CaseIterable {
  case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]"
  case comma = ",", colon = ":", assign = "="
  case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
  case plus = "+", minus = "-", star = "*"
}

public struct Token: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    /// A possibly dotted name: `pte.kind`, `gpu0.0`, `cpu_page`.
    case identifier(String)
    case keyword(Keyword)
    case integer(Int)
    /// `"..."`: only a program point's name in `at(t, "...")`.
    case string(String)
    case symbol(Symbol)
    case endOfFile
  }

  public var kind: Kind
  public var range: SourceRange

  /// How the token reads in an error message.
  var display: String {
    switch kind {
    case .identifier(let s): return "name '\(s)'"
    case .keyword(let k): return "'\(k.rawValue)'"
    case .integer(let v): return "'\(v)'"
    case .string(let v): return "string \"\(v)\""
    case .symbol(let s): return "'\(s.rawValue)'"
    case .endOfFile: return "end of file"
    }
  }
}

/// A `#` comment, kept so the parser can attach doc blocks to declarations.
public struct Comment: Hashable, Sendable {
  /// Text after the `#` (one leading space removed).
  public var text: String
  public var line: Int
  /// True when nothing but blanks precedes the `#` on its line; trailing
  /// comments after code are never documentation.
  public var ownLine: Bool
}
