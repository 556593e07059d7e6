import CheckerCore
import Testing

@testable import HMM

/// Symmetry reduction: `StateSymmetry` (CheckerCore) and its derivation for
/// HMM models (`HMMModel.symmetryAnalysis`), checked against the model's own
/// successor relation on every reachable state.
@Suite struct DeviceSymmetryTests {
  // MARK: - Models

  static let onePage = [VMAConfig(first: 0, last: 0, kind: .privateAnon, prot: .readWrite)]
  static let twoPages = [VMAConfig(first: 0, last: 1, kind: .privateAnon, prot: .readWrite)]

  /// Models/mirror_vs_munmap_2p2d.yaml: two identical mirrors, one per
  /// device, racing munmap. The munmap invalidation runs gpu0's callback,
  /// then gpu1's: not symmetric.
  static let mirrorVsMunmap2p2d = ModelConfig(
    name: "mirror_vs_munmap_2p2d",
    system: SystemConfig(
      pages: 2, vmas: twoPages, initial: [.ram(writable: true), .ram(writable: true)], ramPages: 2,
      devices: [DeviceConfig(name: "gpu0", poolPages: 1), DeviceConfig(name: "gpu1", poolPages: 1)], memcgLimit: 2),
    threads: [
      ThreadConfig(name: "gpu0_mirror", device: 0, program: [.mirror(PageRange(0, 1), write: true)]),
      ThreadConfig(name: "gpu1_mirror", device: 1, program: [.mirror(PageRange(0, 1), write: true)]),
      ThreadConfig(name: "cpu0", program: [.munmap(PageRange(0, 0))]),
    ])

  /// Models/migrate_hole_c9_two_devices.yaml: gpu0 migrates, gpu1 reads.
  static let c9TwoDevices = ModelConfig(
    name: "migrate_hole_c9_two_devices",
    system: SystemConfig(
      pages: 1, vmas: onePage, initial: [.device(0, writable: true)], ramPages: 2,
      devices: [DeviceConfig(name: "gpu0", poolPages: 1), DeviceConfig(name: "gpu1", poolPages: 1)], memcgLimit: 4),
    threads: [
      ThreadConfig(name: "gpu0", device: 0, program: [.migrateToSystem(PageRange(0, 0))]),
      ThreadConfig(name: "gpu1", device: 1, program: [.deviceRead(0)]),
    ])

  /// Models/bug_b8_swap_page_no_reference.yaml: two identical CPU faulters.
  static let b8TwoFaulters = ModelConfig(
    name: "bug_b8_swap_page_no_reference",
    system: SystemConfig(
      pages: 1, vmas: onePage, initial: [.device(0, writable: true)], ramPages: 2,
      devices: [DeviceConfig(name: "gpu0", poolPages: 1)], memcgLimit: 4),
    variant: Variant(swapPageLocking: .noReference),
    threads: [
      ThreadConfig(name: "cpu0", program: [.cpuRead(0)]),
      ThreadConfig(name: "cpu1", program: [.cpuRead(0)]),
    ])

  /// Models/liveness_swap_page_sleep_no_fairness.yaml.
  static let swapPageSleep: ModelConfig = {
    var c = ModelConfig(
      name: "liveness_swap_page_sleep_no_fairness",
      system: SystemConfig(
        pages: 1, vmas: onePage, initial: [.device(0, writable: true)], ramPages: 1,
        devices: [DeviceConfig(name: "gpu0", poolPages: 1)], memcgLimit: 4),
      variant: Variant(swapPageLocking: .trylockSleep),
      threads: [
        ThreadConfig(name: "cpu0", program: [.cpuRead(0)]),
        ThreadConfig(name: "cpu1", program: [.cpuRead(0)]),
      ])
    c.fairness = .none
    return c
  }()

