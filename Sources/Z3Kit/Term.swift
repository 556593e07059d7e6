import CZ3

/// A Z3 term (AST of a non-sort kind). A class so the reference count is tied to
/// Swift's lifetime: `Z3_inc_ref` in init, `Z3_dec_ref` in deinit.
///
/// `==`/`hash` mean *the same Z3 node*. Z3 hash-conses ASTs, so that is structural
/// identity, which makes terms usable as dictionary keys (e.g. caching encodings).
/// Building the SMT equality is `Z3Context.eq(_:_:)`, never `==`.
///
/// Not `Sendable`: Z3 reference counting is not thread-safe, so terms stay in the
/// task that owns their context.
public final class Z3Term: Hashable, CustomStringConvertible {
  /// The context this term belongs to; kept strong so the context outlives the term.
  public let context: Z3Context
  /// The raw handle, for code that must call the C API directly.
  public let raw: Z3_ast

  /// Takes a new reference on `raw`; callers pass handles fresh from Z3.
  init(context: Z3Context, retaining raw: Z3_ast) {
    self.context = context
    self.raw = raw
    Z3_inc_ref(context.raw, raw)
  }

  deinit {
    Z3_dec_ref(context.raw, raw)
  }

  public static func == (lhs: Z3Term, rhs: Z3Term) -> Bool {
    lhs.raw == rhs.raw && lhs.context === rhs.context
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(raw) }

  /// Z3's unique id of this node within its context (stable while the term is alive).
  public var id: UInt32 { Z3_get_ast_id(context.raw, raw) }

  /// The term's sort. Cannot fail for a live term of our own making.
  public var sort: Z3Sort {
    Z3Sort(context: context, retaining: Z3_get_sort(context.raw, raw))
  }

  public var isBool: Bool { Z3_get_sort_kind(context.raw, Z3_get_sort(context.raw, raw)) == Z3_BOOL_SORT }
  public var isInt: Bool { Z3_get_sort_kind(context.raw, Z3_get_sort(context.raw, raw)) == Z3_INT_SORT }

  /// The value if this term is an integer numeral that fits in `Int`, else nil.
  /// Useful on model evaluations and after `simplify`.
  public var intLiteral: Int? {
    guard Z3_is_numeral_ast(context.raw, raw), isInt else { return nil }
    var v: Int64 = 0
    guard Z3_get_numeral_int64(context.raw, raw, &v) else { return nil }
    return Int(v)
  }

  /// The value if this term is literally `true` or `false`, else nil.
  public var boolLiteral: Bool? {
    switch Z3_get_bool_value(context.raw, raw) {
    case Z3_L_TRUE: true
    case Z3_L_FALSE: false
    default: nil
    }
  }

  /// SMT-LIB rendering, for debugging and counterexample dumps.
  public var description: String {
    // Z3 owns the returned buffer only until the next call: copy at once.
    Z3_ast_to_string(context.raw, raw).map { String(cString: $0) } ?? "<term>"
  }
}
