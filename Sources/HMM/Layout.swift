import CheckerCore

/// Where every piece of HMM state lives in the state vector, and its name in
/// the property language's vocabulary (README, "State vocabulary").
///
/// Physical pages are numbered: the shared zero page (when modelled), then
/// the system-RAM pool, then each device's pool. A reference value is the
/// page index + 1, 0 meaning "no page".
public struct HMMLayout: Sendable {
  /// The domain of virtual pages: the index of a model family whose members
  /// differ in page count (`LemmaTransfer` renames per-page elements along it;
  /// threads and physical pages of page k end in k, `m3`, `ram3`).
  public static let pageDomain = "page"
  public let config: ModelConfig
  public private(set) var schema = Schema()

  public let pages: Int
  public let devices: Int
  public let threadCount: Int
  /// Physical page descriptors, index = phys number.
  public let phys: [PhysPage]
  public let zeroPhys: Int?
  public let maxVersion: Int
  public let maxSeq: Int
  /// Whether notifier sequences and content versions are renamed
  /// canonically (`ValueRenaming`): their ranges are then the number of
  /// values that can be live at once, not a budget of increments.
  public let renamed: Bool

  public struct PhysPage: Sendable, Hashable {
    public var name: String
    public var kind: PageKind
    /// Device index for device memory.
    public var device: Int?
  }

  // Variable indices in the schema.
  private var v: [String: Int] = [:]

