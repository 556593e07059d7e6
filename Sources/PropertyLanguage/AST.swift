/// The untyped syntax tree of a `.hmmprop` file, exactly as written.
///
/// Names are not resolved here: whether `present` is an enum case, `gpu0` a
/// device, or `a` a quantifier variable depends on the schema and on the
/// expected type, which only the type checker knows. Every node keeps its
/// source range so errors and explanations can quote the user's own text.
public struct PropExpr: Hashable, Sendable {
  public indirect enum Kind: Hashable, Sendable {
    case integer(Int)
    case boolean(Bool)
    /// A name with zero or more subscripts: a schema variable (`pte.kind[a]`,
    /// `memcg.usage`), a bound variable, a nullary def, or a constant
    /// (enum case, domain element, `none`).
    case name(String, subscripts: [PropExpr])
    /// `f(x, y)`: a def call.
    case call(String, arguments: [PropExpr])
    case unary(UnaryOperator, PropExpr)
    case binary(BinaryOperator, PropExpr, PropExpr)
    case ite(PropExpr, PropExpr, PropExpr)
    case quantifier(Quantifier, binders: [Binder], filter: PropExpr?, body: PropExpr)
    /// `next(e)`: `e` read in the post-state of a transition.
    case next(PropExpr)
    /// `event(NAME)`: the transition's command carries that witness event.
    case event(String)
    /// `at(t, "name")`: thread t is at a program point of that name (see
    /// `ProgramPoints`).
    case at(PropExpr, pattern: String)
  }

  public var kind: Kind
  public var range: SourceRange

  public init(_ kind: Kind, range: SourceRange) {
    self.kind = kind
    self.range = range
  }
}

public enum UnaryOperator: String, Hashable, Sendable {
  case not
  case negate = "-"
}

public enum BinaryOperator: String, Hashable, Sendable {
  case and, or, implies
  case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
  case add = "+", sub = "-", mul = "*"

  var isComparison: Bool {
    switch self {
    case .eq, .ne, .lt, .le, .gt, .ge: return true
    default: return false
    }
  }
}

/// The four binding forms; all range over a finite domain and are unrolled.
public enum Quantifier: String, Hashable, Sendable {
  case forall, exists, count, sum
}

/// `x in D`.
public struct Binder: Hashable, Sendable {
  public var name: String
  public var domain: String
  public var nameLocation: SourceLocation
  public var domainLocation: SourceLocation
}

/// A type as written: `bool`, `int`, `enum T`, `index D`, `ref D`, or a bare
/// name (a domain means `index D`, an enum type name means `enum T`).
public struct TypeSyntax: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    case bool, int
    case enumeration(String)
    case index(String)
    case ref(String)
    case named(String)
  }

  public var kind: Kind
  public var location: SourceLocation
}

public struct Parameter: Hashable, Sendable {
  public var name: String
  public var type: TypeSyntax
  public var location: SourceLocation
}

/// `always NAME: e` or `sometimes NAME: e`.
public struct PropertyDeclaration: Hashable, Sendable {
  public var kind: CompiledProperty.Kind
  public var name: String
  public var doc: String
  public var expr: PropExpr
  /// `Q` in `eventually NAME: P leads_to Q`.
  public var target: PropExpr? = nil
  /// The `always` / `sometimes` keyword.
  public var location: SourceLocation
  public var nameLocation: SourceLocation
}

/// `def NAME(params): TYPE = e`: a typed, non-recursive macro.
public struct Definition: Hashable, Sendable {
  public var name: String
  public var doc: String
  public var parameters: [Parameter]
  public var returnType: TypeSyntax
  public var body: PropExpr
  public var location: SourceLocation
  public var nameLocation: SourceLocation
}

public enum Declaration: Hashable, Sendable {
  case property(PropertyDeclaration)
  case definition(Definition)
}

/// One parsed `.hmmprop` file. It keeps its source text so explanations can
/// quote the failing sub-formula verbatim.
public struct PropertySuite: Hashable, Sendable {
  public var name: String
  public var file: String
  public var declarations: [Declaration]
  public var source: String

  public init(name: String, file: String, declarations: [Declaration], source: String) {
    self.name = name
    self.file = file
    self.declarations = declarations
    self.source = source
  }

  public var properties: [PropertyDeclaration] {
    declarations.compactMap { if case .property(let p) = $0 { return p } else { return nil } }
  }

  public var definitions: [Definition] {
    declarations.compactMap { if case .definition(let d) = $0 { return d } else { return nil } }
  }

  /// The source text of `range`, comments dropped and blanks collapsed to
  /// single spaces: how a sub-formula is quoted on one line.
  public func text(of range: SourceRange) -> String {
    let scalars = Array(source.unicodeScalars)
    let lo = max(0, min(range.start.offset, scalars.count))
    let hi = max(lo, min(range.end, scalars.count))
    var out = ""
    var inComment = false
    var pendingSpace = false
    for c in scalars[lo..<hi] {
      if inComment {
        if c == "\n" { inComment = false; pendingSpace = true }
        continue
      }
      if c == "#" { inComment = true; continue }
      if c == " " || c == "\t" || c == "\n" || c == "\r" {
        pendingSpace = true
        continue
      }
      if pendingSpace && !out.isEmpty { out.unicodeScalars.append(" ") }
      pendingSpace = false
      out.unicodeScalars.append(c)
    }
    return out
  }
}
