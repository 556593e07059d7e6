import CheckerCore

/// Resolves every name of a suite against a `Schema` and checks types.
///
/// Typing is bidirectional in one small way: bare constants (`present`,
/// `gpu0`, `none`, `1` as a page) have no type of their own, so they are
/// resolved against the type the context expects (the other side of a
/// comparison, the array dimension, the def parameter); only when there is
/// no such context must they be unambiguous across the whole schema.
struct TypeChecker {
  let schema: Schema
  let knownEvents: Set<String>
  let programPoints: ProgramPoints
  let file: String

  /// Enum types declared by schema variables, by name, in first-use order.
  private var enumCases: [String: [String]] = [:]
  private var enumNames: [String] = []
  private var defIndex: [String: Int] = [:]
  private var signatures: [(parameters: [(name: String, type: PropType)], result: PropType)] = []
  /// Names bound by some quantifier or def parameter anywhere in the suite:
  /// lets an out-of-scope use read "unbound variable" instead of "unknown name".
  private var binderNames: Set<String> = []

  // Per-expression state.
  private var scope: [String: PropType] = [:]
  private var inNext = false
  private var currentDef: Int?
  private var callEdges: [(from: Int, to: Int, at: SourceLocation)] = []

  init(schema: Schema, knownEvents: Set<String>, programPoints: ProgramPoints = .none, file: String) {
    self.schema = schema
    self.knownEvents = knownEvents
    self.programPoints = programPoints
    self.file = file
    for v in schema.variables {
      if case .enumeration(let name, let cases) = v.type, enumCases[name] == nil {
        enumCases[name] = cases
        enumNames.append(name)
      }
    }
  }

  private func error(_ at: SourceLocation, _ message: String) -> PropertyError {
    PropertyError(file: file, at: at, message)
  }

  // MARK: Suite

  mutating func check(_ suite: PropertySuite) throws -> CheckedSuite {
    // Pass 1: declared names and def signatures, so bodies may call defs
    // declared further down.
    var seen: [String: (what: String, at: SourceLocation)] = [:]
    let defs = suite.definitions
    for decl in suite.declarations {
      let (name, at, what): (String, SourceLocation, String)
      switch decl {
      case .property(let p): (name, at, what) = (p.name, p.nameLocation, "property")
      case .definition(let d): (name, at, what) = (d.name, d.nameLocation, "def")
      }
      if let first = seen[name] {
        let dup = first.what == what ? "duplicate \(what) name" : "duplicate name"
        throw error(at, "\(dup) '\(name)' (already declared as a \(first.what) at \(first.at))")
      }
      seen[name] = (what, at)
    }
    for (i, d) in defs.enumerated() {
      if schema.variable(named: d.name) != nil {
        throw error(d.nameLocation, "def '\(d.name)' has the name of a schema variable")
      }
      var params: [(name: String, type: PropType)] = []
      for p in d.parameters {
        if params.contains(where: { $0.name == p.name }) {
          throw error(p.location, "duplicate parameter '\(p.name)'")
        }
        params.append((p.name, try resolve(p.type)))
        binderNames.insert(p.name)
      }
      defIndex[d.name] = i
      signatures.append((params, try resolve(d.returnType)))
    }
    collectBinders(suite)

    // Pass 2: bodies, in source order so the first error reported is the
    // first in the file.
    var checkedDefs: [CheckedDefinition?] = Array(repeating: nil, count: defs.count)
    var properties: [CheckedProperty] = []
    for decl in suite.declarations {
      switch decl {
      case .definition(let d):
        let i = defIndex[d.name]!
        scope = Dictionary(uniqueKeysWithValues: signatures[i].parameters.map { ($0.name, $0.type) })
        currentDef = i
        let body = try check(d.body, signatures[i].result)
        checkedDefs[i] = CheckedDefinition(
          declaration: d, parameters: signatures[i].parameters, returnType: signatures[i].result,
          body: body)
      case .property(let p):
        scope = [:]
        currentDef = nil
        var cp = CheckedProperty(declaration: p, expr: try check(p.expr, .bool), isStep: false)
        if let t = p.target { cp.target = try check(t, .bool) }
        properties.append(cp)
      }
      currentDef = nil
      scope = [:]
    }
    try rejectRecursion(defs)
    let definitions = checkedDefs.map { $0! }
    for k in properties.indices {
      properties[k].isStep = properties[k].expr.usesStep(definitions)
      let d = properties[k].declaration
      let targetStep = properties[k].target?.usesStep(definitions) ?? false
      if (d.kind == .eventually || d.kind == .leadsTo) && (properties[k].isStep || targetStep) {
        throw PropertyError(
          file: suite.file, at: d.location,
          "'\(d.name)': eventually and leads_to take state predicates (no next(...) or event(...))")
      }
    }
    return CheckedSuite(suite: suite, definitions: definitions, properties: properties)
  }

