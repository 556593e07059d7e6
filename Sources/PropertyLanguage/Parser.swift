/// Entry point: text to `PropertySuite`, with every node's source position.
public enum PropertyParser {
  /// Parses one `.hmmprop` file. `file` is used for error messages and, when
  /// there is no `suite` header, for the suite name (its stem).
  public static func parse(text: String, file: String) throws -> PropertySuite {
    var lexer = Lexer(text: text, file: file)
    let (tokens, comments) = try lexer.tokenize()
    var parser = Parser(tokens: tokens, comments: comments, file: file)
    let (header, declarations) = try parser.parseFile()
    return PropertySuite(
      name: header ?? stem(of: file), file: file, declarations: declarations, source: text)
  }

  /// `Properties/no_stale.hmmprop` → `no_stale`.
  public static func stem(of file: String) -> String {
    var base = Substring(file)
    if let slash = base.lastIndex(of: "/") { base = base[base.index(after: slash)...] }
    if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = base[..<dot] }
    return String(base)
  }
}

/// Recursive descent over the token list.
///
/// Precedence, loosest first: `implies` (right-associative), `or`, `and`,
/// `not`, comparisons (non-associative), `+ -`, `*`, unary `-`, primaries.
/// Quantifiers and `if` are primaries whose last part extends as far right as
/// possible, as in ordinary logic notation.
struct Parser {
  let tokens: [Token]
  let comments: [Comment]
  let file: String
  private var index = 0
  /// End offset of the last consumed token: the end of the node being built.
  private var lastEnd = 0

  init(tokens: [Token], comments: [Comment], file: String) {
    self.tokens = tokens
    self.comments = comments
    self.file = file
  }

  // MARK: Token helpers

  private var current: Token { tokens[index] }

  private mutating func advance() -> Token {
    let t = tokens[index]
    if index < tokens.count - 1 { index += 1 }
    lastEnd = t.range.end
    return t
  }

  private func error(_ message: String, at location: SourceLocation? = nil) -> PropertyError {
    PropertyError(file: file, at: location ?? current.range.start, message)
  }

  private func isKeyword(_ k: Keyword) -> Bool { current.kind == .keyword(k) }
  private func isSymbol(_ s: Symbol) -> Bool { current.kind == .symbol(s) }

  private mutating func accept(_ k: Keyword) -> Bool {
    if isKeyword(k) { _ = advance(); return true }
    return false
  }

  private mutating func accept(_ s: Symbol) -> Bool {
    if isSymbol(s) { _ = advance(); return true }
    return false
  }

  private mutating func expect(_ s: Symbol, _ context: String) throws {
    guard accept(s) else {
      throw error("expected '\(s.rawValue)' \(context), found \(current.display)")
    }
  }

  private mutating func expect(_ k: Keyword, _ context: String) throws {
    guard accept(k) else {
      throw error("expected '\(k.rawValue)' \(context), found \(current.display)")
    }
  }

  /// A name token; `plain` rejects dotted names (declared names must not look
  /// like schema variables).
  private mutating func identifier(_ what: String, plain: Bool = false) throws -> (String, SourceLocation) {
    guard case .identifier(let name) = current.kind else {
      throw error("expected \(what), found \(current.display)")
    }
    if plain && name.contains(".") {
      throw error("\(what) '\(name)' cannot contain '.'")
    }
    let loc = advance().range.start
    return (name, loc)
  }

  private func startsDeclaration(_ t: Token) -> Bool {
    switch t.kind {
    case .keyword(.always), .keyword(.sometimes), .keyword(.def), .keyword(.suite), .keyword(.eventually),
      .keyword(.progress), .endOfFile:
      return true
    default:
      return false
    }
  }

  // MARK: Declarations

