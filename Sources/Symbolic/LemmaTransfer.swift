import CheckerCore

/// Carries mined facts from a small instance of a model family to a larger
/// one by renaming per-page elements.
///
/// A family is a set of models that differ only in how many copies of a
/// per-page group they have: the elements of the index domain (the model
/// names it: HMM's virtual pages, `HMMLayout.pageDomain`), and for each
/// page the same threads and physical pages under names ending in the
/// page's position (`m3`, `c3`, `ram3`). An element family (a domain and a
/// name prefix) is per-page when it has one element per page in both
/// instances; every other element (the zero page, a device, its pool page)
/// is shared and must exist in both under the same name.
///
/// A fact over the pages I it mentions is instantiated for every injective
/// map of I into the larger instance's pages (so a fact about pages 0 and 1
/// yields one per ordered pair). Integer value sets of variables whose
/// declared range grows with the instance (sequence counts, reader counts)
/// are widened upwards to the new range. Counters are re-derived from the
/// larger instance's commands, not renamed.
///
/// Nothing here is trusted: the facts are candidates for Houdini on the
/// larger instance, which keeps only an inductive subset.
public struct LemmaTransfer {
  public let source: GuardedSystem
  public let target: GuardedSystem
  /// The domain whose elements are the family's pages.
  public let pageDomain: String

  /// Per element of each domain (by name): its page index, or nil if shared.
  struct Classified {
    var page: [String: [Int?]] = [:]
  }
  let sourceIndex: Classified
  let targetIndex: Classified
  /// Target element position by (domain, name).
  let targetElements: [String: [String: Int]]

  public init(source: GuardedSystem, target: GuardedSystem, pageDomain: String) {
    self.source = source
    self.target = target
    self.pageDomain = pageDomain
    sourceIndex = Self.classify(source.schema, pageDomain: pageDomain)
    targetIndex = Self.classify(target.schema, pageDomain: pageDomain)
    var te: [String: [String: Int]] = [:]
    for d in target.schema.domains {
      var m: [String: Int] = [:]
      for (k, e) in d.elements.enumerated() { m[e] = k }
      te[d.name] = m
    }
    targetElements = te
  }

  static func split(_ name: String) -> (prefix: String, number: Int)? {
    let digits = name.reversed().prefix { $0.isNumber }
    guard !digits.isEmpty, let k = Int(String(digits.reversed())) else { return nil }
    return (String(name.dropLast(digits.count)), k)
  }

  static func classify(_ schema: Schema, pageDomain: String) -> Classified {
    let pages = schema.domain(pageDomain)?.elements.count ?? 0
    var out = Classified()
    for d in schema.domains where d.name == pageDomain {
      out.page[d.name] = d.elements.indices.map { $0 }
    }
    for d in schema.domains where d.name != pageDomain {
      var counts: [String: Int] = [:]
      for e in d.elements { if let (p, _) = split(e) { counts[p, default: 0] += 1 } }
      out.page[d.name] = d.elements.map { e in
        guard let (p, k) = split(e), counts[p] == pages, k < pages else { return nil }
        return k
      }
    }
    return out
  }

  /// An element renamed by `sigma` (page index → page index), or nil if it
  /// does not exist in the target.
  func rename(domain: String, element k: Int, _ sigma: [Int: Int]) -> Int? {
    let name = source.schema.domain(domain)!.elements[k]
    if let i = sourceIndex.page[domain]![k] {
      guard let j = sigma[i] else { return nil }
      if domain == pageDomain { return j < (target.schema.domain(pageDomain)?.elements.count ?? 0) ? j : nil }
      guard let (p, _) = Self.split(name) else { return nil }
      return targetElements[domain]?[p + String(j)]
    }
    return targetElements[domain]?[name]
  }

  /// The page indices a slot's subscripts name.
  func pages(ofSlot s: Int) -> Set<Int> {
    let (v, idx) = source.schema.locate(slot: s)
    var out = Set<Int>()
    for (d, k) in zip(v.dimensions, idx) { if let i = sourceIndex.page[d]![k] { out.insert(i) } }
    return out
  }

  func pages(ofValue v: Int, slot s: Int) -> Set<Int> {
    guard case .reference(let d) = source.schema.variables[source.schema.slotOwner[s]].type, v > 0,
      let i = sourceIndex.page[d]![v - 1]
    else { return [] }
    return [i]
  }

  func renameSlot(_ s: Int, _ sigma: [Int: Int]) -> Int? {
    let (v, idx) = source.schema.locate(slot: s)
    guard let tv = target.schema.variable(named: v.name) else { return nil }
    var out: [Int] = []
    for (d, k) in zip(v.dimensions, idx) {
      guard let r = rename(domain: d, element: k, sigma) else { return nil }
      out.append(r)
    }
    return target.schema.slot(tv, out)
  }

  func renameValue(_ v: Int, slot s: Int, to t: Int, _ sigma: [Int: Int]) -> Int? {
    if case .reference(let d) = source.schema.variables[source.schema.slotOwner[s]].type, v > 0 {
      return rename(domain: d, element: v - 1, sigma).map { $0 + 1 }
    }
    return v
  }

