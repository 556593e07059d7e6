import ArgumentParser
import CheckerCore
import Explorers
import Foundation
import Traces

/// The reachable state graph of a small model: every state (labelled by
/// what differs from the initial state), every transition (labelled by its
/// kernel path), violating states and transitions marked.
struct GraphExport {
  struct Node {
    var state: StateVector
    /// `always` state properties false here.
    var violates: [String]
    var final: Bool
    var deadlock: Bool
  }

  struct Edge {
    var from: Int
    var to: Int
    var action: Int
    /// `always` step properties false on this transition.
    var violates: [String]
  }

  var nodes: [Node] = []
  var edges: [Edge] = []

  struct TooLarge: Error {
    var limit: Int
  }

  /// Breadth-first from the initial states. As in `check`, a state that
  /// violates an `always` property, or that is reached only by a transition
  /// violating one, is drawn but not expanded (unless `throughViolations`):
  /// so the graph has the states `check` counts. Throws `TooLarge` as soon
  /// as more than `maxStates` states are found.
  static func build(
    _ system: GuardedSystem, properties: [Property<GuardedSystem>], maxStates: Int, throughViolations: Bool = false
  ) throws -> GraphExport {
    var g = GraphExport()
    var index: [StateVector: Int] = [:]
    var expandable: [Bool] = []
    var expanded: [Bool] = []
    var queue: [Int] = []
    func add(_ s: StateVector, viaViolation: Bool) throws -> Int {
      if let i = index[s] {
        if !viaViolation && !expandable[i] && g.nodes[i].violates.isEmpty {
          expandable[i] = true
          if !expanded[i] { queue.append(i) }
        }
        return i
      }
      guard g.nodes.count < maxStates else { throw TooLarge(limit: maxStates) }
      let violated = properties.compactMap { p -> String? in
        guard p.kind == .always, case .state(let f) = p.check, !f(s) else { return nil }
        return p.name
      }
      index[s] = g.nodes.count
      g.nodes.append(Node(state: s, violates: violated, final: system.isFinal(s), deadlock: false))
      let expand = throughViolations || (!viaViolation && violated.isEmpty)
      expandable.append(expand)
      expanded.append(false)
      if expand { queue.append(g.nodes.count - 1) }
      return g.nodes.count - 1
    }
    for s in system.initialStates() { _ = try add(s, viaViolation: false) }
    var head = 0
    var enabled: [Int] = []
    while head < queue.count {
      let i = queue[head]
      head += 1
      if expanded[i] { continue }
      expanded[i] = true
      let s = g.nodes[i].state
      enabled.removeAll(keepingCapacity: true)
      system.enabledActions(in: s, into: &enabled)
      if enabled.isEmpty && !g.nodes[i].final { g.nodes[i].deadlock = true }
      for a in enabled {
        let t = system.successor(of: s, via: a)
        let violated = properties.compactMap { p -> String? in
          guard p.kind == .always, case .step(let f) = p.check, !f(s, a, t) else { return nil }
          return p.name
        }
        let to = try add(t, viaViolation: !violated.isEmpty && !throughViolations)
        g.edges.append(Edge(from: i, to: to, action: a, violates: violated))
      }
    }
    return g
  }

  /// What differs from the first initial state, one `name = value` per slot.
  static func label(_ s: StateVector, base: StateVector, renderer: StateRenderer) -> [String] {
    (0..<s.slots.count).filter { s.slots[$0] != base.slots[$0] }.map {
      "\(renderer.system.schema.slotName($0)) = \(renderer.value(slot: $0, in: s))"
    }
  }

  // MARK: - Graphviz

