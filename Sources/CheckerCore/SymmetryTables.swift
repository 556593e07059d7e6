// The concrete half of a `StateSymmetry`: flat per-element tables and the
// canonicalisation kernel the packed explorer calls on every successor.

/// The flat tables of a symmetry, allocated once and never mutated after
/// `StateSymmetry.init` returns (hence `@unchecked Sendable`).
@usableFromInline
final class SymmetryTables: @unchecked Sendable {
  @usableFromInline let n: Int
  @usableFromInline let order: Int
  @usableFromInline let domainCount: Int
  /// `perms[e * n + s]`: where element e moves slot s.
  @usableFromInline let perms: UnsafeMutablePointer<Int32>
  /// `tables[(e * domainCount + r) * 256 + v]`.
  @usableFromInline let tables: UnsafeMutablePointer<UInt8>
  @usableFromInline let slotDom: UnsafeMutablePointer<UInt8>
  /// `classID[r * 256 + v]`: orbit class of value v in domain r.
  @usableFromInline let classID: UnsafeMutablePointer<UInt16>
  /// All blocks' slots, group after group, block after block.
  @usableFromInline let blockSlots: UnsafeMutablePointer<Int32>
  @usableFromInline let groupCount: Int
  /// Per group: block count, block length, offset in blockSlots, element stride.
  @usableFromInline let gBlocks: UnsafeMutablePointer<Int32>
  @usableFromInline let gLen: UnsafeMutablePointer<Int32>
  @usableFromInline let gOffset: UnsafeMutablePointer<Int32>
  @usableFromInline let gStride: UnsafeMutablePointer<Int32>
  let strides: [Int]
  /// Factorials 0!...8!.
  @usableFromInline let fact: UnsafeMutablePointer<Int32>
  /// Slots in a block or of a renamed domain, ascending.
  @usableFromInline let active: UnsafeMutablePointer<Int32>
  @usableFromInline let activeCount: Int

  init(n: Int, order: Int, domainCount: Int, groups: [StateSymmetry.BlockGroup], strides: [Int], activeSlots: [Int]) {
    self.n = n
    self.order = order
    self.domainCount = domainCount
    self.strides = strides
    perms = .allocate(capacity: max(1, order * n))
    tables = .allocate(capacity: order * domainCount * 256)
    slotDom = .allocate(capacity: max(1, n))
    classID = .allocate(capacity: domainCount * 256)
    let total = groups.reduce(0) { $0 + $1.blocks.reduce(0) { $0 + $1.count } }
    blockSlots = .allocate(capacity: max(1, total))
    groupCount = groups.count
    gBlocks = .allocate(capacity: groups.count)
    gLen = .allocate(capacity: groups.count)
    gOffset = .allocate(capacity: groups.count)
    gStride = .allocate(capacity: groups.count)
    fact = .allocate(capacity: 9)
    active = .allocate(capacity: max(1, activeSlots.count))
    activeCount = activeSlots.count
    for (k, s) in activeSlots.enumerated() { active[k] = Int32(s) }
    var f: Int32 = 1
    for k in 0...8 {
      if k > 0 { f *= Int32(k) }
      fact[k] = f
    }
    var off = 0
    for (gi, g) in groups.enumerated() {
      gBlocks[gi] = Int32(g.blocks.count)
      gLen[gi] = Int32(g.blocks[0].count)
      gOffset[gi] = Int32(off)
      gStride[gi] = Int32(strides[gi])
      for b in g.blocks {
        for s in b {
          blockSlots[off] = Int32(s)
          off += 1
        }
      }
    }
  }

  deinit {
    perms.deallocate()
    tables.deallocate()
    slotDom.deallocate()
    classID.deallocate()
    blockSlots.deallocate()
    gBlocks.deallocate()
    gLen.deallocate()
    gOffset.deallocate()
    gStride.deallocate()
    fact.deallocate()
    active.deallocate()
  }

  @inlinable
  func table(_ e: Int, _ r: Int, _ v: Int) -> UInt8 { tables[(e * domainCount + r) << 8 | v] }

  /// `dst = e(src)`: a copy, then the slots some element may change (the
  /// others are plain values that never move).
  @inlinable
  func apply(_ e: Int, _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>) {
    dst.update(from: src, count: n)
    let P = perms + e * n
    let T = tables + e * domainCount * 256
    for k in 0..<activeCount {
      let s = Int(active[k])
      dst[Int(P[s])] = T[Int(slotDom[s]) << 8 | Int(src[s])]
    }
  }

