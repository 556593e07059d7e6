/// An append-only array stored in fixed chunks of 2^16 elements: it never
/// reallocates what it holds, so a graph of tens of millions of edges costs
/// its size plus one chunk, not up to twice its size while it doubles.
/// Copy-on-write, like the standard collections.
public struct ChunkedArray<Element: BitwiseCopyable>: @unchecked Sendable {
  @usableFromInline static var shift: Int { 16 }
  @usableFromInline static var chunkSize: Int { 1 << shift }

  @usableFromInline final class Storage {
    @exclusivity(unchecked) @usableFromInline var chunks: [UnsafeMutablePointer<Element>] = []
    @exclusivity(unchecked) @usableFromInline var count = 0
    @usableFromInline init() {}
    deinit { for c in chunks { c.deallocate() } }
    @usableFromInline func copy() -> Storage {
      let s = Storage()
      for c in chunks {
        let d = UnsafeMutablePointer<Element>.allocate(capacity: ChunkedArray.chunkSize)
        d.update(from: c, count: ChunkedArray.chunkSize)
        s.chunks.append(d)
      }
      s.count = count
      return s
    }
  }

  @usableFromInline var storage = Storage()

  public init() {}

  public var count: Int { storage.count }

  @inlinable
  public mutating func append(_ x: Element) {
    if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    let s = storage
    if s.count & (Self.chunkSize - 1) == 0 {
      s.chunks.append(.allocate(capacity: Self.chunkSize))
    }
    s.chunks[s.count >> Self.shift][s.count & (Self.chunkSize - 1)] = x
    s.count += 1
  }

  @inlinable
  public subscript(i: Int) -> Element {
    get { storage.chunks[i >> Self.shift][i & (Self.chunkSize - 1)] }
    set {
      if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
      storage.chunks[i >> Self.shift][i & (Self.chunkSize - 1)] = newValue
    }
  }

  /// Bytes held.
  public var memoryBytes: Int { storage.chunks.count * Self.chunkSize * MemoryLayout<Element>.stride }
}
