import CheckerCore
import Testing
@testable import HMM

/// Pins the behaviour of individual kernel steps.
@Suite struct NotifierStepTests {
  static let mirrorAndMunmap = Configs.oneAnonPage(threads: [
    ThreadConfig(name: "mirror", device: 0, program: [.mirror(PageRange(0, 0), write: true)]),
    ThreadConfig(name: "cpu", program: [.munmap(PageRange(0, 0))]),
  ])

  @Test func initialStateFollowsTheKernel() throws {
    let d = try Driver(Self.mirrorAndMunmap)
    let l = d.l
    #expect(d[l.seqS] == 2)  // S starts at 2
    #expect(d[l.iseq(0)] == 1)  // inserted with no invalidation active: I = S - 1
    #expect(d[l.pteKind(0)] == PTEKind.present.rawValue)
    #expect(d[l.usage] == 1 && d[l.rss] == 1)
  }

  @Test func invalidationMakesSOddAndSetSeqCopiesCur() throws {
    var d = try Driver(Self.mirrorAndMunmap)
    let l = d.l
    d.step("cpu", "munmap")
    #expect(d[l.vmaKind(0)] == VMAKind.unmapped.rawValue)
    d.step("cpu", "invalidate_range_start")
    #expect(d[l.seqS] == 3 && d[l.active] == 1 && d[l.cur(1)] == 3)
    #expect(d[l.pending(0, 0)] == 1)
    // read_begin now sleeps? Not yet: I (1) != S (3), it returns seq = 1.
    #expect(d.isEnabled("mirror", "mmu_interval_read_begin", "seq = I"))
    d.step("cpu", "mutex_lock")
    d.step("cpu", "mmu_interval_set_seq")
    #expect(d[l.iseq(0)] == 3)
    // I == S: a reader now sleeps in read_begin.
    #expect(d.isEnabled("mirror", "mmu_interval_read_begin", "sleep"))
    #expect(!d.isEnabled("mirror", "mmu_interval_read_begin", "seq = I"))
    d.step("cpu", "clear device PTEs")
    d.step("cpu", "mutex_unlock")
    #expect(d[l.pending(0, 0)] == 0 && d[l.drvLock(0)] == 0)
    d.step("cpu", "zap_pte_range", "unmap")
    let ram0 = l.ramPages[0]
    #expect(d[l.ref(ram0)] == 0 && d[l.memcg(ram0)] == 0 && d[l.usage] == 0 && d[l.rss] == 0)
    d.step("cpu", "invalidate_range_end")
    #expect(d[l.seqS] == 4 && d[l.active] == 0 && d[l.mmReaders] == 0)
  }

  @Test func callbackWaitsForTheDriverLock() throws {
    var d = try Driver(Self.mirrorAndMunmap)
    d.runAlone("mirror", max: 5)  // read_begin, mmap lock, check_retry, walk, unlock
    d.step("mirror", "mutex_lock(driver->update)")
    d.step("cpu", "munmap")
    d.step("cpu", "invalidate_range_start")
    #expect(!d.isEnabled("cpu", "mutex_lock"))  // blocked on the reader's lock
    d.step("mirror", "mmu_interval_read_retry", "no collision")
    d.step("mirror", "dmirror_do_fault")
    d.step("mirror", "mutex_unlock")
    #expect(d.isEnabled("cpu", "mutex_lock"))
  }

  @Test func readRetryUnderTheLockSeesTheCollision() throws {
    var d = try Driver(Self.mirrorAndMunmap)
    d.runAlone("mirror", max: 5)
    d.step("cpu", "munmap")
    d.step("cpu", "invalidate_range_start")
    d.step("cpu", "mutex_lock")
    d.step("cpu", "mmu_interval_set_seq")
    d.step("cpu", "clear device PTEs")
    d.step("cpu", "mutex_unlock")
    d.step("mirror", "mutex_lock(driver->update)")
    d.step("mirror", "mmu_interval_read_retry", "collision")
    #expect(d[d.l.dptPage(0, 0)] == 0)
    #expect(d.pc("mirror").hasPrefix("start") || d.pc("mirror").contains("start"))
  }
}

