import CheckerCore
import Explorers
import Testing

@Suite struct FingerprintTableTests {
  /// Distinct nonzero fingerprints, as the pinned hash produces them.
  static func fp(_ i: Int) -> UInt64 { Fingerprint.of(withUnsafeBytes(of: UInt64(i).littleEndian) { Array($0) }) }

  @Test func insertAndLookup() {
    var t = FingerprintTable(capacity: 4)
    #expect(t.count == 0)
    #expect(t.lookup(Self.fp(1)) == nil)
    #expect(t.insert(Self.fp(1), id: 0) == nil, "new")
    #expect(t.insert(Self.fp(2), id: 1) == nil)
    #expect(t.insert(Self.fp(1), id: 7) == 0, "present: the existing id, unchanged")
    #expect(t.lookup(Self.fp(1)) == 0)
    #expect(t.lookup(Self.fp(2)) == 1)
    #expect(t.lookup(Self.fp(3)) == nil)
    #expect(t.count == 2)
  }

  @Test func collidingSlotsProbe() {
    // Fingerprints equal modulo the capacity land in the same slot: linear
    // probing keeps them apart.
    var t = FingerprintTable(capacity: 4)
    let keys: [UInt64] = [16, 32, 48, 64, 17]
    for (i, k) in keys.enumerated() { #expect(t.insert(k, id: Int32(i)) == nil) }
    for (i, k) in keys.enumerated() { #expect(t.lookup(k) == Int32(i)) }
    #expect(t.lookup(80) == nil)
  }

  @Test func growsAndKeepsEveryEntry() {
    var t = FingerprintTable(capacity: 4)
    let initialBytes = t.memoryBytes
    let n = 50_000
    for i in 0..<n { #expect(t.insert(Self.fp(i), id: Int32(i)) == nil) }
    #expect(t.count == n)
    #expect(t.memoryBytes > initialBytes)
    #expect(t.memoryBytes >= n * 12, "load factor at most 3/4")
    var wrong = 0
    for i in 0..<n where t.lookup(Self.fp(i)) != Int32(i) { wrong += 1 }
    #expect(wrong == 0)
    for i in n..<(n + 1000) where t.lookup(Self.fp(i)) != nil { wrong += 1 }
    #expect(wrong == 0)
    for i in stride(from: 0, to: n, by: 97) { #expect(t.insert(Self.fp(i), id: -1) == Int32(i)) }
    #expect(t.count == n)
  }

  @Test func collisionProbabilityIsMonotone() {
    let ns = [0, 1, 10, 1000, 1 << 20, 1 << 30, 1 << 32, 1 << 33, 1 << 40, Int.max / 2]
    let ps = ns.map { FingerprintTable.collisionProbability(states: $0) }
    #expect(ps[0] == 0)
    for (a, b) in zip(ps, ps.dropFirst()) { #expect(a <= b) }
    #expect(ps.allSatisfy { $0 >= 0 && $0 <= 1 })
    #expect(ps.last == 1, "capped at 1")
    // The birthday bound n^2 / 2^65: a million states ~ 2.7e-8.
    let million = FingerprintTable.collisionProbability(states: 1_000_000)
    #expect(million > 2.7e-8 && million < 2.72e-8)
  }
}
