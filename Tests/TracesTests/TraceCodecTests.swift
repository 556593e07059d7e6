import CheckerCore
import Explorers
import Foundation
import HMM
import Testing
@testable import Traces

/// Small HMM models built in code, and deterministic paths through them.
enum Fixture {
  /// One page, one device: a device mirror (then a migration to the device)
  /// races a CPU write and munmap of the page.
  static func config(bugs: [Variant.Bug] = [], cpu: [HMM.Operation]? = nil) -> ModelConfig {
    var variant = Variant()
    variant.bugs = bugs
    return ModelConfig(
      name: "codec_1p1d",
      system: SystemConfig(
        pages: 1, vmas: [VMAConfig(first: 0, last: 0, kind: .privateAnon, prot: .readWrite)],
        initial: [.ram(writable: true)], ramPages: 2, devices: [DeviceConfig(name: "gpu0", poolPages: 1)],
        memcgLimit: 3),
      variant: variant,
      threads: [
        ThreadConfig(name: "gpu0_mirror", device: 0, program: [.mirror(PageRange(0, 0), write: true), .migrateToDevice(PageRange(0, 0))]),
        ThreadConfig(name: "cpu0", program: cpu ?? [.cpuWrite(0), .munmap(PageRange(0, 0))]),
      ])
  }

  static let model: HMMModel = try! HMMModel(config())
  static var system: GuardedSystem { model.system }

  /// A path that interleaves the threads by a fixed rule (the i-th step
  /// takes enabled action i mod count) until nothing is enabled.
  static func path(_ sys: GuardedSystem, maxSteps: Int = 300) -> ActionPath<Int> {
    var state = sys.initialStates()[0]
    var actions: [Int] = []
    var enabled: [Int] = []
    for i in 0..<maxSteps {
      enabled.removeAll()
      sys.enabledActions(in: state, into: &enabled)
      if enabled.isEmpty { break }
      let a = enabled[(i * 7 + 3) % enabled.count]
      actions.append(a)
      state = sys.successor(of: state, via: a)
    }
    return ActionPath(initial: 0, actions: actions)
  }

  static func trace(
    _ sys: GuardedSystem = system, modelFile: String = "Models/codec_1p1d.yaml", modelHash: UInt64 = 0x0123_4567_89ab_cdef,
    engine: String = "bfs", seed: UInt64? = nil, status: String = "violation", property: String? = "device_maps_cpu_page",
    explanation: String? = "for d = gpu0, a = 0: `x` is false", loop: Int? = nil
  ) throws -> Trace {
    try Trace.make(
      system: sys, path: path(sys), modelFile: modelFile, modelName: "codec_1p1d", modelHash: modelHash, engine: engine,
      seed: seed, status: status, property: property, explanation: explanation, loop: loop)
  }
}

/// 1-based (line, column) of the `occurrence`-th `needle` in `text`.
func position(of needle: String, in text: String, occurrence: Int = 1) -> (line: Int, column: Int)? {
  var seen = 0
  for (i, l) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
    var rest = l[...]
    while let r = rest.range(of: needle) {
      seen += 1
      if seen == occurrence { return (i + 1, l.distance(from: l.startIndex, to: r.lowerBound) + 1) }
      rest = l[r.upperBound...]
    }
  }
  return nil
}

@Suite struct TraceRoundTripTests {
  @Test func pathIsInteresting() throws {
    let t = try Fixture.trace()
    #expect(t.steps.count >= 10, "the fixture path is too short to test much: \(t.steps.count) steps")
    #expect(Set(t.steps.map(\.thread)) == ["gpu0_mirror", "cpu0"])
    #expect(t.states.count == t.steps.count + 1)
  }

