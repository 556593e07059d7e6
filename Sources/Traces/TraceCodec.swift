import CheckerCore
import Yams

/// A malformed trace file: always reported at file:line:column.
public typealias TraceFileError = InputError

/// Writes and reads traces as ITF JSON.
public enum TraceCodec {
  // MARK: - Writing

  public static func encode(_ trace: Trace, system: GuardedSystem) -> String {
    let schema = system.schema
    let r = StateRenderer(system: system)
    var meta: [(String, JSONValue)] = [
      ("format", .string("ITF")),
      ("format-description", .string("https://apalache-mc.org/docs/adr/015adr-trace.html")),
      ("source", .string(trace.modelFile)),
      ("status", .string(trace.status)),
      ("description", .string(trace.explanation ?? "")),
      (
        "hmmcheck",
        .object([
          ("version", .int(Trace.formatVersion)),
          ("model", .string(trace.modelName)),
          ("modelHash", .string(hex(trace.modelHash))),
          ("engine", .string(trace.engine)),
          ("seed", trace.seed.map { .string(String($0)) } ?? .null),
          ("property", trace.property.map { .string($0) } ?? .null),
          ("initial", .int(trace.initial)),
          ("replay", .string("hmmcheck replay <this file>")),
        ])
      ),
    ]
    _ = meta
    meta.removeAll { $0.0 == "description" && trace.explanation == nil }
    var states: [JSONValue] = []
    // Sequences and versions in the kernel's numbering (KernelNumbering).
    let rows = system.kernelNumbering(trace.states, actions: trace.steps.map(\.command))
    for (i, s) in trace.states.enumerated() {
      var stateMeta: [(String, JSONValue)] = [("index", .int(i))]
      var fields: [(String, JSONValue)] = []
      if i > 0 {
        let st = trace.steps[i - 1]
        stateMeta += [
          ("action", .string(st.name)), ("actor", .string(st.thread)),
          ("params", .array(st.params.map { .string($0) })), ("outcome", .string(st.outcome)),
          ("command", .int(st.command)),
        ]
        fields.append(("mbt::actionTaken", .string(st.name)))
      }
      fields.insert(("#meta", .object(stateMeta)), at: 0)
      for v in schema.variables {
        fields.append((v.name, encodeVariable(v, s, rows[i], schema, r)))
      }
      states.append(.object(fields))
    }
    var top: [(String, JSONValue)] = [
      ("#meta", .object(meta)),
      ("vars", .array(schema.variables.map { .string($0.name) })),
      ("states", .array(states)),
    ]
    if let loop = trace.loop { top.append(("loop", .int(loop))) }
    return JSONValue.object(top).render() + "\n"
  }

  public static func hex(_ x: UInt64) -> String {
    let h = String(x, radix: 16)
    return String(repeating: "0", count: 16 - h.count) + h
  }

  private static func encodeVariable(
    _ v: Schema.Variable, _ s: StateVector, _ row: [Int], _ schema: Schema, _ r: StateRenderer
  ) -> JSONValue {
    func scalar(_ slot: Int) -> JSONValue {
      if v.name == "thread.pc" { return .string(r.value(slot: slot, in: s)) }
      switch v.type {
      case .bool: return .bool(s[slot] != 0)
      case .int: return .int(row[slot])
      case .enumeration, .reference: return .string(schema.format(slot: slot, value: s[slot]))
      }
    }
    let sizes = v.dimensions.map { schema.domain($0)!.elements.count }
    func build(_ dim: Int, _ offset: Int) -> JSONValue {
      if dim == sizes.count { return scalar(v.firstSlot + offset) }
      let stride = sizes[(dim + 1)...].reduce(1, *)
      return .array((0..<sizes[dim]).map { build(dim + 1, offset + $0 * stride) })
    }
    return build(0, 0)
  }

  // MARK: - Reading

  /// A trace file parsed before its model is known: the model is needed to
  /// turn the recorded states back into state vectors.
  public struct Parsed: @unchecked Sendable {
    public var file: String
    public var modelFile: String
    public var modelName: String
    public var modelHash: UInt64?
    public var engine: String
    public var seed: UInt64?
    public var status: String
    public var property: String?
    public var initial: Int
    public var loop: Int?
    public var steps: [Trace.Step]
    /// Source position of each step's `#meta` (for divergence reports).
    public var stepLines: [Int]
    /// Position of the `source` value (the model path), for errors about it.
    public var sourceLine: Int
    public var sourceColumn: Int
    let stateNodes: [Node]
  }

