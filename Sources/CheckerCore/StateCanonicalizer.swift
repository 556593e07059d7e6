/// A symmetry reduction as the packed explorer sees it: rewrite a state (raw
/// slot bytes) into the canonical representative of its orbit. The explorer
/// knows nothing of what is permuted (devices, pages); the model decides.
///
/// Sound only if the model and every checked property are invariant under
/// the permutations; whoever builds the canonicalizer checks that.
public protocol StateCanonicalizer: Sendable {
  /// Bytes of scratch `canonicalize` may use.
  var scratchBytes: Int { get }
  /// Number of permutations in the group (for reports).
  var groupOrder: Int { get }
  func canonicalize(_ state: UnsafeMutablePointer<UInt8>, scratch: UnsafeMutablePointer<UInt8>)
}
