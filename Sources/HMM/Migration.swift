import CheckerCore

/// One migrate_vma session (mm/migrate_device.c): setup (collect + unmap),
/// the driver's alloc_and_copy, migrate_vma_pages (the commit point), the
/// driver's finalize_and_map, and migrate_vma_finalize.
///
/// The same emitter serves dmirror MIGRATE_TO_DEV (system → device), dmirror
/// MIGRATE_TO_SYS and `migrate_to_ram` (device → system, the latter with the
/// locked, referenced `fault_page`), so the hole rules of Docs/kernel.md, "Migration" are
/// written once.
struct MigrationSpec {
  enum Direction: Equatable {
    /// MIGRATE_VMA_SELECT_SYSTEM into device `d`'s memory.
    case toDevice(Int)
    /// SELECT_DEVICE_PRIVATE / _COHERENT of device `d`'s pages into RAM.
    case toSystem(Int)
    var device: Int {
      switch self {
      case .toDevice(let d), .toSystem(let d): return d
      }
    }
  }

  var direction: Direction
  var range: [Int]
  /// migrate_to_ram: `t.fault_page` is locked and referenced by this thread.
  var faultPage: Bool
}

extension Emitter {
  /// Emits the session from `start`; continues at `done`.
  func emitMigration(at start: Int, _ spec: MigrationSpec, done: Int) {
    let l = layout
    let d = spec.direction.device
    let t = thread
    let range = spec.range
    let toDevice: Bool
    if case .toDevice = spec.direction { toDevice = true } else { toDevice = false }
    let devKind = layout.config.system.devices[d].kind
    let sel = toDevice ? "SELECT_SYSTEM" : (devKind == .private ? "SELECT_DEVICE_PRIVATE" : "SELECT_DEVICE_COHERENT")
    let ram = l.ramPages
    let pool = l.devicePages(d)
    let dstPool = toDevice ? pool : ram
    // Where the source of each entry may come from.
    let srcCandidates = toDevice ? l.ramPages : pool

    // migrate_vma_setup -> migrate_vma_collect: MMU_NOTIFY_MIGRATE, owner = d
    let collectAt = emitInvalidateStart(at: start, range: range, event: .migrate(owner: d))

    // -- collect, one PTE per step under the PTL ---------------------------
    var pc = collectAt
    for a in range {
      let next = label("collect done page \(a)")
      let name = "migrate_vma_collect_pmd"
      let P = [pageParam(a), sel]
      func hole(_ outcome: String, _ ev: [HMMEvent] = [], _ cond: (inout StepBuilder) -> Void) {
        step(pc, name, P, outcome: outcome, events: ev + [.migrationHole], to: next) { b in
          cond(&b)
        }
      }
      let noVMA: (inout StepBuilder) -> Void = { b in
        b.require(.disj([.eq(b.get(l.vmaKind(a)), VMAKind.unmapped.rawValue), .eq(b.get(l.vmaProt(a)), ProtValue.none.rawValue)]))
      }
      let inVMA: (inout StepBuilder) -> Void = { b in
        b.require(.ne(b.get(l.vmaKind(a)), VMAKind.unmapped.rawValue))
        b.require(.ne(b.get(l.vmaProt(a)), ProtValue.none.rawValue))
      }
      hole("hole: no readable VMA", [], noVMA)
      if toDevice {
        // pte_none: an empty source in an anonymous VMA (C1 otherwise)
        step(pc, name, P, outcome: "empty source (pte_none)", to: next) { b in
          inVMA(&b)
          b.require(.eq(b.get(l.pteKind(a)), PTEKind.none.rawValue))
          b.require(.eq(b.get(l.vmaKind(a)), VMAKind.privateAnon.rawValue))
          b.set(l.migFlag(t, a), true)
          b.set(l.migWrite(t, a), .eq(b.get(l.vmaProt(a)), ProtValue.readWrite.rawValue))
        }
        hole("hole C1: pte_none in a non-anonymous VMA") { b in
          inVMA(&b)
          b.require(.eq(b.get(l.pteKind(a)), PTEKind.none.rawValue))
          b.require(.ne(b.get(l.vmaKind(a)), VMAKind.privateAnon.rawValue))
        }
        if l.zeroPhys != nil {
          step(pc, name, P, outcome: "empty source (zero page)", to: next) { b in
            inVMA(&b)
            b.require(.eq(b.get(l.pteKind(a)), PTEKind.zero.rawValue))
            b.set(l.migFlag(t, a), true)
            b.set(l.migWrite(t, a), .eq(b.get(l.vmaProt(a)), ProtValue.readWrite.rawValue))
          }
        }
      }
      // A page of the selected kind.
      for p in srcCandidates {
        let srcKind: PTEKind = (l.phys[p].kind == .devicePrivate) ? .devicePrivate : .present
        let isFault = spec.faultPage && variant.swapPageLocking.locksFaultPage
        if isFault {
          // The fault page is locked by do_swap_page: no trylock here.
          step(pc, name, P + [physName(p)], outcome: "collect fault_page: migration entry", to: next) { b in
            inVMA(&b)
            b.requirePTE(a, srcKind, p, l)
            b.require(.eq(b.get(l.faultPage(t)), p + 1))
            collect(&b, a, p)
          }
          hole("hole: PTE no longer names the fault page") { b in
            inVMA(&b)
            b.requirePTE(a, srcKind, p, l)
            b.require(.ne(b.get(l.faultPage(t)), p + 1))
          }
          continue
        }
        hole("hole C9: folio_trylock failed (\(physName(p)) locked)", [.collectTrylockFailed]) { b in
          inVMA(&b)
          b.requirePTE(a, srcKind, p, l)
          b.require(.isTrue(b.get(l.locked(p))))
        }
        let checkPins = toDevice && !variant.has(.migrateIgnoresPins)
        if checkPins {
          hole("hole C10: GUP-pinned page", [.collectPinned]) { b in
            inVMA(&b)
            b.requirePTE(a, srcKind, p, l)
            b.require(.isFalse(b.get(l.locked(p))))
            b.require(.lt(.const(0), b.get(l.pins(p))))
          }
        }
        step(pc, name, P + [physName(p)], outcome: "migration entry", to: next) { b in
          inVMA(&b)
          b.requirePTE(a, srcKind, p, l)
          b.require(.isFalse(b.get(l.locked(p))))
          if checkPins { b.require(.eq(b.get(l.pins(p)), 0)) }
          collect(&b, a, p)
        }
      }
      // Everything else stays where it is.
      hole("hole: not selected by \(sel)") { b in
        inVMA(&b)
        var selected: [Expr] = []
        if toDevice {
          selected.append(.eq(b.get(l.pteKind(a)), PTEKind.none.rawValue))
          if l.zeroPhys != nil { selected.append(.eq(b.get(l.pteKind(a)), PTEKind.zero.rawValue)) }
        }
        for p in srcCandidates {
          let k: PTEKind = (l.phys[p].kind == .devicePrivate) ? .devicePrivate : .present
          selected.append(.conj([.eq(b.get(l.pteKind(a)), k.rawValue), .eq(b.get(l.ptePage(a)), p + 1)]))
        }
        b.require(.negate(.disj(selected)))
      }
      pc = next
    }

    /// Collect one page: lock it (unless it is the locked fault page),
    /// replace the PTE by a migration entry, move the mapping reference to
    /// the session and isolate it from the LRU (migrate_device_unmap).
    func collect(_ b: inout StepBuilder, _ a: Int, _ p: Int) {
      b.set(l.locked(p), true)
      b.set(l.mapcount(p), .minus(b.get(l.mapcount(p)), 1))
      b.set(l.lru(p), false)
      b.set(l.migSrc(t, a), p + 1)
      b.set(l.migFlag(t, a), true)
      b.set(l.migWrite(t, a), b.get(l.pteWrite(a)))
      b.set(l.pteKind(a), PTEKind.migration.rawValue)
      b.set(l.migOwner(a), d + 1)
    }

    let copyAt = label("alloc_and_copy")
    emitInvalidateEnd(at: pc, range: range, event: .migrate(owner: d), to: copyAt)

    // -- the driver: alloc_and_copy --------------------------------------
    pc = copyAt
    let driver =
      toDevice
      ? "dmirror_migrate_alloc_and_copy" : (spec.faultPage ? "dmirror_devmem_fault_alloc_and_copy" : "dmirror_migrate_to_system: alloc and copy")
    for a in range {
      let next = label("copied page \(a)")
      let P = [pageParam(a)]
      step(pc, driver, P, outcome: "not migrating", to: next) { b in
        b.require(.isFalse(b.get(l.migFlag(t, a))))
      }
      for q in dstPool {
        step(pc, driver, P + [physName(q)], outcome: toDevice ? "allocate and copy" : "alloc_page, copy", to: next) { b in
          b.require(.isTrue(b.get(l.migFlag(t, a))))
          b.requireLowestFree(q, in: dstPool, l)
          // (A chunk being removed gives no page: HMM_DMIRROR_RELEASE.)
          if toDevice { b.require(.isFalse(b.get(l.removing(d)))) }
          // zone_device_page_init / lock_page: refcount 1, locked
          b.set(l.ref(q), 1)
          b.set(l.locked(q), true)
          b.set(l.anon(q), true)
          let srcData = Expr.select(table: [-1] + l.phys.indices.map { l.data($0) }, index: b.get(l.migSrc(t, a)))
          b.set(l.data(q), srcData)
          b.set(l.migDst(t, a), q + 1)
          // dmirror erases only on the device-to-system paths, and without
          // waiting for its device.
          let dmirrorErase = variant.ownMigrateFilter == .dmirror && !toDevice
          let erase = variant.ownMigrateFilter == .invalidateBeforeCopy || dmirrorErase
          if erase {
            // O8: a driver that skips its own MIGRATE events invalidates
            // its mapping before copying (dmirror: xa_erase), under its
            // lock and, as a callback must (O4), once the device stopped
            // using the entry.
            if !dmirrorErase {
              b.require(.eq(b.get(l.drvLock(d)), 0))
              for t2 in dmaThreads(of: d) { b.require(.eq(b.get(l.dmaPage(t2)), 0)) }
            }
            b.set(l.dptPage(d, a), 0)
            b.set(l.dptTag(d, a), DPTTag.none.rawValue)
          }
          if !toDevice && variant.has(.migrateBackChargesFirst) {
            b.require(.lt(b.get(l.usage), b.get(l.limit)))
            b.set(l.memcg(q), true)
            b.add(l.usage, 1)
          }
        }
        if !toDevice && variant.has(.migrateBackChargesFirst) {
          step(
            pc, driver, P + [physName(q)], outcome: "mem_cgroup_charge refused: migration back fails", events: [.migrateBackRefused, .migrationHole],
            to: next
          ) { b in
            b.require(.isTrue(b.get(l.migFlag(t, a))))
            b.requireLowestFree(q, in: dstPool, l)
            b.require(.le(b.get(l.limit), b.get(l.usage)))
            b.set(l.migrateBackRefused, true)
          }
        }
      }
      // No free page: a hole (dst = 0); migrate_to_ram then returns what
      // its driver returns on an allocation failure.
      let noPage: (outcome: String, error: Bool)
      if !spec.faultPage {
        noPage = ("no free page: decline", false)
      } else {
        switch variant.migrateToRAMAllocFailure {
        case .oom: noPage = ("alloc_page_vma failed: will return VM_FAULT_OOM", true)
        case .sigbus: noPage = ("alloc_page_vma failed: will return VM_FAULT_SIGBUS", true)
        case .refault: noPage = ("alloc_page_vma failed: skip the page, return 0", false)
        }
      }
      step(pc, driver, P, outcome: noPage.outcome, events: [.driverDeclined], to: next) { b in
        b.require(.isTrue(b.get(l.migFlag(t, a))))
        if toDevice {
          b.require(.disj([.isTrue(b.get(l.removing(d))), .conj(dstPool.map { .ne(b.get(l.ref($0)), 0) })]))
        } else {
          b.requireNoneFree(in: dstPool, l)
        }
        if noPage.error { b.set(l.faultError(t), true) }
      }
      if variant.driverMayDecline && toDevice {
        step(pc, driver, P, outcome: "driver declines (dst = 0)", events: [.driverDeclined], to: next) { b in
          b.require(.isTrue(b.get(l.migFlag(t, a))))
        }
      }
      pc = next
    }

    // -- migrate_vma_pages: the commit point -------------------------------
    for a in range {
      let next = label("pages done page \(a)")
      let name = "migrate_vma_pages"
      let P = [pageParam(a)]
      step(pc, name, P, outcome: "not migrating", to: next) { b in
        b.require(.isFalse(b.get(l.migFlag(t, a))))
      }
      step(pc, name, P, outcome: "hole D1: no destination", events: [.migrationHole], to: next) { b in
        b.require(.isTrue(b.get(l.migFlag(t, a))))
        b.require(.eq(b.get(l.migDst(t, a)), 0))
        b.set(l.migFlag(t, a), false)
      }
      if toDevice {
        // Empty source: open one MMU_NOTIFY_MIGRATE invalidation over
        // [addr, end), then migrate_vma_insert_page.
        let insertAt = label("insert page \(a)")
        let rest = Array(range.drop { $0 < a })
        let opened = label("insert invalidation opened at page \(a)")
        step(pc, name, P, outcome: "empty source: open insert invalidation", to: opened) { b in
          b.require(.isTrue(b.get(l.migFlag(t, a))))
          b.require(.ne(b.get(l.migDst(t, a)), 0))
          b.require(.eq(b.get(l.migSrc(t, a)), 0))
          b.require(.eq(b.get(l.migNinv(t)), 0))
          b.set(l.migNinv(t), a + 1)
        }
        let afterCallbacks = emitInvalidateStart(at: opened, range: rest, event: .migrate(owner: d))
        step(afterCallbacks, name, P, outcome: "insert invalidation open", to: insertAt)
        step(pc, name, P, outcome: "empty source", to: insertAt) { b in
          b.require(.isTrue(b.get(l.migFlag(t, a))))
          b.require(.ne(b.get(l.migDst(t, a)), 0))
          b.require(.eq(b.get(l.migSrc(t, a)), 0))
          b.require(.ne(b.get(l.migNinv(t)), 0))
        }
        emitInsert(at: insertAt, page: a, device: d, to: next)
      }
      for p in srcCandidates {
        for q in dstPool {
          let P2 = P + [physName(p), "→ " + physName(q)]
          let base: (inout StepBuilder) -> Void = { b in
            b.require(.isTrue(b.get(l.migFlag(t, a))))
            b.require(.eq(b.get(l.migSrc(t, a)), p + 1))
            b.require(.eq(b.get(l.migDst(t, a)), q + 1))
          }
          // folio_migrate_mapping's exact count: the session's reference,
          // plus do_swap_page's on the fault page (extra_cnt, v6.1+);
          // migrate_ignores_pins: the pin's reference is not counted either.
          let faultRef = spec.faultPage && variant.swapPageLocking.referencesFaultPage
          let expectedExpr: (StepBuilder) -> Expr = { b in
            var e: Expr = faultRef ? .cond(.eq(b.get(l.faultPage(t)), p + 1), .const(2), .const(1)) : .const(1)
            if toDevice && self.variant.has(.migrateIgnoresPins) { e = .op(.add, e, b.get(l.pins(p))) }
            return e
          }
          if toDevice {
            step(pc, name, P2, outcome: "hole P2: source has a mapping (not anonymous)", events: [.migrationHole], to: next) { b in
              base(&b)
              b.require(.isFalse(b.get(l.anon(p))))
              b.set(l.migFlag(t, a), false)
            }
          }
          step(pc, name, P2, outcome: "hole P4: folio_migrate_mapping refcount mismatch", events: [.migrationHole], to: next) { b in
            base(&b)
            if toDevice { b.require(.isTrue(b.get(l.anon(p)))) }
            b.require(.ne(b.get(l.ref(p)), expectedExpr(b)))
            b.set(l.migFlag(t, a), false)
          }
          let committedEvents: [HMMEvent] = spec.faultPage ? [.pageCommitted, .migrateToRAMCommitted] : [.pageCommitted]
          step(pc, name, P2, outcome: "commit: folio_migrate_mapping, mem_cgroup_migrate", events: committedEvents, progress: true, to: next) { b in
            base(&b)
            if toDevice { b.require(.isTrue(b.get(l.anon(p)))) }
            b.require(.eq(b.get(l.ref(p)), expectedExpr(b)))
            chargeMove(&b, from: p, to: q)
            b.set(l.migDstGhost(a), q + 1)
          }
        }
      }
      pc = next
    }

    func chargeMove(_ b: inout StepBuilder, from p: Int, to q: Int) {
      if !toDevice && variant.has(.migrateBackChargesFirst) {
        // the new page was charged at allocation; the old one keeps its
        // charge until freed
        b.set(l.oldCharge(p), b.get(l.memcg(p)))
        return
      }
      memcgMigrate(&b, from: p, to: q)
    }

    let mapAt = label("pages done")
    if toDevice {
      step(pc, "migrate_vma_pages", ["end"], outcome: "no insert invalidation", to: mapAt) { b in
        b.require(.eq(b.get(l.migNinv(t)), 0))
      }
      for a in range {
        let rest = Array(range.drop { $0 < a })
        let endAt = label("close insert invalidation from page \(a)")
        step(pc, "migrate_vma_pages", ["end"], outcome: "close insert invalidation", to: endAt) { b in
          b.require(.eq(b.get(l.migNinv(t)), a + 1))
        }
        emitInvalidateEnd(at: endAt, range: rest, event: .migrate(owner: d), to: mapAt) { b in
          b.set(l.migNinv(t), 0)
        }
      }
    } else {
      step(pc, "migrate_vma_pages", ["end"], to: mapAt)
    }

    // -- the driver maps the new pages on the device -----------------------
    pc = mapAt
    if toDevice {
      let lockedAt = label("finalize_and_map: locked")
      let mappedAt = label("finalize_and_map: mapped")
      let finAt = label("finalize")
      let dn = deviceName(d)
      step(pc, "dmirror_migrate_finalize_and_map: mutex_lock", [dn], to: lockedAt) { b in
        b.require(.eq(b.get(l.drvLock(d)), 0))
        b.set(l.drvLock(d), t + 1)
      }
      step(lockedAt, "dmirror_migrate_finalize_and_map", [dn], outcome: "map new pages on the device", to: mappedAt) { b in
        for a in range {
          let mapped = Expr.conj([.isTrue(b.get(l.migFlag(t, a))), .ne(b.get(l.migDst(t, a)), 0)])
          b.set(l.dptPage(d, a), b.get(l.migDst(t, a)), when: mapped)
          b.set(l.dptTag(d, a), .cond(.isTrue(b.get(l.migWrite(t, a))), .const(DPTTag.write.rawValue), .const(DPTTag.read.rawValue)), when: mapped)
        }
      }
      step(mappedAt, "dmirror_migrate_finalize_and_map: mutex_unlock", [dn], to: finAt) { b in
        b.set(l.drvLock(d), 0)
      }
      pc = finAt
    }

    // -- migrate_vma_finalize -----------------------------------------------
    let dstKind: PTEKind = (toDevice && devKind == .private) ? .devicePrivate : .present
    for (i, a) in range.enumerated() {
      let next = i == range.count - 1 ? done : label("finalized page \(a)")
      let name = "migrate_vma_finalize"
      let P = [pageParam(a)]
      /// Ends this session's claim on the address (held only by a session
      /// that turned the PTE into a migration entry).
      func clearLocals(_ b: inout StepBuilder) {
        b.set(l.migSrc(t, a), 0)
        b.set(l.migDst(t, a), 0)
        b.set(l.migFlag(t, a), false)
        b.set(l.migWrite(t, a), false)
        b.set(l.migOwner(a), 0)
        b.set(l.migDstGhost(a), 0)
      }
      step(pc, name, P, outcome: "nothing collected", to: next) { b in
        b.require(.eq(b.get(l.migSrc(t, a)), 0))
        b.require(.eq(b.get(l.migDst(t, a)), 0))
        b.set(l.migFlag(t, a), false)
        b.set(l.migWrite(t, a), false)
      }
      for q in dstPool {
        step(pc, name, P + [physName(q)], outcome: "inserted: unlock and put dst", to: next) { b in
          b.require(.eq(b.get(l.migSrc(t, a)), 0))
          b.require(.eq(b.get(l.migDst(t, a)), q + 1))
          b.require(.isTrue(b.get(l.migFlag(t, a))))
          b.set(l.locked(q), false)
          b.put(q, l)
          clearLocals(&b)
        }
        step(pc, name, P + [physName(q)], outcome: "not inserted: free dst", to: next) { b in
          b.require(.eq(b.get(l.migSrc(t, a)), 0))
          b.require(.eq(b.get(l.migDst(t, a)), q + 1))
          b.require(.isFalse(b.get(l.migFlag(t, a))))
          b.set(l.locked(q), false)
          b.put(q, l)
          clearLocals(&b)
        }
      }
      for p in srcCandidates {
        let srcKind: PTEKind = (l.phys[p].kind == .devicePrivate) ? .devicePrivate : .present
        let isFaultPage: (StepBuilder) -> Expr = { b in
          spec.faultPage && self.variant.swapPageLocking.locksFaultPage ? .eq(b.get(l.faultPage(t)), p + 1) : .false
        }
        for q in dstPool {
          step(pc, name, P + [physName(p), "→ " + physName(q)], outcome: "remove_migration_ptes(src, dst)", progress: true, to: next) { b in
            b.require(.isTrue(b.get(l.migFlag(t, a))))
            b.require(.eq(b.get(l.migSrc(t, a)), p + 1))
            b.require(.eq(b.get(l.migDst(t, a)), q + 1))
            b.mapPTE(a, q, kind: dstKind, write: b.get(l.migWrite(t, a)), l)
            b.add(l.mapcount(q), 1)
            b.add(l.ref(q), 1)
            if l.phys[q].kind == .ram { b.set(l.lru(q), true) }
            b.set(l.locked(q), false)
            b.put(q, l)
            b.set(l.locked(p), .cond(isFaultPage(b), .true, .false))
            b.put(p, l)
            clearLocals(&b)
          }
        }
        // A hole: give the source its mapping back (INV-11).
        let restore: (inout StepBuilder) -> Void = { b in
          b.require(.isFalse(b.get(l.migFlag(t, a))))
          b.require(.eq(b.get(l.migSrc(t, a)), p + 1))
        }
        let skipRestore = variant.has(.finalizeSkipsRestore)
        for q in [-1] + dstPool {
          let P2 = q < 0 ? P + [physName(p)] : P + [physName(p), "free " + physName(q)]
          step(pc, name, P2, outcome: skipRestore ? "hole: source left unmapped (BUG)" : "hole: remove_migration_ptes(src, src)", to: next) { b in
            restore(&b)
            b.require(.eq(b.get(l.migDst(t, a)), q + 1))
            if q >= 0 {
              b.set(l.locked(q), false)
              b.put(q, l)
            }
            b.set(l.locked(p), .cond(isFaultPage(b), .true, .false))
            if skipRestore {
              clearLocals(&b)
              return
            }
            b.set(l.pteKind(a), srcKind.rawValue)
            b.set(l.pteWrite(a), b.get(l.migWrite(t, a)))
            b.add(l.mapcount(p), 1)
            b.add(l.ref(p), 1)
            if l.phys[p].kind == .ram { b.set(l.lru(p), true) }
            b.put(p, l)
            clearLocals(&b)
          }
        }
      }
      pc = next
    }
  }