  private mutating func collectBinders(_ suite: PropertySuite) {
    func walk(_ e: PropExpr) {
      switch e.kind {
      case .integer, .boolean, .event: break
      case .name(_, let subs): subs.forEach(walk)
      case .call(_, let args): args.forEach(walk)
      case .unary(_, let a), .next(let a), .at(let a, _): walk(a)
      case .binary(_, let a, let b): walk(a); walk(b)
      case .ite(let c, let a, let b): walk(c); walk(a); walk(b)
      case .quantifier(_, let binders, let filter, let body):
        for b in binders { binderNames.insert(b.name) }
        if let filter { walk(filter) }
        walk(body)
      }
    }
    for p in suite.properties {
      walk(p.expr)
      if let t = p.target { walk(t) }
    }
    for d in suite.definitions { walk(d.body) }
  }

  /// Defs are macros expanded at every use: a cycle would never terminate.
  private func rejectRecursion(_ defs: [Definition]) throws {
    var state = Array(repeating: 0, count: defs.count)  // 0 new, 1 on stack, 2 done
    var stack: [Int] = []
    func visit(_ d: Int) throws {
      state[d] = 1
      stack.append(d)
      for edge in callEdges where edge.from == d {
        if state[edge.to] == 1 {
          let cycle = stack[stack.firstIndex(of: edge.to)!...].map { defs[$0].name } + [defs[edge.to].name]
          throw error(
            edge.at,
            "recursive def: \(cycle.joined(separator: " -> ")) (defs are expanded in place and cannot recurse)")
        }
        if state[edge.to] == 0 { try visit(edge.to) }
      }
      stack.removeLast()
      state[d] = 2
    }
    for d in defs.indices where state[d] == 0 { try visit(d) }
  }

  // MARK: Types

  private func resolve(_ t: TypeSyntax) throws -> PropType {
    func domain(_ d: String) throws -> String {
      guard schema.domain(d) != nil else {
        throw error(t.location, "unknown domain '\(d)'" + Suggest.hint(for: d, in: schema.domains.map(\.name)))
      }
      return d
    }
    switch t.kind {
    case .bool: return .bool
    case .int: return .int
    case .index(let d): return .index(try domain(d))
    case .ref(let d): return .ref(try domain(d))
    case .enumeration(let name):
      guard enumCases[name] != nil else {
        throw error(t.location, "unknown enum type '\(name)'" + Suggest.hint(for: name, in: enumNames))
      }
      return .enumeration(name)
    case .named(let name):
      if schema.domain(name) != nil { return .index(name) }
      if schema.valueClasses.contains(where: { $0.name == name }) { return .counter(name) }
      if enumCases[name] != nil { return .enumeration(name) }
      let all = ["bool", "int"] + schema.domains.map(\.name) + enumNames + schema.valueClasses.map(\.name)
      throw error(
        t.location,
        "unknown type '\(name)' (expected bool, int, a domain, an enum type, 'ref D' or 'index D')"
          + Suggest.hint(for: name, in: all))
    }
  }

  // MARK: Expressions

  /// Checks `e` against `expected`, inserting the index-to-ref conversion.
  private mutating func check(_ e: PropExpr, _ expected: PropType) throws -> TypedExpr {
    try coerce(try infer(e, hint: expected), to: expected)
  }

