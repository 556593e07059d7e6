import CheckerCore

/// Thread programs: each `Operation` expanded into its kernel steps.
extension Emitter {
  func emitProgram(_ ops: [Operation], at start: Int, to end: Int) {
    var pc = start
    for (i, op) in ops.enumerated() {
      let next = i == ops.count - 1 ? end : label("after op \(i + 1)")
      let saved = context
      context = saved.isEmpty ? "op \(i + 1) \(op.shortName)" : "\(saved) / \(op.shortName)"
      operationEntries.append((pc, op.shortName))
      emitOperation(op, at: pc, to: next)
      context = saved
      pc = next
    }
    if ops.isEmpty { step(start, "nop", to: end) }
  }

  func emitOperation(_ op: Operation, at pc: Int, to next: Int) {
    switch op {
    case .cpuRead(let a): emitCPUAccess(at: pc, page: a, write: false, to: next)
    case .cpuWrite(let a): emitCPUAccess(at: pc, page: a, write: true, to: next)
    case .munmap(let r): emitUnmap(at: pc, range: Array(r.pages), release: false, to: next)
    case .exit: emitUnmap(at: pc, range: Array(0..<layout.pages), release: true, to: next)
    case .mprotect(let r, let prot): emitMprotect(at: pc, range: Array(r.pages), prot: ProtValue(prot), to: next)
    case .gupPin(let a): emitGUPPin(at: pc, page: a, to: next)
    case .gupWrite(let a): emitGUPWrite(at: pc, page: a, to: next)
    case .gupUnpin(let a): emitGUPUnpin(at: pc, page: a, to: next)
    case .mirror(let r, let w): emitMirror(at: pc, range: Array(r.pages), write: w, done: next, fail: next)
    case .deviceRead(let a): emitDeviceAccess(at: pc, page: a, write: false, to: next)
    case .deviceWrite(let a): emitDeviceAccess(at: pc, page: a, write: true, to: next)
    case .migrateToDevice(let r): emitMigrateOp(at: pc, .toDevice(device!), range: Array(r.pages), to: next)
    case .migrateToSystem(let r): emitMigrateOp(at: pc, .toSystem(device!), range: Array(r.pages), to: next)
    case .snapshot(let r): emitSnapshot(at: pc, range: Array(r.pages), to: next)
    case .release: emitRelease(at: pc, to: next)
    case .after(let other):
      let l = layout
      let name = layout.config.threads[other].name
      step(pc, "test order", ["after \(name)"], outcome: "\(name) has finished", to: next) { b in
        b.require(.eq(b.get(l.pc(other)), Emitter.donePC))
      }
    case .choice(let alts):
      for (k, alt) in alts.enumerated() {
        let start = label("alternative \(k + 1)")
        step(pc, "choose", ["alternative \(k + 1) of \(alts.count)"], to: start)
        let saved = context
        context = "\(saved) / alt \(k + 1)"
        emitProgram(alt, at: start, to: next)
        context = saved
      }
    }
  }

  // MARK: - CPU access

  /// A CPU load or store: through the TLB when the PTE allows it, else a
  /// page fault (the fault handler re-reads the PTE, so the check and the
  /// fault are one step).
  func emitCPUAccess(at pc: Int, page a: Int, write: Bool, to next: Int) {
    let l = layout
    let hit: (StepBuilder) -> Expr = { b in
      let protOK: Expr =
        write
        ? .eq(b.get(l.vmaProt(a)), ProtValue.readWrite.rawValue)
        : .ne(b.get(l.vmaProt(a)), ProtValue.none.rawValue)
      var kinds: Expr = .eq(b.get(l.pteKind(a)), PTEKind.present.rawValue)
      if write {
        kinds = .conj([kinds, .isTrue(b.get(l.pteWrite(a)))])
      } else if l.zeroPhys != nil {
        kinds = .disj([kinds, .eq(b.get(l.pteKind(a)), PTEKind.zero.rawValue)])
      }
      return .conj([protOK, kinds])
    }
    let P = [pageParam(a)]
    if write {
      for p in l.presentCandidates {
        step(pc, "CPU store", P + [physName(p)], outcome: "TLB hit", progress: true, to: next) { b in
          b.require(hit(b))
          b.require(.eq(b.get(l.ptePage(a)), p + 1))
          b.write(a, into: p, l)
        }
      }
    } else {
      step(pc, "CPU load", P, outcome: "TLB hit", progress: true, to: next) { b in
        b.require(hit(b))
        // What the load returns: the content of the page the PTE names.
        let read = Expr.select(table: [-1] + l.phys.indices.map { l.data($0) }, index: b.get(l.ptePage(a)))
        b.set(l.cpuStaleRead, .disj([.isTrue(b.get(l.cpuStaleRead)), .ne(read, b.get(l.latest(a)))]))
      }
    }
    step(pc, "handle_mm_fault", P + [write ? "write" : "read"], outcome: "bad access: SIGSEGV", to: next) { b in
      b.require(.negate(hit(b)))
      b.require(.negate(vmaAllows(b, a, write: write)))
    }
    emitFault(at: pc, FaultSite(page: a, write: write, retry: pc, fail: next, holdsMmapLock: false, owner: nil, userAccess: true))
  }