  /// mem_cgroup_migrate(old, new) by memcg era, as folio_migrate_flags
  /// calls it at the commit (Docs/kernel.md, "Accounting"): never a
  /// try-charge, so never refused.
  func memcgMigrate(_ b: inout StepBuilder, from p: Int, to q: Int) {
    let l = layout
    switch variant.memcg {
    case .v6_7:
      b.set(l.memcg(q), b.get(l.memcg(p)))
      b.set(l.memcg(p), false)
    case .preV6_7:
      // force-charge the new page (ignores the limit); the old one is
      // uncharged when it is freed.
      b.set(l.memcg(q), b.get(l.memcg(p)))
      b.set(l.usage, .op(.add, b.get(l.usage), b.get(l.memcg(p))))
      b.set(l.oldCharge(p), b.get(l.memcg(p)))
    }
  }

  /// migrate_vma_insert_page: an empty source becomes a new device page,
  /// try-charged to the memcg (P1 holes: charge refused, or a fault raced).
  private func emitInsert(at pc: Int, page a: Int, device d: Int, to next: Int) {
    let l = layout
    let t = thread
    let devKind = layout.config.system.devices[d].kind
    let kind: PTEKind = devKind == .private ? .devicePrivate : .present
    let name = "migrate_vma_insert_page"
    var emptyKinds: [PTEKind] = [.none]
    if l.zeroPhys != nil { emptyKinds.append(.zero) }
    let isEmpty: (StepBuilder) -> Expr = { b in .disj(emptyKinds.map { .eq(b.get(l.pteKind(a)), $0.rawValue) }) }
    for q in l.devicePages(d) {
      step(pc, name, [pageParam(a), physName(q)], outcome: "mem_cgroup_charge ok: mapped", progress: true, to: next) { b in
        b.require(.eq(b.get(l.migDst(t, a)), q + 1))
        b.require(isEmpty(b))
        b.require(.lt(b.get(l.usage), b.get(l.limit)))
        b.set(l.memcg(q), true)
        b.add(l.usage, 1)
        b.add(l.rss, 1)
        b.add(l.mapcount(q), 1)
        b.add(l.ref(q), 1)
        b.mapPTE(a, q, kind: kind, write: b.get(l.migWrite(t, a)), l)
      }
    }
    step(pc, name, [pageParam(a)], outcome: "hole P1: mem_cgroup_charge refused", events: [.insertMemcgRefused, .migrationHole], to: next) { b in
      b.require(isEmpty(b))
      b.require(.le(b.get(l.limit), b.get(l.usage)))
      b.set(l.migFlag(t, a), false)
    }
    step(pc, name, [pageParam(a)], outcome: "hole P1: a CPU fault raced (PTE no longer empty)", events: [.insertRaced, .migrationHole], to: next) {
      b in
      b.require(.negate(isEmpty(b)))
      b.set(l.migFlag(t, a), false)
    }
  }
}
