/// Symmetry reduction over byte state vectors: a group of state
/// permutations, a canonicaliser that maps every state to one fixed
/// representative of its orbit, and the structural checks that make using it
/// sound (the transition relation, the initial states and each property are
/// invariant under the group).
///
/// ## The group
///
/// A symmetry has one or more *block groups*. A block group is a list of
/// interchangeable blocks (e.g. one per device): block `k` is an ordered list
/// of slot indices, every block of a group has the same length, and slot `j`
/// of block `k` corresponds to slot `j` of every other block of the group.
/// An element of the group picks one permutation of the blocks of every
/// group; it moves the content of slot `j` of block `k` to slot `j` of block
/// `π(k)` and leaves every slot outside all blocks where it is. Blocks of
/// different groups are disjoint, so the group is the direct product of the
/// symmetric groups of its block groups (`groupOrder` = ∏ mᵢ!).
///
/// Moving slots is not enough when a slot's *value* names something that
/// moves (a device index, a page of a device's memory, a thread, a program
/// counter whose labels mention a device). Every slot has a *value domain*:
/// 0 is a plain value (a count, a flag, a sequence number: never renamed);
/// every other domain has, per group element, a bijection of the byte values
/// 0...255 that the element applies to the value while it moves the slot.
/// The owner of the model supplies those tables (see `init`); this type
/// checks that they really form a group action.
///
/// ## Canonical form
///
/// `canonicalize` sorts the blocks of every group by a key that no group
/// element can change (each slot's value replaced by its orbit class, so a
/// reference to "some device page" compares equal whichever page it is), and
/// applies the element that puts the blocks in that order. Blocks whose keys
/// tie may still differ in what other slots say about them, so all
/// arrangements of tied blocks are tried and the lexicographically least
/// image kept. The candidates are exactly the images `g(s)` whose keys are
/// sorted, a set that is the same for every state of the orbit, so the result
/// is (a) the image of the input under a group element, (b) idempotent and
/// (c) the same for every state of an orbit. Without ties, one element is
/// applied; with ties, at most ∏ (tie run length)! are tried.
///
/// ## Soundness
///
/// Exploring canonical states only is sound when every group element is an
/// automorphism of the system: it maps initial states to initial states,
/// every transition to a transition (with the same events and progress
/// mark), and leaves every checked property's value unchanged.
/// `automorphismViolation(of:)` checks the first two syntactically on the
/// guarded commands and `isSymmetric(_:)` the last on a property's `Expr`;
/// both answer conservatively (an expression they cannot map is "not
/// symmetric").
public struct StateSymmetry: Sendable {
  /// A set of interchangeable blocks of slots.
  public struct BlockGroup: Sendable, Hashable {
    /// What the blocks stand for ("device", "thread").
    public var name: String
    /// One display name per block ("gpu0", "gpu1").
    public var labels: [String]
    /// Block k: its slots, in corresponding order across blocks.
    public var blocks: [[Int]]
    public init(name: String, labels: [String], blocks: [[Int]]) {
      self.name = name
      self.labels = labels
      self.blocks = blocks
    }
  }

