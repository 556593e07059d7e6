import CheckerCore

/// The program points of a model's threads, by name, for `at(t, "...")`.
///
/// Lemmas about a protocol talk about where threads are ("the invalidator's
/// callback has set the sequence"), and pc numbers differ between threads
/// and models; their names do not. A point's name is its label, such as
/// `op 1 munmap page 0: gpu0 callback: seq set`. A pattern matches a label
/// when it equals the label or the part after any `": "` in it, so
/// `"gpu0 callback: seq set"` names that point in every operation of every
/// thread; `*` stands for any text (`"zapped page *"`).
public struct ProgramPoints: Hashable, Sendable {
  /// Labels of each thread's pcs, in the order of the `thread` domain.
  public var labels: [[String]]
  /// Each thread's pc slot.
  public var pcSlots: [Int]

  public init(labels: [[String]], pcSlots: [Int]) {
    self.labels = labels
    self.pcSlots = pcSlots
  }

  public init(system: GuardedSystem) {
    self.init(labels: system.threads.map(\.pcLabels), pcSlots: system.threads.map(\.pcSlot))
  }

  public static let none = ProgramPoints(labels: [], pcSlots: [])

  /// The pcs of each thread whose label matches `pattern`.
  public func matching(_ pattern: String) -> [[Int]] {
    labels.map { ls in ls.indices.filter { Self.matches(ls[$0], pattern) } }
  }

  static func matches(_ label: String, _ pattern: String) -> Bool {
    if glob(Substring(label), Substring(pattern)) { return true }
    var rest = Substring(label)
    while let r = rest.range(of: ": ") {
      rest = rest[r.upperBound...]
      if glob(rest, Substring(pattern)) { return true }
    }
    return false
  }

  /// Whole-string match with `*` for any run of characters.
  static func glob(_ s: Substring, _ p: Substring) -> Bool {
    guard let star = p.firstIndex(of: "*") else { return s == p }
    let head = p[..<star]
    guard s.hasPrefix(head) else { return false }
    let tail = p[p.index(after: star)...]
    var i = s.index(s.startIndex, offsetBy: head.count)
    while true {
      if glob(s[i...], tail) { return true }
      if i == s.endIndex { return false }
      i = s.index(after: i)
    }
  }
}
