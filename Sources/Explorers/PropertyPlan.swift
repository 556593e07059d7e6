import CheckerCore

/// The safety properties as flat tables over a `CompiledSystem`'s code
/// pool, so a hot loop copies no strings or arrays (and so retains nothing):
/// what the packed search and the packed random walker check each state and
/// step with.
final class PropertyPlan: @unchecked Sendable {
  let stateCount: Int, stepCount: Int, flagCount: Int, commands: Int
  /// Per state property: index in `properties`, code offset, always?
  let stateIndex: UnsafeMutablePointer<Int>
  let stateOffset: UnsafeMutablePointer<Int32>
  let stateAlways: UnsafeMutablePointer<Bool>
  /// Per step property: index, code offset (-1: decided per command), always?
  let stepIndex: UnsafeMutablePointer<Int>
  let stepOffset: UnsafeMutablePointer<Int32>
  let stepAlways: UnsafeMutablePointer<Bool>
  /// [step property][command]: the per-command value, or the event flags.
  let stepTable: UnsafeMutablePointer<Bool>
  let stepFlags: UnsafeMutablePointer<UInt8>
  /// [command][state property]: does the command write a slot the
  /// property reads? If not, the successor inherits the parent's value,
  /// and the parent (expanded, so no `always` failed there; its witnesses
  /// already recorded, one level shallower) needs no new evaluation.
  let affects: UnsafeMutablePointer<Bool>

  init(_ properties: [SlotProperty], system: GuardedSystem, offsets: [Int32]) {
    let n = system.schema.slotCount
    let commands = system.commands.count
    let states = properties.indices.filter { !properties[$0].isStep }
    let steps = properties.indices.filter { properties[$0].isStep }
    stateCount = states.count
    stepCount = steps.count
    self.commands = commands
    flagCount = steps.map { properties[$0].commandFlags.first?.count ?? 0 }.max() ?? 0
    stateIndex = .allocate(capacity: max(states.count, 1))
    stateOffset = .allocate(capacity: max(states.count, 1))
    stateAlways = .allocate(capacity: max(states.count, 1))
    stepIndex = .allocate(capacity: max(steps.count, 1))
    stepOffset = .allocate(capacity: max(steps.count, 1))
    stepAlways = .allocate(capacity: max(steps.count, 1))
    stepTable = .allocate(capacity: max(steps.count * commands, 1))
    stepFlags = .allocate(capacity: max(steps.count * commands * flagCount, 1))
    stepFlags.initialize(repeating: 0, count: max(steps.count * commands * flagCount, 1))
    affects = .allocate(capacity: max(states.count * commands, 1))
    let reads: [Set<Int>] = states.map { i in
      var r: [Int] = []
      properties[i].expr.slotsRead(into: &r)
      return Set(r)
    }
    for c in system.commands.indices {
      let written = system.slotsChanged(by: c)
      for k in states.indices { affects[c * states.count + k] = !reads[k].isDisjoint(with: written) }
    }
    for (k, i) in states.enumerated() {
      stateIndex[k] = i
      stateOffset[k] = offsets[k]
      stateAlways[k] = properties[i].kind == .always
    }
    for (k, i) in steps.enumerated() {
      let p = properties[i]
      stepIndex[k] = i
      stepAlways[k] = p.kind == .always
      if let t = p.perCommandTable(slotCount: n) {
        stepOffset[k] = -1
        for c in 0..<commands { stepTable[k * commands + c] = t[c] }
      } else {
        stepOffset[k] = offsets[states.count + k]
        for c in 0..<commands {
          stepTable[k * commands + c] = false
          for (f, v) in p.commandFlags[c].enumerated() { stepFlags[(k * commands + c) * flagCount + f] = v }
        }
      }
    }
  }

  /// Evaluates the state properties of `s` that command `via` can change
  /// (all of them when via < 0); calls `found` for each failing `always`
  /// and each holding `sometimes`. Returns false if an `always` failed.
  @inline(__always)
  func checkState(
    _ s: UnsafeMutablePointer<UInt8>, via: Int, _ compiled: CompiledSystem, stack: UnsafeMutablePointer<Int>,
    found: (FindingKind, _ property: Int) -> Void
  ) -> Bool {
    var ok = true
    let row = affects + max(via, 0) * stateCount
    for k in 0..<stateCount {
      if via >= 0 && !row[k] { continue }
      let holds = compiled.evaluate(stateOffset[k], s, stack: stack) != 0
      if stateAlways[k] {
        if !holds {
          found(.violation, stateIndex[k])
          ok = false
        }
      } else if holds {
        found(.witness, stateIndex[k])
      }
    }
    return ok
  }

  /// The same for the step properties of pre --c--> post; `ext` holds the
  /// extended vector [pre][post][event flags] when one is needed.
  @inline(__always)
  func checkStep(
    _ c: Int, pre: UnsafeMutablePointer<UInt8>, post: UnsafeMutablePointer<UInt8>, slotCount n: Int,
    ext: UnsafeMutablePointer<UInt8>, _ compiled: CompiledSystem, stack: UnsafeMutablePointer<Int>,
    found: (FindingKind, _ property: Int) -> Void
  ) -> Bool {
    var ok = true
    var extReady = false
    for j in 0..<stepCount {
      let holds: Bool
      let offset = stepOffset[j]
      if offset < 0 {
        holds = stepTable[j * commands + c]
      } else {
        if !extReady {
          ext.update(from: pre, count: n)
          (ext + n).update(from: post, count: n)
          extReady = true
        }
        (ext + 2 * n).update(from: stepFlags + (j * commands + c) * flagCount, count: flagCount)
        holds = compiled.evaluate(offset, ext, stack: stack) != 0
      }
      if stepAlways[j] {
        if !holds {
          found(.violation, stepIndex[j])
          ok = false
        }
      } else if holds {
        found(.witness, stepIndex[j])
      }
    }
    return ok
  }

  deinit {
    stateIndex.deallocate(); stateOffset.deallocate(); stateAlways.deallocate()
    stepIndex.deallocate(); stepOffset.deallocate(); stepAlways.deallocate()
    stepTable.deallocate(); stepFlags.deallocate(); affects.deallocate()
  }
}