  public static func parse(text: String, file: String) throws -> Parsed {
    func fail(_ node: Node?, _ msg: String) -> TraceFileError {
      let m = node?.mark
      return TraceFileError(file: file, line: m?.line ?? 1, column: m?.column ?? 1, message: msg)
    }
    let root: Node
    do {
      guard let r = try Yams.compose(yaml: text) else { throw fail(nil, "empty trace file") }
      root = r
    } catch let e as YamlError {
      throw yamlError(e, file: file)
    }
    guard let top = root.mapping else { throw fail(root, "a trace is a JSON object with #meta, vars and states") }
    guard let meta = top["#meta"]?.mapping else { throw fail(root, "missing \"#meta\" object") }
    guard let hm = meta["hmmcheck"]?.mapping else { throw fail(top["#meta"], "missing \"#meta\".\"hmmcheck\": not an hmmcheck trace") }
    func string(_ m: Node.Mapping, _ key: String, in node: Node?) throws -> String {
      guard let v = m[key] else { throw fail(node, "missing \"\(key)\"") }
      guard let s = v.scalar?.string, v.scalar?.style == .doubleQuoted || v.scalar?.style == .singleQuoted else {
        throw fail(v, "\"\(key)\" must be a string")
      }
      return s
    }
    func int(_ node: Node?, _ what: String) throws -> Int {
      guard let node, let s = node.scalar, s.style == .plain, let i = Int(s.string) else {
        throw fail(node, "\(what) must be an integer")
      }
      return i
    }
    let version = try int(hm["version"], "\"version\"")
    guard version == Trace.formatVersion else {
      throw fail(hm["version"], "trace format version \(version) is not supported (this hmmcheck reads version \(Trace.formatVersion))")
    }
    let hmNode = meta["hmmcheck"]
    let modelFile = try string(meta, "source", in: top["#meta"])
    let modelName = try string(hm, "model", in: hmNode)
    let hashText = try string(hm, "modelHash", in: hmNode)
    guard let hash = UInt64(hashText, radix: 16) else { throw fail(hm["modelHash"], "\"modelHash\" must be 16 hex digits") }
    let engine = try string(hm, "engine", in: hmNode)
    var seed: UInt64? = nil
    if let s = hm["seed"], s.scalar?.string != "null" {
      guard let v = UInt64(s.scalar?.string ?? "") else { throw fail(s, "\"seed\" must be a decimal string or null") }
      seed = v
    }
    let status = try string(meta, "status", in: top["#meta"])
    var property: String? = nil
    if let p = hm["property"], p.scalar?.string != "null" || p.scalar?.style != .plain {
      property = try string(hm, "property", in: hmNode)
    }
    let initial = try int(hm["initial"], "\"initial\"")
    var loop: Int? = nil
    if let l = top["loop"] { loop = try int(l, "\"loop\"") }
    guard let statesNode = top["states"], let states = statesNode.sequence else {
      throw fail(top["states"] ?? root, "missing \"states\" array")
    }
    guard !states.isEmpty else { throw fail(statesNode, "\"states\" is empty") }
    var steps: [Trace.Step] = []
    var marks: [Int] = []
    for (i, st) in states.enumerated() {
      guard let sm = st.mapping else { throw fail(st, "state \(i) must be an object") }
      guard let m = sm["#meta"]?.mapping else { throw fail(st, "state \(i) has no \"#meta\"") }
      let idx = try int(m["index"], "\"index\"")
      guard idx == i else { throw fail(m["index"], "state index \(idx) where \(i) was expected") }
      if i == 0 { continue }
      let cmd = try int(m["command"], "\"command\"")
      let params = try (m["params"]?.sequence ?? []).map { n -> String in
        guard let s = n.scalar?.string else { throw fail(n, "params must be strings") }
        return s
      }
      steps.append(
        Trace.Step(
          command: cmd, thread: try string(m, "actor", in: sm["#meta"]), name: try string(m, "action", in: sm["#meta"]),
          params: params, outcome: try string(m, "outcome", in: sm["#meta"])))
      marks.append(sm["#meta"]!.mark?.line ?? 1)
    }
    return Parsed(
      file: file, modelFile: modelFile, modelName: modelName, modelHash: hash, engine: engine, seed: seed,
      status: status, property: property, initial: initial, loop: loop, steps: steps, stepLines: marks,
      sourceLine: meta["source"]?.mark?.line ?? 1, sourceColumn: meta["source"]?.mark?.column ?? 1,
      stateNodes: Array(states))
  }

