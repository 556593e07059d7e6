import CheckerCore

/// Renders states and steps in the schema's vocabulary: what a kernel
/// developer reads in a counterexample.
public struct StateRenderer: Sendable {
  public let system: GuardedSystem
  public init(system: GuardedSystem) { self.system = system }

  var schema: Schema { system.schema }

  /// The display value of one slot (`present`, `ram1`, `true`, `3`); a
  /// thread's pc shows its label.
  public func value(slot: Int, in state: StateVector) -> String { value(slot: slot, state[slot]) }

  /// The display value of a slot holding `value` (a thread's pc shows its
  /// label).
  public func value(slot: Int, _ value: Int) -> String {
    if let t = system.threads.firstIndex(where: { $0.pcSlot == slot }) {
      let labels = system.threads[t].pcLabels
      return value < labels.count ? labels[value] : "pc \(value)"
    }
    return schema.format(slot: slot, value: value)
  }

  /// `pte.kind[0]: present → migration` for every slot that differs.
  /// Narratives leave out ghosts and program counters (the step line already
  /// says where the thread is); replay divergence reports keep everything.
  public func diff(_ a: StateVector, _ b: StateVector, includeGhosts: Bool = true) -> [String] {
    diff(a.slots.map(Int.init), b.slots.map(Int.init), includeGhosts: includeGhosts)
  }

  /// The same over rows of shown values (`GuardedSystem.kernelNumbering`):
  /// a sequence the renaming renumbered but the step did not change is not
  /// a change.
  public func diff(_ a: [Int], _ b: [Int], includeGhosts: Bool = true) -> [String] {
    var out: [String] = []
    for s in 0..<a.count where a[s] != b[s] {
      let v = schema.variables[schema.slotOwner[s]]
      if !includeGhosts && (v.ghost || v.name == "thread.pc") { continue }
      out.append("\(schema.slotName(s)): \(value(slot: s, a[s])) → \(value(slot: s, b[s]))")
    }
    return out
  }

  /// The whole state grouped as the schema groups it (CPU page table, device
  /// page tables, physical pages, ...); constant zero rows of unused
  /// physical pages are elided.
  public func render(_ state: StateVector) -> String {
    var groups: [String] = []
    var byGroup: [String: [String]] = [:]
    for v in schema.variables {
      if byGroup[v.group] == nil {
        groups.append(v.group)
        byGroup[v.group] = []
      }
      let count = v.dimensions.reduce(1) { $0 * (schema.domain($1)?.elements.count ?? 0) }
      if count == 0 { continue }
      var line = "  \(v.name)"
      if v.dimensions.isEmpty {
        line += " = " + value(slot: v.firstSlot, in: state)
      } else {
        let vals = (0..<count).map { k -> String in
          let s = v.firstSlot + k
          let name = schema.slotName(s)
          let idx = name[name.firstIndex(of: "[")!...]
          return "\(idx)=\(value(slot: s, in: state))"
        }
        line += ": " + vals.joined(separator: " ")
      }
      byGroup[v.group]!.append(line)
    }
    return groups.map { g in "\(g):\n" + byGroup[g]!.joined(separator: "\n") }.joined(separator: "\n")
  }
}