@Suite struct MigrationStepTests {
  static func migrate(
    _ variant: Variant = Variant(), initial: InitialPage = .ram(writable: true), memcg: Int = 4, extra: [ThreadConfig] = []
  ) -> ModelConfig {
    Configs.oneAnonPage(
      initial: initial, memcg: memcg, variant: variant,
      threads: [ThreadConfig(name: "gpu", device: 0, program: [.migrateToDevice(PageRange(0, 0))])] + extra)
  }

  @Test func migrateToDeviceMovesPageAndCharge() throws {
    var d = try Driver(Self.migrate())
    let l = d.l
    let ram0 = l.ramPages[0], dev0 = l.devicePages(0)[0]
    d.step("gpu", "dmirror_migrate_to_device", "")
    d.step("gpu", "invalidate_range_start")
    d.runAlone("gpu", max: 4)  // the callback
    d.step("gpu", "migrate_vma_collect_pmd", "migration entry")
    #expect(d[l.pteKind(0)] == PTEKind.migration.rawValue)
    #expect(d[l.locked(ram0)] == 1 && d[l.mapcount(ram0)] == 0 && d[l.lru(ram0)] == 0 && d[l.ref(ram0)] == 1)
    #expect(d[l.migOwner(0)] == 1)
    d.step("gpu", "invalidate_range_end")
    d.step("gpu", "alloc_and_copy", "allocate")
    #expect(d[l.ref(dev0)] == 1 && d[l.locked(dev0)] == 1)
    d.step("gpu", "migrate_vma_pages", "commit")
    #expect(d[l.memcg(dev0)] == 1 && d[l.memcg(ram0)] == 0 && d[l.usage] == 1)  // v6.7: the charge moves
    #expect(d[l.migDstGhost(0)] == dev0 + 1)
    d.runAlone("gpu", max: 4)  // end of pages, finalize_and_map
    #expect(d[l.dptPage(0, 0)] == dev0 + 1 && d[l.dptTag(0, 0)] == DPTTag.write.rawValue)
    d.step("gpu", "migrate_vma_finalize", "remove_migration_ptes(src, dst)")
    #expect(d[l.pteKind(0)] == PTEKind.devicePrivate.rawValue && d[l.ptePage(0)] == dev0 + 1)
    #expect(d[l.ref(ram0)] == 0 && d[l.ref(dev0)] == 1 && d[l.mapcount(dev0)] == 1 && d[l.locked(dev0)] == 0)
    #expect(d[l.rss] == 1 && d[l.usage] == 1 && d[l.migOwner(0)] == 0)
  }

  @Test func preV67ForceChargesTheDestination() throws {
    var d = try Driver(Self.migrate(Variant(memcg: .preV6_7)))
    let l = d.l
    let ram0 = l.ramPages[0]
    d.runAlone("gpu", max: 8)  // through collect and range_end
    d.step("gpu", "alloc_and_copy", "allocate")
    d.step("gpu", "migrate_vma_pages", "commit")
    #expect(d[l.usage] == 2 && d[l.memcg(ram0)] == 1)  // double charge until the source is freed
    d.runAlone("gpu", max: 4)  // end of pages, finalize_and_map
    d.step("gpu", "migrate_vma_finalize", "remove_migration_ptes")
    #expect(d[l.usage] == 1 && d[l.memcg(ram0)] == 0)
  }

  @Test func pinnedPageIsAHole() throws {
    var d = try Driver(Self.migrate(extra: [ThreadConfig(name: "cpu", program: [.gupPin(0)])]))
    let l = d.l
    d.step("cpu", "pin_user_pages")
    #expect(d[l.pins(l.ramPages[0])] == 1 && d[l.ref(l.ramPages[0])] == 2)
    d.runAlone("gpu", max: 6)
    d.step("gpu", "migrate_vma_collect_pmd", "hole C10")
    #expect(d[l.pteKind(0)] == PTEKind.present.rawValue)
  }