  /// Orders blocks a and b of group g by their invariant keys.
  @inlinable
  func compareBlocks(_ state: UnsafeMutablePointer<UInt8>, _ g: Int, _ a: Int, _ b: Int) -> Int {
    let len = Int(gLen[g])
    let sa = blockSlots + Int(gOffset[g]) + a * len
    let sb = blockSlots + Int(gOffset[g]) + b * len
    for j in 0..<len {
      let x = Int(sa[j]), y = Int(sb[j])
      let kx = classID[Int(slotDom[x]) << 8 | Int(state[x])]
      let ky = classID[Int(slotDom[y]) << 8 | Int(state[y])]
      if kx != ky { return kx < ky ? -1 : 1 }
    }
    return 0
  }

  /// The element that sends block `order[p]` to position p, every group.
  @inlinable
  func elementOf(_ ords: UnsafeMutablePointer<UInt8>) -> Int {
    var e = 0
    var base = ords
    for g in 0..<groupCount {
      let m = Int(gBlocks[g])
      // pi[order[p]] = p, computed into the second m bytes of this group's area.
      let pi = base + m
      for p in 0..<m { pi[Int(base[p])] = UInt8(p) }
      var rank = 0
      for k in 0..<m {
        var smaller = 0
        var j = k + 1
        while j < m {
          if pi[j] < pi[k] { smaller += 1 }
          j += 1
        }
        rank += smaller * Int(fact[m - 1 - k])
      }
      e += rank * Int(gStride[g])
      base += 3 * m
    }
    return e
  }

  /// Next permutation of `p[lo..<hi]` in lexicographic order; at the last
  /// one, resets to ascending and returns false.
  @inlinable
  func nextPermutation(_ p: UnsafeMutablePointer<UInt8>, _ lo: Int, _ hi: Int) -> Bool {
    if hi - lo < 2 { return false }
    var i = hi - 2
    while i >= lo && p[i] >= p[i + 1] { i -= 1 }
    if i < lo {
      var a = lo, b = hi - 1
      while a < b { let t = p[a]; p[a] = p[b]; p[b] = t; a += 1; b -= 1 }
      return false
    }
    var j = hi - 1
    while p[j] <= p[i] { j -= 1 }
    let t = p[i]; p[i] = p[j]; p[j] = t
    var a = i + 1, b = hi - 1
    while a < b { let t = p[a]; p[a] = p[b]; p[b] = t; a += 1; b -= 1 }
    return true
  }

  /// Scratch layout: [0, n) candidate, [n, 2n) best so far, then per group
  /// 3m bytes: the block order, pi (element computation), tie flags.
  @inlinable
  func canonicalize(_ state: UnsafeMutablePointer<UInt8>, _ scratch: UnsafeMutablePointer<UInt8>) -> Int {
    let ordsBase = scratch + 2 * n
    var anyTie = false
    var base = ordsBase
    for g in 0..<groupCount {
      let m = Int(gBlocks[g])
      let ord = base
      let tie = base + 2 * m
      for k in 0..<m { ord[k] = UInt8(k) }
      // Insertion sort (stable): tied blocks stay in ascending index order,
      // the first arrangement nextPermutation enumerates from.
      var i = 1
      while i < m {
        let x = ord[i]
        var j = i - 1
        while j >= 0 && compareBlocks(state, g, Int(ord[j]), Int(x)) > 0 {
          ord[j + 1] = ord[j]
          j -= 1
        }
        ord[j + 1] = x
        i += 1
      }
      tie[0] = 0
      for p in 1..<m {
        let t: UInt8 = compareBlocks(state, g, Int(ord[p - 1]), Int(ord[p])) == 0 ? 1 : 0
        tie[p] = t
        if t != 0 { anyTie = true }
      }
      base += 3 * m
    }
    let cand = scratch
    let best = scratch + n
    if !anyTie {
      let e = elementOf(ordsBase)
      if e == 0 { return 0 }
      apply(e, state, cand)
      state.update(from: cand, count: n)
      return e
    }
    // Try every arrangement of tied blocks; keep the least image.
    var bestE = -1
    while true {
      let e = elementOf(ordsBase)
      apply(e, state, cand)
      var less = bestE < 0
      if !less {
        for s in 0..<n where cand[s] != best[s] {
          less = cand[s] < best[s]
          break
        }
      }
      if less {
        best.update(from: cand, count: n)
        bestE = e
      }
      // Odometer over the tie runs of every group.
      var advanced = false
      base = ordsBase
      outer: for g in 0..<groupCount {
        let m = Int(gBlocks[g])
        let tie = base + 2 * m
        var lo = 0
        while lo < m {
          var hi = lo + 1
          while hi < m && tie[hi] != 0 { hi += 1 }
          if hi - lo > 1 && nextPermutation(base, lo, hi) {
            advanced = true
            break outer
          }
          lo = hi
        }
        base += 3 * m
      }
      if !advanced { break }
    }
    state.update(from: best, count: n)
    return bestE
  }
}
