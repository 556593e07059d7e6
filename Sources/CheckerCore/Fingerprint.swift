/// The pinned state fingerprint: a word-at-a-time multiply-xorshift hash with
/// the SplitMix64 finalizer.
///
/// Pinned on purpose: Swift's `Hasher` is seeded per process, which would
/// make visited-set behaviour, symmetry representatives and any order derived
/// from hashes differ between runs. Changing this function changes golden
/// fingerprints in traces; a test vector guards it.
public enum Fingerprint {
  public static let seed: UInt64 = 0x6A09_E667_F3BC_C909

  @inlinable
  public static func mix(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The last `count` (< 8) bytes as a little-endian word.
  @inlinable
  static func tail(_ p: UnsafePointer<UInt8>, count: Int) -> UInt64 {
    var w: UInt64 = 0
    for j in 0..<count { w |= UInt64(p[j]) << UInt64(8 * j) }
    return w
  }

  /// Fingerprint of a byte vector. Never returns 0, so 0 can mark an empty
  /// slot in open-addressing tables.
  @inlinable
  public static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h = seed ^ UInt64(bytes.count)
    var i = 0
    let n = bytes.count
    while i + 8 <= n {
      let w = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
      h = (h ^ UInt64(littleEndian: w)) &* 0x9E37_79B9_7F4A_7C15
      h ^= h >> 32
      i += 8
    }
    if i < n {
      h = (h ^ tail(bytes.baseAddress! + i, count: n - i)) &* 0x9E37_79B9_7F4A_7C15
      h ^= h >> 32
    }
    let f = mix(h)
    return f == 0 ? 1 : f
  }

  public static func of(_ bytes: [UInt8]) -> UInt64 {
    bytes.withUnsafeBufferPointer { of($0) }
  }

  /// Fingerprint of a state vector for the packed explorer's visited set:
  /// four independent multiply-xorshift lanes over 32-byte strides, so the
  /// multiplies overlap instead of forming one chain (`of` is one chain of
  /// dependent multiplies, a fifth of the explorer's time on 300-byte
  /// states). Pinned like `of`; never 0.
  @inlinable
  public static func ofState(_ bytes: UnsafePointer<UInt8>, count n: Int) -> UInt64 {
    let k: UInt64 = 0x9E37_79B9_7F4A_7C15
    var a = seed ^ UInt64(n), b = seed &+ 0x243F_6A88_85A3_08D3, c = seed &+ 0x1319_8A2E_0370_7344
    var d = seed &+ 0xA409_3822_299F_31D0
    let raw = UnsafeRawPointer(bytes)
    var i = 0
    while i + 32 <= n {
      a = (a ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* k
      b = (b ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))) &* k
      c = (c ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))) &* k
      d = (d ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))) &* k
      a ^= a >> 32
      b ^= b >> 32
      c ^= c >> 32
      d ^= d >> 32
      i += 32
    }
    while i + 8 <= n {
      a = (a ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* k
      a ^= a >> 32
      i += 8
    }
    if i < n {
      b = (b ^ tail(bytes + i, count: n - i)) &* k
      b ^= b >> 32
    }
    let f = mix(mix(mix(mix(a) ^ b) ^ c) ^ d)
    return f == 0 ? 1 : f
  }
}
