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
    element(
      permutations(of: index).map { p in
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