  /// A malformed symmetry description (a bug in whoever derived it).
  public struct BuildError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
  }

  /// A group element as permutations: `perms[g][k]` is where block `k` of
  /// group `g` goes.
  public typealias Permutations = [[Int]]

  public let slotCount: Int
  public let groups: [BlockGroup]
  /// Domain names; index 0 is the plain (never renamed) domain.
  public let domainNames: [String]
  /// Per slot, its value domain (0 = plain).
  public let slotDomains: [UInt8]
  /// Number of group elements, the identity included.
  public let groupOrder: Int
  /// Bytes of scratch `canonicalize` needs.
  public let scratchBytes: Int
  /// Element indices of the generators (adjacent transpositions of each
  /// group's blocks).
  public let generators: [Int]

  @usableFromInline let store: SymmetryTables

  /// - Parameters:
  ///   - slotCount: length of the state vector.
  ///   - groups: the block groups (each with at least two blocks).
  ///   - domainNames: names of the value domains, index 0 the plain one.
  ///   - slotDomains: per slot, the index of its value domain.
  ///   - renaming: for a group element, one table of 256 bytes per domain
  ///     (index 0 included and ignored: plain values are never renamed):
  ///     `table[r][v]` is the value a slot of domain `r` holding `v` holds
  ///     after the element moved it. Called once per element, here.
  public init(
    slotCount: Int, groups: [BlockGroup], domainNames: [String], slotDomains: [UInt8],
    renaming: (Permutations) throws -> [[UInt8]]
  ) throws {
    let n = slotCount
    guard slotDomains.count == n else { throw BuildError("slotDomains has \(slotDomains.count) entries for \(n) slots") }
    let domainCount = domainNames.count
    guard domainCount >= 1, domainCount <= 255 else { throw BuildError("between 1 and 255 value domains, got \(domainCount)") }
    for d in slotDomains where Int(d) >= domainCount { throw BuildError("slot domain \(d) out of range") }
    guard !groups.isEmpty else { throw BuildError("no block groups") }
    var owner = [Int](repeating: -1, count: n)
    for (gi, g) in groups.enumerated() {
      guard g.blocks.count >= 2, g.blocks.count <= 8 else {
        throw BuildError("group \(g.name): between 2 and 8 blocks, got \(g.blocks.count)")
      }
      guard g.labels.count == g.blocks.count else { throw BuildError("group \(g.name): one label per block") }
      let len = g.blocks[0].count
      for b in g.blocks {
        guard b.count == len else { throw BuildError("group \(g.name): blocks of different lengths") }
        for s in b {
          guard s >= 0, s < n else { throw BuildError("group \(g.name): slot \(s) out of range") }
          guard owner[s] < 0 else { throw BuildError("slot \(s) is in two blocks") }
          owner[s] = gi
        }
      }
    }
    self.slotCount = n
    self.groups = groups
    self.domainNames = domainNames
    self.slotDomains = slotDomains

    // Elements: mixed radix over the groups, Lehmer rank within a group.
    let sizes = groups.map(\.blocks.count)
    var strides: [Int] = []
    var order = 1
    for m in sizes {
      strides.append(order)
      order *= Self.factorial(m)
    }
    guard order <= 40320 else { throw BuildError("group order \(order) is too large") }
    groupOrder = order

    let activeSlots = (0..<n).filter { owner[$0] >= 0 || slotDomains[$0] != 0 }
    let st = SymmetryTables(
      n: n, order: order, domainCount: domainCount, groups: groups, strides: strides, activeSlots: activeSlots)
    for s in 0..<n { st.slotDom[s] = slotDomains[s] }
    for e in 0..<order {
      let perms = Self.unrank(e, sizes: sizes, strides: strides)
      // Slot permutation.
      let P = st.perms + e * n
      for s in 0..<n { P[s] = Int32(s) }
      for (gi, g) in groups.enumerated() {
        for (k, b) in g.blocks.enumerated() {
          let to = g.blocks[perms[gi][k]]
          for j in b.indices { P[b[j]] = Int32(to[j]) }
        }
      }
      // Value tables.
      let tables = try renaming(perms)
      guard tables.count == domainCount else {
        throw BuildError("renaming returned \(tables.count) tables for \(domainCount) domains")
      }
      let T = st.tables + e * domainCount * 256
      for v in 0..<256 { T[v] = UInt8(v) }
      for r in 1..<max(1, domainCount) {
        let t = tables[r]
        guard t.count == 256 else { throw BuildError("domain \(domainNames[r]): a table needs 256 entries") }
        var seen = [Bool](repeating: false, count: 256)
        for v in 0..<256 {
          guard !seen[Int(t[v])] else { throw BuildError("domain \(domainNames[r]): the renaming is not a bijection") }
          seen[Int(t[v])] = true
          T[r * 256 + v] = t[v]
        }
      }
    }
    store = st

    // The identity must do nothing.
    for s in 0..<n where st.perms[s] != Int32(s) { throw BuildError("element 0 is not the identity") }
    for i in 0..<(domainCount * 256) where Int(st.tables[i]) != i & 255 {
      throw BuildError("element 0 renames values of \(domainNames[i >> 8])")
    }

    // Generators: adjacent transpositions.
    var gens: [Int] = []
    for (gi, m) in sizes.enumerated() {
      for k in 0..<(m - 1) {
        var perms = sizes.map { Array(0..<$0) }
        perms[gi].swapAt(k, k + 1)
        gens.append(Self.index(of: perms, strides: strides))
      }
    }
    generators = gens

    // The tables must form a group action: (h∘e) = h after e, per slot.
    var pairs = Set<Int>()
    for e in 0..<order {
      let pe = Self.unrank(e, sizes: sizes, strides: strides)
      for h in gens {
        let ph = Self.unrank(h, sizes: sizes, strides: strides)
        let composed = zip(ph, pe).map { hp, ep in ep.map { hp[$0] } }
        let he = Self.index(of: composed, strides: strides)
        pairs.removeAll(keepingCapacity: true)
        let Pe = st.perms + e * n
        for s in 0..<n {
          let r = Int(st.slotDom[s]), mid = Int(Pe[s])
          let r2 = Int(st.slotDom[mid])
          guard pairs.insert(r << 8 | r2).inserted else { continue }
          for v in 0..<256 {
            let a = st.table(he, r, v)
            let b = st.table(h, r2, Int(st.table(e, r, v)))
            if a != b {
              throw BuildError("the renaming of \(domainNames[r]) is not a group action (value \(v))")
            }
          }
        }
      }
    }

    // Orbit classes of (domain, value) nodes: the sort key no element changes.
    var parent = Array(0..<(domainCount * 256))
    func find(_ x: Int) -> Int {
      var x = x
      while parent[x] != x {
        parent[x] = parent[parent[x]]
        x = parent[x]
      }
      return x
    }
    for h in gens {
      pairs.removeAll(keepingCapacity: true)
      let Ph = st.perms + h * n
      for s in 0..<n {
        let r = Int(st.slotDom[s]), r2 = Int(st.slotDom[Int(Ph[s])])
        guard pairs.insert(r << 8 | r2).inserted else { continue }
        for v in 0..<256 {
          let a = find(r << 8 | v), b = find(r2 << 8 | Int(st.table(h, r, v)))
          if a != b { parent[max(a, b)] = min(a, b) }
        }
      }
    }
    for i in 0..<(domainCount * 256) { st.classID[i] = UInt16(find(i)) }

    scratchBytes = 2 * n + 3 * sizes.reduce(0, +)
  }

  // MARK: - Elements

  /// The permutations of element `index`.
  public func permutations(of index: Int) -> Permutations {
    Self.unrank(index, sizes: groups.map(\.blocks.count), strides: store.strides)
  }

  /// The element index of a set of permutations (one per group).
  public func element(_ perms: Permutations) -> Int {
    precondition(perms.count == groups.count, "one permutation per group")
    return Self.index(of: perms, strides: store.strides)
  }

  /// The inverse element.
  public func inverse(of index: Int) -> Int {
    element(permutations(of: index).map { p in
      var inv = [Int](repeating: 0, count: p.count)
      for (k, v) in p.enumerated() { inv[v] = k }
      return inv
    })
  }

  /// Where element `e` moves `slot`, and what it makes of `value` there.
  public func image(ofSlot slot: Int, value: Int, under e: Int) -> (slot: Int, value: Int) {
    precondition(e >= 0 && e < groupOrder && slot >= 0 && slot < slotCount && value >= 0 && value < 256)
    return (Int(store.perms[e * slotCount + slot]), Int(store.table(e, Int(store.slotDom[slot]), value)))
  }

  /// `dst = e(src)`; `src` and `dst` must not overlap.
  @inlinable
  public func apply(_ e: Int, _ src: UnsafePointer<UInt8>, into dst: UnsafeMutablePointer<UInt8>) {
    store.apply(e, src, dst)
  }

  /// The image of a state under element `e`.
  public func apply(_ e: Int, to s: StateVector) -> StateVector {
    precondition(s.slots.count == slotCount)
    var out = s
    s.slots.withUnsafeBufferPointer { src in
      out.slots.withUnsafeMutableBufferPointer { dst in store.apply(e, src.baseAddress!, dst.baseAddress!) }
    }
    return out
  }

  // MARK: - Canonical form

  /// Rewrites `state` (`slotCount` bytes) in place into the canonical
  /// representative of its orbit. `scratch` must hold `scratchBytes` bytes;
  /// nothing is allocated. The tables are read-only, so workers may call it
  /// concurrently, each with its own scratch.
  @inlinable
  public func canonicalize(_ state: UnsafeMutablePointer<UInt8>, scratch: UnsafeMutablePointer<UInt8>) {
    _ = store.canonicalize(state, scratch)
  }

  /// As `canonicalize`, returning the element it applied (the canonical form
  /// is `apply(element, original)`).
  @inlinable
  @discardableResult
  public func canonicalizingElement(_ state: UnsafeMutablePointer<UInt8>, scratch: UnsafeMutablePointer<UInt8>) -> Int {
    store.canonicalize(state, scratch)
  }

  /// Convenience for tests and cold paths (allocates).
  public func canonical(_ s: StateVector) -> StateVector {
    precondition(s.slots.count == slotCount)
    var out = s
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, scratchBytes))
    defer { scratch.deallocate() }
    _ = out.slots.withUnsafeMutableBufferPointer { store.canonicalize($0.baseAddress!, scratch) }
    return out
  }

  // MARK: - Helpers

  static func factorial(_ m: Int) -> Int { m <= 1 ? 1 : (2...m).reduce(1, *) }

  static func unrank(_ index: Int, sizes: [Int], strides: [Int]) -> Permutations {
    var out: Permutations = []
    for (g, m) in sizes.enumerated() {
      var r = (index / strides[g]) % factorial(m)
      var unused = Array(0..<m)
      var p: [Int] = []
      for k in 0..<m {
        let f = factorial(m - 1 - k)
        p.append(unused.remove(at: r / f))
        r %= f
      }
      out.append(p)
    }
    return out
  }

  static func index(of perms: Permutations, strides: [Int]) -> Int {
    var e = 0
    for (g, p) in perms.enumerated() {
      var rank = 0
      for k in p.indices {
        var smaller = 0
        for j in (k + 1)..<max(k + 1, p.count) where p[j] < p[k] { smaller += 1 }
        rank += smaller * factorial(p.count - 1 - k)
      }
      e += rank * strides[g]
    }
    return e
  }
}