  /// Decodes the recorded states against the model's schema.
  public static func states(of parsed: Parsed, system: GuardedSystem) throws -> [StateVector] {
    let schema = system.schema
    func fail(_ node: Node?, _ msg: String) -> TraceFileError {
      let m = node?.mark
      return TraceFileError(file: parsed.file, line: m?.line ?? 1, column: m?.column ?? 1, message: msg)
    }
    var out: [StateVector] = []
    for (i, node) in parsed.stateNodes.enumerated() {
      let m = node.mapping!
      // Value classes are recorded in the kernel's numbering: read them
      // whole, then rename canonically, as the stepper's states are.
      var s = [Int](repeating: 0, count: schema.slotCount)
      for v in schema.variables {
        guard let vn = m[v.name] else { throw fail(node, "state \(i) lacks variable \"\(v.name)\" (was the trace written for another model?)") }
        let sizes = v.dimensions.map { schema.domain($0)!.elements.count }
        func decode(_ n: Node, _ dim: Int, _ offset: Int) throws {
          if dim == sizes.count {
            s[v.firstSlot + offset] = try scalar(n, v, v.firstSlot + offset)
            return
          }
          guard let seq = n.sequence, seq.count == sizes[dim] else {
            throw fail(n, "\"\(v.name)\" must be an array of \(sizes[dim]) (\(v.dimensions[dim]))")
          }
          let stride = sizes[(dim + 1)...].reduce(1, *)
          for (k, e) in seq.enumerated() { try decode(e, dim + 1, offset + k * stride) }
        }
        try decode(vn, 0, 0)
      }
      system.renaming?.canonicalize(values: &s)
      for (slot, x) in s.enumerated() where x > Int(system.slotMax[slot]) {
        let v = schema.variables[schema.slotOwner[slot]]
        throw fail(
          m[v.name],
          "state \(i): \"\(schema.slotName(slot))\" = \(x) is out of its range (its value class holds at most \(system.slotMax[slot]) distinct values)"
        )
      }
      out.append(StateVector(slots: s.map { UInt8($0) }))
    }
    func scalar(_ n: Node, _ v: Schema.Variable, _ slot: Int) throws -> Int {
      guard let sc = n.scalar else { throw fail(n, "\"\(v.name)\": expected a value") }
      if v.name == "thread.pc" {
        let t = system.threads.firstIndex { $0.pcSlot == slot }!
        guard let pc = system.threads[t].pcLabels.firstIndex(of: sc.string) else {
          throw fail(n, "unknown program point \"\(sc.string)\" of thread \(system.threads[t].name)")
        }
        return pc
      }
      switch v.type {
      case .bool:
        guard sc.string == "true" || sc.string == "false" else { throw fail(n, "\"\(v.name)\": expected true or false") }
        return sc.string == "true" ? 1 : 0
      case .int(let lo, let hi):
        // A value class's numbers are the kernel's, without a bound.
        let bound = system.renaming.map { $0.classOfSlot[slot] >= 0 } == true ? 1 << 40 : hi
        guard sc.style == .plain, let x = Int(sc.string), x >= lo, x <= bound else {
          throw fail(n, "\"\(v.name)\": expected an integer in \(lo)...\(bound == hi ? String(hi) : "")")
        }
        return x
      case .enumeration(let name, let cases):
        guard let k = cases.firstIndex(of: sc.string) else {
          throw fail(n, "\"\(v.name)\": \"\(sc.string)\" is not a \(name) (\(cases.joined(separator: ", ")))")
        }
        return k
      case .reference(let d):
        if sc.string == "none" { return 0 }
        guard let k = schema.domain(d)?.elements.firstIndex(of: sc.string) else {
          throw fail(n, "\"\(v.name)\": \"\(sc.string)\" is not a \(d)")
        }
        return k + 1
      }
    }
    return out
  }

  static func yamlError(_ e: YamlError, file: String) -> TraceFileError {
    switch e {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
      return TraceFileError(file: file, line: mark.line, column: mark.column, message: "malformed JSON: \(problem)")
    case .duplicatedKeysInMapping(let dups, let ctx):
      return TraceFileError(file: file, line: ctx.mark.line, column: ctx.mark.column, message: "duplicate key(s): \(dups.joined(separator: ", "))")
    default:
      return TraceFileError(file: file, line: 1, column: 1, message: "malformed JSON: \(e)")
    }
  }
}