  /// Two coherent devices (no device-private entries, so no migrate_to_ram
  /// and its invalidation) and no zero page (no COW invalidation): nothing
  /// invalidates, nothing runs the callbacks in device order, and the two
  /// devices, each with an identical mirror-and-access thread, are
  /// interchangeable. A CPU thread populates page 1 meanwhile.
  static let coherentTwins = ModelConfig(
    name: "coherent_twins",
    system: SystemConfig(
      pages: 2, vmas: twoPages, initial: [.ram(writable: true), .none], ramPages: 3,
      devices: [DeviceConfig(name: "gpu0", kind: .coherent, poolPages: 1), DeviceConfig(name: "gpu1", kind: .coherent, poolPages: 1)],
      memcgLimit: 4),
    variant: Variant(zeroPage: false),
    threads: [
      ThreadConfig(name: "gpu0_mirror", device: 0, program: [.mirror(PageRange(0, 1), write: false), .deviceWrite(0)]),
      ThreadConfig(name: "gpu1_mirror", device: 1, program: [.mirror(PageRange(0, 1), write: false), .deviceWrite(0)]),
      ThreadConfig(name: "cpu0", program: [.cpuWrite(1)]),
    ])

  /// Three interchangeable coherent devices (group order 6), each writing
  /// page 0 through its own mirror.
  static let coherentTriplets = ModelConfig(
    name: "coherent_triplets",
    system: SystemConfig(
      pages: 1, vmas: onePage, initial: [.ram(writable: false)], ramPages: 1,
      devices: (0..<3).map { DeviceConfig(name: "gpu\($0)", kind: .coherent, poolPages: 1) }, memcgLimit: 4),
    variant: Variant(zeroPage: false),
    threads: (0..<3).map { (d: Int) in ThreadConfig(name: "dev\(d)", device: d, program: [.deviceWrite(0)]) })

  /// Device symmetry and thread symmetry at once: the coherent twins plus
  /// two identical CPU readers (group order 2 x 2).
  static let twinsAndReaders: ModelConfig = {
    var c = coherentTwins
    c.name = "coherent_twins_and_readers"
    c.threads = [
      ThreadConfig(name: "gpu0_dev", device: 0, program: [.deviceRead(1)]),
      ThreadConfig(name: "gpu1_dev", device: 1, program: [.deviceRead(1)]),
      ThreadConfig(name: "cpu0", program: [.cpuRead(1)]),
      ThreadConfig(name: "cpu1", program: [.cpuRead(1)]),
    ]
    return c
  }()

  /// The coherent twins with a migration to gpu0 only: gpu0 is special.
  static let twinsMigrateToGPU0: ModelConfig = {
    var c = coherentTwins
    c.name = "coherent_twins_migrate_gpu0"
    c.threads.append(ThreadConfig(name: "migrate", device: 0, program: [.migrateToDevice(PageRange(0, 0))]))
    return c
  }()

  // MARK: - Exploration helpers

  static func successors(_ sys: GuardedSystem, _ s: StateVector) -> [(action: Int, next: StateVector)] {
    var actions: [Int] = []
    sys.enabledActions(in: s, into: &actions)
    return actions.map { ($0, sys.successor(of: s, via: $0)) }
  }

  /// Every reachable state, by BFS.
  static func reachable(_ sys: GuardedSystem, limit: Int = 100_000) -> [StateVector] {
    var seen = Set(sys.initial)
    var order = sys.initial
    var i = 0
    while i < order.count {
      for (_, t) in successors(sys, order[i]) where seen.insert(t).inserted { order.append(t) }
      i += 1
      precondition(order.count <= limit, "state space larger than the test expects")
    }
    return order
  }

