/// A model as written in a `Models/*.yaml` file, after parsing: the system,
/// the protocol variant, the workload threads, the properties to check and
/// the expected outcome. Pure values; `HMMModel` turns it into guarded
/// commands.
public struct ModelConfig: Hashable, Sendable, Codable {
  public var name: String
  public var description: String
  public var system: SystemConfig
  public var variant: Variant
  public var threads: [ThreadConfig]
  /// Property suites (file stems in `Properties/`) or single property names.
  public var properties: [String]
  public var expect: Expectation
  /// Thread steps (kernel path names) that are expected never to fire, so
  /// the vacuity check does not fail the model for them.
  public var expectUnfired: [String]
  /// Fairness assumed for liveness properties, per thread unless a thread
  /// overrides it: weak by default (a thread that stays enabled is
  /// eventually scheduled).
  public var fairness: Fairness = .weak
  /// Properties of this model alone (the `assertions:` block: what a
  /// selftest asserts about its own threads and pages), in the property
  /// language, padded so that line and column numbers are the model file's.
  public var assertions: String = ""

  public init(
    name: String, description: String = "", system: SystemConfig, variant: Variant = Variant(),
    threads: [ThreadConfig], properties: [String] = [], expect: Expectation = .pass,
    expectUnfired: [String] = []
  ) {
    self.name = name
    self.description = description
    self.system = system
    self.variant = variant
    self.threads = threads
    self.properties = properties
    self.expect = expect
    self.expectUnfired = expectUnfired
  }
}

/// Fairness of a thread on the runs liveness properties speak about.
public enum Fairness: String, Hashable, Sendable, Codable, CaseIterable {
  /// No assumption: a thread may be starved forever.
  case none
  /// A thread that stays enabled is eventually scheduled (the scheduler).
  case weak
  /// A thread enabled infinitely often is eventually scheduled (a kernel
  /// mechanism that wakes sleepers, e.g. a lock's wait queue).
  case strong
}

/// What a check of the model must find.
public enum Expectation: Hashable, Sendable, Codable {
  /// Every property holds and every `sometimes` witness is reached.
  case pass
  /// Exactly this property (by name) is violated, and no other.
  case violation(String)
  /// Exactly these properties are violated (a bug with several documented
  /// consequences, e.g. O8: a lost write and a use after free), no other.
  case violations([String])
  /// The model deadlocks (a thread blocked forever).
  case deadlock
}

public struct SystemConfig: Hashable, Sendable, Codable {
  /// Virtual pages (addresses) of the one process address space.
  public var pages: Int
  /// The VMAs, each over an inclusive page range, not overlapping; pages
  /// outside every VMA are unmapped.
  public var vmas: [VMAConfig]
  /// Per virtual page: what is mapped there at the start.
  public var initial: [InitialPage]
  /// System RAM pages available to the allocator (besides the zero page).
  public var ramPages: Int
  public var devices: [DeviceConfig]
  /// memcg limit in pages (the one memcg the process is charged to).
  public var memcgLimit: Int

  public init(
    pages: Int, vmas: [VMAConfig], initial: [InitialPage], ramPages: Int,
    devices: [DeviceConfig], memcgLimit: Int
  ) {
    self.pages = pages
    self.vmas = vmas
    self.initial = initial
    self.ramPages = ramPages
    self.devices = devices
    self.memcgLimit = memcgLimit
  }
}

public struct VMAConfig: Hashable, Sendable, Codable {
  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
    /// MAP_PRIVATE|MAP_ANONYMOUS: the only memory migrate_vma moves.
    case privateAnon = "private_anon"
    /// MAP_SHARED|MAP_ANONYMOUS (shmem): pte_none is a hole (C1).
    case sharedAnon = "shared_anon"
    /// A file mapping: page-cache pages have a mapping (P2 hole).
    case file
  }

  public enum Prot: String, Hashable, Sendable, Codable, CaseIterable {
    case none, read
    case readWrite = "read_write"
  }

  /// First and last virtual page, inclusive.
  public var first: Int
  public var last: Int
  public var kind: Kind
  public var prot: Prot

  public init(first: Int, last: Int, kind: Kind, prot: Prot) {
    self.first = first
    self.last = last
    self.kind = kind
    self.prot = prot
  }
}

