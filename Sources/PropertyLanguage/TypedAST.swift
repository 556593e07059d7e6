/// The type checker's output: names resolved, constants encoded, implicit
/// conversions made explicit. Lowering and the explainer both walk this one
/// tree, which is what keeps the symbolic and the concrete readings equal.
struct TypedExpr: Sendable {
  indirect enum Node: Sendable {
    /// A value in slot encoding: bool 0/1, int, enum case number, element
    /// number (for `index`), 0 = none / k = element k-1 (for `ref`).
    case constant(Int)
    /// A quantifier variable or def parameter.
    case bound(String)
    /// A schema variable (index into `Schema.variables`); every subscript has
    /// type `index(D)` or `ref(D)` for its dimension's domain `D`.
    case variable(Int, subscripts: [TypedExpr])
    /// A def call (index into `CheckedSuite.definitions`).
    case call(Int, arguments: [TypedExpr])
    case not(TypedExpr)
    case and([TypedExpr])
    case or([TypedExpr])
    case implies(TypedExpr, TypedExpr)
    /// Operands already share one encoding (an `index` compared with a
    /// `ref` has been wrapped in `toRef`).
    case compare(BinaryOperator, TypedExpr, TypedExpr)
    case arithmetic(BinaryOperator, TypedExpr, TypedExpr)
    case negate(TypedExpr)
    case ite(TypedExpr, TypedExpr, TypedExpr)
    case quantifier(Quantifier, binders: [TypedBinder], filter: TypedExpr?, body: TypedExpr)
    case next(TypedExpr)
    case event(String)
    /// `index(D)` used as `ref(D)`: element k becomes k + 1.
    case toRef(TypedExpr)
    /// `at(t, "...")`: `pcs[k]` are the program points of thread k that
    /// match, resolved against the model when the suite is checked.
    case at(TypedExpr, pcs: [[Int]])
    /// `odd(x)` for a value of a class whose parity is observed (the low
    /// bit a renaming keeps); `maxValue` bounds the class's values.
    case odd(TypedExpr, maxValue: Int)
  }

  var node: Node
  var type: PropType
  var range: SourceRange
}

struct TypedBinder: Sendable {
  var name: String
  var domain: String
  var size: Int
}

struct CheckedDefinition: Sendable {
  var declaration: Definition
  var parameters: [(name: String, type: PropType)]
  var returnType: PropType
  var body: TypedExpr
}

struct CheckedProperty: Sendable {
  var declaration: PropertyDeclaration
  var expr: TypedExpr
  var target: TypedExpr? = nil
  /// Uses `next` or `event`, directly or through a def.
  var isStep: Bool
}

/// A whole suite after type checking.
struct CheckedSuite: Sendable {
  var suite: PropertySuite
  var definitions: [CheckedDefinition]
  var properties: [CheckedProperty]
}

extension TypedExpr {
  /// Pre-order walk that also descends into called defs' bodies, so step
  /// detection sees through macros.
  func usesStep(_ defs: [CheckedDefinition]) -> Bool {
    switch node {
    case .next, .event: return true
    case .constant, .bound: return false
    case .variable(_, let subs): return subs.contains { $0.usesStep(defs) }
    case .call(let d, let args):
      return args.contains { $0.usesStep(defs) } || defs[d].body.usesStep(defs)
    case .not(let a), .negate(let a), .toRef(let a), .at(let a, _), .odd(let a, _): return a.usesStep(defs)
    case .and(let xs), .or(let xs): return xs.contains { $0.usesStep(defs) }
    case .implies(let a, let b), .compare(_, let a, let b), .arithmetic(_, let a, let b):
      return a.usesStep(defs) || b.usesStep(defs)
    case .ite(let c, let a, let b): return c.usesStep(defs) || a.usesStep(defs) || b.usesStep(defs)
    case .quantifier(_, _, let f, let body): return (f?.usesStep(defs) ?? false) || body.usesStep(defs)
    }
  }
}
