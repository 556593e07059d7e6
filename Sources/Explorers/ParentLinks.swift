import CheckerCore

/// Parent links of a breadth-first search: for every state id, the state it
/// was first reached from and the action taken. Following them gives the
/// BFS tree's path, which is a shortest path.
struct ParentLinks<Action: Hashable & Sendable> {
  /// Parent id, or -(k+1) for initial state k.
  private(set) var parent: [Int32] = []
  private(set) var via: [Action?] = []

  var count: Int { parent.count }

  /// Bytes the links take (for `maxMemory`).
  var memoryBytes: Int { parent.count * 24 }

  mutating func addInitial(_ k: Int) {
    parent.append(Int32(-k - 1))
    via.append(nil)
  }

  mutating func add(parent p: Int32, via a: Action) {
    parent.append(p)
    via.append(a)
  }

  /// The path from an initial state to `id`, then `last` if given.
  func path(to id: Int32, then last: Action? = nil) -> ActionPath<Action> {
    var actions: [Action] = []
    if let last { actions.append(last) }
    var cur = id
    while parent[Int(cur)] >= 0 {
      actions.append(via[Int(cur)]!)
      cur = parent[Int(cur)]
    }
    actions.reverse()
    return ActionPath(initial: Int(-parent[Int(cur)] - 1), actions: actions)
  }
}

extension ExplorationReport {
  /// Records the first finding of `kind` for `property` (later ones are
  /// dropped: for BFS the first is a shortest); returns whether it was new.
  @discardableResult
  public mutating func recordFirst(_ kind: FindingKind, _ property: String, _ path: () -> ActionPath<Action>) -> Bool {
    if findings.contains(where: { $0.kind == kind && $0.property == property }) { return false }
    findings.append(Finding(kind: kind, property: property, path: path()))
    return true
  }
}
