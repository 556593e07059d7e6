/// The project's pinned random generator (Steele, Lea and Flood's SplitMix64,
/// as in Vigna's reference `splitmix64.c`).
///
/// Every random choice any engine makes flows through this generator, so a
/// seed fully determines a run on any machine and Swift release. A test
/// vector pins the algorithm.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable, Codable {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return Fingerprint.mix(state)
  }

  /// Uniform in `0..<n` by Lemire's multiply-shift with rejection, written
  /// out here so that it cannot change with the standard library.
  public mutating func below(_ n: Int) -> Int {
    precondition(n > 0)
    let bound = UInt64(n)
    var m = next().multipliedFullWidth(by: bound)
    if m.low < bound {
      let threshold = (0 &- bound) % bound
      while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
    }
    return Int(m.high)
  }

  /// A generator for a derived stream (walk k of seed s), so walks are
  /// independent of how many random numbers earlier walks consumed.
  public static func stream(seed: UInt64, index: UInt64) -> SplitMix64 {
    SplitMix64(seed: Fingerprint.mix(seed ^ Fingerprint.mix(index &+ 0x2545_F491_4F6C_DD1D)))
  }
}
