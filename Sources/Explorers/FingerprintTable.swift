import CPrefetch

/// The visited set: an open-addressing table of 64-bit fingerprints (linear
/// probing, power-of-two capacity) mapping each to a dense state id.
///
/// Fingerprints come from the pinned hash, never 0 (0 marks an empty slot),
/// so the table's behaviour is identical on every run. Storing fingerprints
/// instead of states is hash compaction: two distinct states with the same
/// fingerprint would be merged; the report states that probability. A
/// fingerprint and its id share one 16-byte entry: a probe touches one
/// cache line.
public struct FingerprintTable: Sendable {
  @usableFromInline struct Entry: Sendable {
    @usableFromInline var fp: UInt64
    @usableFromInline var id: Int32
    @usableFromInline init(fp: UInt64, id: Int32) {
      self.fp = fp
      self.id = id
    }
  }
  @usableFromInline var entries: [Entry]
  @usableFromInline var mask: Int
  @usableFromInline var _count = 0
  public var count: Int { _count }

  public init(capacity: Int = 1 << 16) {
    var cap = 16
    while cap < capacity * 4 / 3 { cap <<= 1 }
    entries = Array(repeating: Entry(fp: 0, id: 0), count: cap)
    mask = cap - 1
  }

  /// Bytes held by the table.
  public var memoryBytes: Int { entries.count * MemoryLayout<Entry>.stride }

  /// Inserts `fp` with `id` unless present; returns the existing id if it was.
  @inlinable
  public mutating func insert(_ fp: UInt64, id: Int32) -> Int32? {
    if (_count + 1) * 4 > entries.count * 3 { grow() }
    return insertNoGrow(fp, id: id)
  }

  @inlinable
  mutating func insertNoGrow(_ fp: UInt64, id: Int32) -> Int32? {
    let m = mask
    let found: Int32? = entries.withUnsafeMutableBufferPointer { e in
      var i = Int(truncatingIfNeeded: fp) & m
      while true {
        let k = e[i].fp
        if k == 0 {
          e[i] = Entry(fp: fp, id: id)
          return nil
        }
        if k == fp { return e[i].id }
        i = (i + 1) & m
      }
    }
    if found == nil { _count += 1 }
    return found
  }

  public func lookup(_ fp: UInt64) -> Int32? {
    entries.withUnsafeBufferPointer { e in
      var i = Int(truncatingIfNeeded: fp) & mask
      while true {
        let k = e[i].fp
        if k == 0 { return nil }
        if k == fp { return e[i].id }
        i = (i + 1) & mask
      }
    }
  }

  /// Brings the entry `fp` hashes to into the cache ahead of its probe.
  public func prefetch(_ fp: UInt64) {
    entries.withUnsafeBufferPointer { e in
      hmm_prefetch_write(UnsafeRawPointer(e.baseAddress! + (Int(truncatingIfNeeded: fp) & mask)))
    }
  }

  @usableFromInline
  mutating func grow() {
    let old = entries
    entries = Array(repeating: Entry(fp: 0, id: 0), count: old.count * 2)
    mask = entries.count - 1
    _count = 0
    for e in old where e.fp != 0 { _ = insertNoGrow(e.fp, id: e.id) }
  }

  /// Probability that at least two of `n` distinct states share a 64-bit
  /// fingerprint (birthday bound n^2 / 2^65), as TLC reports it.
  public static func collisionProbability(states n: Int) -> Double {
    let x = Double(n)
    return min(1, x * x / 36_893_488_147_419_103_232.0)
  }
}