  private func coerce(_ t: TypedExpr, to expected: PropType) throws -> TypedExpr {
    if t.type == expected { return t }
    if t.type.converts(to: expected) {
      if case .constant(let k) = t.node {
        return TypedExpr(node: .constant(k + 1), type: expected, range: t.range)
      }
      return TypedExpr(node: .toRef(t), type: expected, range: t.range)
    }
    if case .counter(let c) = t.type, expected == .int {
      throw error(
        t.range.start,
        "arithmetic on a \(c) value: \(c) values may only be compared (==, !=, <, <=, >, >=) with each other "
          + "or with \(pinnedText(c)), because the checker renames them canonically (Docs/property-language.md, \"Counters\")")
    }
    throw error(t.range.start, "expected \(expected), got \(t.type)")
  }

  /// The pinned constants of a value class, for messages.
  private func pinnedText(_ c: String) -> String {
    schema.valueClasses.first { $0.name == c }?.parity == true ? "0 or 1" : "0"
  }

  private mutating func infer(_ e: PropExpr, hint: PropType?) throws -> TypedExpr {
    func make(_ node: TypedExpr.Node, _ type: PropType) -> TypedExpr {
      TypedExpr(node: node, type: type, range: e.range)
    }
    switch e.kind {
    case .integer(let v):
      if let d = hint?.domain, let k = schema.domain(d)?.elements.firstIndex(of: String(v)) {
        return make(.constant(k), .index(d))
      }
      if case .counter(let c) = hint, let vc = schema.valueClasses.first(where: { $0.name == c }) {
        guard v >= 0, v <= vc.maxPinned else {
          throw error(
            e.range.start,
            "\(c) values cannot be compared with \(v): only with each other or with \(pinnedText(c)) "
              + "(the checker renames them canonically and keeps only their order, equality and parity)")
        }
        return make(.constant(v), .counter(c))
      }
      return make(.constant(v), .int)

    case .boolean(let b):
      return make(.constant(b ? 1 : 0), .bool)

    case .name(let name, let subs):
      if let t = scope[name] {
        if !subs.isEmpty { throw error(subs[0].range.start, "'\(name)' has type \(t) and cannot be indexed") }
        return make(.bound(name), t)
      }
      if let vi = schema.variables.firstIndex(where: { $0.name == name }) {
        return try access(vi, subs, e)
      }
      if defIndex[name] != nil {
        if !subs.isEmpty { throw error(subs[0].range.start, "def '\(name)' cannot be indexed; call it with (...)") }
        return try call(name, [], e)
      }
      if !subs.isEmpty {
        throw error(e.range.start, "unknown variable '\(name)'" + Suggest.hint(for: name, in: schema.variables.map(\.name)))
      }
      return try constant(name, hint: hint, e)

    case .call("odd", let args) where defIndex["odd"] == nil:
      guard args.count == 1 else { throw error(e.range.start, "odd takes 1 argument, got \(args.count)") }
      let x = try infer(args[0], hint: nil)
      guard case .counter(let c) = x.type, let vc = schema.valueClasses.first(where: { $0.name == c }), vc.parity else {
        let parityClasses = schema.valueClasses.filter(\.parity).map(\.name)
        throw error(
          args[0].range.start,
          "odd takes a value whose parity the model observes (\(parityClasses.isEmpty ? "none in this model" : parityClasses.joined(separator: ", "))), got \(x.type)"
        )
      }
      let maxValue = vc.variables.compactMap { schema.variable(named: $0) }.map { schema.maxValue(of: $0.type) }.max() ?? 0
      return make(.odd(x, maxValue: maxValue), .bool)

    case .call(let name, let args):
      if defIndex[name] == nil {
        if schema.variable(named: name) != nil {
          throw error(e.range.start, "'\(name)' is a schema variable, not a def; index it with [...]")
        }
        throw error(e.range.start, "unknown def '\(name)'" + Suggest.hint(for: name, in: Array(defIndex.keys).sorted()))
      }
      return try call(name, args, e)

    case .unary(.not, let a):
      return make(.not(try check(a, .bool)), .bool)

    case .unary(.negate, let a):
      return make(.negate(try check(a, .int)), .int)

    case .binary(.and, let a, let b), .binary(.or, let a, let b):
      let isAnd: Bool
      if case .binary(.and, _, _) = e.kind { isAnd = true } else { isAnd = false }
      var parts: [TypedExpr] = []
      for side in [try check(a, .bool), try check(b, .bool)] {
        switch (side.node, isAnd) {
        case (.and(let xs), true), (.or(let xs), false): parts += xs
        default: parts.append(side)
        }
      }
      return make(isAnd ? .and(parts) : .or(parts), .bool)

    case .binary(.implies, let a, let b):
      return make(.implies(try check(a, .bool), try check(b, .bool)), .bool)

    case .binary(let op, let a, let b) where op.isComparison:
      return try comparison(op, a, b, e)

    case .binary(let op, let a, let b):
      return make(.arithmetic(op, try check(a, .int), try check(b, .int)), .int)

    case .ite(let c, let a, let b):
      let tc = try check(c, .bool)
      let ta = try infer(a, hint: hint)
      let tb = try infer(b, hint: hint ?? ta.type)
      guard let t = ta.type.join(tb.type) else {
        throw error(b.range.start, "the branches of 'if' have different types: \(ta.type) and \(tb.type)")
      }
      return make(.ite(tc, try coerce(ta, to: t), try coerce(tb, to: t)), t)

    case .quantifier(let q, let binders, let filter, let body):
      var typed: [TypedBinder] = []
      let saved = scope
      defer { scope = saved }
      for b in binders {
        guard let dom = schema.domain(b.domain) else {
          throw error(
            b.domainLocation,
            "unknown domain '\(b.domain)'" + Suggest.hint(for: b.domain, in: schema.domains.map(\.name)))
        }
        if scope[b.name] != nil {
          throw error(b.nameLocation, "'\(b.name)' is already bound here; pick another name")
        }
        scope[b.name] = .index(b.domain)
        typed.append(TypedBinder(name: b.name, domain: b.domain, size: dom.elements.count))
      }
      let tf = try filter.map { try check($0, .bool) }
      let bodyType: PropType = q == .sum ? .int : .bool
      let tb = try check(body, bodyType)
      let result: PropType = (q == .forall || q == .exists) ? .bool : .int
      return make(.quantifier(q, binders: typed, filter: tf, body: tb), result)

    case .next(let a):
      if inNext { throw error(e.range.start, "'next' cannot be nested: its argument is already read in the post-state") }
      inNext = true
      defer { inNext = false }
      let t = try infer(a, hint: hint)
      return make(.next(t), t.type)

    case .event(let name):
      guard knownEvents.contains(name) else {
        throw error(e.range.start, "unknown event '\(name)'" + Suggest.hint(for: name, in: knownEvents.sorted()))
      }
      return make(.event(name), .bool)

    case .at(let t, let pattern):
      guard schema.domain("thread") != nil else { throw error(e.range.start, "'at' needs a model with threads") }
      let tt = try check(t, .index("thread"))
      // A name no thread has is false, not an error: one suite serves
      // models whose threads run different operations.
      let pcs = programPoints.matching(pattern)
      return make(.at(tt, pcs: pcs), .bool)
    }
  }

