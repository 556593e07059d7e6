import Testing

@testable import CheckerCore

/// A schema with a parity class (a clock S, sequences I[2], reader seqs
/// R[2]) and a plain class (versions V[3] with clock C), plus an ordinary
/// int the renaming must never touch.
private func schema() -> Schema {
  var s = Schema()
  s.addDomain("two", elements: ["a", "b"])
  s.addDomain("three", elements: ["x", "y", "z"])
  s.addVariable("S", type: .int(min: 0, max: 255), group: "g")
  s.addVariable("I", dimensions: ["two"], type: .int(min: 0, max: 255), group: "g")
  s.addVariable("R", dimensions: ["two"], type: .int(min: 0, max: 255), group: "g")
  s.addVariable("other", type: .int(min: 0, max: 255), group: "g")
  s.addVariable("C", type: .int(min: 0, max: 255), group: "g")
  s.addVariable("V", dimensions: ["three"], type: .int(min: 0, max: 255), group: "g")
  s.addValueClass("seq", variables: ["S", "I", "R"], clock: "S", parity: true)
  s.addValueClass("version", variables: ["C", "V"], clock: "C", parity: false)
  return s
}

@Suite struct ValueRenamingTests {
  let r = ValueRenaming(schema: schema())!
  // slots: S 0, I 1-2, R 3-4, other 5, C 6, V 7-9

  func canonical(_ v: [Int]) -> [Int] {
    var bytes = v.map(UInt8.init)
    bytes.withUnsafeMutableBufferPointer { r.canonicalize($0.baseAddress!) }
    return bytes.map(Int.init)
  }

  @Test func ranksLiveKeysKeepsParityAndPinnedValues() {
    // keys: S 9>>1=4, I 7>>1=3 and 1 (pinned), R 0 (pinned) and 6>>1=3;
    // ranks 3 -> 1, 4 -> 2. Versions 0 pinned, 4 -> 1, 9 -> 2.
    #expect(canonical([9, 7, 1, 0, 6, 200, 9, 4, 0, 9]) == [5, 3, 1, 0, 2, 200, 2, 1, 0, 2])
  }