  func dot(_ system: GuardedSystem, name: String) -> String {
    let r = StateRenderer(system: system)
    let base = nodes[0].state
    func q(_ s: String) -> String {
      "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
    /// Left-justified multi-line label.
    func lines(_ ls: [String]) -> String {
      "\"" + ls.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\\l" }.joined() + "\""
    }
    let bad = nodes.filter { !$0.violates.isEmpty }.count + edges.filter { !$0.violates.isEmpty }.count
    var out = "digraph \(q(name)) {\n"
    out +=
      "  graph [fontname=\"monospace\", labelloc=t, label=\(q("\(name): \(nodes.count) states, \(edges.count) transitions" + (bad > 0 ? "; red: violates a property" : "")))];\n"
    out += "  node [shape=box, fontname=\"monospace\", fontsize=9];\n"
    out += "  edge [fontname=\"monospace\", fontsize=8];\n"
    for (i, n) in nodes.enumerated() {
      var ls = ["s\(i)" + (i == 0 ? " (initial)" : "")]
      if i > 0 { ls += Self.label(n.state, base: base, renderer: r) }
      var attrs: [String] = []
      if !n.violates.isEmpty {
        ls += n.violates.map { "VIOLATES \($0)" }
        attrs += ["color=red", "fontcolor=red", "penwidth=2"]
      }
      if n.deadlock {
        ls.append("DEADLOCK")
        attrs += ["color=orange", "penwidth=2"]
      }
      if n.final { attrs.append("peripheries=2") }
      if i == 0 { attrs.append("style=bold") }
      out += "  s\(i) [label=\(lines(ls))\(attrs.isEmpty ? "" : ", " + attrs.joined(separator: ", "))];\n"
    }
    for e in edges {
      var label = system.describe(e.action)
      var attrs: [String] = []
      if !e.violates.isEmpty {
        label += "\nVIOLATES " + e.violates.joined(separator: ", ")
        attrs += ["color=red", "fontcolor=red"]
      }
      out +=
        "  s\(e.from) -> s\(e.to) [label=\(q(label).replacingOccurrences(of: "\n", with: "\\n"))\(attrs.isEmpty ? "" : ", " + attrs.joined(separator: ", "))];\n"
    }
    return out + "}\n"
  }

  // MARK: - JSON

  func json(_ system: GuardedSystem, name: String, file: String) -> String {
    let r = StateRenderer(system: system)
    let base = nodes[0].state
    let states: [JSONValue] = nodes.enumerated().map { i, n in
      .object([
        ("id", .int(i)),
        ("initial", .bool(i == 0)),
        ("changes", .array(i == 0 ? [] : Self.label(n.state, base: base, renderer: r).map { .string($0) })),
        ("violates", .array(n.violates.map { .string($0) })),
        ("final", .bool(n.final)),
        ("deadlock", .bool(n.deadlock)),
      ])
    }
    let transitions: [JSONValue] = edges.map { e in
      let c = system.commands[e.action]
      return .object([
        ("from", .int(e.from)),
        ("to", .int(e.to)),
        ("command", .int(e.action)),
        ("actor", .string(system.threads[c.thread].name)),
        ("action", .string(c.name)),
        ("params", .array(c.params.map { .string($0) })),
        ("outcome", .string(c.outcome)),
        ("label", .string(system.describe(e.action))),
        ("violates", .array(e.violates.map { .string($0) })),
      ])
    }
    let initial: [JSONValue] = system.schema.variables.indices.flatMap { v -> [JSONValue] in
      let variable = system.schema.variables[v]
      let count = variable.dimensions.reduce(1) { $0 * (system.schema.domain($1)?.elements.count ?? 0) }
      return (0..<count).map { k in
        let slot = variable.firstSlot + k
        return .string("\(system.schema.slotName(slot)) = \(r.value(slot: slot, in: base))")
      }
    }
    return JSONValue.object([
      ("model", .string(name)),
      ("source", .string(file)),
      ("initialState", .array(initial)),
      ("states", .array(states)),
      ("transitions", .array(transitions)),
    ]).render() + "\n"
  }
}

extension HMMCheck {
  /// `hmmcheck graph`: the reachable state graph as Graphviz or JSON.
  struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the reachable state graph of a small model (Graphviz dot or JSON), violations marked.",
      discussion: """
        States are labelled by what differs from the initial state, transitions by the kernel path they \
        model; states and transitions that violate an always property are red. Render with Graphviz: \
        hmmcheck graph MODEL | dot -Tsvg -o graph.svg. A model with more than --max-states reachable \
        states is refused (exit 64).
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case dot, json }

    @Argument(help: "The model file.") var model: String
    @OptionGroup var sources: SourceOptions
    @Option(help: "Refuse models with more reachable states than this.") var maxStates: Int = 2000
    @Option(help: "dot (Graphviz) or json.") var format: Format = .dot
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?
    @Flag(help: "Also expand states that violate a property (check stops at them).") var throughViolations = false

    func run() throws {
      try guarded {
        guard maxStates > 0 else { throw CLIError.input("error: --max-states must be positive") }
        let cat = try sources.catalogue()
        let s = try sources.session(model, cat)
        let g: GraphExport
        do {
          g = try GraphExport.build(s.system, properties: s.properties, maxStates: maxStates, throughViolations: throughViolations)
        } catch let e as GraphExport.TooLarge {
          throw CLIError.input(
            "error: \(model) has more than \(e.limit) reachable states: too many to draw "
              + "(raise --max-states, or use hmmcheck check / explore on it)")
        }
        let text = format == .dot ? g.dot(s.system, name: s.name) : g.json(s.system, name: s.name, file: model)
        if let output {
          do {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
          } catch {
            throw CLIError.input("\(output):1:1: error: cannot write the graph: \(error.localizedDescription)")
          }
          Output.error("\(s.name): \(g.nodes.count) states, \(g.edges.count) transitions written to \(output)")
        } else {
          print(text, terminator: "")
        }
        return .ok
      }
    }
  }
}