  init(config: ModelConfig, renamed: Bool = true) {
    self.config = config
    self.renamed = renamed
    let sys = config.system
    pages = sys.pages
    devices = sys.devices.count
    threadCount = config.threads.count
    var ph: [PhysPage] = []
    if config.variant.zeroPage {
      ph.append(PhysPage(name: "zero", kind: .zero, device: nil))
      zeroPhys = 0
    } else {
      zeroPhys = nil
    }
    for i in 0..<sys.ramPages { ph.append(PhysPage(name: "ram\(i)", kind: .ram, device: nil)) }
    for (d, dev) in sys.devices.enumerated() {
      for i in 0..<dev.poolPages {
        ph.append(
          PhysPage(
            name: "\(dev.name).p\(i)", kind: dev.kind == .private ? .devicePrivate : .deviceCoherent,
            device: d))
      }
    }
    phys = ph
    let populated = sys.initial.prefix(sys.pages).filter(\.holdsData).count
    let readers = config.threads.filter { $0.device != nil }.count
    let snapshotters = config.threads.filter { Self.hasSnapshot($0.program) }.count
    if renamed {
      // At most one live version per address, per physical page and the
      // clock; at most one live sequence per device (I), per reader (its
      // read_begin value) and S (an invalidator's cur_seq is S).
      maxVersion = sys.pages + ph.count + 1
      maxSeq = 2 * (1 + sys.devices.count + readers + snapshotters) + 1
    } else {
      let writes = config.threads.reduce(0) { $0 + Self.countWrites($1.program) }
      maxVersion = max(1, populated + writes)
      let invalidations = config.threads.reduce(0) { $0 + Self.invalidationBudget($1.program, pages: sys.pages) }
      maxSeq = min(255, 3 + 2 * invalidations)
    }

    var s = Schema()
    s.addDomain(Self.pageDomain, elements: (0..<pages).map(String.init))
    s.addDomain("device", elements: sys.devices.map(\.name))
    s.addDomain("phys", elements: ph.map(\.name))
    s.addDomain("thread", elements: config.threads.map(\.name))
    let pteKind = Schema.ValueType.enumeration(name: "pte_kind", cases: PTEKind.names)
    let physRef = Schema.ValueType.reference(domain: "phys")
    let small = Schema.ValueType.int(min: 0, max: 7)
    let version = Schema.ValueType.int(min: 0, max: maxVersion)
    let seq = Schema.ValueType.int(min: 0, max: maxSeq)
    let nthreads = Schema.ValueType.int(min: 0, max: max(1, threadCount))
    var idx: [String: Int] = [:]
    func add(_ n: String, _ dims: [String], _ t: Schema.ValueType, _ group: String, ghost: Bool = false, _ doc: String) {
      idx[n] = s.addVariable(n, dimensions: dims, type: t, group: group, doc: doc, ghost: ghost)
    }
    // CPU page table and VMAs
    add("pte.kind", ["page"], pteKind, "CPU page table", "kind of the CPU PTE at each virtual page")
    add("pte.page", ["page"], physRef, "CPU page table", "physical page the PTE names (migration entries name the source)")
    add("pte.write", ["page"], .bool, "CPU page table", "PTE (or device-private / migration entry) is writable")
    add("vma.kind", ["page"], .enumeration(name: "vma_kind", cases: VMAKind.names), "VMAs", "VMA covering the page")
    add("vma.prot", ["page"], .enumeration(name: "vma_prot", cases: ProtValue.names), "VMAs", "VMA protection")
    add("data.latest", ["page"], version, "data", ghost: true, "latest version written to the address (ghost)")
    add("data.clock", [], version, "data", ghost: true, "the newest version made: a write makes data.clock + 1 (ghost)")
    // Physical pages
    add("page.kind", ["phys"], .enumeration(name: "page_kind", cases: PageKind.names), "physical pages", "static kind of the physical page")
    add("page.owner", ["phys"], .reference(domain: "device"), "physical pages", "device owning device memory (none for RAM)")
    add("page.ref", ["phys"], small, "physical pages", "refcount (0 = free)")
    add("page.mapcount", ["phys"], .int(min: 0, max: 2), "physical pages", "mapcount")
    add("page.pins", ["phys"], .int(min: 0, max: max(1, threadCount)), "physical pages", "GUP pins (FOLL_PIN)")
    add("page.locked", ["phys"], .bool, "physical pages", "PG_locked")
    add("page.lru", ["phys"], .bool, "physical pages", "on an LRU list")
    add("page.memcg", ["phys"], .bool, "physical pages", "charged to the memcg (memcg_data != 0)")
    add("page.anon", ["phys"], .bool, "physical pages", "anonymous folio (no mapping)")
    add("page.data", ["phys"], version, "physical pages", "content version held by the page")
    add(
      "page.old_charge", ["phys"], .bool, "physical pages", ghost: true,
      "pre-v6.7: source of a committed migration, still charged until freed (ghost)")
    // Devices
    add("dpt.page", ["device", "page"], physRef, "device page tables", "page the device mirror maps at the address")
    add("dpt.tag", ["device", "page"], .enumeration(name: "dpt_tag", cases: DPTTag.names), "device page tables", "device mapping rights")
    add("drv.lock", ["device"], .reference(domain: "thread"), "locks", "holder of the driver->update lock")
    // Notifier
    add("mn.seq", [], seq, "notifier sequences", "mm invalidate_seq S (odd while invalidating)")
    add("mn.active", [], nthreads, "notifier sequences", "active_invalidate_ranges")
    add("mn.iseq", ["device"], seq, "notifier sequences", "interval notifier invalidate_seq I[d]")
    add(
      "mn.pending", ["device", "page"], nthreads, "notifier sequences", ghost: true,
      "invalidations covering the address whose callback for the device has not finished (ghost)")
    // mm
    add("mm.readers", [], nthreads, "locks", "mmap_lock readers")
    add("mm.writer", [], .bool, "locks", "mmap_lock held for write")
    add("mm.rss", [], .int(min: 0, max: max(1, pages)), "accounting", "rss counter (MM_ANONPAGES + file + shmem)")
    add("memcg.usage", [], .int(min: 0, max: max(1, ph.count)), "accounting", "pages charged to the memcg")
    add("memcg.limit", [], .int(min: 0, max: max(sys.memcgLimit, 1)), "accounting", "memcg limit (constant)")
    // Migration ghosts
    add("mig.owner", ["page"], .reference(domain: "device"), "migration", ghost: true, "device whose migration session covers the address (ghost)")
    add("mig.dst", ["page"], physRef, "migration", ghost: true, "committed destination of the migration entry (ghost)")
    add("ghost.stale_read", [], .bool, "observations", ghost: true, "a device DMA read a version other than the latest (ghost)")
    add("ghost.cpu_stale_read", [], .bool, "observations", ghost: true, "a CPU load read a version other than the latest (ghost)")
    add("ghost.use_after_free", [], .bool, "observations", ghost: true, "a kernel path used a freed page (ghost)")
    add("ghost.migrate_back_refused", [], .bool, "observations", ghost: true, "a migration back to RAM was refused by memcg (ghost)")
    // Threads
    add("thread.pc", ["thread"], .int(min: 0, max: 255), "threads", "program counter")
    add("t.done", ["thread"], .bool, "threads", ghost: true, "the thread finished its program (ghost)")
    add("t.seq", ["thread"], seq, "threads", "mirror: sequence from mmu_interval_read_begin")
    add("t.cur", ["thread"], seq, "threads", "invalidator: cur_seq of its invalidation")
    add("t.valid", ["thread"], .bool, "threads", "pre-v5.5 reader: range->valid")
    add("t.snap_page", ["thread", "page"], physRef, "threads", "hmm_range_fault snapshot: page")
    add("t.snap_write", ["thread", "page"], .bool, "threads", "hmm_range_fault snapshot: writable")
    add("t.mig_src", ["thread", "page"], physRef, "threads", "migrate_vma src[] page")
    add("t.mig_dst", ["thread", "page"], physRef, "threads", "migrate_vma dst[] page")
    add("t.mig_flag", ["thread", "page"], .bool, "threads", "MIGRATE_PFN_MIGRATE")
    add("t.mig_write", ["thread", "page"], .bool, "threads", "MIGRATE_PFN_WRITE")
    add(
      "t.mig_ninv", ["thread"], .int(min: 0, max: max(1, pages)), "threads",
      "migrate_vma_pages opened its insert invalidation at page value-1 (0: not opened)")
    add(
      "t.fault_error", ["thread"], .bool, "threads",
      "migrate_to_ram could not allocate the RAM page and returns VM_FAULT_OOM or VM_FAULT_SIGBUS (by driver)")
    add("t.fault_page", ["thread"], physRef, "threads", "page locked/referenced by do_swap_page or waited on")
    add("t.new_page", ["thread"], physRef, "threads", "page allocated by a COW fault")
    add("t.gup_page", ["thread", "page"], physRef, "threads", "page pinned by pin_user_pages")
    add("t.dma_page", ["thread"], physRef, "threads", "device DMA in flight to this page")
    add("t.snap_iseq", ["thread"], seq, "threads", "HMM_DMIRROR_SNAPSHOT: invalidate_seq I of the temporary interval notifier")
    add("t.snap_registered", ["thread"], .bool, "threads", "HMM_DMIRROR_SNAPSHOT: the temporary notifier is in the interval tree")
    add(
      "t.snap_result", ["thread", "page"], .enumeration(name: "snapshot_result", cases: SnapshotResult.names), "threads",
      "HMM_DMIRROR_SNAPSHOT: what the last snapshot reported for the page")
    add("t.evict_page", ["thread"], physRef, "threads", "HMM_DMIRROR_RELEASE: the device page being evicted (referenced, locked)")
    add("t.evict_dst", ["thread"], physRef, "threads", "HMM_DMIRROR_RELEASE: its RAM destination")
    add("dev.removing", ["device"], .bool, "locks", "HMM_DMIRROR_RELEASE in progress: freed device pages are not reused")
    if renamed {
      s.addValueClass("seq", variables: ["mn.seq", "mn.iseq", "t.seq", "t.cur", "t.snap_iseq"], clock: "mn.seq", parity: true)
      s.addValueClass("version", variables: ["data.latest", "data.clock", "page.data"], clock: "data.clock", parity: false)
    }
    schema = s
    v = idx
  }