/// The packed explorers take any `StateCanonicalizer`; a symmetry is one.
extension StateSymmetry: StateCanonicalizer {}

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

// MARK: - Expressions under a group element

extension StateSymmetry {
  /// An expression the symmetry cannot map (a renamed value in arithmetic or
  /// an order comparison, values of two domains compared, ...).
  struct Unmappable: Error {
    var reason: String
  }

  /// Marks a subexpression whose value is a literal of no domain yet.
  static let anyDomain = -1

  /// Where element `e` moves slot `x` of a state vector or of the extended
  /// vector step properties read (`[pre][post][event flags]`), and its domain.
  func slotImage(_ x: Int, _ e: Int) throws -> (slot: Int, domain: Int) {
    let n = slotCount
    guard x >= 0 else { throw Unmappable(reason: "negative slot \(x)") }
    if x < n { return (Int(store.perms[e * n + x]), Int(store.slotDom[x])) }
    if x < 2 * n { return (n + Int(store.perms[e * n + x - n]), Int(store.slotDom[x - n])) }
    return (x, 0)  // event flags: the image command fires the same events
  }

  func domain(ofSlot x: Int) -> Int {
    let n = slotCount
    if x >= 0 && x < n { return Int(store.slotDom[x]) }
    if x >= n && x < 2 * n { return Int(store.slotDom[x - n]) }
    return 0
  }