  // MARK: - munmap and exit

  /// munmap: mmap_write_lock, detach the VMAs, downgrade, then the UNMAP
  /// invalidation around zap_pte_range. exit: MMU_NOTIFY_RELEASE to every
  /// mirror, then exit_mmap's zap, under the write lock.
  func emitUnmap(at pc: Int, range: [Int], release: Bool, to next: Int) {
    let l = layout
    let event: NotifyEvent = release ? .release : .unmap
    let locked = label(release ? "exit_mmap: write-locked" : "munmap: VMAs detached")
    step(pc, release ? "exit_mmap" : "munmap", release ? ["mmap_write_lock"] : ["mmap_write_lock, detach VMA, mmap_write_downgrade"], to: locked) {
      b in
      b.require(.eq(b.get(l.mmReaders), 0))
      b.require(.isFalse(b.get(l.mmWriter)))
      if release {
        b.set(l.mmWriter, true)
      } else {
        for a in range { b.set(l.vmaKind(a), VMAKind.unmapped.rawValue) }
        b.add(l.mmReaders, 1)
      }
    }
    var cur = emitInvalidateStart(at: locked, range: range, event: event)
    for a in range {
      let zapped = label("zapped page \(a)")
      emitZap(at: cur, page: a, to: zapped)
      cur = zapped
    }
    emitInvalidateEnd(at: cur, range: range, event: event, to: next, outcome: release ? "mmap_write_unlock" : "mmap_read_unlock") { b in
      if release {
        for a in range { b.set(l.vmaKind(a), VMAKind.unmapped.rawValue) }
        b.set(l.mmWriter, false)
      } else {
        b.add(l.mmReaders, -1)
      }
    }
  }

  /// zap_pte_range for one PTE: rss, rmap and the page reference go; the
  /// last reference frees the page (and uncharges it).
  func emitZap(at pc: Int, page a: Int, to next: Int) {
    let l = layout
    let name = "zap_pte_range"
    step(pc, name, [pageParam(a)], outcome: "pte_none", to: next) { b in
      b.require(.eq(b.get(l.pteKind(a)), PTEKind.none.rawValue))
    }
    if l.zeroPhys != nil {
      step(pc, name, [pageParam(a)], outcome: "zero page", to: next) { b in
        b.require(.eq(b.get(l.pteKind(a)), PTEKind.zero.rawValue))
        b.clearPTE(a, l)
      }
    }
    for p in l.refcounted {
      let kind: PTEKind = l.phys[p].kind == .devicePrivate ? .devicePrivate : .present
      step(pc, name, [pageParam(a), physName(p)], outcome: "unmap, put page", to: next) { b in
        b.requirePTE(a, kind, p, l)
        b.clearPTE(a, l)
        b.add(l.rss, -1)
        b.add(l.mapcount(p), -1)
        b.put(p, l)
      }
      step(pc, name, [pageParam(a), physName(p)], outcome: "migration entry", to: next) { b in
        b.requirePTE(a, .migration, p, l)
        b.clearPTE(a, l)
        b.add(l.rss, -1)
      }
    }
  }

  // MARK: - mprotect

  func emitMprotect(at pc: Int, range: [Int], prot: ProtValue, to next: Int) {
    let l = layout
    let locked = label("mprotect: write-locked")
    step(pc, "mprotect_fixup", ["mmap_write_lock", ProtValue.names[prot.rawValue]], to: locked) { b in
      b.require(.eq(b.get(l.mmReaders), 0))
      b.require(.isFalse(b.get(l.mmWriter)))
      b.set(l.mmWriter, true)
      for a in range {
        b.set(l.vmaProt(a), .cond(.ne(b.get(l.vmaKind(a)), VMAKind.unmapped.rawValue), .const(prot.rawValue), b.get(l.vmaProt(a))))
      }
    }
    let changeAt = emitInvalidateStart(at: locked, range: range, event: .protection)
    let changed = label("mprotect: PTEs changed")
    step(changeAt, "change_pte_range", [ProtValue.names[prot.rawValue]], to: changed) { b in
      if prot != .readWrite {
        for a in range { b.set(l.pteWrite(a), false) }
      }
    }
    emitInvalidateEnd(at: changed, range: range, event: .protection, to: next, outcome: "mmap_write_unlock") { b in
      b.set(l.mmWriter, false)
    }
  }