  // MARK: - Slot accessors

  private func slot(_ name: String, _ indices: Int...) -> Int {
    schema.slot(schema.variables[v[name]!], indices)
  }

  public func pteKind(_ a: Int) -> Int { slot("pte.kind", a) }
  public func ptePage(_ a: Int) -> Int { slot("pte.page", a) }
  public func pteWrite(_ a: Int) -> Int { slot("pte.write", a) }
  public func vmaKind(_ a: Int) -> Int { slot("vma.kind", a) }
  public func vmaProt(_ a: Int) -> Int { slot("vma.prot", a) }
  public func latest(_ a: Int) -> Int { slot("data.latest", a) }
  public var versionClock: Int { slot("data.clock") }
  public func pgKind(_ p: Int) -> Int { slot("page.kind", p) }
  public func pgOwner(_ p: Int) -> Int { slot("page.owner", p) }
  public func ref(_ p: Int) -> Int { slot("page.ref", p) }
  public func mapcount(_ p: Int) -> Int { slot("page.mapcount", p) }
  public func pins(_ p: Int) -> Int { slot("page.pins", p) }
  public func locked(_ p: Int) -> Int { slot("page.locked", p) }
  public func lru(_ p: Int) -> Int { slot("page.lru", p) }
  public func memcg(_ p: Int) -> Int { slot("page.memcg", p) }
  public func anon(_ p: Int) -> Int { slot("page.anon", p) }
  public func data(_ p: Int) -> Int { slot("page.data", p) }
  public func oldCharge(_ p: Int) -> Int { slot("page.old_charge", p) }
  public func faultError(_ t: Int) -> Int { slot("t.fault_error", t) }
  public func dptPage(_ d: Int, _ a: Int) -> Int { slot("dpt.page", d, a) }
  public func dptTag(_ d: Int, _ a: Int) -> Int { slot("dpt.tag", d, a) }
  public func drvLock(_ d: Int) -> Int { slot("drv.lock", d) }
  public var seqS: Int { slot("mn.seq") }
  public var active: Int { slot("mn.active") }
  public func iseq(_ d: Int) -> Int { slot("mn.iseq", d) }
  public func pending(_ d: Int, _ a: Int) -> Int { slot("mn.pending", d, a) }
  public var mmReaders: Int { slot("mm.readers") }
  public var mmWriter: Int { slot("mm.writer") }
  public var rss: Int { slot("mm.rss") }
  public var usage: Int { slot("memcg.usage") }
  public var limit: Int { slot("memcg.limit") }
  public func migOwner(_ a: Int) -> Int { slot("mig.owner", a) }
  public func migDstGhost(_ a: Int) -> Int { slot("mig.dst", a) }
  public var staleRead: Int { slot("ghost.stale_read") }
  public var cpuStaleRead: Int { slot("ghost.cpu_stale_read") }
  public var useAfterFree: Int { slot("ghost.use_after_free") }
  public var migrateBackRefused: Int { slot("ghost.migrate_back_refused") }
  public func pc(_ t: Int) -> Int { slot("thread.pc", t) }
  public func seq(_ t: Int) -> Int { slot("t.seq", t) }
  public func done(_ t: Int) -> Int { slot("t.done", t) }
  public func cur(_ t: Int) -> Int { slot("t.cur", t) }
  public func valid(_ t: Int) -> Int { slot("t.valid", t) }
  public func snapPage(_ t: Int, _ a: Int) -> Int { slot("t.snap_page", t, a) }
  public func snapWrite(_ t: Int, _ a: Int) -> Int { slot("t.snap_write", t, a) }
  public func migSrc(_ t: Int, _ a: Int) -> Int { slot("t.mig_src", t, a) }
  public func migDst(_ t: Int, _ a: Int) -> Int { slot("t.mig_dst", t, a) }
  public func migFlag(_ t: Int, _ a: Int) -> Int { slot("t.mig_flag", t, a) }
  public func migWrite(_ t: Int, _ a: Int) -> Int { slot("t.mig_write", t, a) }
  public func migNinv(_ t: Int) -> Int { slot("t.mig_ninv", t) }
  public func faultPage(_ t: Int) -> Int { slot("t.fault_page", t) }
  public func newPage(_ t: Int) -> Int { slot("t.new_page", t) }
  public func gupPage(_ t: Int, _ a: Int) -> Int { slot("t.gup_page", t, a) }
  public func dmaPage(_ t: Int) -> Int { slot("t.dma_page", t) }
  public func snapIseq(_ t: Int) -> Int { slot("t.snap_iseq", t) }
  public func snapRegistered(_ t: Int) -> Int { slot("t.snap_registered", t) }
  public func snapResult(_ t: Int, _ a: Int) -> Int { slot("t.snap_result", t, a) }
  public func evictPage(_ t: Int) -> Int { slot("t.evict_page", t) }
  public func evictDst(_ t: Int) -> Int { slot("t.evict_dst", t) }
  public func removing(_ d: Int) -> Int { slot("dev.removing", d) }