  @Test func encodeParseDecodeIsTheIdentity() throws {
    let sys = Fixture.system
    let t = try Fixture.trace()
    let text = TraceCodec.encode(t, system: sys)
    let p = try TraceCodec.parse(text: text, file: "t.itf.json")
    #expect(p.file == "t.itf.json")
    #expect(p.modelFile == t.modelFile)
    #expect(p.modelName == t.modelName)
    #expect(p.modelHash == t.modelHash)
    #expect(p.engine == t.engine)
    #expect(p.seed == t.seed)
    #expect(p.status == t.status)
    #expect(p.property == t.property)
    #expect(p.initial == t.initial)
    #expect(p.loop == t.loop)
    #expect(p.steps == t.steps)
    let states = try TraceCodec.states(of: p, system: sys)
    #expect(states == t.states)
    // And back again, byte for byte.
    let again = Trace(
      modelFile: p.modelFile, modelName: p.modelName, modelHash: p.modelHash!, engine: p.engine, seed: p.seed,
      status: p.status, property: p.property, explanation: t.explanation, loop: p.loop, initial: p.initial,
      steps: p.steps, states: states)
    #expect(again == t)
    #expect(TraceCodec.encode(again, system: sys) == text)
  }

  /// Every path through several variants round-trips (thread program
  /// points, references, enums, booleans, integers, nested arrays).
  @Test(
    arguments: [
      ([], nil),
      ([Variant.Bug.readRetryUnlocked], nil),
      ([], [HMM.Operation.cpuRead(0), .cpuWrite(0), .exit]),
      ([], [HMM.Operation.choice([[.munmap(PageRange(0, 0))], [.mprotect(PageRange(0, 0), .read), .cpuRead(0)]])]),
    ] as [([Variant.Bug], [HMM.Operation]?)])
  func roundTripAcrossModels(bugs: [Variant.Bug], cpu: [HMM.Operation]?) throws {
    let sys = try HMMModel(Fixture.config(bugs: bugs, cpu: cpu)).system
    let t = try Fixture.trace(sys)
    let p = try TraceCodec.parse(text: TraceCodec.encode(t, system: sys), file: "t")
    #expect(p.steps == t.steps)
    #expect(try TraceCodec.states(of: p, system: sys) == t.states)
  }

  /// Traces name a thread's program counter by its label, so labels must be
  /// unique per thread (cpu_write's wp_page_copy and its do_swap_page path
  /// both run invalidation callbacks, whose labels once collided).
  @Test func pcLabelsAreUniquePerThread() throws {
    let sys = try HMMModel(Fixture.config(cpu: [.cpuWrite(0)])).system
    for t in sys.threads {
      var seen: [String: Int] = [:]
      let repeated = t.pcLabels.filter {
        seen[$0, default: 0] += 1; return seen[$0] == 2
      }
      #expect(repeated.isEmpty, "thread \(t.name) repeats \(repeated)")
    }
  }