  func unify(_ a: Int, _ b: Int, _ e: Expr) throws -> Int {
    if a == Self.anyDomain { return b }
    if b == Self.anyDomain || a == b { return a }
    throw Unmappable(reason: "compares or mixes values of \(domainNames[a]) and \(domainNames[b]): \(e)")
  }

  func plain(_ d: Int, _ e: Expr) throws {
    if d != 0 && d != Self.anyDomain {
      throw Unmappable(reason: "uses a \(domainNames[d]) value as a number or truth value: \(e)")
    }
  }

  /// The value domain of an expression (`anyDomain` for a literal), or
  /// `Unmappable` when its slots' domains do not fit together.
  func inferDomain(_ e: Expr) throws -> Int {
    switch e {
    case .const: return Self.anyDomain
    case .slot(let x): return domain(ofSlot: x)
    case .select(let table, let index):
      _ = try inferDomain(index)
      var d = Self.anyDomain
      for s in table where s >= 0 { d = try unify(d, domain(ofSlot: s), e) }
      return d
    case .not(let x):
      try plain(inferDomain(x), e)
      return 0
    case .and(let xs), .or(let xs):
      for x in xs { try plain(inferDomain(x), e) }
      return 0
    case .binary(let op, let a, let b):
      let da = try inferDomain(a), db = try inferDomain(b)
      switch op {
      case .eq, .ne: _ = try unify(da, db, e)
      default:
        try plain(da, e)
        try plain(db, e)
      }
      return 0
    case .ite(let c, let a, let b):
      try plain(inferDomain(c), e)
      return try unify(inferDomain(a), inferDomain(b), e)
    }
  }