  private mutating func access(_ vi: Int, _ subs: [PropExpr], _ e: PropExpr) throws -> TypedExpr {
    let v = schema.variables[vi]
    guard subs.count == v.dimensions.count else {
      if v.dimensions.isEmpty {
        throw error(e.range.start, "'\(v.name)' is not an array and takes no index")
      }
      let shape = v.dimensions.map { "[\($0)]" }.joined()
      let n = v.dimensions.count
      throw error(
        e.range.start,
        "'\(v.name)' takes \(n) ind\(n == 1 ? "ex" : "ices") (\(v.name)\(shape)), got \(subs.count)")
    }
    var typed: [TypedExpr] = []
    for (k, (sub, d)) in zip(subs, v.dimensions).enumerated() {
      let t = try infer(sub, hint: .index(d))
      guard t.type == .index(d) || t.type == .ref(d) else {
        throw error(
          sub.range.start,
          "wrong index for '\(v.name)': subscript \(k + 1) ranges over '\(d)', got \(t.type)")
      }
      typed.append(t)
    }
    let type = schema.valueClass(ofVariable: v.name).map { PropType.counter($0.name) } ?? PropType(v.type)
    return TypedExpr(node: .variable(vi, subscripts: typed), type: type, range: e.range)
  }

  private mutating func call(_ name: String, _ args: [PropExpr], _ e: PropExpr) throws -> TypedExpr {
    let d = defIndex[name]!
    let sig = signatures[d]
    guard args.count == sig.parameters.count else {
      let n = sig.parameters.count
      throw error(e.range.start, "def '\(name)' takes \(n) argument\(n == 1 ? "" : "s"), got \(args.count)")
    }
    var typed: [TypedExpr] = []
    for (a, p) in zip(args, sig.parameters) { typed.append(try check(a, p.type)) }
    if let from = currentDef { callEdges.append((from, d, e.range.start)) }
    return TypedExpr(node: .call(d, arguments: typed), type: sig.result, range: e.range)
  }