  /// The consequence: a path through the second of two equal labels does
  /// not survive encode → parse → decode (the label decodes to the first pc).
  @Test func roundTripThroughARepeatedLabel() throws {
    var config = Fixture.config(cpu: [.cpuWrite(0)])
    config.system.initial = [.device(0, writable: true)]
    let sys = try HMMModel(config).system
    // Breadth-first search for a state whose pc is a later copy of a label.
    func isLaterCopy(_ s: StateVector) -> Bool {
      sys.threads.contains { t in
        let pc = s[t.pcSlot]
        return t.pcLabels.firstIndex(of: t.pcLabels[pc])! != pc
      }
    }
    var parent: [StateVector: (StateVector, Int)] = [:]
    var queue = [sys.initialStates()[0]]
    var seen: Set<StateVector> = [queue[0]]
    var found: StateVector?
    var enabled: [Int] = []
    search: while !queue.isEmpty {
      let s = queue.removeFirst()
      enabled.removeAll()
      sys.enabledActions(in: s, into: &enabled)
      for a in enabled {
        let n = sys.successor(of: s, via: a)
        if seen.insert(n).inserted {
          parent[n] = (s, a)
          if isLaterCopy(n) {
            found = n
            break search
          }
          queue.append(n)
        }
      }
    }
    guard var s = found else {
      // The labels were made unique: nothing left to show.
      return
    }
    var actions: [Int] = []
    while let (p, a) = parent[s] {
      actions.insert(a, at: 0)
      s = p
    }
    let t = try Trace.make(
      system: sys, path: ActionPath(initial: 0, actions: actions), modelFile: "m.yaml", modelName: "m", modelHash: 1,
      engine: "bfs", seed: nil, status: "path", property: nil, explanation: nil)
    let p = try TraceCodec.parse(text: TraceCodec.encode(t, system: sys), file: "t")
    let decoded = try TraceCodec.states(of: p, system: sys)
    // The first slot where a decoded state differs from the recorded one.
    var mismatch: String?
    for (i, (d, r)) in zip(decoded, t.states).enumerated() where d != r {
      let slot = (0..<r.slots.count).first { d.slots[$0] != r.slots[$0] }!
      mismatch = "state \(i): \(sys.schema.slotName(slot)) decoded as \(d[slot]), recorded \(r[slot])"
      break
    }
    #expect(mismatch == nil, "\(mismatch ?? "")")
  }

  @Test func optionalMetadataRoundTrips() throws {
    let sys = Fixture.system
    let t = try Fixture.trace(
      modelHash: .max, engine: "random", seed: .max, status: "deadlock", property: nil, explanation: nil, loop: 2)
    let text = TraceCodec.encode(t, system: sys)
    #expect(!text.contains("\"description\""), "no explanation, no description")
    #expect(text.contains("\"seed\": \"18446744073709551615\""))
    #expect(text.contains("\"modelHash\": \"ffffffffffffffff\""))
    #expect(text.contains("\"property\": null"))
    let p = try TraceCodec.parse(text: text, file: "t")
    #expect(p.modelHash == .max)
    #expect(p.seed == .max)
    #expect(p.engine == "random")
    #expect(p.status == "deadlock")
    #expect(p.property == nil)
    #expect(p.loop == 2)

    let zero = try Fixture.trace(modelHash: 0, seed: 0, property: "null")
    let z = try TraceCodec.parse(text: TraceCodec.encode(zero, system: sys), file: "t")
    #expect(z.modelHash == 0)
    #expect(z.seed == 0)
    #expect(z.property == "null", "a property named null is not a missing property")
  }

  /// Strings are escaped by the writer and unescaped by the reader.
  @Test func awkwardStringsRoundTrip() throws {
    let sys = Fixture.system
    let names = [
      "Models/with \"quotes\" and \\backslash\\.yaml", "Models/tab\there.yaml", "Models/new\nline.yaml",
      "Models/cr\r.yaml", "Models/ctl\u{01}\u{1f}.yaml", "Models/café ünï 😀.yaml", "Models/slash/#meta: [x].yaml",
      "", " leading and trailing ", "Models/sep\u{2028}\u{2029}.yaml", "Models/\u{feff}bom.yaml", "Models/\u{a0}nbsp.yaml",
    ]
    for name in names {
      let t = try Fixture.trace(modelFile: name, explanation: "explained: " + name)
      let text = TraceCodec.encode(t, system: sys)
      let p = try TraceCodec.parse(text: text, file: "t")
      #expect(p.modelFile == name)
      // Foundation agrees the output is JSON with the same string.
      let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
      let meta = obj?["#meta"] as? [String: Any]
      #expect(meta?["source"] as? String == name)
      #expect(meta?["description"] as? String == "explained: " + name)
    }
  }

