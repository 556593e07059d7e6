import CZ3

/// Term construction for encoding integer/boolean transition systems.
///
/// Every builder `throws(Z3Error)`: Z3 checks sorts (e.g. `add` of a Bool is a
/// `.sortError`) and we refuse terms from another context (`.invalidArgument`)
/// instead of letting Z3 crash or exit. One `try` covers a nested expression:
/// `try ctx.le(x, ctx.add(y, ctx.int(1)))`.
extension Z3Context {
  // MARK: Constants and variables

  /// Integer numeral.
  public func int(_ value: Int) throws(Z3Error) -> Z3Term {
    try term(Z3_mk_int64(raw, Int64(value), rawIntSort), "Z3_mk_int64")
  }

  /// Boolean literal.
  public func bool(_ value: Bool) throws(Z3Error) -> Z3Term {
    try term(value ? Z3_mk_true(raw) : Z3_mk_false(raw), "Z3_mk_true/false")
  }

  /// Named constant of any sort. The same name and sort give the same term, which is
  /// what a BMC encoder wants for `x@3` style step-indexed variables.
  public func variable(_ name: String, sort: Z3Sort) throws(Z3Error) -> Z3Term {
    try requireOwn(sort)
    let sym = Z3_mk_string_symbol(raw, name)
    try checkError()
    return try term(Z3_mk_const(raw, sym, sort.raw), "Z3_mk_const")
  }

  /// Named integer variable.
  public func intVar(_ name: String) throws(Z3Error) -> Z3Term {
    let sym = Z3_mk_string_symbol(raw, name)
    try checkError()
    return try term(Z3_mk_const(raw, sym, rawIntSort), "Z3_mk_const")
  }

  /// Named boolean variable.
  public func boolVar(_ name: String) throws(Z3Error) -> Z3Term {
    let sym = Z3_mk_string_symbol(raw, name)
    try checkError()
    return try term(Z3_mk_const(raw, sym, rawBoolSort), "Z3_mk_const")
  }

  /// Integer variable guaranteed distinct from every other constant (`prefix!n`);
  /// for auxiliaries that must never alias a user name.
  public func freshIntVar(_ prefix: String = "i") throws(Z3Error) -> Z3Term {
    try term(Z3_mk_fresh_const(raw, prefix, rawIntSort), "Z3_mk_fresh_const")
  }

  /// Boolean variable guaranteed distinct from every other constant (`prefix!n`).
  public func freshBoolVar(_ prefix: String = "b") throws(Z3Error) -> Z3Term {
    try term(Z3_mk_fresh_const(raw, prefix, rawBoolSort), "Z3_mk_fresh_const")
  }

  // MARK: Integer arithmetic

  /// Sum; `add([])` is 0 so callers can fold without special cases.
  public func add(_ terms: [Z3Term]) throws(Z3Error) -> Z3Term {
    switch terms.count {
    case 0: return try int(0)
    case 1: try requireOwn(terms[0]); return terms[0]
    default: return try nary(terms, "Z3_mk_add", Z3_mk_add)
    }
  }

  public func add(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try nary([a, b], "Z3_mk_add", Z3_mk_add)
  }

  /// `a - b`.
  public func sub(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try nary([a, b], "Z3_mk_sub", Z3_mk_sub)
  }

  /// Product; `mul([])` is 1. Non-linear products leave QF_LIA and may make
  /// `check` slow or `unknown`.
  public func mul(_ terms: [Z3Term]) throws(Z3Error) -> Z3Term {
    switch terms.count {
    case 0: return try int(1)
    case 1: try requireOwn(terms[0]); return terms[0]
    default: return try nary(terms, "Z3_mk_mul", Z3_mk_mul)
    }
  }

  public func mul(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try nary([a, b], "Z3_mk_mul", Z3_mk_mul)
  }

  /// Unary minus.
  public func neg(_ a: Z3Term) throws(Z3Error) -> Z3Term {
    try unary(a, "Z3_mk_unary_minus", Z3_mk_unary_minus)
  }

  /// SMT-LIB integer division (floor for positive divisors; `b == 0` is unconstrained).
  public func div(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try binary(a, b, "Z3_mk_div", Z3_mk_div)
  }

  /// SMT-LIB modulus (always non-negative for non-zero `b`).
  public func mod(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try binary(a, b, "Z3_mk_mod", Z3_mk_mod)
  }

  // MARK: Comparisons (Bool-valued)

  /// SMT equality (any sort, both sides the same sort). Not Swift `==`, which
  /// compares term identity.
  public func eq(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try binary(a, b, "Z3_mk_eq", Z3_mk_eq)
  }

  /// `not (a = b)`.
  public func neq(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try distinct([a, b])
  }

