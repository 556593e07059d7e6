import CheckerCore

/// handle_mm_fault on one page, as entered from a CPU access, GUP or
/// hmm_range_fault.
///
/// The caller emits, at the same label, the branches where no fault is
/// needed (a TLB hit, or a snapshot entry) and where the VMA forbids the
/// access; this emits every branch where a fault is needed and the VMA
/// allows it. Together they are exhaustive, so a thread is never stuck for a
/// reason the kernel does not have.
struct FaultSite {
  var page: Int
  var write: Bool
  /// Where to go once the fault resolved (re-check the access).
  var retry: Int
  /// Where to go when the fault fails (SIGSEGV, OOM, -EFAULT).
  var fail: Int
  /// hmm_range_fault already holds mmap_read_lock; a CPU fault takes it.
  var holdsMmapLock: Bool
  /// For hmm_range_fault: the device whose own private pages are reported
  /// without a fault.
  var owner: Int?
  /// A user-space access (not GUP or hmm_range_fault): the architecture's
  /// fault handler retries it after migrate_to_ram's VM_FAULT_OOM.
  var userAccess = false
}

extension Emitter {
  /// The VMA permits the access.
  func vmaAllows(_ b: StepBuilder, _ a: Int, write: Bool) -> Expr {
    let l = layout
    let kindOK = Expr.ne(b.get(l.vmaKind(a)), VMAKind.unmapped.rawValue)
    let protOK: Expr =
      write
      ? .eq(b.get(l.vmaProt(a)), ProtValue.readWrite.rawValue)
      : .ne(b.get(l.vmaProt(a)), ProtValue.none.rawValue)
    return .conj([kindOK, protOK])
  }