  /// Characters JSON allows raw in strings but YAML (the reader is libyaml
  /// through Yams) does not: DEL and the C1 controls are rejected as
  /// non-printable ("control characters are not allowed"), and NEL (U+0085)
  /// is a YAML line break, folded to a space inside a quoted scalar. The
  /// writer emits them raw, so a trace whose model path (or explanation)
  /// holds one cannot be read back as written.
  @Test(arguments: ["\u{7f}", "\u{80}", "\u{85}", "\u{9f}"])
  func controlCharactersRoundTrip(_ c: String) throws {
    let sys = Fixture.system
    let name = "Models/a\(c)b.yaml"
    let text = TraceCodec.encode(try Fixture.trace(modelFile: name), system: sys)
    // Valid JSON either way:
    let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    #expect((obj?["#meta"] as? [String: Any])?["source"] as? String == name)
    let p = try TraceCodec.parse(text: text, file: "t")
    #expect(p.modelFile == name)
  }
}

@Suite struct ITFShapeTests {
  static func json() throws -> (Trace, [String: Any], String) {
    let t = try Fixture.trace()
    let text = TraceCodec.encode(t, system: Fixture.system)
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    return (t, obj, text)
  }

  @Test func topLevel() throws {
    let (t, obj, text) = try Self.json()
    #expect(Set(obj.keys) == ["#meta", "vars", "states"])
    // Key order is fixed: #meta, vars, states.
    let order = ["\"#meta\"", "\"vars\"", "\"states\""].map { text.range(of: "\n  " + $0)!.lowerBound }
    #expect(order == order.sorted())
    #expect(text.hasPrefix("{\n  \"#meta\": {\n"))
    #expect(text.hasSuffix("\n}\n"))

    let meta = try #require(obj["#meta"] as? [String: Any])
    #expect(meta["format"] as? String == "ITF")
    #expect((meta["format-description"] as? String)?.contains("adr") == true)
    #expect(meta["source"] as? String == t.modelFile)
    #expect(meta["status"] as? String == "violation")
    #expect(meta["description"] as? String == t.explanation)
    let hm = try #require(meta["hmmcheck"] as? [String: Any])
    #expect(hm["version"] as? Int == Trace.formatVersion)
    #expect(hm["model"] as? String == "codec_1p1d")
    #expect(hm["modelHash"] as? String == "0123456789abcdef")
    #expect(hm["engine"] as? String == "bfs")
    #expect(hm["seed"] is NSNull)
    #expect(hm["property"] as? String == "device_maps_cpu_page")
    #expect(hm["initial"] as? Int == 0)

    let vars = try #require(obj["vars"] as? [String])
    #expect(vars == Fixture.system.schema.variables.map(\.name))
    #expect(Set(vars).count == vars.count)
  }

  @Test func loopOnlyWhenSet() throws {
    let (_, obj, _) = try Self.json()
    #expect(obj["loop"] == nil)
    let t = try Fixture.trace(loop: 1)
    let o = try #require(try JSONSerialization.jsonObject(with: Data(TraceCodec.encode(t, system: Fixture.system).utf8)) as? [String: Any])
    #expect(o["loop"] as? Int == 1)
  }