  /// Whether `e` is a bare constant whose type comes from its context.
  private func isContextual(_ e: PropExpr) -> Bool {
    switch e.kind {
    case .integer: return true
    case .name(let n, let subs):
      return subs.isEmpty && scope[n] == nil && schema.variable(named: n) == nil && defIndex[n] == nil
    default: return false
    }
  }

  private mutating func comparison(_ op: BinaryOperator, _ a: PropExpr, _ b: PropExpr, _ e: PropExpr) throws -> TypedExpr {
    var ta: TypedExpr, tb: TypedExpr
    if isContextual(a) && !isContextual(b) {
      tb = try infer(b, hint: nil)
      ta = try infer(a, hint: tb.type)
    } else {
      ta = try infer(a, hint: nil)
      tb = try infer(b, hint: ta.type)
    }
    let ordering = op != .eq && op != .ne
    if ordering {
      switch (ta.type, tb.type) {
      case (.int, .int): break
      case (.index(let x), .index(let y)) where x == y: break
      case (.counter(let x), .counter(let y)) where x == y: break
      default:
        if ta.type.join(tb.type) == nil {
          throw error(e.range.start, "cannot compare \(ta.type) with \(tb.type)")
        }
        throw error(e.range.start, "'\(op.rawValue)' needs int, index or same-class counter operands, got \(ta.type) and \(tb.type)")
      }
    } else {
      guard let t = ta.type.join(tb.type) else {
        throw error(e.range.start, "cannot compare \(ta.type) with \(tb.type)")
      }
      ta = try coerce(ta, to: t)
      tb = try coerce(tb, to: t)
    }
    return TypedExpr(node: .compare(op, ta, tb), type: .bool, range: e.range)
  }

  // MARK: Constants

  private func constant(_ name: String, hint: PropType?, _ e: PropExpr) throws -> TypedExpr {
    func make(_ v: Int, _ t: PropType) -> TypedExpr { TypedExpr(node: .constant(v), type: t, range: e.range) }
    if case .enumeration(let t) = hint, let k = enumCases[t]?.firstIndex(of: name) {
      return make(k, .enumeration(t))
    }
    if name == "none" {
      if let d = hint?.domain { return make(0, .ref(d)) }
      throw error(
        e.range.start,
        "cannot tell which 'none' this is; compare it with a reference-typed expression")
    }
    if let d = hint?.domain, let k = schema.domain(d)?.elements.firstIndex(of: name) {
      return make(k, .index(d))
    }
    var candidates: [(TypedExpr, String)] = []
    for t in enumNames {
      if let k = enumCases[t]!.firstIndex(of: name) { candidates.append((make(k, .enumeration(t)), "a case of enum(\(t))")) }
    }
    for d in schema.domains {
      if let k = d.elements.firstIndex(of: name) { candidates.append((make(k, .index(d.name)), "an element of \(d.name)")) }
    }
    if candidates.count == 1 { return candidates[0].0 }
    if candidates.count > 1 {
      throw error(
        e.range.start,
        "'\(name)' is ambiguous: it is \(candidates.map(\.1).joined(separator: " and ")); "
          + "compare it with an expression of the intended type")
    }
    if binderNames.contains(name) {
      throw error(
        e.range.start,
        "unbound variable '\(name)': it is bound only inside its own quantifier or def; "
          + "pass it as a def parameter or move the use inside the quantifier")
    }
    var all = schema.variables.map(\.name) + Array(defIndex.keys).sorted() + Array(scope.keys).sorted()
    all += schema.domains.map(\.name) + enumNames.flatMap { enumCases[$0]! }
    all += schema.domains.flatMap(\.elements)
    throw error(e.range.start, "unknown name '\(name)'" + Suggest.hint(for: name, in: all))
  }
}