  func renameValues(_ vs: [Int], slot s: Int, to t: Int, _ sigma: [Int: Int]) -> [Int]? {
    var out: [Int] = []
    for v in vs {
      guard let r = renameValue(v, slot: s, to: t, sigma) else { return nil }
      out.append(r)
    }
    // Integers whose range grows with the instance: widen upwards.
    if case .int = source.schema.variables[source.schema.slotOwner[s]].type,
      target.slotMax[t] > source.slotMax[s], let top = out.max(), top > 0
    {
      out += ((top + 1)...Int(target.slotMax[t])).map { $0 }
    }
    return out.sorted()
  }

  func rename(_ a: Atom, _ sigma: [Int: Int]) -> Atom? {
    switch a {
    case .valueIn(let s, let vs):
      guard let t = renameSlot(s, sigma), let ws = renameValues(vs, slot: s, to: t, sigma) else { return nil }
      return .valueIn(slot: t, values: ws)
    case .equal(let x, let y):
      guard let a = renameSlot(x, sigma), let b = renameSlot(y, sigma) else { return nil }
      return .equal(a, b)
    case .differ(let x, let y):
      guard let a = renameSlot(x, sigma), let b = renameSlot(y, sigma) else { return nil }
      return .differ(a, b)
    case .parity(let x, let odd, let m):
      guard let t = renameSlot(x, sigma) else { return nil }
      return .parity(slot: t, odd: odd, maxValue: max(m, Int(target.slotMax[t])))
    case .notValue(let x, let v):
      guard let t = renameSlot(x, sigma) else { return nil }
      return .notValue(slot: t, value: v)
    case .ordered(let x, let y, let strict):
      guard let a = renameSlot(x, sigma), let b = renameSlot(y, sigma) else { return nil }
      return .ordered(a, b, strict: strict)
    case .counter, .counterAtMost:
      return nil
    }
  }

  func pages(of a: Atom) -> Set<Int> {
    switch a {
    case .valueIn(let s, let vs):
      return vs.reduce(pages(ofSlot: s)) { $0.union(pages(ofValue: $1, slot: s)) }
    case .equal(let x, let y), .differ(let x, let y), .ordered(let x, let y, _): return pages(ofSlot: x).union(pages(ofSlot: y))
    case .parity(let x, _, _), .notValue(let x, _): return pages(ofSlot: x)
    case .counter, .counterAtMost: return []
    }
  }

  /// The pages a fact names (through slots or values).
  public func pages(of f: LemmaForm) -> Set<Int> {
    (f.premises + (f.conclusion.map { [$0] } ?? [])).reduce(Set<Int>()) { $0.union(pages(of: $1)) }
  }

  /// A fact that holds of one page whatever the others do: unconditional
  /// (a value set of one slot, a relation), or conditioned on one page's
  /// elements only. Its instances grow linearly with the page count; a
  /// condition over two pages' threads grows quadratically and, at 2 pages,
  /// records the other page's schedule rather than the protocol.
  public func isPageLocal(_ f: LemmaForm) -> Bool {
    f.premises.isEmpty || pages(of: f).count <= 1
  }

  /// Every instance of every fact in the target, deduplicated, plus the
  /// target's own counters.
  public func instantiate(_ forms: [LemmaForm]) -> [LemmaForm] {
    let n = target.schema.domain(pageDomain)?.elements.count ?? 0
    var seen = Set<LemmaForm>()
    var out: [LemmaForm] = []
    for f in forms {
      let atoms = f.premises + (f.conclusion.map { [$0] } ?? [])
      if atoms.contains(where: {
        switch $0 {
        case .counter, .counterAtMost: return true
        default: return false
        }
      }) {
        continue
      }
      let idx = atoms.reduce(Set<Int>()) { $0.union(pages(of: $1)) }.sorted()
      for sigma in Self.injections(idx, into: n) {
        var premises: [Atom] = []
        var ok = true
        for p in f.premises {
          guard let r = rename(p, sigma) else {
            ok = false
            break
          }
          premises.append(r)
        }
        guard ok else { continue }
        var conclusion: Atom? = nil
        if let c = f.conclusion {
          guard let r = rename(c, sigma) else { continue }
          conclusion = r
        }
        let g = LemmaForm(premises: premises, conclusion: conclusion)
        if seen.insert(g).inserted { out.append(g) }
      }
    }
    return CandidateMiner.counters(target) + out
  }

  /// Every injective map from `indices` into 0..<n.
  static func injections(_ indices: [Int], into n: Int) -> [[Int: Int]] {
    var out: [[Int: Int]] = []
    func go(_ k: Int, _ m: [Int: Int], _ used: Set<Int>) {
      if k == indices.count {
        out.append(m)
        return
      }
      for j in 0..<n where !used.contains(j) {
        var m2 = m
        m2[indices[k]] = j
        go(k + 1, m2, used.union([j]))
      }
    }
    go(0, [:], [])
    return out
  }
}
