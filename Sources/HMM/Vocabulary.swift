/// The value vocabulary of the HMM state: the enumerations the schema
/// declares and the property language names (`present`, `migration`, ...).

/// CPU page-table entry kinds (Docs/kernel.md, "Pages and page-table entries").
public enum PTEKind: Int, CaseIterable, Sendable {
  case none = 0, present, zero, migration
  /// A device-private swap entry (readable or writable by `pte.write`).
  case devicePrivate
  public static let names = ["none", "present", "zero", "migration", "device_private"]
}

/// Device page-table (mirror) entry tags, as dmirror's xarray tags.
public enum DPTTag: Int, CaseIterable, Sendable {
  case none = 0, read, write
  public static let names = ["unmapped", "read", "write"]
}

/// What HMM_DMIRROR_SNAPSHOT reports for one page (dmirror_mkentry's byte,
/// HMM_DMIRROR_PROT_*): its kind, and READ or WRITE; `unset` before any
/// snapshot. Another device's private page is `none` (not faulted, so not
/// valid).
public enum SnapshotResult: Int, CaseIterable, Sendable {
  case unset = 0, error, none, read, write, zeroRead
  case privateLocalRead, privateLocalWrite, coherentLocalRead, coherentLocalWrite, coherentRemoteRead, coherentRemoteWrite
  public static let names = [
    "unset", "error", "none", "read", "write", "zero_read", "private_local_read", "private_local_write",
    "coherent_local_read", "coherent_local_write", "coherent_remote_read", "coherent_remote_write",
  ]
}

/// Static kind of each physical page.
public enum PageKind: Int, CaseIterable, Sendable {
  case ram = 0, zero, devicePrivate, deviceCoherent
  public static let names = ["ram", "zero_page", "dev_private", "dev_coherent"]
}

/// VMA kind per virtual page; `unmapped` once munmap removed the VMA.
public enum VMAKind: Int, CaseIterable, Sendable {
  case unmapped = 0, privateAnon, sharedAnon, file
  public static let names = ["unmapped", "private_anon", "shared_anon", "file"]

  init(_ k: VMAConfig.Kind) {
    switch k {
    case .privateAnon: self = .privateAnon
    case .sharedAnon: self = .sharedAnon
    case .file: self = .file
    }
  }
}

public enum ProtValue: Int, CaseIterable, Sendable {
  case none = 0, read, readWrite
  public static let names = ["prot_none", "prot_read", "prot_read_write"]

  init(_ p: VMAConfig.Prot) {
    switch p {
    case .none: self = .none
    case .read: self = .read
    case .readWrite: self = .readWrite
    }
  }
}

/// Witness events that commands fire (the targets of `sometimes` properties
/// written as `event(NAME)`).
public enum HMMEvent: String, CaseIterable, Sendable {
  case readRetryCollision = "read_retry_collision"
  case rangeFaultBusy = "range_fault_busy"
  case mirrorProgrammed = "mirror_programmed"
  case migrationHole = "migration_hole"
  case collectTrylockFailed = "collect_trylock_failed"
  case collectPinned = "collect_pinned"
  case driverDeclined = "driver_declined"
  case insertMemcgRefused = "insert_memcg_refused"
  case insertRaced = "insert_raced"
  case migrateToRAMCommitted = "migrate_to_ram_committed"
  case migrateBackRefused = "migrate_back_refused"
  case pageCommitted = "page_committed"
  case swapPageTrylockLost = "swap_page_trylock_lost"
  case faultMemcgRefused = "fault_memcg_refused"
  case deviceReadAfterMigration = "device_read_device_memory"
  case deviceWroteDeviceMemory = "device_wrote_device_memory"
  case deviceAccess = "device_access"
  case cpuFaultMigratedBack = "cpu_fault_migrated_back"
  case snapshotTaken = "snapshot_taken"
  case pageEvicted = "page_evicted"
  /// Fired by every step marked as progress (a device PTE installed, a page
  /// committed, a CPU or device access completing): `progress` properties
  /// and non-progress cycles are stated with it.
  case progress = "progress_step"
}