  /// `e'` with `e'(g s) = T_d(e(s))` for every state s, where `T_d` renames
  /// values of domain `d` under element `g`.
  func rewrite(_ e: Expr, domain d: Int, under g: Int) throws -> Expr {
    switch e {
    case .const(let c):
      if d == 0 { return e }
      guard c >= 0, c < 256 else { throw Unmappable(reason: "\(domainNames[d]) constant \(c) out of range") }
      return .const(Int(store.table(g, d, c)))
    case .slot(let x):
      return .slot(try slotImage(x, g).slot)
    case .select(let table, let index):
      var di = try inferDomain(index)
      if di == Self.anyDomain { di = 0 }
      if d != 0 && store.table(g, d, 0) != 0 {
        throw Unmappable(reason: "a select reads 0 for no entry, but \(domainNames[d]) renames 0")
      }
      let newIndex = try rewrite(index, domain: di, under: g)
      var newTable: [Int] = []
      for (v, s) in table.enumerated() {
        guard v < 256 else { throw Unmappable(reason: "select table longer than 256 entries") }
        let w = di == 0 ? v : Int(store.table(g, di, v))
        if newTable.count <= w { newTable += [Int](repeating: -1, count: w + 1 - newTable.count) }
        newTable[w] = s < 0 ? -1 : try slotImage(s, g).slot
      }
      return .select(table: newTable, index: newIndex)
    case .not(let x):
      return .not(try rewrite(x, domain: 0, under: g))
    case .and(let xs):
      return .and(try xs.map { try rewrite($0, domain: 0, under: g) })
    case .or(let xs):
      return .or(try xs.map { try rewrite($0, domain: 0, under: g) })
    case .binary(let op, let a, let b):
      var da = 0
      if op == .eq || op == .ne {
        da = try unify(inferDomain(a), inferDomain(b), e)
        if da == Self.anyDomain { da = 0 }
      }
      return .binary(op, try rewrite(a, domain: da, under: g), try rewrite(b, domain: da, under: g))
    case .ite(let c, let a, let b):
      return .ite(try rewrite(c, domain: 0, under: g), try rewrite(a, domain: d, under: g), try rewrite(b, domain: d, under: g))
    }
  }

  /// The image of a truth-valued (or plain-valued) expression under element
  /// `g`: `image(e)(g s) == e(s)`. Nil when the expression cannot be mapped.
  /// Reads of the extended step vector are mapped too.
  public func image(of e: Expr, under g: Int) -> Expr? {
    do {
      try plain(inferDomain(e), e)
      return try rewrite(e, domain: 0, under: g)
    } catch {
      return nil
    }
  }

  /// Whether a property's expression (over a state, or over the extended
  /// step vector `[pre][post][event flags]`) has the same value on every
  /// state of an orbit: its image under every generator normalises to the
  /// same expression as itself (conjuncts, disjuncts, sums and `==` operands
  /// reordered, `ite` chains over one subject sorted). Conservative: false
  /// when unsure.
  public func isSymmetric(_ e: Expr) -> Bool {
    let base = ExprNormalizer.normalize(e)
    for g in generators {
      guard let img = image(of: e, under: g) else { return false }
      if ExprNormalizer.normalize(img) != base { return false }
    }
    return true
  }

  /// Why `e` is not symmetric, for notes (nil if it is).
  public func asymmetryReason(_ e: Expr) -> String? {
    let base = ExprNormalizer.normalize(e)
    for g in generators {
      do {
        try plain(inferDomain(e), e)
        let img = try rewrite(e, domain: 0, under: g)
        if ExprNormalizer.normalize(img) != base { return "changes under \(describe(element: g))" }
      } catch let u as Unmappable {
        return u.reason
      } catch {
        return "\(error)"
      }
    }
    return nil
  }

  /// `swap gpu0 gpu1`, `(gpu0 gpu1 gpu2)`: an element for messages.
  public func describe(element g: Int) -> String {
    let perms = permutations(of: g)
    var parts: [String] = []
    for (gi, p) in perms.enumerated() where p != Array(p.indices) {
      let moved = p.indices.filter { p[$0] != $0 }.map { "\(groups[gi].labels[$0])→\(groups[gi].labels[p[$0]])" }
      parts.append(moved.joined(separator: " "))
    }
    return parts.isEmpty ? "identity" : parts.joined(separator: ", ")
  }
}

// MARK: - Automorphisms of a guarded system