  func emitFault(at pc: Int, _ f: FaultSite) {
    let l = layout
    let a = f.page
    let t = thread
    let P = [pageParam(a), f.write ? "write" : "read"]
    let base: (inout StepBuilder) -> Void = { b in b.require(self.vmaAllows(b, a, write: f.write)) }
    let pteIs: (StepBuilder, PTEKind) -> Expr = { b, k in .eq(b.get(l.pteKind(a)), k.rawValue) }
    let lockMM: (inout StepBuilder) -> Void = { b in
      if !f.holdsMmapLock {
        b.require(.isFalse(b.get(l.mmWriter)))
        b.add(l.mmReaders, 1)
      }
    }
    let unlockMM: (inout StepBuilder) -> Void = { b in if !f.holdsMmapLock { b.add(l.mmReaders, -1) } }
    let noWriter: (inout StepBuilder) -> Void = { b in if !f.holdsMmapLock { b.require(.isFalse(b.get(l.mmWriter))) } }
    let ram = l.ramPages

    // -- pte_none: do_anonymous_page / do_fault ----------------------------
    if let zp = l.zeroPhys, !f.write {
      step(pc, "do_anonymous_page", P, outcome: "map the zero page", to: f.retry) { b in
        base(&b); noWriter(&b)
        b.require(pteIs(b, .none))
        b.require(.eq(b.get(l.vmaKind(a)), VMAKind.privateAnon.rawValue))
        b.mapPTE(a, zp, kind: .zero, write: .false, l)
      }
    }
    for p in ram {
      step(pc, "do_anonymous_page", P + [physName(p)], outcome: "allocate, charge, map", progress: true, to: f.retry) { b in
        base(&b); noWriter(&b)
        b.require(pteIs(b, .none))
        if l.zeroPhys != nil && !f.write {
          b.require(.ne(b.get(l.vmaKind(a)), VMAKind.privateAnon.rawValue))
        }
        b.requireLowestFree(p, in: ram, l)
        b.require(.lt(b.get(l.usage), b.get(l.limit)))
        let privateAnon = Expr.eq(b.get(l.vmaKind(a)), VMAKind.privateAnon.rawValue)
        b.set(l.ref(p), 1)
        b.set(l.mapcount(p), 1)
        b.set(l.lru(p), true)
        b.set(l.memcg(p), true)
        b.set(l.anon(p), privateAnon)
        b.set(l.data(p), 0)
        b.add(l.usage, 1)
        b.add(l.rss, 1)
        // Anonymous memory is mapped writable if the VMA is; a shared
        // mapping only on a write fault.
        let w: Expr = f.write ? .true : .conj([privateAnon, .eq(b.get(l.vmaProt(a)), ProtValue.readWrite.rawValue)])
        b.mapPTE(a, p, kind: .present, write: w, l)
      }
    }
    let needsPage: (StepBuilder) -> Expr = { b in
      var alts: [Expr] = [pteIs(b, .none)]
      if f.write && l.zeroPhys != nil { alts.append(pteIs(b, .zero)) }
      var e = Expr.disj(alts)
      if l.zeroPhys != nil && !f.write {
        e = .conj([e, .ne(b.get(l.vmaKind(a)), VMAKind.privateAnon.rawValue)])
      }
      return e
    }
    step(pc, "mem_cgroup_charge", P, outcome: "refused: VM_FAULT_OOM", events: [.faultMemcgRefused], to: f.fail) { b in
      base(&b); noWriter(&b)
      b.require(needsPage(b))
      b.require(.disj(ram.map { .eq(b.get(l.ref($0)), 0) }))
      b.require(.le(b.get(l.limit), b.get(l.usage)))
    }
    step(pc, "alloc_page", P, outcome: "no free page: VM_FAULT_OOM", to: f.fail) { b in
      base(&b); noWriter(&b)
      b.require(needsPage(b))
      b.requireNoneFree(in: ram, l)
    }

    // -- write to the zero page: wp_page_copy (COW, with an invalidation) --
    if l.zeroPhys != nil && f.write {
      let allocated = label("wp_page_copy page \(a): copy allocated")
      for p in ram {
        step(pc, "wp_page_copy", P + [physName(p)], outcome: "allocate and charge the copy", to: allocated) { b in
          base(&b); lockMM(&b)
          b.require(pteIs(b, .zero))
          b.requireLowestFree(p, in: ram, l)
          b.require(.lt(b.get(l.usage), b.get(l.limit)))
          b.set(l.ref(p), 1)
          b.set(l.memcg(p), true)
          b.set(l.anon(p), true)
          b.set(l.data(p), 0)
          b.add(l.usage, 1)
          b.set(l.newPage(t), p + 1)
        }
      }
      let changeAt = emitInvalidateStart(at: allocated, range: [a], event: .clear)
      let endAt = label("wp_page_copy page \(a): replaced")
      for p in ram {
        step(changeAt, "wp_page_copy", P + [physName(p)], outcome: "replace the zero page", progress: true, to: endAt) { b in
          b.require(.eq(b.get(l.newPage(t)), p + 1))
          b.require(pteIs(b, .zero))
          b.mapPTE(a, p, kind: .present, write: .true, l)
          b.set(l.mapcount(p), 1)
          b.set(l.lru(p), true)
          b.add(l.rss, 1)
          b.set(l.newPage(t), 0)
        }
        step(changeAt, "wp_page_copy", P + [physName(p)], outcome: "PTE changed: drop the copy", to: endAt) { b in
          b.require(.eq(b.get(l.newPage(t)), p + 1))
          b.require(.negate(pteIs(b, .zero)))
          b.put(p, l)
          b.set(l.newPage(t), 0)
        }
      }
      emitInvalidateEnd(at: endAt, range: [a], event: .clear, to: f.retry) { b in unlockMM(&b) }
    }

    // -- write to a read-only present page: do_wp_page ----------------------
    if f.write {
      step(pc, "do_wp_page", P, outcome: "wp_page_reuse: make writable", to: f.retry) { b in
        base(&b); noWriter(&b)
        b.require(pteIs(b, .present))
        b.require(.isFalse(b.get(l.pteWrite(a))))
        b.set(l.pteWrite(a), true)
      }
    }

    // -- migration entry: wait for the page lock ---------------------------
    // Before v5.0 the waiter held a page reference while it slept (taken
    // with get_page_unless_zero; the migration's own reference keeps the
    // count above zero here).
    let holdsRef = variant.swapPageLocking.waiterHoldsReference
    let waiting = label("migration_entry_wait page \(a)")
    for p in l.refcounted {
      step(
        pc, "migration_entry_wait", P + [physName(p)], outcome: holdsRef ? "get_page, sleep on the page lock" : "sleep on the page lock", to: waiting
      ) { b in
        base(&b); lockMM(&b)
        b.requirePTE(a, .migration, p, l)
        b.set(l.faultPage(t), p + 1)
        if holdsRef { b.getRef(p, l) }
      }
      step(
        waiting, "migration_entry_wait", P + [physName(p)], outcome: holdsRef ? "woken: page unlocked, put_page" : "woken: page unlocked", to: f.retry
      ) { b in
        b.require(.eq(b.get(l.faultPage(t)), p + 1))
        b.require(.isFalse(b.get(l.locked(p))))
        b.set(l.faultPage(t), 0)
        if holdsRef { b.put(p, l) }
        unlockMM(&b)
      }
    }

    // -- device-private entry: do_swap_page -> migrate_to_ram ---------------
    for d in 0..<l.devices where l.config.system.devices[d].kind == .private && d != f.owner {
      emitSwapPage(at: pc, f, device: d, base: base, lockMM: lockMM, unlockMM: unlockMM)
    }
  }