/// The initial content of one virtual page.
public enum InitialPage: Hashable, Sendable, Codable {
  /// pte_none (never touched).
  case none
  /// The shared zero page, mapped read-only (a read fault happened).
  case zero
  /// A present RAM page, writable or not, charged to the memcg.
  case ram(writable: Bool)
  /// Already migrated to this device (index into `devices`): a device-private
  /// entry, or a present PTE for a coherent device.
  case device(Int, writable: Bool)

  /// Whether the page starts with content of its own (a version of its own,
  /// distinct from a zero-filled page's).
  public var holdsData: Bool {
    switch self {
    case .none, .zero: return false
    case .ram, .device: return true
    }
  }
}

public struct DeviceConfig: Hashable, Sendable, Codable {
  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
    /// MEMORY_DEVICE_PRIVATE: not CPU-addressable; device-private entries.
    case `private`
    /// MEMORY_DEVICE_COHERENT: CPU-addressable; present PTEs.
    case coherent
  }

  public var name: String
  public var kind: Kind
  /// Pages of device memory (the driver's free list).
  public var poolPages: Int

  public init(name: String, kind: Kind = .private, poolPages: Int) {
    self.name = name
    self.kind = kind
    self.poolPages = poolPages
  }
}

public struct ThreadConfig: Hashable, Sendable, Codable {
  public var name: String
  /// The device (index into `devices`) for a device thread; nil for a CPU thread.
  public var device: Int?
  public var program: [Operation]
  /// Overrides the model's fairness for this thread.
  public var fairness: Fairness? = nil

  public init(name: String, device: Int? = nil, program: [Operation], fairness: Fairness? = nil) {
    self.name = name
    self.device = device
    self.program = program
    self.fairness = fairness
  }
}

/// A page range, inclusive at both ends.
public struct PageRange: Hashable, Sendable, Codable, CustomStringConvertible {
  public var first: Int
  public var last: Int
  public init(_ first: Int, _ last: Int) {
    self.first = first
    self.last = last
  }
  public var pages: ClosedRange<Int> { first...last }
  public var description: String { first == last ? "page \(first)" : "pages \(first)-\(last)" }
}

/// One entry of a thread's program: a kernel entry point (syscall, fault,
/// ioctl) that the model expands into its kernel-serialised steps.
public indirect enum Operation: Hashable, Sendable, Codable {
  // CPU threads
  /// A CPU load: TLB hit, or handle_mm_fault (populate, migration wait,
  /// do_swap_page -> migrate_to_ram).
  case cpuRead(Int)
  /// A CPU store (also COW of the zero page, write-protect reuse).
  case cpuWrite(Int)
  case munmap(PageRange)
  case mprotect(PageRange, VMAConfig.Prot)
  /// pin_user_pages(FOLL_WRITE) on one page: faults it in, takes a pin.
  case gupPin(Int)
  /// A write through the pinned page (DMA by the pinning user).
  case gupWrite(Int)
  case gupUnpin(Int)
  /// Process exit: MMU_NOTIFY_RELEASE to every mirror, then exit_mmap.
  case exit

  // Device threads (bound to their thread's device)
  /// dmirror_range_fault over a range: read_begin, hmm_range_fault, driver
  /// lock, read_retry, program the device page table.
  case mirror(PageRange, write: Bool)
  /// A device access through its page table (re-faulting on a miss).
  case deviceRead(Int)
  case deviceWrite(Int)
  /// dmirror MIGRATE_TO_DEV: migrate_vma_setup/pages/finalize to this device.
  case migrateToDevice(PageRange)
  /// dmirror MIGRATE_TO_SYS: this device's pages back to system RAM.
  case migrateToSystem(PageRange)
  /// dmirror SNAPSHOT: hmm_range_fault over the range without faulting,
  /// validated through a temporary interval notifier; what it reports for
  /// each page lands in `t.snap_result`.
  case snapshot(PageRange)
  /// dmirror RELEASE: evict every page of this device's memory to RAM
  /// (migrate_device_range, migrate_device_pages, migrate_device_finalize),
  /// then wait for the device pages to be freed (memunmap_pages).
  case release

  /// Waits until another thread (by index) has finished its program: the
  /// order a selftest runs its steps in, across CPU and device threads.
  case after(Int)

  /// Nondeterministic choice between alternative sub-programs.
  case choice([[Operation]])
}