extension StateSymmetry {
  /// A command in a normal form in which two commands with the same effect
  /// on every state compare equal (for the command shapes models emit).
  struct NormalCommand: Hashable {
    var thread: Int
    var pc: Int
    var guardExpr: Expr
    var updates: [Command.Update]
    var events: [String]
    var progress: Bool
  }

  static func normalForm(thread: Int, pc: Int, guardExpr: Expr, updates: [Command.Update], events: [String], progress: Bool) -> NormalCommand {
    NormalCommand(
      thread: thread, pc: pc, guardExpr: ExprNormalizer.normalize(guardExpr),
      updates: updates.map { Command.Update(slot: $0.slot, value: ExprNormalizer.normalize($0.value)) }.sorted { $0.slot < $1.slot },
      events: events.sorted(), progress: progress)
  }

  /// The image of command `c` under element `g`, in normal form.
  func imageCommand(_ c: Command, in system: GuardedSystem, under g: Int, threadOfPCSlot: [Int: Int]) throws -> NormalCommand {
    let pcSlot = system.threads[c.thread].pcSlot
    let (pcImage, pcDomain) = try slotImage(pcSlot, g)
    guard let t = threadOfPCSlot[pcImage] else {
      throw Unmappable(reason: "the pc of \(system.threads[c.thread].name) moves to \(system.schema.slotName(pcImage)), no thread's pc")
    }
    let pc = pcDomain == 0 ? c.pc : Int(store.table(g, pcDomain, c.pc))
    try plain(inferDomain(c.guardExpr), c.guardExpr)
    let guardImage = try rewrite(c.guardExpr, domain: 0, under: g)
    var updates: [Command.Update] = []
    for u in c.updates {
      let (x, d) = try slotImage(u.slot, g)
      _ = try unify(d, inferDomain(u.value), u.value)
      updates.append(Command.Update(slot: x, value: try rewrite(u.value, domain: d, under: g)))
    }
    return Self.normalForm(thread: t, pc: pc, guardExpr: guardImage, updates: updates, events: c.events, progress: c.progress)
  }

  /// For element `g`: `images[a]` is a command of `system` whose effect on
  /// `g(s)` is `g` of the effect of `a` on `s`, with the same events and
  /// progress mark; or why some command has none.
  public func commandImages(of system: GuardedSystem, under g: Int) -> Result<[Int], BuildError> {
    let normal = Self.normalForms(of: system)
    return commandImages(of: system, under: g, normal: normal)
  }

  static func normalForms(of system: GuardedSystem) -> [NormalCommand: Int] {
    var normal: [NormalCommand: Int] = [:]
    for (i, c) in system.commands.enumerated() {
      let f = normalForm(thread: c.thread, pc: c.pc, guardExpr: c.guardExpr, updates: c.updates, events: c.events, progress: c.progress)
      if normal[f] == nil { normal[f] = i }
    }
    return normal
  }

  func commandImages(of system: GuardedSystem, under g: Int, normal: [NormalCommand: Int]) -> Result<[Int], BuildError> {
    guard system.schema.slotCount == slotCount else { return .failure(BuildError("the system has \(system.schema.slotCount) slots, the symmetry \(slotCount)")) }
    var threadOfPCSlot: [Int: Int] = [:]
    for (t, th) in system.threads.enumerated() { threadOfPCSlot[th.pcSlot] = t }
    var out: [Int] = []
    out.reserveCapacity(system.commands.count)
    for (i, c) in system.commands.enumerated() {
      do {
        let img = try imageCommand(c, in: system, under: g, threadOfPCSlot: threadOfPCSlot)
        guard let j = normal[img] else {
          return .failure(BuildError("`\(system.describe(i))` has no image under \(describe(element: g)) (no command of \(system.threads[img.thread].name) at `\(system.threads[img.thread].pcLabels[safe: img.pc] ?? "pc \(img.pc)")` does the mapped step)"))
        }
        out.append(j)
      } catch let u as Unmappable {
        return .failure(BuildError("`\(system.describe(i))`: \(u.reason)"))
      } catch {
        return .failure(BuildError("\(error)"))
      }
    }
    return .success(out)
  }

