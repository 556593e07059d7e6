import CheckerCore

/// A model configuration the kernel model cannot instantiate (for example
/// more initial pages than the pools hold). The loader reports syntax and
/// ranges; this reports what only the model knows.
public struct ModelError: Error, CustomStringConvertible, Sendable, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The HMM policy instantiated for one model file: guarded commands over the
/// HMM schema, with the initial state. Pure values; no I/O, no solver.
public struct HMMModel: Sendable {
  public let config: ModelConfig
  public let layout: HMMLayout
  public let system: GuardedSystem
  /// Every event some command fires, sorted.
  public let events: [String]
  /// Where each declared program operation starts: a model whose operation
  /// never starts is vacuous there.
  public let operationEntries: [OperationEntry]

  public struct OperationEntry: Sendable, Hashable {
    public var thread: Int
    public var pc: Int
    /// `munmap page 1`, `mirror pages 0-1 write`, ...
    public var operation: String
  }

  /// - Parameter renamed: rename notifier sequences and content versions
  ///   canonically (`ValueRenaming`); without it they grow with every
  ///   invalidation and write, so a model that can retry forever has no
  ///   finite state space (kept for the tests that show the renaming exact).
  public init(_ config: ModelConfig, renamed: Bool = true) throws {
    self.config = config
    if config.variant.era != .intervalNotifier, config.threads.contains(where: { HMMLayout.hasSnapshot($0.program) }) {
      throw ModelError("snapshot needs the interval-notifier era (v5.5+): its temporary notifier uses read_begin / read_retry")
    }
    let layout = HMMLayout(config: config, renamed: renamed)
    self.layout = layout
    let sink = ModelSink()
    var threads: [ThreadInfo] = []
    var entries: [OperationEntry] = []
    for (t, th) in config.threads.enumerated() {
      let e = Emitter(layout: layout, thread: t, device: th.device, sink: sink)
      let start = e.label("start")
      let done = e.label("done")
      assert(done == Emitter.donePC)
      e.emitProgram(th.program, at: start, to: done)
      guard e.labels.count <= 256 else {
        throw ModelError(
          "thread '\(th.name)' expands to \(e.labels.count) program points; at most 256 fit the state vector: split its program over more threads")
      }
      entries += e.operationEntries.map { OperationEntry(thread: t, pc: $0.pc, operation: $0.operation) }
      threads.append(ThreadInfo(name: th.name, pcSlot: layout.pc(t), pcLabels: e.labels, donePC: done))
    }
    let initial = try Self.initialState(config, layout)
    system = GuardedSystem(schema: layout.schema, threads: threads, commands: sink.commands, initial: [initial])
    events = Array(Set(sink.commands.flatMap(\.events))).sorted()
    operationEntries = entries
  }

  /// The initial state: VMAs, initial pages allocated from the pools in
  /// order, charged and counted in rss; S = 2 and I = 1 (inserted with no
  /// invalidation active: I = S - 1).
  static func initialState(_ c: ModelConfig, _ l: HMMLayout) throws -> StateVector {
    var s = StateVector(slots: Array(repeating: 0, count: l.schema.slotCount))
    for (p, ph) in l.phys.enumerated() {
      s[l.pgKind(p)] = ph.kind.rawValue
      s[l.pgOwner(p)] = ph.device.map { $0 + 1 } ?? 0
    }
    for vma in c.system.vmas {
      for a in vma.first...vma.last where a < l.pages {
        s[l.vmaKind(a)] = VMAKind(vma.kind).rawValue
        s[l.vmaProt(a)] = ProtValue(vma.prot).rawValue
      }
    }
    var nextRAM = l.ramPages.makeIterator()
    var nextDev = (0..<l.devices).map { l.devicePages($0).makeIterator() }
    var usage = 0
    var rss = 0
    var versions = 0
    for (a, content) in c.system.initial.enumerated() where a < l.pages {
      let anon = s[l.vmaKind(a)] == VMAKind.privateAnon.rawValue
      func place(_ p: Int, _ kind: PTEKind, writable: Bool) {
        s[l.pteKind(a)] = kind.rawValue
        s[l.ptePage(a)] = p + 1
        s[l.pteWrite(a)] = writable ? 1 : 0
        s[l.ref(p)] = 1
        s[l.mapcount(p)] = 1
        s[l.memcg(p)] = 1
        s[l.anon(p)] = anon ? 1 : 0
        s[l.lru(p)] = l.phys[p].kind == .ram ? 1 : 0
        usage += 1
        rss += 1
        // Each page starts with content of its own, distinct from a
        // zero-filled page's, so a lost page cannot pass for an intact one.
        versions += 1
        s[l.latest(a)] = versions
        s[l.data(p)] = versions
      }
      if content != .none && s[l.vmaKind(a)] == VMAKind.unmapped.rawValue {
        throw ModelError("initial content of page \(a) lies outside every VMA")
      }
      switch content {
      case .none: break
      case .zero:
        guard let z = l.zeroPhys else { throw ModelError("page \(a) starts as the zero page, but the variant has zero_page: false") }
        s[l.pteKind(a)] = PTEKind.zero.rawValue
        s[l.ptePage(a)] = z + 1
      case .ram(let w):
        guard let p = nextRAM.next() else { throw ModelError("initial pages need more than ram_pages = \(c.system.ramPages) RAM pages") }
        place(p, .present, writable: w)
      case .device(let d, let w):
        guard d < l.devices, let p = nextDev[d].next() else {
          throw ModelError("initial pages need more device pages than device \(d) has")
        }
        guard anon else { throw ModelError("page \(a): only private anonymous memory can live in device memory") }
        place(p, l.phys[p].kind == .devicePrivate ? .devicePrivate : .present, writable: w)
      }
    }
    if usage > c.system.memcgLimit {
      throw ModelError("the initial pages charge \(usage) pages, over memcg_limit = \(c.system.memcgLimit)")
    }
    s[l.versionClock] = versions
    s[l.usage] = usage
    s[l.rss] = rss
    s[l.limit] = c.system.memcgLimit
    s[l.seqS] = 2
    for d in 0..<l.devices { s[l.iseq(d)] = 1 }
    return s
  }
}