/// Protocol variants: kernel eras and driver choices. The default value is
/// the correct, current protocol.
public struct Variant: Hashable, Sendable, Codable {
  public enum Era: String, Hashable, Sendable, Codable, CaseIterable {
    /// v5.5+: mmu_interval_notifier, read_begin / read_retry / set_seq.
    case intervalNotifier = "interval_notifier"
    /// v4.14-v4.19 hmm_mirror: device page tables synced at
    /// invalidate_range_end, after the CPU PTEs changed (bug B1).
    case hmmMirror2017 = "hmm_mirror_2017"
    /// v4.20-v5.4: a per-range `valid` flag reset to true at
    /// invalidate_range_end (bug B2).
    case validFlag2019 = "valid_flag_2019"
  }

  public enum MemcgEra: String, Hashable, Sendable, Codable, CaseIterable {
    /// v6.7+: mem_cgroup_migrate moves the charge with the page.
    case v6_7 = "v6.7"
    /// Before v6.7: the new page is force-charged and the old one uncharged
    /// when freed (a bounded, documented transient over the limit).
    case preV6_7 = "pre_v6.7"
  }

  /// The device-private branch of do_swap_page, by kernel era: what a CPU
  /// fault holds on the page when it calls `migrate_to_ram`, and what a
  /// faulter that does not get to migrate does (Docs/kernel.md, "The
  /// device-private fault path").
  public enum SwapPageLocking: String, Hashable, Sendable, Codable, CaseIterable {
    /// v7.0-rc4+, stable 6.18.y/6.19.y (b570f37a2ce4, 2026): trylock_page
    /// and get_page under the PTL; the loser sleeps until the page is
    /// unlocked (softleaf_entry_wait_on_locked), then re-faults.
    case trylockSleep = "trylock_sleep"
    /// v6.15 - v7.0-rc3 (1afaeb8293c9, 2025): the same, but the loser returns
    /// 0 at once and re-faults: a CPU spins through user space, an
    /// hmm_range_fault re-walks in the kernel.
    case trylockSpin = "trylock_spin"
    /// v6.1 - v6.14 (16ce101db85d, 2022): pte_same under the PTL, then
    /// get_page, no page lock. Every concurrent faulter holds a reference,
    /// which folio_migrate_mapping's exact count rejects: the migration is
    /// undone, everyone re-faults (the livelock 1afaeb8293c9 fixed).
    case getPage = "get_page"
    /// v5.3 - v6.0: migrate_to_ram called with no reference and no lock
    /// (B8, CVE-2022-3523): the page can be freed under the driver.
    case noReference = "no_reference"
    /// v4.14 - v4.20 (5042db43cc26, 2017): device_private_entry_fault, no
    /// reference, no lock; and migration_entry_wait holds a page reference
    /// while it sleeps, which fails the winner's refcount check.
    case devmemCallback = "devmem_callback"

    /// do_swap_page holds a reference on the fault page across migrate_to_ram.
    public var referencesFaultPage: Bool { self == .getPage || locksFaultPage }
    /// ... and the page lock (migrate_vma_* then must not lock it again).
    public var locksFaultPage: Bool { self == .trylockSpin || self == .trylockSleep }
    /// A task sleeping on a migration entry holds a page reference.
    public var waiterHoldsReference: Bool { self == .devmemCallback }
  }

  /// What the driver's migrate_to_ram does when it cannot allocate the RAM
  /// page (Docs/kernel.md, "What migrate_to_ram returns").
  public enum MigrateToRAMAllocFailure: String, Hashable, Sendable, Codable, CaseIterable {
    /// lib/test_hmm.c v6.19+: returns VM_FAULT_OOM. A user access is then
    /// retried (pagefault_out_of_memory since v5.16: no memcg OOM is armed,
    /// as migrating back charges nothing); GUP and hmm_range_fault fail.
    case oom
    /// lib/test_hmm.c v6.1 - v6.18, nouveau v6.1+: skips the page (dst = 0)
    /// and returns 0: the CPU faults again.
    case refault
    /// nouveau before v6.1, amdkfd, drm_pagemap (xe): VM_FAULT_SIGBUS.
    case sigbus
  }