  // MARK: - GUP

  func emitGUPPin(at pc: Int, page a: Int, to next: Int) {
    let l = layout
    let t = thread
    let hit: (StepBuilder) -> Expr = { b in
      .conj([
        .eq(b.get(l.pteKind(a)), PTEKind.present.rawValue), .isTrue(b.get(l.pteWrite(a))),
        .eq(b.get(l.vmaProt(a)), ProtValue.readWrite.rawValue), .ne(b.get(l.vmaKind(a)), VMAKind.unmapped.rawValue),
      ])
    }
    for p in l.presentCandidates {
      step(pc, "pin_user_pages", [pageParam(a), physName(p)], outcome: "pinned (FOLL_PIN)", to: next) { b in
        b.require(hit(b))
        b.require(.isFalse(b.get(l.mmWriter)))
        b.require(.eq(b.get(l.ptePage(a)), p + 1))
        b.add(l.pins(p), 1)
        b.add(l.ref(p), 1)
        b.set(l.gupPage(t, a), p + 1)
      }
    }
    step(pc, "pin_user_pages", [pageParam(a)], outcome: "-EFAULT", to: next) { b in
      b.require(.negate(hit(b)))
      b.require(.negate(vmaAllows(b, a, write: true)))
    }
    emitFault(at: pc, FaultSite(page: a, write: true, retry: pc, fail: next, holdsMmapLock: false, owner: nil))
  }

  /// A write by the pinning user (e.g. DMA by an RDMA NIC) into the pinned page.
  func emitGUPWrite(at pc: Int, page a: Int, to next: Int) {
    let l = layout
    let t = thread
    for p in l.presentCandidates {
      step(pc, "write through pinned page", [pageParam(a), physName(p)], to: next) { b in
        b.require(.eq(b.get(l.gupPage(t, a)), p + 1))
        b.write(a, into: p, l)
      }
    }
    step(pc, "write through pinned page", [pageParam(a)], outcome: "nothing pinned", to: next) { b in
      b.require(.eq(b.get(l.gupPage(t, a)), 0))
    }
  }

  func emitGUPUnpin(at pc: Int, page a: Int, to next: Int) {
    let l = layout
    let t = thread
    for p in l.presentCandidates {
      step(pc, "unpin_user_page", [pageParam(a), physName(p)], to: next) { b in
        b.require(.eq(b.get(l.gupPage(t, a)), p + 1))
        b.add(l.pins(p), -1)
        b.put(p, l)
        b.set(l.gupPage(t, a), 0)
      }
    }
    step(pc, "unpin_user_page", [pageParam(a)], outcome: "nothing pinned", to: next) { b in
      b.require(.eq(b.get(l.gupPage(t, a)), 0))
    }
  }

  // MARK: - migrations

  func emitMigrateOp(at pc: Int, _ dir: MigrationSpec.Direction, range: [Int], to next: Int) {
    let l = layout
    let started = label("mmap_read_locked")
    let op: String
    if case .toDevice = dir { op = "dmirror_migrate_to_device" } else { op = "dmirror_migrate_to_system" }
    step(pc, op, ["mmap_read_lock"], to: started) { b in
      b.require(.isFalse(b.get(l.mmWriter)))
      b.add(l.mmReaders, 1)
    }
    let done = label("migrated")
    emitMigration(at: started, MigrationSpec(direction: dir, range: range, faultPage: false), done: done)
    step(done, op, ["mmap_read_unlock"], to: next) { b in b.add(l.mmReaders, -1) }
  }
}

extension Operation {
  var shortName: String {
    switch self {
    case .cpuRead(let a): return "cpu_read \(a)"
    case .cpuWrite(let a): return "cpu_write \(a)"
    case .munmap(let r): return "munmap \(r)"
    case .mprotect(let r, let p): return "mprotect \(r) \(p.rawValue)"
    case .gupPin(let a): return "gup_pin \(a)"
    case .gupWrite(let a): return "gup_write \(a)"
    case .gupUnpin(let a): return "gup_unpin \(a)"
    case .exit: return "exit"
    case .mirror(let r, let w): return "mirror \(r)\(w ? " write" : "")"
    case .deviceRead(let a): return "device_read \(a)"
    case .deviceWrite(let a): return "device_write \(a)"
    case .migrateToDevice(let r): return "migrate_to_device \(r)"
    case .migrateToSystem(let r): return "migrate_to_system \(r)"
    case .snapshot(let r): return "snapshot \(r)"
    case .release: return "release"
    case .after(let t): return "after thread \(t)"
    case .choice(let alts): return "choice of \(alts.count)"
    }
  }
}
