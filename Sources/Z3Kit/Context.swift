import CZ3

/// Owns one Z3 context. Every sort, term, solver and model keeps a strong reference
/// to its context, so the context is deleted only after the last of them.
///
/// Z3 contexts are not thread-safe: use a context (and everything made from it) from
/// one task at a time. The only exception is ``interrupt()``, which Z3 allows from any
/// thread; that is why the class is `@unchecked Sendable`.
public final class Z3Context: @unchecked Sendable {
  /// The raw handle, for code that must call the C API directly.
  public let raw: Z3_context

  // Cached sorts, inc_ref'd in init and dec_ref'd in deinit. Kept raw (not as
  // Z3Sort) so the context does not form a retain cycle with its own sorts.
  let rawIntSort: Z3_sort
  let rawBoolSort: Z3_sort

  /// Creates a reference-counted context (`Z3_mk_context_rc`) with the error handler
  /// removed, so failing calls return and leave an error code we turn into `Z3Error`.
  public init() throws(Z3Error) {
    guard let cfg = Z3_mk_config() else {
      throw Z3Error(code: .memoryOut, message: "Z3_mk_config returned nil")
    }
    defer { Z3_del_config(cfg) }
    guard let ctx = Z3_mk_context_rc(cfg) else {
      throw Z3Error(code: .memoryOut, message: "Z3_mk_context_rc returned nil")
    }
    // Must happen before any other call: the default handler exits the process.
    Z3_set_error_handler(ctx, nil)
    guard let i = Z3_mk_int_sort(ctx), let b = Z3_mk_bool_sort(ctx) else {
      Z3_del_context(ctx)
      throw Z3Error(code: .internalFatal, message: "could not create Int/Bool sorts")
    }
    Z3_inc_ref(ctx, Z3_sort_to_ast(ctx, i))
    Z3_inc_ref(ctx, Z3_sort_to_ast(ctx, b))
    raw = ctx
    rawIntSort = i
    rawBoolSort = b
  }

  deinit {
    Z3_dec_ref(raw, Z3_sort_to_ast(raw, rawIntSort))
    Z3_dec_ref(raw, Z3_sort_to_ast(raw, rawBoolSort))
    Z3_del_context(raw)
  }

  /// Full Z3 version, e.g. "4.8.12.0", for `--version` output and bug reports.
  public static let version: String = String(cString: Z3_get_full_version())

  /// Numeric version, for feature checks.
  public static var versionNumbers: (major: Int, minor: Int, build: Int, revision: Int) {
    var major: UInt32 = 0, minor: UInt32 = 0, build: UInt32 = 0, revision: UInt32 = 0
    Z3_get_version(&major, &minor, &build, &revision)
    return (Int(major), Int(minor), Int(build), Int(revision))
  }

  /// Cancels whatever this context is running (a `check` returns `.unknown`). Safe to
  /// call from any thread, e.g. a task-cancellation handler or a watchdog. Not sticky:
  /// an interrupt while nothing runs is lost, and later checks run normally.
  public func interrupt() {
    Z3_interrupt(raw)
  }

  // MARK: - Error plumbing

  /// Throws the pending Z3 error, if any. Called after every C call that can fail.
  @inline(__always)
  func checkError() throws(Z3Error) {
    let code = Z3_get_error_code(raw)
    if code != Z3_OK { throw makeError(code) }
  }

  func makeError(_ code: Z3_error_code) -> Z3Error {
    let msg = Z3_get_error_msg(raw, code).map { String(cString: $0) } ?? "unknown error"
    // Clear the sticky code so a later successful-but-unchecked call is not blamed.
    Z3_set_error(raw, Z3_OK)
    return Z3Error(code: .init(code), message: msg)
  }

  /// Checks the error code and that Z3 returned a handle; wraps the whole "call then
  /// verify" pattern so no constructor forgets either half.
  @inline(__always)
  func checked<T>(_ value: T?, _ what: @autoclosure () -> String) throws(Z3Error) -> T {
    try checkError()
    guard let value else {
      throw Z3Error(code: .exception, message: "\(what()) returned nil")
    }
    return value
  }

  /// Mixing contexts is undefined behaviour in Z3 (usually a crash), so we refuse it.
  @inline(__always)
  func requireOwn(_ term: Z3Term) throws(Z3Error) {
    guard term.context === self else {
      throw Z3Error(code: .invalidArgument, message: "term \(term) belongs to a different Z3Context")
    }
  }

  @inline(__always)
  func requireOwn(_ sort: Z3Sort) throws(Z3Error) {
    guard sort.context === self else {
      throw Z3Error(code: .invalidArgument, message: "sort \(sort) belongs to a different Z3Context")
    }
  }

  @inline(__always)
  func requireOwn(_ params: Z3Params) throws(Z3Error) {
    guard params.context === self else {
      throw Z3Error(code: .invalidArgument, message: "params belong to a different Z3Context")
    }
  }

  /// Wraps a freshly built AST (refcount 0 in an rc context) so it survives the next call.
  @inline(__always)
  func term(_ ast: Z3_ast?, _ what: @autoclosure () -> String) throws(Z3Error) -> Z3Term {
    Z3Term(context: self, retaining: try checked(ast, what()))
  }
}