  @Test func emptySourceInsertIsChargedOrRefused() throws {
    for (limit, outcome) in [(4, "mem_cgroup_charge ok"), (0, "hole P1: mem_cgroup_charge refused")] {
      var d = try Driver(Self.migrate(initial: .none, memcg: limit))
      let l = d.l
      d.runAlone("gpu", max: 6)
      d.step("gpu", "migrate_vma_collect_pmd", "empty source (pte_none)")
      d.step("gpu", "invalidate_range_end")
      d.step("gpu", "alloc_and_copy", "allocate")
      d.step("gpu", "migrate_vma_pages", "open insert invalidation")
      d.runAlone("gpu", max: 6)
      d.step("gpu", "migrate_vma_insert_page", outcome)
      #expect(d[l.usage] == (limit > 0 ? 1 : 0))
      #expect(d[l.rss] == (limit > 0 ? 1 : 0))
      #expect(d[l.pteKind(0)] == (limit > 0 ? PTEKind.devicePrivate : PTEKind.none).rawValue)
    }
  }

  @Test func cpuFaultMigratesBackAndTheChargeFollows() throws {
    var d = try Driver(
      Configs.oneAnonPage(
        initial: .device(0, writable: true), memcg: 1,
        threads: [ThreadConfig(name: "cpu", program: [.cpuRead(0)])]))
    let l = d.l
    let dev0 = l.devicePages(0)[0]
    d.step("cpu", "do_swap_page", "trylock_page won")
    #expect(d[l.ref(dev0)] == 2 && d[l.locked(dev0)] == 1)
    d.runAlone("cpu", max: 60)
    #expect(d.pc("cpu") == "done")
    #expect(d[l.pteKind(0)] == PTEKind.present.rawValue)
    let ram = l.phys.indices.first { d[l.ref($0)] > 0 && l.phys[$0].kind == .ram }!
    #expect(d[l.memcg(ram)] == 1 && d[l.usage] == 1)  // at the limit, and never refused
    #expect(d[l.ref(dev0)] == 0 && d[l.memcg(dev0)] == 0)
  }

  @Test func declinedPageIsRestoredByFinalize() throws {
    var d = try Driver(Self.migrate(Variant(driverMayDecline: true)))
    let l = d.l
    d.runAlone("gpu", max: 6)
    d.step("gpu", "migrate_vma_collect_pmd", "migration entry")
    d.step("gpu", "invalidate_range_end")
    d.step("gpu", "alloc_and_copy", "declines")
    d.step("gpu", "migrate_vma_pages", "hole D1")
    d.runAlone("gpu", max: 4)
    d.step("gpu", "migrate_vma_finalize", "hole: remove_migration_ptes(src, src)")
    let ram0 = l.ramPages[0]
    #expect(d[l.pteKind(0)] == PTEKind.present.rawValue && d[l.ptePage(0)] == ram0 + 1 && d[l.pteWrite(0)] == 1)
    #expect(d[l.locked(ram0)] == 0 && d[l.ref(ram0)] == 1 && d[l.mapcount(ram0)] == 1 && d[l.lru(ram0)] == 1)
  }
}

@Suite struct ModelShapeTests {
  @Test func buildIsDeterministic() throws {
    let a = try HMMModel(NotifierStepTests.mirrorAndMunmap)
    let b = try HMMModel(NotifierStepTests.mirrorAndMunmap)
    #expect(a.system.commands == b.system.commands)
    #expect(a.system.initial == b.system.initial)
  }

  @Test func enabledActionsComeInStableThreadOrder() throws {
    let m = try HMMModel(NotifierStepTests.mirrorAndMunmap)
    var acts: [Int] = []
    m.system.enabledActions(in: m.system.initial[0], into: &acts)
    #expect(acts == acts.sorted())
    #expect(acts.map { m.system.commands[$0].thread } == [0, 1])
  }

  @Test func badInitialContentIsAModelError() {
    let c = Configs.oneAnonPage(initial: .device(0, writable: true), pool: 0, threads: [ThreadConfig(name: "cpu", program: [.cpuRead(0)])])
    #expect(throws: ModelError.self) { try HMMModel(c) }
  }
}