  // MARK: - Page classes

  public var ramPages: [Int] { phys.indices.filter { phys[$0].kind == .ram } }
  public func devicePages(_ d: Int) -> [Int] { phys.indices.filter { phys[$0].device == d } }
  /// Pages a present PTE can name (RAM, or coherent device memory).
  public var presentCandidates: [Int] { phys.indices.filter { phys[$0].kind == .ram || phys[$0].kind == .deviceCoherent } }
  public var privatePages: [Int] { phys.indices.filter { phys[$0].kind == .devicePrivate } }
  /// Pages with a refcount (everything but the zero page).
  public var refcounted: [Int] { phys.indices.filter { phys[$0].kind != .zero } }

  static func hasSnapshot(_ ops: [Operation]) -> Bool {
    ops.contains { op in
      switch op {
      case .snapshot: return true
      case .choice(let alts): return alts.contains(where: hasSnapshot)
      default: return false
      }
    }
  }

  /// Writes (CPU, device, GUP) in a program, choices counted as all branches:
  /// bounds the content versions.
  static func countWrites(_ ops: [Operation]) -> Int {
    ops.reduce(0) { acc, op in
      switch op {
      case .cpuWrite, .deviceWrite, .gupWrite: return acc + 1
      case .choice(let alts): return acc + alts.reduce(0) { $0 + countWrites($1) }
      default: return acc
      }
    }
  }

  /// A generous bound on the invalidations a program can cause, for the
  /// notifier sequence's range. The explorer still checks every new state
  /// against the declared ranges, so a wrong bound is reported, never wrapped.
  static func invalidationBudget(_ ops: [Operation], pages: Int) -> Int {
    ops.reduce(0) { acc, op in
      switch op {
      case .choice(let alts): return acc + alts.reduce(0) { $0 + invalidationBudget($1, pages: pages) }
      case .migrateToDevice, .migrateToSystem: return acc + 2 + pages
      case .mirror(let r, _): return acc + 2 * (r.last - r.first + 1)
      case .deviceRead, .deviceWrite: return acc + 2
      default: return acc + 2
      }
    }
  }
}
