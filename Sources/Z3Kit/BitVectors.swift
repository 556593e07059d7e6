import CZ3

/// Fixed-width bit-vectors: the encoding the symbolic engines use for
/// model-checker state, whose slots are small unsigned integers. Bit-blasted
/// to SAT, bounded model checking of such systems is far cheaper than the
/// same problem over linear integer arithmetic.
extension Z3Context {
  public func bvSort(_ bits: Int) throws(Z3Error) -> Z3Sort {
    let s = try checked(Z3_mk_bv_sort(raw, UInt32(bits)), "Z3_mk_bv_sort")
    return Z3Sort(context: self, retaining: s)
  }

  /// Unsigned numeral of `bits` bits (taken modulo 2^bits).
  public func bv(_ value: Int, bits: Int) throws(Z3Error) -> Z3Term {
    let s = try bvSort(bits)
    let masked = bits >= 64 ? UInt64(bitPattern: Int64(value)) : UInt64(bitPattern: Int64(value)) & ((1 << UInt64(bits)) - 1)
    return try withExtendedLifetime(s) { () throws(Z3Error) -> Z3Term in
      try term(Z3_mk_unsigned_int64(raw, masked, s.raw), "Z3_mk_unsigned_int64")
    }
  }

  public func bvVar(_ name: String, bits: Int) throws(Z3Error) -> Z3Term {
    try variable(name, sort: bvSort(bits))
  }

  public func bvAdd(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term { try binary(a, b, "Z3_mk_bvadd", Z3_mk_bvadd) }
  public func bvSub(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term { try binary(a, b, "Z3_mk_bvsub", Z3_mk_bvsub) }
  public func bvMul(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term { try binary(a, b, "Z3_mk_bvmul", Z3_mk_bvmul) }
  /// Unsigned quotient and remainder (a value's key and parity bit).
  public func bvUDiv(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term { try binary(a, b, "Z3_mk_bvudiv", Z3_mk_bvudiv) }
  public func bvURem(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term { try binary(a, b, "Z3_mk_bvurem", Z3_mk_bvurem) }
  /// Signed comparisons: expressions may go negative (a - b) inside the
  /// model's arithmetic, as they do in the concrete evaluator's Ints.
  public func bvSLT(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term { try binary(a, b, "Z3_mk_bvslt", Z3_mk_bvslt) }
  public func bvSLE(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term { try binary(a, b, "Z3_mk_bvsle", Z3_mk_bvsle) }
  public func bvULT(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term { try binary(a, b, "Z3_mk_bvult", Z3_mk_bvult) }
  public func bvULE(_ a: Z3Term, _ b: Z3Term) throws(Z3Error) -> Z3Term { try binary(a, b, "Z3_mk_bvule", Z3_mk_bvule) }
}

extension Z3Term {
  /// The unsigned value of a bit-vector numeral.
  public var bvLiteral: UInt64? {
    guard Z3_is_numeral_ast(context.raw, raw) else { return nil }
    var v: UInt64 = 0
    guard Z3_get_numeral_uint64(context.raw, raw, &v) else { return nil }
    return v
  }
}

extension Z3Model {
  /// The unsigned value of a bit-vector term (completed).
  public func bvValue(of term: Z3Term) throws(Z3Error) -> UInt64 {
    let v = try eval(term, completion: true)
    guard let x = v.bvLiteral else {
      throw Z3Error(code: .invalidArgument, message: "\(term) evaluates to \(v), not a bit-vector numeral")
    }
    return x
  }
}
