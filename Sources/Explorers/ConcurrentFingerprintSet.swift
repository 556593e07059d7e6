import CPrefetch
import Synchronization

/// The packed explorer's visited set: an open-addressing table of 64-bit
/// fingerprints (linear probing, power-of-two capacity) that several
/// workers insert into at once with compare-and-swap, no locks.
///
/// It stores fingerprints only (hash compaction, as TLC does): 8 bytes per
/// slot, no state ids; shortest paths are recovered by re-search, not by
/// parent links. The slot index comes from the fingerprint's low bits; 0
/// marks an empty slot (the pinned fingerprint is never 0). Growth happens
/// only between rounds, with no worker running.
public final class ConcurrentFingerprintSet: @unchecked Sendable {
  // Replaced only by `grow`, between rounds: no dynamic exclusivity checks.
  @exclusivity(unchecked) @usableFromInline var slots: UnsafeMutablePointer<Atomic<UInt64>>
  @exclusivity(unchecked) public private(set) var capacity: Int
  @exclusivity(unchecked) @usableFromInline var mask: Int
  /// Entries, as of the last `add(count:)` (workers count their own inserts).
  public private(set) var count = 0

  public init(capacity requested: Int) {
    var cap = 1 << 10
    while cap < requested { cap <<= 1 }
    capacity = cap
    mask = cap - 1
    slots = Self.allocate(cap)
  }

  deinit { slots.deallocate() }

  private static func allocate(_ n: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
    let p = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: n)
    for i in 0..<n { (p + i).initialize(to: Atomic(0)) }
    return p
  }

  public var memoryBytes: Int { capacity * 8 }
  public var load: Double { Double(count) / Double(capacity) }

  /// Asks the cache for `fp`'s first probe slot ahead of `insert`.
  @inlinable
  public func prefetch(_ fp: UInt64) {
    hmm_prefetch_write(UnsafeRawPointer(slots + (Int(truncatingIfNeeded: fp) & mask)))
  }

  /// Inserts `fp`; true if it was not present. Safe from several threads.
  @inlinable
  public func insert(_ fp: UInt64) -> Bool {
    var i = Int(truncatingIfNeeded: fp) & mask
    while true {
      // A plain load first: most probes find the state already there, and
      // need no locked instruction.
      let seen = slots[i].load(ordering: .relaxed)
      if seen == fp { return false }
      if seen == 0 {
        let (stored, old) = slots[i].compareExchange(expected: 0, desired: fp, ordering: .relaxed)
        if stored { return true }
        if old == fp { return false }
      }
      i = (i + 1) & mask
    }
  }

  /// Membership test (single-threaded use, or racing inserts tolerated).
  public func contains(_ fp: UInt64) -> Bool {
    var i = Int(truncatingIfNeeded: fp) & mask
    while true {
      let k = slots[i].load(ordering: .relaxed)
      if k == 0 { return false }
      if k == fp { return true }
      i = (i + 1) & mask
    }
  }

  /// Records `n` inserts made by workers since the last call.
  public func add(count n: Int) { count += n }

  /// Doubles the capacity and re-inserts every fingerprint. Call only when
  /// no worker is inserting.
  public func grow() {
    let old = slots, oldCap = capacity
    capacity *= 2
    mask = capacity - 1
    slots = Self.allocate(capacity)
    for i in 0..<oldCap {
      let fp = old[i].load(ordering: .relaxed)
      if fp != 0 { _ = insert(fp) }
    }
    old.deallocate()
  }
}
