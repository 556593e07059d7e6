import CZ3

/// A Z3 sort (type). Its own Swift type because every Z3 handle imports as
/// `OpaquePointer`, and mixing a sort up with a term is a crash, not a type error.
///
/// Holds its context and one Z3 reference (`Z3_inc_ref` on the sort's AST) for its lifetime.
public final class Z3Sort: Hashable, CustomStringConvertible {
  /// The context this sort belongs to; kept strong so the context outlives the sort.
  public let context: Z3Context
  /// The raw handle, for code that must call the C API directly.
  public let raw: Z3_sort

  /// Takes a new reference on `raw`; callers pass handles fresh from Z3.
  init(context: Z3Context, retaining raw: Z3_sort) {
    self.context = context
    self.raw = raw
    Z3_inc_ref(context.raw, Z3_sort_to_ast(context.raw, raw))
  }

  deinit {
    Z3_dec_ref(context.raw, Z3_sort_to_ast(context.raw, raw))
  }

  /// The sorts an integer/boolean encoder cares about; anything else is `.other`.
  public enum Kind: Sendable, Equatable {
    case bool, int, real, other
  }

  public var kind: Kind {
    switch Z3_get_sort_kind(context.raw, raw) {
    case Z3_BOOL_SORT: .bool
    case Z3_INT_SORT: .int
    case Z3_REAL_SORT: .real
    default: .other
    }
  }

  /// Z3 hash-conses sorts, so handle identity is structural equality.
  public static func == (lhs: Z3Sort, rhs: Z3Sort) -> Bool {
    lhs.raw == rhs.raw && lhs.context === rhs.context
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(raw) }

  public var description: String {
    // Z3 owns the returned buffer only until the next call: copy at once.
    Z3_sort_to_string(context.raw, raw).map { String(cString: $0) } ?? "<sort>"
  }
}

extension Z3Context {
  /// The integer sort (mathematical integers, not machine words).
  public var intSort: Z3Sort { Z3Sort(context: self, retaining: rawIntSort) }
  /// The boolean sort.
  public var boolSort: Z3Sort { Z3Sort(context: self, retaining: rawBoolSort) }
}