  /// The canonical form is a renaming that keeps order, equality and
  /// parity, is idempotent, and is the same for every state the values can
  /// be renamed into (here: states shifted by an even offset per class).
  @Test func canonicalFormIsAnOrderAndParityPreservingInvariant() {
    var rng = SplitMix64(seed: 11)
    for _ in 0..<3000 {
      let v = (0..<10).map { _ in rng.below(40) }
      let c = canonical(v)
      #expect(canonical(c) == c)
      for cls in r.classes {
        for a in cls.slots {
          for b in cls.slots {
            #expect((v[a] < v[b]) == (c[a] < c[b]))
            #expect((v[a] == v[b]) == (c[a] == c[b]))
          }
          if cls.parity { #expect(v[a] & 1 == c[a] & 1) }
          #expect((v[a] == 0) == (c[a] == 0))
        }
      }
      #expect(c[5] == v[5])
      // Shift every non-pinned value up by an even amount: same canonical form.
      let shifted = v.enumerated().map { i, x in
        guard let k = r.classOfSlot[i] >= 0 ? r.classes[r.classOfSlot[i]] : nil else { return x }
        return (k.parity ? x >> 1 : x) == 0 ? x : x + 10
      }
      #expect(canonical(shifted) == c)
      // The unbounded-integer form (trace values) agrees.
      var ints = shifted.map { $0 * 1 }
      r.canonicalize(values: &ints)
      #expect(ints == c)
    }
  }

  /// The structural contract: copies, pinned constants, clock + 1 and
  /// comparisons pass; arithmetic, other constants and use as a number fail.
  @Test func contractAcceptsTheKernelsOperationsAndRejectsArithmetic() {
    let s = schema()
    func cmd(_ g: Expr, _ u: [(Int, Expr)]) -> Command {
      Command(thread: 0, pc: 0, name: "c", guard: g, updates: u.map { Command.Update(slot: $0.0, value: $0.1) })
    }
    let ok = [
      cmd(.binary(.ne, .slot(1), .slot(0)), [(3, .slot(1))]),
      cmd(.binary(.eq, .slot(3), .const(0)), [(0, .binary(.add, .slot(0), .const(1)))]),
      cmd(.binary(.lt, .slot(3), .slot(0)), [(1, .ite(.binary(.eq, .slot(5), .const(0)), .slot(0), .slot(1)))]),
      cmd(.binary(.ne, .select(table: [-1, 7, 8, 9], index: .slot(5)), .slot(6)), [(8, .binary(.add, .slot(6), .const(1)))]),
      cmd(.const(1), [(7, .const(0)), (5, .binary(.add, .slot(5), .const(3)))]),
    ]
    #expect(r.contractViolation(ok, schema: s) == nil)
    let bad: [Command] = [
      cmd(.binary(.eq, .slot(0), .const(4)), []),
      cmd(.binary(.lt, .binary(.add, .slot(1), .const(1)), .slot(0)), []),
      cmd(.const(1), [(1, .binary(.add, .slot(1), .const(2)))]),
      cmd(.const(1), [(5, .slot(0))]),
      cmd(.binary(.eq, .slot(0), .slot(6)), []),
      cmd(.const(1), [(3, .const(5))]),
    ]
    for b in bad { #expect(r.contractViolation([b], schema: s) != nil, "\(b.guardExpr) \(b.updates)") }
  }

  /// Shown values along a path: S counts 2, 3, 4, 5 although the canonical
  /// states keep renumbering it; a version made at the clock is above all.
  @Test func kernelNumberingFollowsTheUnrenamedRun() {
    let s = schema()
    // command 0: S += 1 (S even -> odd); command 1: S += 1 and I[a] := S
    // (a new sequence published); command 2: a write: C += 1, V[x] := C + 1.
    let cmds = [
      Command(thread: 0, pc: 0, name: "start", guard: .true, updates: [.init(slot: 0, value: .binary(.add, .slot(0), .const(1)))]),
      Command(
        thread: 0, pc: 0, name: "end", guard: .true,
        updates: [.init(slot: 0, value: .binary(.add, .slot(0), .const(1))), .init(slot: 1, value: .slot(0))]),
      Command(
        thread: 0, pc: 0, name: "write", guard: .true,
        updates: [.init(slot: 6, value: .binary(.add, .slot(6), .const(1))), .init(slot: 7, value: .binary(.add, .slot(6), .const(1)))]),
    ]
    var sch = s
    sch.addVariable("pc", type: .int(min: 0, max: 0), group: "g")
    let initial = StateVector(slots: [2, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0])
    let sys = GuardedSystem(
      schema: sch, threads: [ThreadInfo(name: "t", pcSlot: 10, pcLabels: ["p"], donePC: 0)], commands: cmds,
      initial: [initial])
    let actions = [0, 1, 0, 1, 2, 2]
    var states = [sys.initial[0]]
    for a in actions { states.append(sys.successor(of: states.last!, via: a)) }
    let rows = sys.kernelNumbering(states, actions: actions)
    #expect(rows.map { $0[0] } == [2, 3, 4, 5, 6, 6, 6])
    #expect(rows.map { $0[1] } == [1, 1, 3, 3, 5, 5, 5])
    #expect(rows.map { $0[6] } == [1, 1, 1, 1, 1, 2, 3])
    #expect(rows.map { $0[7] } == [1, 1, 1, 1, 1, 2, 3])
    // Renaming the shown values gives back the canonical states.
    for (row, st) in zip(rows, states) {
      var v = row
      sys.renaming!.canonicalize(values: &v)
      #expect(v == st.slots.map(Int.init))
    }
    // The canonical states stay small: S is renumbered back to rank 2
    // (key 2, even) once the two live sequences are I = 5 and S = 6.
    #expect(states.map { $0[0] } == [2, 3, 4, 5, 4, 4, 4])
  }
}