  /// do_swap_page on a device-private entry of device `d`, by era
  /// (`Variant.SwapPageLocking`). The faulting page is remembered in
  /// `t.fault_page`.
  private func emitSwapPage(
    at pc: Int, _ f: FaultSite, device d: Int, base: (inout StepBuilder) -> Void,
    lockMM: (inout StepBuilder) -> Void, unlockMM: @escaping (inout StepBuilder) -> Void
  ) {
    let l = layout
    let a = f.page
    let t = thread
    let dn = deviceName(d)
    let pool = l.devicePages(d)
    let era = variant.swapPageLocking
    let migrateAt = label("do_swap_page page \(a): \(dn) migrate_to_ram")
    let waiting = label("do_swap_page page \(a): \(dn) waiting")
    let name = "do_swap_page"
    for p in pool {
      let P = [pageParam(a), physName(p)]
      switch era {
      case .trylockSleep, .trylockSpin:
        step(pc, name, P, outcome: "trylock_page won: get_page", to: migrateAt) { b in
          base(&b); lockMM(&b)
          b.requirePTE(a, .devicePrivate, p, l)
          b.require(.isFalse(b.get(l.locked(p))))
          b.set(l.locked(p), true)
          b.add(l.ref(p), 1)
          b.set(l.faultPage(t), p + 1)
        }
        if era == .trylockSleep {
          step(pc, name, P, outcome: "trylock_page lost: sleep until unlocked", events: [.swapPageTrylockLost], to: waiting) { b in
            base(&b); lockMM(&b)
            b.requirePTE(a, .devicePrivate, p, l)
            b.require(.isTrue(b.get(l.locked(p))))
            b.set(l.faultPage(t), p + 1)
          }
          step(waiting, "softleaf_entry_wait_on_locked", P, outcome: "woken: retry the fault", to: f.retry) { b in
            b.require(.eq(b.get(l.faultPage(t)), p + 1))
            b.require(.isFalse(b.get(l.locked(p))))
            b.set(l.faultPage(t), 0)
            unlockMM(&b)
          }
        } else {
          step(pc, name, P, outcome: "trylock_page lost: return, re-fault", events: [.swapPageTrylockLost], to: f.retry) { b in
            base(&b)
            if !f.holdsMmapLock { b.require(.isFalse(b.get(l.mmWriter))) }
            b.requirePTE(a, .devicePrivate, p, l)
            b.require(.isTrue(b.get(l.locked(p))))
          }
        }
      case .getPage:
        // pte_same under the PTL (the PTE is still this entry), then a
        // reference and no lock: every concurrent faulter gets this far.
        step(pc, name, P, outcome: "pte_same: get_page", to: migrateAt) { b in
          base(&b); lockMM(&b)
          b.requirePTE(a, .devicePrivate, p, l)
          b.add(l.ref(p), 1)
          b.set(l.faultPage(t), p + 1)
        }
      case .noReference, .devmemCallback:
        let outcome =
          era == .noReference
          ? "migrate_to_ram without a reference or the lock (B8)"
          : "device_private_entry_fault: the driver's fault callback, no reference or lock"
        step(pc, name, P, outcome: outcome, to: migrateAt) { b in
          base(&b); lockMM(&b)
          b.requirePTE(a, .devicePrivate, p, l)
          b.set(l.faultPage(t), p + 1)
        }
      }
    }
    // dmirror_devmem_fault: reads page->zone_device_data (a use after free
    // if nothing holds the page), then a one-page migration with fault_page.
    let setupAt = label("dmirror_devmem_fault page \(a): \(dn)")
    for p in pool {
      step(migrateAt, "dmirror_devmem_fault", [pageParam(a), physName(p)], outcome: "read zone_device_data", to: setupAt) { b in
        b.require(.eq(b.get(l.faultPage(t)), p + 1))
        b.set(l.useAfterFree, .disj([.isTrue(b.get(l.useAfterFree)), .eq(b.get(l.ref(p)), 0)]))
      }
    }
    let returned = label("do_swap_page page \(a): \(dn) migrated")
    emitMigration(at: setupAt, MigrationSpec(direction: .toSystem(d), range: [a], faultPage: true), done: returned)
    // What do_swap_page drops, and where the driver's return code leads: 0
    // re-checks the access (a re-fault if the PTE is still not usable);
    // VM_FAULT_SIGBUS ends it; VM_FAULT_OOM makes a user access fault again
    // (pagefault_out_of_memory, v5.16+; no memcg OOM is armed, as migrating
    // back charges nothing) and ends GUP and hmm_range_fault (-ENOMEM,
    // -EFAULT).
    let drops = era.locksFaultPage ? "unlock_page, put_page" : era.referencesFaultPage ? "put_page" : "return"
    let error: (outcome: String, retries: Bool)
    switch variant.migrateToRAMAllocFailure {
    case .sigbus: error = ("VM_FAULT_SIGBUS", false)
    case .refault: error = ("", true)  // never set: the driver returns 0
    case .oom:
      let retries = f.userAccess
      error = (retries ? "VM_FAULT_OOM: pagefault_out_of_memory, fault again" : "VM_FAULT_OOM", retries)
    }
    for p in pool {
      for failed in [false, true] {
        step(
          returned, name, [pageParam(a), physName(p)],
          outcome: drops + (failed ? ": " + error.outcome : ""),
          events: failed ? [] : [.cpuFaultMigratedBack], to: failed && !error.retries ? f.fail : f.retry
        ) { b in
          b.require(.eq(b.get(l.faultPage(t)), p + 1))
          b.require(.eq(b.get(l.faultError(t)), failed ? 1 : 0))
          if era.locksFaultPage { b.set(l.locked(p), false) }
          if era.referencesFaultPage { b.put(p, l) }
          b.set(l.faultPage(t), 0)
          b.set(l.faultError(t), false)
          unlockMM(&b)
        }
      }
    }
  }
}
