import CheckerCore

/// Collects the guarded commands of the whole model.
final class ModelSink {
  var commands: [Command] = []
}

/// Emits one thread's program as labelled guarded commands.
///
/// Every kernel-serialised step is a command from one pc label to another;
/// loop indices (page, device) are unrolled into the labels, so commands use
/// constant indices and traces read like kernel code ("collect page 1").
final class Emitter {
  let layout: HMMLayout
  let thread: Int
  let device: Int?
  let sink: ModelSink
  private(set) var labels: [String] = []
  var variant: Variant { layout.config.variant }
  /// Prefix for labels of the operation being emitted ("op 2 munmap").
  var context = ""
  /// Entry pc of every operation of the program (vacuity: did it ever run?).
  var operationEntries: [(pc: Int, operation: String)] = []

  init(layout: HMMLayout, thread: Int, device: Int?, sink: ModelSink) {
    self.layout = layout
    self.thread = thread
    self.device = device
    self.sink = sink
  }

  /// The pc of "program finished": HMMModel allocates "start" (0), then
  /// "done" (1), before any operation.
  static let donePC = 1

  /// Allocates a new pc value. Labels are unique within a thread (traces
  /// name program points by label): a repeated one gets " #2", " #3", ...
  func label(_ text: String) -> Int {
    let base = context.isEmpty ? text : "\(context): \(text)"
    var name = base
    var k = 2
    while labelSet.contains(name) {
      name = "\(base) #\(k)"
      k += 1
    }
    labelSet.insert(name)
    labels.append(name)
    return labels.count - 1
  }
  private var labelSet = Set<String>()

  /// Emits one command at `pc` that moves the thread to `next`.
  func step(
    _ pc: Int, _ name: String, _ params: [String] = [], outcome: String = "",
    events: [HMMEvent] = [], progress: Bool = false, to next: Int,
    _ body: (inout StepBuilder) -> Void = { _ in }
  ) {
    var b = StepBuilder()
    body(&b)
    b.set(layout.pc(thread), next)
    if next == Emitter.donePC { b.set(layout.done(thread), true) }
    var names = events.map(\.rawValue)
    if progress { names.append(HMMEvent.progress.rawValue) }
    sink.commands.append(
      Command(
        thread: thread, pc: pc, name: name, params: params, outcome: outcome,
        guard: b.guardExpr, updates: b.updates, events: names, progress: progress))
  }

  var threadName: String { layout.config.threads[thread].name }
  func pageParam(_ a: Int) -> String { "page \(a)" }
  func physName(_ p: Int) -> String { layout.phys[p].name }
  func deviceName(_ d: Int) -> String { layout.config.system.devices[d].name }
}

// MARK: - Page primitives shared by every kernel path

extension StepBuilder {
  /// `folio_put` on a known page: drops one reference; the last one frees
  /// the page (free_zone_device_folio order: mem_cgroup_uncharge first, then
  /// the allocator or dev_pagemap_ops->page_free).
  mutating func put(_ p: Int, _ l: HMMLayout) {
    let last = Expr.eq(get(l.ref(p)), 1)
    set(l.ref(p), .minus(get(l.ref(p)), 1))
    set(l.usage, .op(.sub, get(l.usage), .conj([last, .isTrue(get(l.memcg(p)))])))
    set(l.memcg(p), .cond(last, .false, get(l.memcg(p))))
    set(l.lru(p), .cond(last, .false, get(l.lru(p))))
    set(l.anon(p), .cond(last, .false, get(l.anon(p))))
    set(l.data(p), .cond(last, .const(0), get(l.data(p))))
    set(l.oldCharge(p), .cond(last, .false, get(l.oldCharge(p))))
    set(l.locked(p), .cond(last, .false, get(l.locked(p))))
  }

  mutating func getRef(_ p: Int, _ l: HMMLayout) { add(l.ref(p), 1) }

  /// A write to address `a` landing in page `p`: a new version, above every
  /// version made before (the version clock's next value), becomes the
  /// address's latest and the page's content.
  mutating func write(_ a: Int, into p: Int, _ l: HMMLayout) {
    let version = Expr.plus(get(l.versionClock), 1)
    set(l.versionClock, version)
    set(l.latest(a), version)
    set(l.data(p), version)
  }

  /// The page is free (refcount 0) and not under anyone's lock.
  mutating func requireFree(_ p: Int, _ l: HMMLayout) {
    require(.eq(get(l.ref(p)), 0))
  }

  /// The lowest-numbered free page of `pool` is `p` (a deterministic
  /// allocator, so allocation adds no spurious branching).
  mutating func requireLowestFree(_ p: Int, in pool: [Int], _ l: HMMLayout) {
    for q in pool {
      if q == p { break }
      require(.ne(get(l.ref(q)), 0))
    }
    require(.eq(get(l.ref(p)), 0))
  }

  /// No page of `pool` is free.
  mutating func requireNoneFree(in pool: [Int], _ l: HMMLayout) {
    for q in pool { require(.ne(get(l.ref(q)), 0)) }
  }

  /// Maps `p` at `a` with a PTE of `kind` (rmap + reference).
  mutating func mapPTE(_ a: Int, _ p: Int, kind: PTEKind, write: Expr, _ l: HMMLayout) {
    set(l.pteKind(a), kind.rawValue)
    set(l.ptePage(a), p + 1)
    set(l.pteWrite(a), write)
  }

  mutating func clearPTE(_ a: Int, _ l: HMMLayout) {
    set(l.pteKind(a), PTEKind.none.rawValue)
    set(l.ptePage(a), 0)
    set(l.pteWrite(a), false)
  }

  /// The PTE at `a` is of `kind` and names `p`.
  mutating func requirePTE(_ a: Int, _ kind: PTEKind, _ p: Int, _ l: HMMLayout) {
    require(.eq(get(l.pteKind(a)), kind.rawValue))
    require(.eq(get(l.ptePage(a)), p + 1))
  }
}
