/// The visited set: an open-addressing table of 64-bit fingerprints (linear
/// probing, power-of-two capacity) mapping each to a dense state id.
///
/// Fingerprints come from the pinned hash, never 0 (0 marks an empty slot),
/// so the table's behaviour is identical on every run. Storing fingerprints
/// instead of states is hash compaction: two distinct states with the same
/// fingerprint would be merged; the report states that probability.
public struct FingerprintTable: Sendable {
  @usableFromInline var keys: [UInt64]
  @usableFromInline var ids: [Int32]
  @usableFromInline var mask: Int
  @usableFromInline var _count = 0
  public var count: Int { _count }

  public init(capacity: Int = 1 << 16) {
    var cap = 16
    while cap < capacity * 4 / 3 { cap <<= 1 }
    keys = Array(repeating: 0, count: cap)
    ids = Array(repeating: 0, count: cap)
    mask = cap - 1
  }

  /// Bytes held by the table.
  public var memoryBytes: Int { keys.count * 12 }

  /// Inserts `fp` with `id` unless present; returns the existing id if it was.
  @inlinable
  public mutating func insert(_ fp: UInt64, id: Int32) -> Int32? {
    if (_count + 1) * 4 > keys.count * 3 { grow() }
    return insertNoGrow(fp, id: id)
  }

  @usableFromInline
  mutating func insertNoGrow(_ fp: UInt64, id: Int32) -> Int32? {
    var i = Int(truncatingIfNeeded: fp) & mask
    while true {
      let k = keys[i]
      if k == 0 {
        keys[i] = fp
        ids[i] = id
        _count += 1
        return nil
      }
      if k == fp { return ids[i] }
      i = (i + 1) & mask
    }
  }

  public func lookup(_ fp: UInt64) -> Int32? {
    var i = Int(truncatingIfNeeded: fp) & mask
    while true {
      let k = keys[i]
      if k == 0 { return nil }
      if k == fp { return ids[i] }
      i = (i + 1) & mask
    }
  }

  @usableFromInline
  mutating func grow() {
    let oldKeys = keys, oldIds = ids
    keys = Array(repeating: 0, count: oldKeys.count * 2)
    ids = Array(repeating: 0, count: oldKeys.count * 2)
    mask = keys.count - 1
    _count = 0
    for i in 0..<oldKeys.count where oldKeys[i] != 0 { _ = insertNoGrow(oldKeys[i], id: oldIds[i]) }
  }

  /// Probability that at least two of `n` distinct states share a 64-bit
  /// fingerprint (birthday bound n^2 / 2^65), as TLC reports it.
  public static func collisionProbability(states n: Int) -> Double {
    let x = Double(n)
    return min(1, x * x / 36_893_488_147_419_103_232.0)
  }
}
