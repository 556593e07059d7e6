/// The fixed-size packed encoding of a state the exhaustive explorer stores:
/// each slot takes only the bits its declared range needs.
///
/// Slots are laid into 64-bit words without straddling a word boundary, so
/// packing and unpacking are one shift and mask per slot. A slot whose range
/// is {0} takes no bits. Values outside a slot's range cannot be packed:
/// callers check `CompiledSystem.firstOutOfRange` first (a model whose
/// bounds are too small is an internal error, never silent wrap-around).
public final class StatePacker: @unchecked Sendable {
  public let slotCount: Int
  /// 64-bit words per packed state.
  public let words: Int
  public var packedBytes: Int { words * 8 }

  @usableFromInline let word: UnsafeMutablePointer<Int32>
  /// Slots of word w: wordStart[w] ..< wordStart[w + 1] (slots are laid in order).
  @usableFromInline let wordStart: UnsafeMutablePointer<Int32>
  @usableFromInline let shift: UnsafeMutablePointer<UInt64>
  @usableFromInline let mask: UnsafeMutablePointer<UInt64>

  public init(slotMax: [UInt8]) {
    slotCount = slotMax.count
    word = .allocate(capacity: max(slotCount, 1))
    shift = .allocate(capacity: max(slotCount, 1))
    mask = .allocate(capacity: max(slotCount, 1))
    var w = 0, used = 0
    for (i, m) in slotMax.enumerated() {
      let bits = m == 0 ? 0 : UInt8.bitWidth - m.leadingZeroBitCount
      if used + bits > 64 { w += 1; used = 0 }
      word[i] = Int32(w)
      shift[i] = UInt64(used)
      mask[i] = bits == 0 ? 0 : (UInt64(1) << UInt64(bits)) - 1
      used += bits
    }
    words = w + 1
    wordStart = .allocate(capacity: words + 1)
    var k = 0
    for wi in 0...words {
      while k < slotCount && Int(word[k]) < wi { k += 1 }
      wordStart[wi] = Int32(k)
    }
  }

  deinit {
    word.deallocate()
    wordStart.deallocate()
    shift.deallocate()
    mask.deallocate()
  }

  /// `out` (`words` words) := the packed form of `s` (`slotCount` bytes, each in range).
  @inlinable
  public func pack(_ s: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<UInt64>) {
    for w in 0..<words {
      var acc: UInt64 = 0
      for i in Int(wordStart[w])..<Int(wordStart[w + 1]) {
        acc |= (UInt64(s[i]) & mask[i]) << shift[i]
      }
      out[w] = acc
    }
  }

  /// `s` (`slotCount` bytes) := the state packed in `p`.
  @inlinable
  public func unpack(_ p: UnsafePointer<UInt64>, into s: UnsafeMutablePointer<UInt8>) {
    for w in 0..<words {
      let acc = p[w]
      for i in Int(wordStart[w])..<Int(wordStart[w + 1]) {
        s[i] = UInt8(truncatingIfNeeded: (acc >> shift[i]) & mask[i])
      }
    }
  }
}
