import CZ3

/// A satisfying assignment from the last `sat` check. Independent of later solver
/// calls (Z3 models are immutable), so a counterexample can be read after `pop`.
/// Reference counted with `Z3_model_inc_ref`/`dec_ref`.
public final class Z3Model: CustomStringConvertible {
  public let context: Z3Context
  public let raw: Z3_model

  init(context: Z3Context, retaining raw: Z3_model) {
    self.context = context
    self.raw = raw
    Z3_model_inc_ref(context.raw, raw)
  }

  deinit {
    Z3_model_dec_ref(context.raw, raw)
  }

  /// Evaluates `term` in the model. With `completion` (the default), variables the
  /// model leaves unconstrained get a default value, so the result is always a literal
  /// for Int/Bool terms; without it such variables stay symbolic. Z3 records completed
  /// defaults in the model, so later evaluations agree with earlier ones.
  public func eval(_ term: Z3Term, completion: Bool = true) throws(Z3Error) -> Z3Term {
    try context.requireOwn(term)
    var out: Z3_ast? = nil
    let ok = withExtendedLifetime(term) { Z3_model_eval(context.raw, raw, term.raw, completion, &out) }
    try context.checkError()
    guard ok, let out else {
      throw Z3Error(code: .invalidArgument, message: "model evaluation of \(term) failed")
    }
    return Z3Term(context: context, retaining: out)
  }

  /// The integer value of `term` (completed). Throws if it is not an Int term or the
  /// value does not fit in `Int`.
  public func intValue(of term: Z3Term) throws(Z3Error) -> Int {
    let v = try eval(term, completion: true)
    guard let i = v.intLiteral else {
      throw Z3Error(code: .invalidArgument, message: "\(term) evaluates to \(v), not an Int that fits in 64 bits")
    }
    return i
  }

  /// The boolean value of `term` (completed). Throws if it is not a Bool term.
  public func boolValue(of term: Z3Term) throws(Z3Error) -> Bool {
    let v = try eval(term, completion: true)
    guard let b = v.boolLiteral else {
      throw Z3Error(code: .invalidArgument, message: "\(term) evaluates to \(v), not a Bool literal")
    }
    return b
  }

  /// Z3's rendering of the assignment, for debugging.
  public var description: String {
    Z3_model_to_string(context.raw, raw).map { String(cString: $0) } ?? "<model>"
  }
}