  /// Nil when every element is an automorphism of `system`: it maps the
  /// initial states onto themselves and every command to a command (checked
  /// on the generators, which suffices since the tables form a group
  /// action). Otherwise the first reason found.
  public func automorphismViolation(of system: GuardedSystem) -> String? {
    guard system.schema.slotCount == slotCount else { return "the system has \(system.schema.slotCount) slots, the symmetry \(slotCount)" }
    let initial = Set(system.initial)
    for g in generators {
      for s in system.initial where !initial.contains(apply(g, to: s)) {
        return "the initial state is not invariant under \(describe(element: g))"
      }
    }
    let normal = Self.normalForms(of: system)
    for g in generators {
      if case .failure(let f) = commandImages(of: system, under: g, normal: normal) { return f.message }
    }
    return nil
  }

  /// For every command, the least command index of its orbit: in a reduced
  /// exploration a command "fired" (vacuity, coverage) iff some command of
  /// its orbit fired. Nil if some command has no image.
  public func commandOrbitRepresentatives(of system: GuardedSystem) -> [Int]? {
    let normal = Self.normalForms(of: system)
    var parent = Array(system.commands.indices)
    func find(_ x: Int) -> Int {
      var x = x
      while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
      return x
    }
    for g in generators {
      guard case .success(let images) = commandImages(of: system, under: g, normal: normal) else { return nil }
      for (a, b) in images.enumerated() {
        let x = find(a), y = find(b)
        if x != y { parent[max(x, y)] = min(x, y) }
      }
    }
    return system.commands.indices.map(find)
  }

  /// Turns a path of the quotient into a path of the model.
  ///
  /// A reduced exploration records, for each step, the action taken from a
  /// canonical state; the next recorded state is the canonical form of the
  /// successor, not the successor. Starting from the concrete state `start`
  /// (whose canonical form the path starts from), this returns the actions
  /// that take the model itself through the same orbits: replaying them with
  /// `successor` from `start` visits states whose canonical forms are the
  /// path's. Nil if `start` is not in the path's first orbit or some command
  /// has no image. Cold path (allocates).
  public func concretize(_ actions: [Int], from start: StateVector, in system: GuardedSystem) -> [Int]? {
    let normal = Self.normalForms(of: system)
    var maps: [Int: [Int]] = [:]
    func map(_ a: Int, _ g: Int) -> Int? {
      if g == 0 { return a }
      if maps[g] == nil {
        guard case .success(let m) = commandImages(of: system, under: g, normal: normal) else { return nil }
        maps[g] = m
      }
      return maps[g]![a]
    }
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, scratchBytes))
    defer { scratch.deallocate() }
    func canon(_ s: StateVector) -> (StateVector, Int) {
      var c = s
      let g = c.slots.withUnsafeMutableBufferPointer { store.canonicalize($0.baseAddress!, scratch) }
      return (c, g)
    }
    // Invariant: concrete == h(canonical).
    var (canonicalState, g0) = canon(start)
    var h = inverse(of: g0)
    var concrete = start
    var out: [Int] = []
    for a in actions {
      guard system.isEnabled(a, in: canonicalState), let b = map(a, h), system.isEnabled(b, in: concrete) else { return nil }
      out.append(b)
      concrete = system.successor(of: concrete, via: b)
      let (next, g) = canon(system.successor(of: canonicalState, via: a))
      canonicalState = next
      h = element(zip(permutations(of: h), permutations(of: inverse(of: g))).map { hp, gp in gp.map { hp[$0] } })
      guard apply(h, to: canonicalState) == concrete else { return nil }
    }
    return out
  }
}

extension Array {
  fileprivate subscript(safe i: Int) -> Element? { i >= 0 && i < count ? self[i] : nil }
}

// MARK: - Normal form of expressions

