import CheckerCore

/// The property language's types.
///
/// `index(D)` and `ref(D)` are kept apart on purpose: a quantifier variable
/// always denotes an element (`index`), while a reference-typed schema slot
/// may also be `none` (`ref`, stored as element + 1). Keeping the distinction
/// lets the checker insert the `+ 1` and the `none` row itself instead of
/// leaving off-by-one traps to the property author.
public enum PropType: Hashable, Sendable, CustomStringConvertible {
  case bool
  case int
  /// An enum type of the schema, by name (`pte_kind`).
  case enumeration(String)
  /// An element of a domain: quantifier variables, element constants.
  case index(String)
  /// An element of a domain or `none`.
  case ref(String)
  /// A value of a data-independent class of the schema (`seq`, `version`):
  /// it may be compared (`==`, `!=`, `<`, `<=`, ...) with a value of its
  /// class or a pinned constant (0; with parity also 1), and nothing else.
  /// The explorers rename such values canonically (`ValueRenaming`), which
  /// keeps exactly those relations, so a property using only them has the
  /// same truth value on a renamed state as on the kernel's.
  case counter(String)

  public var description: String {
    switch self {
    case .bool: return "bool"
    case .int: return "int"
    case .enumeration(let t): return "enum(\(t))"
    case .index(let d): return "index(\(d))"
    case .ref(let d): return "ref(\(d))"
    case .counter(let c): return c
    }
  }

  /// The language type of a schema slot type.
  public init(_ valueType: Schema.ValueType) {
    switch valueType {
    case .bool: self = .bool
    case .int: self = .int
    case .enumeration(let name, _): self = .enumeration(name)
    case .reference(let d): self = .ref(d)
    }
  }

  /// The domain of an `index` or `ref` type.
  var domain: String? {
    switch self {
    case .index(let d), .ref(let d): return d
    default: return nil
    }
  }

  /// Whether a value of type `self` may be used where `expected` is wanted:
  /// equal types, or an element where an element-or-none is wanted.
  func converts(to expected: PropType) -> Bool {
    if self == expected { return true }
    if case .index(let d) = self, case .ref(let e) = expected { return d == e }
    return false
  }

  /// The type both branches of an `if` (or both sides of `==`) share, if any.
  func join(_ other: PropType) -> PropType? {
    if self == other { return self }
    if converts(to: other) { return other }
    if other.converts(to: self) { return self }
    return nil
  }
}
