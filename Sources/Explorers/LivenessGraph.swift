/// The reachable graph in the compact form the liveness checks read: no
/// states, only what fair-cycle detection needs about them, so that a graph
/// of millions of states costs tens of bytes per state and per edge.
///
/// States are numbered in discovery (BFS) order, so BFS parent links give
/// shortest stems. Edges are in CSR form, grouped by source in state order.
/// Per state: the goal predicates' truth (bits), the actors enabled there
/// (fairness is judged against every enabled actor, whatever subgraph a
/// check looks at), whether it was expanded, and whether nothing was
/// enabled in it (a run that ends there). A state that was not expanded
/// (it violates an `always` property, or the search stopped before it) is a
/// cut: no run is followed through it, and it is no run's end.
public struct LivenessGraph: Sendable {
  /// Edges of state v are `edgeStart[v] ..< edgeStart[v + 1]`.
  public private(set) var edgeStart = ChunkedArray<UInt32>()
  public private(set) var edgeTarget = ChunkedArray<Int32>()
  /// Dense action id (`TransitionSystem.actionID`) of each edge.
  public private(set) var edgeAction = ChunkedArray<Int32>()
  /// Step-predicate bits of each edge (empty when no step predicate).
  public private(set) var edgeBits = ChunkedArray<UInt8>()
  /// BFS tree (-1 for an initial state); the edge from the parent is the
  /// first of its edges that leads here.
  public private(set) var parent = ChunkedArray<Int32>()
  /// State-predicate bits and the flags below.
  public private(set) var stateBits = ChunkedArray<UInt16>()
  /// Bitmask of actors with an enabled action (actor < 32).
  public private(set) var enabledActors = ChunkedArray<UInt32>()
  /// For a state without a parent: which initial state it is.
  public private(set) var initialIndex: [Int32: Int32] = [:]
  /// Per action id: its actor, and whether the system marks it progress.
  public var actorOfAction: [Int32]
  public var progressOfAction: [Bool]
  /// False when the search stopped before every reachable state was seen.
  public var complete = true
  let recordsEdgeBits: Bool

  public static let expandedFlag: UInt16 = 1 << 15
  public static let terminalFlag: UInt16 = 1 << 14
  /// State predicates a graph can record (bits 0 ..< 14).
  public static let maxStatePredicates = 14
  public static let maxStepPredicates = 8

  public init(actorOfAction: [Int32], progressOfAction: [Bool], recordsEdgeBits: Bool) {
    self.actorOfAction = actorOfAction
    self.progressOfAction = progressOfAction
    self.recordsEdgeBits = recordsEdgeBits
    edgeStart.append(0)
  }

  public var stateCount: Int { stateBits.count }
  public var edgeCount: Int { edgeTarget.count }

  /// Bytes held, for memory limits and reports.
  public var memoryBytes: Int {
    edgeStart.memoryBytes + edgeTarget.memoryBytes + edgeAction.memoryBytes + edgeBits.memoryBytes
      + parent.memoryBytes + stateBits.memoryBytes + enabledActors.memoryBytes
  }

  // MARK: Building (states in id order; a state's edges before the next state's)

  /// A newly discovered state; returns its id.
  @discardableResult
  public mutating func addState(parent p: Int32, initial: Int32 = -1, bits: UInt16) -> Int32 {
    let id = Int32(stateBits.count)
    parent.append(p)
    stateBits.append(bits)
    enabledActors.append(0)
    if p < 0 { initialIndex[id] = initial }
    return id
  }

  /// Starts the edges of `v`: every state before it that was not expanded
  /// gets an empty range.
  public mutating func beginExpansion(of v: Int32) {
    while edgeStart.count <= Int(v) { edgeStart.append(UInt32(edgeTarget.count)) }
  }

  public mutating func addEdge(to t: Int32, action: Int32, bits: UInt8 = 0) {
    edgeTarget.append(t)
    edgeAction.append(action)
    if recordsEdgeBits { edgeBits.append(bits) }
  }

  /// Ends the expansion of `v`: the actors enabled there (nothing enabled:
  /// a run ends in v).
  public mutating func finishExpansion(of v: Int32, enabledActors actors: UInt32) {
    enabledActors[Int(v)] = actors
    stateBits[Int(v)] |= Self.expandedFlag | (actors == 0 ? Self.terminalFlag : 0)
  }

  /// Closes the CSR arrays once no state will be expanded any more.
  public mutating func seal() {
    while edgeStart.count <= stateBits.count { edgeStart.append(UInt32(edgeTarget.count)) }
  }

  // MARK: Reading

  @inline(__always) public func edges(of v: Int) -> Range<Int> { Int(edgeStart[v])..<Int(edgeStart[v + 1]) }
  @inline(__always) public func holds(_ bit: Int, at v: Int) -> Bool { stateBits[v] & (1 << UInt16(bit)) != 0 }
  @inline(__always) public func isExpanded(_ v: Int) -> Bool { stateBits[v] & Self.expandedFlag != 0 }
  @inline(__always) public func isTerminal(_ v: Int) -> Bool { stateBits[v] & Self.terminalFlag != 0 }
  @inline(__always) public func actor(ofEdge e: Int) -> Int { Int(actorOfAction[Int(edgeAction[e])]) }

  /// The BFS path from an initial state to `v`, as action ids.
  public func stem(to v: Int) -> (initial: Int, actions: [Int]) {
    var actions: [Int] = []
    var cur = v
    while parent[cur] >= 0 {
      let p = Int(parent[cur])
      let e = edges(of: p).first { Int(edgeTarget[$0]) == cur }!
      actions.append(Int(edgeAction[e]))
      cur = p
    }
    return (Int(initialIndex[Int32(cur)] ?? 0), actions.reversed())
  }

  /// A copy with other state-predicate bits (the generic `StateGraph`
  /// evaluates a check's predicates over its stored states).
  public func withStateBits(_ bits: [UInt16], edgeBits eb: [UInt8]) -> LivenessGraph {
    var g = self
    for v in 0..<g.stateBits.count {
      g.stateBits[v] = (g.stateBits[v] & (Self.expandedFlag | Self.terminalFlag)) | bits[v]
    }
    g.edgeBits = ChunkedArray()
    for b in eb { g.edgeBits.append(b) }
    return g
  }
}