  /// How a device thread's read or write reaches memory.
  public enum DeviceAccess: String, Hashable, Sendable, Codable, CaseIterable {
    /// A GPU: the device looks its page table up and the DMA completes
    /// later, outside the driver lock; the invalidate callback must wait for
    /// it (rule O4).
    case dma
    /// lib/test_hmm.c: dmirror_do_read / dmirror_do_write look the entry up
    /// and copy the data under dmirror->mutex, the lock every invalidate
    /// callback and dmirror_migrate_finalize_and_map take, so no access is
    /// in flight across an invalidation.
    case dmirrorMutex = "dmirror_mutex"
  }

  /// A driver that filters its own MMU_NOTIFY_MIGRATE events (as dmirror
  /// does): its callback still calls mmu_interval_set_seq (the caveat of "The own-migration filter")
  /// but leaves its own entries for the migration code to tear down.
  public enum OwnMigrateFilter: String, Hashable, Sendable, Codable, CaseIterable {
    /// The callback handles every event (allowed by O9; the SPIN twin's choice).
    case none
    /// Tears its own mappings down before copying, once the device is idle (O8 kept).
    case invalidateBeforeCopy = "invalidate_before_copy"
    /// Never tears its own mappings down before copying (O8 violated).
    case noInvalidate = "no_invalidate"
    /// lib/test_hmm.c as written: the callback returns before
    /// mmu_interval_set_seq on its own MIGRATE events, and only the
    /// device-to-system paths erase the entry before copying. Its own
    /// concurrent faults then validate snapshots taken before the collect
    /// (the caveat of Docs/kernel.md, "The own-migration filter").
    case dmirror
  }

  /// Deliberate protocol bugs, each standing for a rule of Docs/kernel.md, "The mirror protocol" or
  /// a historical bug of "Historical bugs".
  public enum Bug: String, Hashable, Sendable, Codable, CaseIterable {
    /// O2: mmu_interval_read_retry checked without the driver lock.
    case readRetryUnlocked = "read_retry_unlocked"
    /// O3: the invalidate callback never calls mmu_interval_set_seq.
    case skipSetSeq = "skip_set_seq"
    /// O4: the callback returns before the device stopped using its entries.
    case callbackReturnsEarly = "callback_returns_early"
    /// O1: mmu_interval_read_begin taken after the hmm_range_fault snapshot.
    case readBeginAfterSnapshot = "read_begin_after_snapshot"
    /// migrate_to_ram try-charges the new page before uncharging the device page.
    case migrateBackChargesFirst = "migrate_back_charges_first"
    /// migrate_vma_collect does not skip GUP-pinned pages (C10/U3 missing).
    case migrateIgnoresPins = "migrate_ignores_pins"
    /// migrate_vma_finalize does not restore declined pages (INV-11).
    case finalizeSkipsRestore = "finalize_skips_restore"
    /// O6: after -EBUSY the mirror walks again with its old sequence instead
    /// of calling mmu_interval_read_begin again: it can never succeed.
    case retryReusesSeq = "retry_reuses_seq"
  }

  public var era: Era
  public var memcg: MemcgEra
  public var swapPageLocking: SwapPageLocking
  public var migrateToRAMAllocFailure: MigrateToRAMAllocFailure
  public var ownMigrateFilter: OwnMigrateFilter
  public var deviceAccess: DeviceAccess
  /// The driver's alloc_and_copy may decline any page (hole D1).
  public var driverMayDecline: Bool
  /// Map the zero page on read faults of untouched anonymous memory.
  public var zeroPage: Bool
  public var bugs: [Bug]

  public init(
    era: Era = .intervalNotifier, memcg: MemcgEra = .v6_7,
    swapPageLocking: SwapPageLocking = .trylockSleep, migrateToRAMAllocFailure: MigrateToRAMAllocFailure = .oom,
    ownMigrateFilter: OwnMigrateFilter = .none,
    deviceAccess: DeviceAccess = .dma,
    driverMayDecline: Bool = false, zeroPage: Bool = true, bugs: [Bug] = []
  ) {
    self.era = era
    self.memcg = memcg
    self.swapPageLocking = swapPageLocking
    self.migrateToRAMAllocFailure = migrateToRAMAllocFailure
    self.ownMigrateFilter = ownMigrateFilter
    self.deviceAccess = deviceAccess
    self.driverMayDecline = driverMayDecline
    self.zeroPage = zeroPage
    self.bugs = bugs
  }

  public func has(_ bug: Bug) -> Bool { bugs.contains(bug) }
}
