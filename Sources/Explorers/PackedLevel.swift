/// A fixed-capacity block of packed states (fixed stride): the unit a BFS
/// level is stored and freed in. No per-state allocation; a worker fills
/// one block at a time.
final class StateBlock: @unchecked Sendable {
  static let capacity = 4096
  let words: Int
  let base: UnsafeMutablePointer<UInt64>
  private(set) var count = 0

  init(words: Int) {
    self.words = words
    base = .allocate(capacity: Self.capacity * words)
  }

  deinit { base.deallocate() }

  var isFull: Bool { count == Self.capacity }
  var memoryBytes: Int { Self.capacity * words * 8 }

  /// Room for one more state; the caller writes `words` words there.
  @inline(__always)
  func appendSlot() -> UnsafeMutablePointer<UInt64> {
    defer { count += 1 }
    return base + count * words
  }

  @inline(__always)
  func state(_ i: Int) -> UnsafeMutablePointer<UInt64> { base + i * words }
}

/// Where a worker appends the new states it wins: a current block and the
/// blocks it has filled.
final class BlockWriter: @unchecked Sendable {
  let words: Int
  private(set) var blocks: [StateBlock] = []
  private var current: StateBlock? = nil

  init(words: Int) { self.words = words }

  @inline(__always)
  func appendSlot() -> UnsafeMutablePointer<UInt64> {
    if let c = current, !c.isFull { return c.appendSlot() }
    let b = StateBlock(words: words)
    blocks.append(b)
    current = b
    return b.appendSlot()
  }

  /// Hands over every block written so far and starts afresh.
  func take() -> [StateBlock] {
    defer { blocks = []; current = nil }
    return blocks
  }

  var memoryBytes: Int { blocks.count * StateBlock.capacity * words * 8 }
}

/// A BFS level: blocks of packed states. Blocks already expanded are
/// released during the level (`release(upTo:)`), so a level's memory
/// shrinks as the next one grows.
struct PackedLevel {
  var blocks: [StateBlock?] = []
  private(set) var count = 0
  private(set) var memoryBytes = 0

  init(_ blocks: [StateBlock] = []) {
    self.blocks = blocks
    count = blocks.reduce(0) { $0 + $1.count }
    memoryBytes = blocks.reduce(0) { $0 + $1.memoryBytes }
  }

  /// Frees blocks [0, end).
  mutating func release(upTo end: Int) {
    for i in 0..<min(end, blocks.count) {
      if let b = blocks[i] {
        memoryBytes -= b.memoryBytes
        blocks[i] = nil
      }
    }
  }
}