  @Test func states() throws {
    let (t, obj, _) = try Self.json()
    let schema = Fixture.system.schema
    let states = try #require(obj["states"] as? [[String: Any]])
    #expect(states.count == t.states.count)
    let shown = Fixture.system.kernelNumbering(t.states, actions: t.steps.map(\.command))
    for (i, s) in states.enumerated() {
      let meta = try #require(s["#meta"] as? [String: Any], "state \(i)")
      #expect(meta["index"] as? Int == i)
      if i == 0 {
        #expect(Set(meta.keys) == ["index"])
        #expect(s["mbt::actionTaken"] == nil)
      } else {
        let st = t.steps[i - 1]
        #expect(meta["action"] as? String == st.name)
        #expect(meta["actor"] as? String == st.thread)
        #expect(meta["params"] as? [String] == st.params)
        #expect(meta["outcome"] as? String == st.outcome)
        #expect(meta["command"] as? Int == st.command)
        #expect(s["mbt::actionTaken"] as? String == st.name)
      }
      // Every variable, nested by its dimensions, typed by its type.
      for v in schema.variables {
        let value = try #require(s[v.name], "state \(i) lacks \(v.name)")
        let sizes = v.dimensions.map { schema.domain($0)!.elements.count }
        func leaves(_ x: Any, _ dim: Int) -> [Any] {
          if dim == sizes.count { return [x] }
          guard let a = x as? [Any] else {
            Issue.record("\(v.name) in state \(i): not an array at depth \(dim)")
            return []
          }
          #expect(a.count == sizes[dim], "\(v.name) in state \(i): length at depth \(dim)")
          return a.flatMap { leaves($0, dim + 1) }
        }
        let flat = leaves(value, 0)
        #expect(flat.count == sizes.reduce(1, *))
        for (k, x) in flat.enumerated() {
          let slot = v.firstSlot + k
          if v.name == "thread.pc" {
            let th = Fixture.system.threads.first { $0.pcSlot == slot }!
            #expect(x as? String == th.pcLabels[t.states[i][slot]])
            continue
          }
          switch v.type {
          case .bool: #expect((x as? Bool) == (t.states[i][slot] != 0), "\(v.name)")
          // Sequences and versions in the kernel's numbering.
          case .int: #expect(x as? Int == shown[i][slot], "\(v.name)")
          case .enumeration, .reference: #expect(x as? String == schema.format(slot: slot, value: t.states[i][slot]), "\(v.name)")
          }
        }
      }
    }
  }

  /// JSON types by the text (Foundation bridges numbers and booleans):
  /// booleans are `true`/`false`, integers bare digits, everything else
  /// (enums, references, program points) strings.
  @Test func valueTypesInTheText() throws {
    let (t, _, text) = try Self.json()
    let schema = Fixture.system.schema
    var checked = 0
    for line in text.split(separator: "\n") {
      guard let m = line.wholeMatch(of: /\ {6}"([^"#]+)": (.*?),?/), let v = schema.variable(named: String(m.1)) else { continue }
      let tokens = m.2.matches(of: /"(?:[^"\\]|\\.)*"|[^\[\], ]+/).map { String($0.output) }
      let ok: Bool
      if v.name == "thread.pc" {
        ok = tokens.allSatisfy { $0.hasPrefix("\"") && $0.hasSuffix("\"") }
      } else {
        switch v.type {
        case .bool: ok = tokens.allSatisfy { $0 == "true" || $0 == "false" }
        case .int: ok = tokens.allSatisfy { Int($0) != nil }
        case .enumeration, .reference: ok = tokens.allSatisfy { $0.hasPrefix("\"") && $0.hasSuffix("\"") }
        }
      }
      #expect(ok, "\(line)")
      checked += 1
    }
    #expect(checked == schema.variables.count * t.states.count)
  }

  /// The writer's layout: scalars and flat arrays on one line.
  @Test func layoutIsCompactWhereItCanBe() throws {
    let (_, _, text) = try Self.json()
    #expect(text.contains("\n      \"pte.kind\": [\"present\"],\n"))
    #expect(text.contains("\"dpt.page\": [[\"none\"]]"))
    #expect(text.contains("\n      \"#meta\": {\n        \"index\": 0\n      },\n"))
  }

  /// Parse records the line of each step's `#meta` (replay's divergence
  /// reports point there).
  @Test func stepLinesPointAtEachStatesMeta() throws {
    let (t, _, text) = try Self.json()
    let p = try TraceCodec.parse(text: text, file: "t")
    #expect(p.stepLines.count == t.steps.count)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    for (k, line) in p.stepLines.enumerated() {
      #expect(lines[line - 1].hasSuffix("\"#meta\": {"), "step \(k + 1): line \(line)")
      #expect(lines[line].contains("\"index\": \(k + 1),"), "step \(k + 1): line \(line)")
    }
  }
}