  mutating func parseFile() throws -> (header: String?, declarations: [Declaration]) {
    var header: String?
    var declarations: [Declaration] = []
    var afterExpression = false
    while current.kind != .endOfFile {
      guard startsDeclaration(current) else {
        if afterExpression {
          throw error(
            "unexpected \(current.display) after the end of the expression "
              + "(a declaration starts with 'always', 'sometimes', 'eventually', 'progress' or 'def')")
        }
        throw error(
          "expected a declaration ('always', 'sometimes', 'eventually', 'progress', 'def' or 'suite'), found \(current.display)")
      }
      let start = current.range.start
      let doc = docComment(before: start.line)
      switch advance().kind {
      case .keyword(.suite):
        if header != nil { throw error("duplicate 'suite' header", at: start) }
        if !declarations.isEmpty {
          throw error("the 'suite' header must come before every declaration", at: start)
        }
        header = try identifier("a suite name", plain: true).0
        afterExpression = false
      case .keyword(.always), .keyword(.sometimes):
        let kind: CompiledProperty.Kind = tokens[index - 1].kind == .keyword(.always) ? .always : .sometimes
        let (name, nameLoc) = try identifier("a property name", plain: true)
        try expect(.colon, "after the property name")
        let e = try expression()
        declarations.append(
          .property(
            PropertyDeclaration(
              kind: kind, name: name, doc: doc, expr: e, location: start, nameLocation: nameLoc)))
        afterExpression = true
      case .keyword(.eventually), .keyword(.progress):
        let isProgress = tokens[index - 1].kind == .keyword(.progress)
        let (name, nameLoc) = try identifier("a property name", plain: true)
        try expect(.colon, "after the property name")
        let e = try expression()
        var target: PropExpr? = nil
        if !isProgress && accept(.leadsTo) { target = try expression() }
        var decl = PropertyDeclaration(
          kind: isProgress ? .progress : (target == nil ? .eventually : .leadsTo), name: name, doc: doc, expr: e,
          location: start, nameLocation: nameLoc)
        decl.target = target
        declarations.append(.property(decl))
        afterExpression = true
      case .keyword(.def):
        declarations.append(.definition(try definition(start: start, doc: doc)))
        afterExpression = true
      default:
        preconditionFailure("startsDeclaration admitted a non-declaration")
      }
    }
    return (header, declarations)
  }

  /// The block of whole-line comments ending on the line just above `line`.
  private func docComment(before line: Int) -> String {
    var lines: [String] = []
    var want = line - 1
    for c in comments.reversed() where c.line <= want {
      guard c.line == want, c.ownLine else { break }
      lines.append(c.text)
      want -= 1
    }
    return lines.reversed().joined(separator: "\n")
  }

  private mutating func definition(start: SourceLocation, doc: String) throws -> Definition {
    let (name, nameLoc) = try identifier("a def name", plain: true)
    var params: [Parameter] = []
    if accept(.lparen) {
      if !isSymbol(.rparen) {
        repeat {
          let (p, loc) = try identifier("a parameter name", plain: true)
          try expect(.colon, "after the parameter name")
          params.append(Parameter(name: p, type: try typeSyntax(), location: loc))
        } while accept(.comma)
      }
      try expect(.rparen, "after the parameters")
    }
    try expect(.colon, "before the def's result type")
    let type = try typeSyntax()
    try expect(.assign, "before the def's body")
    let body = try expression()
    return Definition(
      name: name, doc: doc, parameters: params, returnType: type, body: body,
      location: start, nameLocation: nameLoc)
  }

  private mutating func typeSyntax() throws -> TypeSyntax {
    let (word, loc) = try identifier("a type")
    func argument(_ what: String) throws -> String {
      if accept(.lparen) {
        let (n, _) = try identifier(what)
        try expect(.rparen, "after the \(what)")
        return n
      }
      return try identifier(what).0
    }
    switch word {
    case "bool": return TypeSyntax(kind: .bool, location: loc)
    case "int": return TypeSyntax(kind: .int, location: loc)
    case "enum": return TypeSyntax(kind: .enumeration(try argument("enum type name")), location: loc)
    case "ref": return TypeSyntax(kind: .ref(try argument("domain name")), location: loc)
    case "index": return TypeSyntax(kind: .index(try argument("domain name")), location: loc)
    default: return TypeSyntax(kind: .named(word), location: loc)
    }
  }

  // MARK: Expressions

  mutating func expression() throws -> PropExpr { try implication() }

  private func node(_ kind: PropExpr.Kind, from start: SourceLocation) -> PropExpr {
    PropExpr(kind, range: SourceRange(start: start, end: lastEnd))
  }

  private mutating func implication() throws -> PropExpr {
    let lhs = try disjunction()
    guard accept(.implies) else { return lhs }
    let rhs = try implication()
    return node(.binary(.implies, lhs, rhs), from: lhs.range.start)
  }

  private mutating func disjunction() throws -> PropExpr {
    var lhs = try conjunction()
    while accept(.or) {
      let rhs = try conjunction()
      lhs = node(.binary(.or, lhs, rhs), from: lhs.range.start)
    }
    return lhs
  }

  private mutating func conjunction() throws -> PropExpr {
    var lhs = try negation()
    while accept(.and) {
      let rhs = try negation()
      lhs = node(.binary(.and, lhs, rhs), from: lhs.range.start)
    }
    return lhs
  }

  private mutating func negation() throws -> PropExpr {
    let start = current.range.start
    if accept(.not) {
      let e = try negation()
      return node(.unary(.not, e), from: start)
    }
    return try comparison()
  }

