import CZ3

/// A Z3 parameter set (`Z3_params`), e.g. `timeout` or `random_seed`, applied to a
/// solver with `Z3Solver.set(_:)`. Reference counted with `Z3_params_inc_ref`/`dec_ref`.
public final class Z3Params {
  public let context: Z3Context
  public let raw: Z3_params

  public init(context: Z3Context) throws(Z3Error) {
    let p = try context.checked(Z3_mk_params(context.raw), "Z3_mk_params")
    self.context = context
    self.raw = p
    Z3_params_inc_ref(context.raw, p)
  }

  deinit {
    Z3_params_dec_ref(context.raw, raw)
  }

  public func set(_ name: String, _ value: UInt32) throws(Z3Error) {
    Z3_params_set_uint(context.raw, raw, try symbol(name), value)
    try context.checkError()
  }

  public func set(_ name: String, _ value: Bool) throws(Z3Error) {
    Z3_params_set_bool(context.raw, raw, try symbol(name), value)
    try context.checkError()
  }

  public func set(_ name: String, _ value: Double) throws(Z3Error) {
    Z3_params_set_double(context.raw, raw, try symbol(name), value)
    try context.checkError()
  }

  /// Symbol-valued parameter (e.g. `"logic"`).
  public func set(_ name: String, symbol value: String) throws(Z3Error) {
    Z3_params_set_symbol(context.raw, raw, try symbol(name), try symbol(value))
    try context.checkError()
  }

  private func symbol(_ s: String) throws(Z3Error) -> Z3_symbol {
    try context.checked(Z3_mk_string_symbol(context.raw, s), "Z3_mk_string_symbol")
  }
}
