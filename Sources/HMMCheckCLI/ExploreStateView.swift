import CheckerCore
import Traces

/// The whole state for `state`: one section per part of the kernel (CPU
/// page table, device page tables, physical pages, notifier sequences and
/// locks, memcg/rss, threads, then the ghosts), one row per page, device,
/// physical page or thread, so it reads like a table and fits 80 columns.
struct ExploreStateView {
  let system: GuardedSystem
  let style: ExploreStyle
  var schema: Schema { system.schema }
  var renderer: StateRenderer { StateRenderer(system: system) }

  /// Sections and the schema groups they show, in order; groups not named
  /// here come last, under their own names.
  static let sections: [(title: String, groups: [String])] = [
    ("CPU page table", ["CPU page table", "VMAs", "data"]),
    ("device page tables", ["device page tables"]),
    ("physical pages", ["physical pages"]),
    ("notifier sequences and locks", ["notifier sequences", "locks"]),
    ("memcg / rss", ["accounting"]),
    ("threads", ["threads"]),
  ]

  func render(_ state: StateVector) -> [String] {
    var groups: [String] = []
    for v in schema.variables where !groups.contains(v.group) { groups.append(v.group) }
    var sections = Self.sections.map { s in (s.title, s.groups.filter(groups.contains)) }.filter { !$0.1.isEmpty }
    let named = Set(Self.sections.flatMap(\.groups))
    let rest = groups.filter { !named.contains($0) }
    if !rest.isEmpty { sections.append((rest.joined(separator: ", ") + " (ghosts)", rest)) }
    var out: [String] = []
    for (title, gs) in sections {
      out.append(style.paint(title + ":", .bold))
      let vars = schema.variables.filter { gs.contains($0.group) }
      out += section(vars, state, threads: gs == ["threads"])
    }
    return out
  }

  /// Scalars on shared lines, then one row per element of each first
  /// dimension (pages, devices, physical pages, threads).
  private func section(_ vars: [Schema.Variable], _ state: StateVector, threads: Bool) -> [String] {
    var out: [String] = []
    let scalars = vars.filter { $0.dimensions.isEmpty }
    if !scalars.isEmpty {
      out += style.wrap("  " + scalars.map { "\($0.name) = \(renderer.value(slot: $0.firstSlot, in: state))" }.joined(separator: ", "))
    }
    var dims: [String] = []
    for v in vars where !v.dimensions.isEmpty && !dims.contains(v.dimensions[0]) { dims.append(v.dimensions[0]) }
    for d in dims {
      let rowVars = vars.filter { $0.dimensions.first == d }
      let elements = schema.domain(d)?.elements ?? []
      let prefix = commonPrefix(rowVars.map(\.name))
      for (i, e) in elements.enumerated() {
        var fields: [(name: String, value: String, zero: Bool)] = []
        var pcText: String? = nil
        for v in rowVars {
          let shortName = String(v.name.dropFirst(prefix.count))
          if v.dimensions.count == 1 {
            let s = schema.slot(v, [i])
            if threads && v.name == "thread.pc" {
              pcText = renderer.value(slot: s, in: state)
              continue
            }
            fields.append((shortName, renderer.value(slot: s, in: state), state[s] == 0))
          } else if v.dimensions.count == 2, let inner = schema.domain(v.dimensions[1]) {
            for j in inner.elements.indices {
              let s = schema.slot(v, [i, j])
              fields.append(("\(shortName)[\(inner.elements[j])]", renderer.value(slot: s, in: state), state[s] == 0))
            }
          }
        }
        let label = d == "page" ? "page \(e)" : e
        if threads {
          // A thread: where it is, then its locals that are set.
          let set = fields.filter { !$0.zero }
          var row = "  \(label) at \u{201C}\(pcText ?? "?")\u{201D}"
          if !set.isEmpty { row += ": " + set.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
          out += style.wrap(row, indent: 6)
        } else if d == "phys" && fields.allSatisfy({ $0.zero || $0.name == "kind" || $0.name == "owner" }) {
          let kind = fields.first { $0.name == "kind" }?.value ?? ""
          let owner = fields.first { $0.name == "owner" && !$0.zero }.map { " of \($0.value)" } ?? ""
          out.append("  \(label): free \(kind) page\(owner)")
        } else {
          out += style.wrap("  \(label): " + fields.map { "\($0.name)=\($0.value)" }.joined(separator: " "), indent: 6)
        }
      }
    }
    return out
  }

  /// The longest `x.` prefix shared by every name (`page.` for the
  /// physical-page fields), or "" when they differ.
  private func commonPrefix(_ names: [String]) -> String {
    guard let first = names.first, let dot = first.firstIndex(of: ".") else { return "" }
    let p = String(first[...dot])
    return names.allSatisfy { $0.hasPrefix(p) } ? p : ""
  }
}