  public func lt(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try binary(a, b, "Z3_mk_lt", Z3_mk_lt)
  }

  public func le(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try binary(a, b, "Z3_mk_le", Z3_mk_le)
  }

  public func gt(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try binary(a, b, "Z3_mk_gt", Z3_mk_gt)
  }

  public func ge(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try binary(a, b, "Z3_mk_ge", Z3_mk_ge)
  }

  /// Pairwise different; fewer than two terms is trivially `true`.
  public func distinct(_ terms: [Z3Term]) throws(Z3Error) -> Z3Term {
    if terms.count < 2 {
      for t in terms { try requireOwn(t) }
      return try bool(true)
    }
    return try nary(terms, "Z3_mk_distinct", Z3_mk_distinct)
  }

  // MARK: Boolean connectives

  /// Conjunction; `and([])` is `true`, so folding over steps needs no special case.
  public func and(_ terms: [Z3Term]) throws(Z3Error) -> Z3Term {
    switch terms.count {
    case 0: return try bool(true)
    case 1: return try requireBool(terms[0])
    default: return try nary(terms, "Z3_mk_and", Z3_mk_and)
    }
  }

  /// Disjunction; `or([])` is `false`.
  public func or(_ terms: [Z3Term]) throws(Z3Error) -> Z3Term {
    switch terms.count {
    case 0: return try bool(false)
    case 1: return try requireBool(terms[0])
    default: return try nary(terms, "Z3_mk_or", Z3_mk_or)
    }
  }

  public func not(_ a: Z3Term) throws(Z3Error) -> Z3Term {
    try unary(a, "Z3_mk_not", Z3_mk_not)
  }

  public func implies(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try binary(a, b, "Z3_mk_implies", Z3_mk_implies)
  }

  /// Boolean equivalence (`a <=> b`).
  public func iff(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try binary(a, b, "Z3_mk_iff", Z3_mk_iff)
  }

  public func xor(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term {
    try binary(a, b, "Z3_mk_xor", Z3_mk_xor)
  }

  /// If-then-else; `cond` must be Bool, `then`/`else` the same sort.
  public func ite(_ cond: Z3Term, _ then: Z3Term, _ otherwise: Z3Term) throws(Z3Error) -> Z3Term {
    try requireOwn(cond); try requireOwn(then); try requireOwn(otherwise)
    return try withExtendedLifetime((cond, then, otherwise)) { () throws(Z3Error) -> Z3Term in
      try term(Z3_mk_ite(raw, cond.raw, then.raw, otherwise.raw), "Z3_mk_ite")
    }
  }

  // MARK: Utilities

  /// Z3's rewriter; turns closed arithmetic into numerals and tidies formulas for printing.
  public func simplify(_ a: Z3Term) throws(Z3Error) -> Z3Term {
    try unary(a, "Z3_simplify", Z3_simplify)
  }

  // MARK: - Plumbing

  /// Singleton and/or skip Z3, so sort-check here to keep "Bool expected" an error.
  private func requireBool(_ t: Z3Term) throws(Z3Error) -> Z3Term {
    try requireOwn(t)
    guard t.isBool else {
      throw Z3Error(code: .sortError, message: "expected a Bool term, got \(t) of sort \(t.sort)")
    }
    return t
  }

  func unary(
    _ a: Z3Term, _ what: String,
    _ f: (Z3_context?, Z3_ast?) -> Z3_ast?
  ) throws(Z3Error) -> Z3Term {
    try requireOwn(a)
    return try withExtendedLifetime(a) { () throws(Z3Error) -> Z3Term in
      try term(f(raw, a.raw), what)
    }
  }

  func binary(
    _ a: Z3Term, _ b: Z3Term, _ what: String,
    _ f: (Z3_context?, Z3_ast?, Z3_ast?) -> Z3_ast?
  ) throws(Z3Error) -> Z3Term {
    try requireOwn(a); try requireOwn(b)
    return try withExtendedLifetime((a, b)) { () throws(Z3Error) -> Z3Term in
      try term(f(raw, a.raw, b.raw), what)
    }
  }

  private func nary(
    _ terms: [Z3Term], _ what: String,
    _ f: (Z3_context?, UInt32, UnsafePointer<Z3_ast?>?) -> Z3_ast?
  ) throws(Z3Error) -> Z3Term {
    for t in terms { try requireOwn(t) }
    let raws: [Z3_ast?] = terms.map { $0.raw }
    // `terms` keeps every handle alive until Z3 has built (and we retained) the result.
    return try withExtendedLifetime(terms) { () throws(Z3Error) -> Z3Term in
      let result = raws.withUnsafeBufferPointer { f(raw, UInt32($0.count), $0.baseAddress) }
      return try term(result, what)
    }
  }
}