/// Rewrites an `Expr` into a normal form that is equal for expressions that
/// differ only in the order of commutative operands: `and`/`or` operands
/// flattened, deduplicated and sorted; `+`/`*` chains flattened and sorted;
/// `==`/`!=` operands sorted; an `ite` chain whose conditions test one
/// subject against distinct constants (mutually exclusive) sorted by
/// constant. Every rule preserves the value on every state. The order is by
/// a deterministic structural hash; a hash collision can only make two
/// equivalent expressions compare unequal (a conservative "not symmetric").
public enum ExprNormalizer {
  public static func normalize(_ e: Expr) -> Expr {
    switch e {
    case .const, .slot: return e
    case .select(let t, let i): return .select(table: t, index: normalize(i))
    case .not(let x): return .not(normalize(x))
    case .and(let xs):
      var items: [Expr] = []
      for x in xs {
        let n = normalize(x)
        switch n {
        case .and(let inner): items += inner
        case .const(let v):
          if v == 0 { return .const(0) }
        default: items.append(n)
        }
      }
      items = sortedUnique(items)
      if items.isEmpty { return .const(1) }
      if items.count == 1 && items[0].isBoolean { return items[0] }
      return .and(items)
    case .or(let xs):
      var items: [Expr] = []
      for x in xs {
        let n = normalize(x)
        switch n {
        case .or(let inner): items += inner
        case .const(let v):
          if v != 0 { return .const(1) }
        default: items.append(n)
        }
      }
      items = sortedUnique(items)
      if items.isEmpty { return .const(0) }
      if items.count == 1 && items[0].isBoolean { return items[0] }
      return .or(items)
    case .binary(let op, let a, let b):
      let na = normalize(a), nb = normalize(b)
      switch op {
      case .add, .mul:
        var terms: [Expr] = []
        for x in [na, nb] {
          if case .binary(let op2, _, _) = x, op2 == op { flatten(x, op, into: &terms) } else { terms.append(x) }
        }
        terms.sort { hash($0) < hash($1) }
        var acc = terms[0]
        for t in terms.dropFirst() { acc = .binary(op, acc, t) }
        return acc
      case .eq, .ne:
        return hash(na) <= hash(nb) ? .binary(op, na, nb) : .binary(op, nb, na)
      default:
        return .binary(op, na, nb)
      }
    case .ite(let c, let a, let b):
      let nc = normalize(c), na = normalize(a), nb = normalize(b)
      // An ite chain over one subject with distinct constants.
      if let (x, k) = equalityTest(nc) {
        var arms: [(Int, Expr)] = [(k, na)]
        var rest = nb
        while case .ite(let c2, let a2, let b2) = rest, let (x2, k2) = equalityTest(c2), x2 == x {
          arms.append((k2, a2))
          rest = b2
        }
        if arms.count > 1 && Set(arms.map(\.0)).count == arms.count {
          arms.sort { $0.0 < $1.0 }
          var acc = rest
          for (k, v) in arms.reversed() { acc = .ite(normalize(.binary(.eq, x, .const(k))), v, acc) }
          return acc
        }
      }
      return .ite(nc, na, nb)
    }
  }

  static func flatten(_ e: Expr, _ op: Expr.BinaryOp, into terms: inout [Expr]) {
    if case .binary(let op2, let a, let b) = e, op2 == op {
      flatten(a, op, into: &terms)
      flatten(b, op, into: &terms)
    } else {
      terms.append(e)
    }
  }

  /// `x == k` in either operand order.
  static func equalityTest(_ e: Expr) -> (Expr, Int)? {
    guard case .binary(.eq, let a, let b) = e else { return nil }
    if case .const(let k) = b { return (a, k) }
    if case .const(let k) = a { return (b, k) }
    return nil
  }

  static func sortedUnique(_ xs: [Expr]) -> [Expr] {
    let keyed = xs.map { (hash($0), $0) }.sorted { $0.0 < $1.0 }
    var out: [Expr] = []
    var lastHash: UInt64? = nil
    for (h, x) in keyed {
      if h == lastHash, out.contains(x) { continue }
      out.append(x)
      lastHash = h
    }
    return out
  }

  /// A structural hash that does not depend on the process (Swift's
  /// `Hasher` is seeded per process, and the normal form must not be).
  public static func hash(_ e: Expr) -> UInt64 {
    func mix(_ h: UInt64, _ x: UInt64) -> UInt64 {
      var z = (h ^ x) &+ 0x9E37_79B9_7F4A_7C15
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    func int(_ v: Int) -> UInt64 { UInt64(bitPattern: Int64(v)) }
    switch e {
    case .const(let v): return mix(1, int(v))
    case .slot(let s): return mix(2, int(s))
    case .select(let t, let i):
      var h = mix(3, int(t.count))
      for s in t { h = mix(h, int(s)) }
      return mix(h, hash(i))
    case .not(let x): return mix(4, hash(x))
    case .and(let xs): return xs.reduce(mix(5, int(xs.count))) { mix($0, hash($1)) }
    case .or(let xs): return xs.reduce(mix(6, int(xs.count))) { mix($0, hash($1)) }
    case .binary(let op, let a, let b): return mix(mix(mix(7, UInt64(op.rawValue)), hash(a)), hash(b))
    case .ite(let c, let a, let b): return mix(mix(mix(8, hash(c)), hash(a)), hash(b))
    }
  }
}