  private static let comparisons: [Symbol: BinaryOperator] = [
    .eq: .eq, .ne: .ne, .lt: .lt, .le: .le, .gt: .gt, .ge: .ge,
  ]

  private mutating func comparison() throws -> PropExpr {
    let lhs = try additive()
    guard case .symbol(let s) = current.kind, let op = Self.comparisons[s] else { return lhs }
    _ = advance()
    let rhs = try additive()
    if case .symbol(let s2) = current.kind, Self.comparisons[s2] != nil {
      throw error("comparisons do not chain; combine them with 'and'")
    }
    return node(.binary(op, lhs, rhs), from: lhs.range.start)
  }

  private mutating func additive() throws -> PropExpr {
    var lhs = try multiplicative()
    while true {
      let op: BinaryOperator
      if accept(.plus) { op = .add } else if accept(.minus) { op = .sub } else { return lhs }
      let rhs = try multiplicative()
      lhs = node(.binary(op, lhs, rhs), from: lhs.range.start)
    }
  }

  private mutating func multiplicative() throws -> PropExpr {
    var lhs = try unaryMinus()
    while accept(.star) {
      let rhs = try unaryMinus()
      lhs = node(.binary(.mul, lhs, rhs), from: lhs.range.start)
    }
    return lhs
  }

  private mutating func unaryMinus() throws -> PropExpr {
    let start = current.range.start
    guard accept(.minus) else { return try primary() }
    let e = try unaryMinus()
    if case .integer(let v) = e.kind { return node(.integer(-v), from: start) }
    return node(.unary(.negate, e), from: start)
  }

  private mutating func primary() throws -> PropExpr {
    let start = current.range.start
    switch current.kind {
    case .integer(let v):
      _ = advance()
      return node(.integer(v), from: start)
    case .keyword(.true):
      _ = advance()
      return node(.boolean(true), from: start)
    case .keyword(.false):
      _ = advance()
      return node(.boolean(false), from: start)
    case .identifier(let name):
      _ = advance()
      if accept(.lparen) {
        var args: [PropExpr] = []
        if !isSymbol(.rparen) {
          repeat { args.append(try expression()) } while accept(.comma)
        }
        try expect(.rparen, "after the arguments of '\(name)'")
        return node(.call(name, arguments: args), from: start)
      }
      var subs: [PropExpr] = []
      while accept(.lbracket) {
        subs.append(try expression())
        try expect(.rbracket, "after the index")
      }
      return node(.name(name, subscripts: subs), from: start)
    case .symbol(.lparen):
      _ = advance()
      var e = try expression()
      try expect(.rparen, "to close '(' at \(start)")
      // The parentheses belong to the sub-formula: an enclosing formula that
      // starts here must quote them too.
      e.range = SourceRange(start: start, end: lastEnd)
      return e
    case .keyword(.next):
      _ = advance()
      try expect(.lparen, "after 'next'")
      let e = try expression()
      try expect(.rparen, "to close 'next('")
      return node(.next(e), from: start)
    case .keyword(.event):
      _ = advance()
      try expect(.lparen, "after 'event'")
      let (name, _) = try identifier("an event name")
      try expect(.rparen, "after the event name")
      return node(.event(name), from: start)
    case .keyword(.at):
      _ = advance()
      try expect(.lparen, "after 'at'")
      let t = try expression()
      try expect(.comma, "after the thread in 'at(thread, \"program point\")'")
      guard case .string(let pattern) = current.kind else {
        throw error("expected a program point name in quotes, found \(current.display)")
      }
      _ = advance()
      try expect(.rparen, "after the program point name")
      return node(.at(t, pattern: pattern), from: start)
    case .keyword(.if):
      _ = advance()
      let c = try expression()
      try expect(.then, "after the condition of 'if'")
      let a = try expression()
      try expect(.else, "after the 'then' branch")
      let b = try expression()
      return node(.ite(c, a, b), from: start)
    case .keyword(let k) where Quantifier(rawValue: k.rawValue) != nil:
      _ = advance()
      var binders: [Binder] = []
      repeat {
        let (name, nameLoc) = try identifier("a variable name after '\(k.rawValue)'", plain: true)
        try expect(.in, "after '\(name)'")
        let (domain, domainLoc) = try identifier("a domain name")
        binders.append(Binder(name: name, domain: domain, nameLocation: nameLoc, domainLocation: domainLoc))
      } while accept(.comma)
      let filter = accept(.where) ? try expression() : nil
      try expect(.colon, "before the body of '\(k.rawValue)'")
      let body = try expression()
      return node(
        .quantifier(Quantifier(rawValue: k.rawValue)!, binders: binders, filter: filter, body: body),
        from: start)
    default:
      throw error("expected an expression, found \(current.display)")
    }
  }
}