  /// BFS that canonicalises every state it reaches, through the in-place
  /// hot-path API.
  static func reducedReachable(_ sys: GuardedSystem, _ sym: StateSymmetry) -> Set<StateVector> {
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: sym.scratchBytes)
    defer { scratch.deallocate() }
    func canon(_ s: StateVector) -> StateVector {
      var c = s
      c.slots.withUnsafeMutableBufferPointer { sym.canonicalize($0.baseAddress!, scratch: scratch) }
      return c
    }
    var seen = Set(sys.initial.map(canon))
    var queue = Array(seen)
    var i = 0
    while i < queue.count {
      for (_, t) in successors(sys, queue[i]) {
        let c = canon(t)
        if seen.insert(c).inserted { queue.append(c) }
      }
      i += 1
    }
    return seen
  }

  /// (d): every element maps every transition of every reachable state to a
  /// transition: for s -a-> t there is b enabled in g(s) with g(s) -b-> g(t).
  /// Returns the first failures found (empty: the elements are automorphisms
  /// of the reachable part of the model).
  static func commutationFailures(_ sys: GuardedSystem, _ sym: StateSymmetry, _ states: [StateVector], max: Int = 3) -> [String] {
    var failures: [String] = []
    for s in states {
      let succ = successors(sys, s)
      for g in 1..<sym.groupOrder {
        let gs = sym.apply(g, to: s)
        let images = Set(successors(sys, gs).map(\.next))
        for (a, t) in succ where !images.contains(sym.apply(g, to: t)) {
          failures.append("under \(sym.describe(element: g)): `\(sys.describe(a))` has no image")
          if failures.count >= max { return failures }
        }
      }
    }
    return failures
  }

  /// Checks (b), (c) and (d) on a symmetric model; returns (full, reduced)
  /// state counts.
  @discardableResult
  static func checkReduction(
    _ config: ModelConfig, expectedOrder: Int, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> (full: Int, reduced: Int) {
    let model = try HMMModel(config)
    let analysis = model.symmetryAnalysis()
    let sym = try #require(analysis.symmetry, "no symmetry: \(analysis.notes)", sourceLocation: sourceLocation)
    #expect(sym.groupOrder == expectedOrder, sourceLocation: sourceLocation)
    let sys = model.system
    let states = reachable(sys)

    // (b) canonical forms: in the orbit, idempotent, the same for the whole orbit.
    var canonical = Set<StateVector>()
    var bad = 0
    for s in states {
      let c = sym.canonical(s)
      canonical.insert(c)
      let orbit = (0..<sym.groupOrder).map { sym.apply($0, to: s) }
      if !orbit.contains(c) { bad += 1 }
      if sym.canonical(c) != c { bad += 1 }
      for x in orbit where sym.canonical(x) != c { bad += 1 }
      // The orbit is a group orbit: each element's inverse undoes it.
      for g in 0..<sym.groupOrder where sym.apply(sym.inverse(of: g), to: orbit[g]) != s { bad += 1 }
    }
    #expect(bad == 0, "\(bad) canonical-form failures", sourceLocation: sourceLocation)

    // (c) the quotient hides nothing.
    let reduced = reducedReachable(sys, sym)
    #expect(reduced == canonical, sourceLocation: sourceLocation)
    #expect(reduced.count < states.count, sourceLocation: sourceLocation)
    print("\(config.name): \(states.count) states, \(reduced.count) with symmetry reduction (group order \(sym.groupOrder))")

    // (d) the permutation is an automorphism of the reachable graph ...
    let failures = commutationFailures(sys, sym, states)
    #expect(failures.isEmpty, "\(failures)", sourceLocation: sourceLocation)

    // ... and the command map the static check computed is the right one.
    var wrong = 0
    for g in sym.generators {
      guard case .success(let images) = sym.commandImages(of: sys, under: g) else {
        Issue.record("no command map under \(sym.describe(element: g))", sourceLocation: sourceLocation)
        continue
      }
      for s in states {
        let gs = sym.apply(g, to: s)
        for (a, t) in successors(sys, s) {
          if !sys.isEnabled(images[a], in: gs) || sys.successor(of: gs, via: images[a]) != sym.apply(g, to: t) { wrong += 1 }
        }
      }
    }
    #expect(wrong == 0, "\(wrong) transitions mapped wrongly by commandImages", sourceLocation: sourceLocation)
    return (states.count, reduced.count)
  }

  // MARK: - (a) detection

  @Test func identicalDevicesAreDetected() throws {
    let twins = try HMMModel(Self.coherentTwins).symmetryAnalysis()
    #expect(twins.deviceClasses == [["gpu0", "gpu1"]])
    #expect(twins.symmetry?.groupOrder == 2)
    let triplets = try HMMModel(Self.coherentTriplets).symmetryAnalysis()
    #expect(triplets.deviceClasses == [["gpu0", "gpu1", "gpu2"]])
    #expect(triplets.symmetry?.groupOrder == 6)
    let both = try HMMModel(Self.twinsAndReaders).symmetryAnalysis()
    #expect(both.deviceClasses == [["gpu0", "gpu1"]])
    #expect(both.threadClasses == [["cpu0", "cpu1"]])
    #expect(both.symmetry?.groupOrder == 4)
  }

  @Test func identicalCPUThreadsAreDetected() throws {
    for config in [Self.b8TwoFaulters, Self.swapPageSleep] {
      let a = try HMMModel(config).symmetryAnalysis()
      #expect(a.deviceClasses.isEmpty)
      #expect(a.threadClasses == [["cpu0", "cpu1"]], "\(config.name): \(a.notes)")
    }
  }

  @Test func aDeviceSingledOutBreaksTheSymmetry() throws {
    // A migration to gpu0 only.
    let m = try HMMModel(Self.twinsMigrateToGPU0).symmetryAnalysis()
    #expect(m.deviceClasses.isEmpty)
    #expect(m.symmetry == nil)
    // Different device threads (c9: gpu0 migrates, gpu1 reads).
    let c9 = try HMMModel(Self.c9TwoDevices).symmetryAnalysis()
    #expect(c9.symmetry == nil)
    #expect(c9.notes.contains { $0.contains("no two devices") })
    // Different pools.
    var pools = Self.coherentTwins
    pools.system.devices[1].poolPages = 2
    #expect(try HMMModel(pools).symmetryAnalysis().symmetry == nil)
    // Different kinds.
    var kinds = Self.coherentTwins
    kinds.system.devices[1].kind = .private
    #expect(try HMMModel(kinds).symmetryAnalysis().deviceClasses.isEmpty)
    // An initial page in gpu0's memory.
    var initial = Self.coherentTwins
    initial.system.initial = [.ram(writable: true), .device(0, writable: true)]
    let i = try HMMModel(initial).symmetryAnalysis()
    #expect(i.symmetry == nil)
    #expect(i.notes.contains { $0.contains("initial state") })
    // A different fairness for one thread.
    var fair = Self.coherentTwins
    fair.threads[1].fairness = .strong
    #expect(try HMMModel(fair).symmetryAnalysis().symmetry == nil)
  }

  /// The bundled 2-page 2-device mirror model looks symmetric (identical
  /// mirrors, identical devices) but its munmap runs gpu0's callback before
  /// gpu1's. The derivation refuses it, and the refusal is right: the naive
  /// device swap is not an automorphism of the reachable states.
  @Test func fixedCallbackOrderIsNotSymmetric() throws {
    let model = try HMMModel(Self.mirrorVsMunmap2p2d)
    let a = model.symmetryAnalysis()
    #expect(a.symmetry == nil)
    #expect(a.notes.contains { $0.contains("fixed order") }, "\(a.notes)")
    let naive = try model.symmetryCandidate(deviceClasses: [[0, 1]], boundThreads: [[[0], [1]]], threadClasses: [])
    #expect(naive.automorphismViolation(of: model.system) != nil)
    let states = Self.reachable(model.system)
    #expect(states.count == 1154)
    #expect(!Self.commutationFailures(model.system, naive, states).isEmpty)
    // The private-device fault paths (migrate_to_ram, with its invalidation)
    // break it too, even without a munmap.
    var noUnmap = Self.mirrorVsMunmap2p2d
    noUnmap.threads.removeLast()
    #expect(try HMMModel(noUnmap).symmetryAnalysis().symmetry == nil)
  }

  // MARK: - (b) (c) (d) on symmetric models

  @Test func coherentTwinsReduce() throws {
    let (full, reduced) = try Self.checkReduction(Self.coherentTwins, expectedOrder: 2)
    #expect(reduced * 2 >= full)  // an orbit has at most 2 states
  }

  @Test func coherentTripletsReduce() throws {
    let (full, reduced) = try Self.checkReduction(Self.coherentTriplets, expectedOrder: 6)
    #expect(reduced * 6 >= full)
  }

  @Test func devicesAndThreadsReduceTogether() throws {
    try Self.checkReduction(Self.twinsAndReaders, expectedOrder: 4)
  }

  @Test func identicalCPUThreadsReduce() throws {
    try Self.checkReduction(Self.b8TwoFaulters, expectedOrder: 2)
    try Self.checkReduction(Self.swapPageSleep, expectedOrder: 2)
  }

  // MARK: - A forgotten slot or renaming is caught

  /// Dropping a class of slots from the device blocks (so they stay put
  /// while the device moves) must be caught both by the static check and by
  /// the successor relation on reachable states.
  @Test func droppingASlotIsCaught() throws {
    let model = try HMMModel(Self.coherentTwins)
    let l = model.layout
    let states = Self.reachable(model.system)
    let classes: [(String, [Int])] = [
      ("drv.lock", [l.drvLock(0), l.drvLock(1)]),
      ("dpt.page", (0..<2).flatMap { d in (0..<2).map { l.dptPage(d, $0) } }),
      ("dpt.tag", (0..<2).flatMap { d in (0..<2).map { l.dptTag(d, $0) } }),
      ("t.snap_page", (0..<2).flatMap { t in (0..<2).map { l.snapPage(t, $0) } }),
      ("thread.pc", [l.pc(0), l.pc(1)]),
      ("t.dma_page", [l.dmaPage(0), l.dmaPage(1)]),
    ]
    for (name, slots) in classes {
      let sym = try model.symmetryCandidate(
        deviceClasses: [[0, 1]], boundThreads: [[[0], [1]]], threadClasses: [], dropping: Set(slots))
      #expect(sym.automorphismViolation(of: model.system) != nil, "dropping \(name) passes the static check")
      #expect(!Self.commutationFailures(model.system, sym, states, max: 1).isEmpty, "dropping \(name) commutes")
    }
    // Slots that never change here (mn.iseq stays 1) only the static check sees.
    let iseq = try model.symmetryCandidate(
      deviceClasses: [[0, 1]], boundThreads: [[[0], [1]]], threadClasses: [], dropping: [l.iseq(0), l.iseq(1)])
    #expect(iseq.automorphismViolation(of: model.system) != nil)
    // The full candidate passes both.
    let full = try model.symmetryCandidate(deviceClasses: [[0, 1]], boundThreads: [[[0], [1]]], threadClasses: [])
    #expect(full.automorphismViolation(of: model.system) == nil)
    #expect(Self.commutationFailures(model.system, full, states).isEmpty)
  }

  /// A thread swap that forgets to rename the lock holder (`drv.lock` holds
  /// thread + 1) is caught as well.
  @Test func forgettingAReferenceRenamingIsCaught() throws {
    let model = try HMMModel(Self.coherentTwins)
    let full = try model.symmetryCandidate(deviceClasses: [[0, 1]], boundThreads: [[[0], [1]]], threadClasses: [])
    var domains = full.slotDomains
    domains[model.layout.drvLock(0)] = 0
    domains[model.layout.drvLock(1)] = 0
    let fullTables = (0..<full.groupOrder).map { g in
      (0..<full.domainNames.count).map { r in (0..<256).map { v in UInt8(Self.tableEntry(full, g, r, v)) } }
    }
    let broken = try StateSymmetry(
      slotCount: full.slotCount, groups: full.groups, domainNames: full.domainNames, slotDomains: domains
    ) { perms in fullTables[full.element(perms)] }
    #expect(broken.automorphismViolation(of: model.system) != nil)
    #expect(!Self.commutationFailures(model.system, broken, Self.reachable(model.system), max: 1).isEmpty)
  }

  /// The renaming table entry of domain r: found through a slot of that domain.
  static func tableEntry(_ sym: StateSymmetry, _ g: Int, _ r: Int, _ v: Int) -> Int {
    guard r != 0, let s = sym.slotDomains.firstIndex(of: UInt8(r)) else { return v }
    return sym.image(ofSlot: s, value: v, under: g).value
  }

  // MARK: - Properties

  @Test func propertySymmetry() throws {
    let model = try HMMModel(Self.coherentTwins)
    let l = model.layout
    let sym = try #require(model.symmetry)
    let n = l.schema.slotCount
    // INV-1/INV-6 for every device and page: symmetric.
    #expect(sym.isSymmetric(HandInvariants.staleOK(l)))
    // Naming one device: not.
    #expect(!sym.isSymmetric(.eq(.slot(l.dptPage(0, 0)), 0)))
    #expect(sym.asymmetryReason(.eq(.slot(l.dptPage(0, 0)), 0)) != nil)
    // A device-memory page named by constant: not; for every device page: yes.
    let gpu0Page = l.devicePages(0)[0]
    #expect(!sym.isSymmetric(.eq(.slot(l.ptePage(0)), gpu0Page + 1)))
    let anyDevicePage = Expr.disj((0..<2).map { d in .eq(.slot(l.ptePage(0)), l.devicePages(d)[0] + 1) })
    #expect(sym.isSymmetric(anyDevicePage))
    // Owners compared with the device they belong to: symmetric.
    let owners = Expr.conj((0..<2).map { d in .eq(.slot(l.pgOwner(l.devicePages(d)[0])), d + 1) })
    #expect(sym.isSymmetric(owners))
    // Order comparisons on references are not invariant.
    #expect(!sym.isSymmetric(.lt(.slot(l.ptePage(0)), .slot(l.ptePage(1)))))
    // A select through a reference (`page.data[pte.page[0]] == data.latest[0]`).
    let table = [-1] + l.phys.indices.map { l.data($0) }
    #expect(sym.isSymmetric(.eq(.select(table: table, index: .slot(l.ptePage(0))), .slot(l.latest(0)))))
    // A count over devices (a sum of ites).
    let count = (0..<2).reduce(Expr.const(0)) { acc, d in
      .op(.add, acc, .cond(.ne(.slot(l.dptPage(d, 0)), 0), .const(1), .const(0)))
    }
    #expect(sym.isSymmetric(.le(count, .const(1))))
    // An ite chain over a device reference (what the property language
    // lowers `dpt.page[x][0]` to when two subscripts vary).
    let ram0 = l.ramPages[0]
    let chain = Expr.cond(
      .eq(.slot(l.pgOwner(ram0)), 1), .slot(l.dptPage(0, 0)),
      .cond(.eq(.slot(l.pgOwner(ram0)), 2), .slot(l.dptPage(1, 0)), .const(0)))
    #expect(sym.isSymmetric(.eq(chain, 0)))
    // A step property over [pre][post][events]: no device's mapping changes.
    let step = Expr.conj((0..<2).map { d in .eq(.slot(l.dptPage(d, 0)), .slot(n + l.dptPage(d, 0))) })
    #expect(sym.isSymmetric(.op(.implies, .ne(.slot(2 * n), 0), step)))
    #expect(!sym.isSymmetric(.op(.implies, .ne(.slot(2 * n), 0), .eq(.slot(l.dptPage(0, 0)), .slot(n + l.dptPage(0, 0))))))
    // A property naming one thread of a swapped pair: not.
    #expect(!sym.isSymmetric(.eq(.slot(l.done(0)), 1)))
    #expect(sym.isSymmetric(.conj([.eq(.slot(l.done(0)), 1), .eq(.slot(l.done(1)), 1)])))
  }

  // MARK: - Paths of the quotient

  /// A walk through canonical states (what a reduced BFS records: the action
  /// from a canonical state, then the canonical form of the successor) turns
  /// into a path of the model that visits the same orbits.
  @Test func quotientPathsConcretize() throws {
    for config in [Self.coherentTriplets, Self.twinsAndReaders, Self.b8TwoFaulters] {
      let model = try HMMModel(config)
      let sys = model.system
      let sym = try #require(model.symmetry)
      var rng = SplitMix64(seed: 7)
      for _ in 0..<30 {
        var c = sym.canonical(sys.initial[0])
        var actions: [Int] = []
        var visited = [c]
        for _ in 0..<40 {
          let succ = Self.successors(sys, c)
          if succ.isEmpty { break }
          let (a, t) = succ[rng.below(succ.count)]
          actions.append(a)
          c = sym.canonical(t)
          visited.append(c)
        }
        let concrete = try #require(sym.concretize(actions, from: sys.initial[0], in: sys))
        var s = sys.initial[0]
        for (i, b) in concrete.enumerated() {
          #expect(sys.isEnabled(b, in: s))
          s = sys.successor(of: s, via: b)
          #expect(sym.canonical(s) == visited[i + 1])
        }
      }
    }
  }

  @Test func deviceNamesAreSwappedAsWholeWords() {
    let swap = ["gpu0": "gpu1", "gpu1": "gpu0"]
    #expect(HMMModel.substitute("gpu0 callback: lock held", swap) == "gpu1 callback: lock held")
    #expect(HMMModel.substitute("do_swap_page page 0: gpu1 migrate_to_ram", swap) == "do_swap_page page 0: gpu0 migrate_to_ram")
    #expect(HMMModel.substitute("gpu10 and xgpu0 and gpu0.p1", swap) == "gpu10 and xgpu0 and gpu1.p1")
  }

  // MARK: - The canonicaliser on its own

  /// A toy symmetry: 3 blocks of 2 slots, and a slot outside the blocks that
  /// names a block (0 = none). Every state of 7 bytes over small values:
  /// canonical forms are in the orbit, idempotent, orbit-invariant, and
  /// there are as many as orbits.
  @Test func toyCanonicaliser() throws {
    let blocks = [[0, 1], [2, 3], [4, 5]]
    let sym = try StateSymmetry(
      slotCount: 7, groups: [.init(name: "b", labels: ["x", "y", "z"], blocks: blocks)],
      domainNames: ["plain", "block"], slotDomains: [0, 1, 0, 1, 0, 1, 1]
    ) { perms in
      var t = (0..<256).map { UInt8($0) }
      for k in 0..<3 { t[k + 1] = UInt8(perms[0][k] + 1) }
      return [[], t]
    }
    #expect(sym.groupOrder == 6 && sym.generators.count == 2)
    var all: [StateVector] = []
    for code in 0..<(2 * 4 * 2 * 4 * 2 * 4 * 4) {
      var c = code
      var slots: [UInt8] = []
      for k in 0..<7 {
        let radix = k % 2 == 0 && k < 6 ? 2 : 4
        slots.append(UInt8(c % radix))
        c /= radix
      }
      all.append(StateVector(slots: slots))
    }
    var orbits = Set<Set<StateVector>>()
    var canon = Set<StateVector>()
    for s in all {
      let c = sym.canonical(s)
      let orbit = Set((0..<6).map { sym.apply($0, to: s) })
      orbits.insert(orbit)
      canon.insert(c)
      #expect(orbit.contains(c))
      #expect(sym.canonical(c) == c)
      for x in orbit { #expect(sym.canonical(x) == c) }
    }
    #expect(canon.count == orbits.count)
  }
}
