import CheckerCore

/// The reader side of mirror sync (Docs/kernel.md, "The mirror protocol"): dmirror_range_fault,
/// and its 2017 (hmm_vma_fault / hmm_vma_range_done) and 2019
/// (hmm_range_register / hmm_range_valid) ancestors.
extension Emitter {
  func emitMirror(at pc0: Int, range: [Int], write w: Bool, done: Int, fail: Int) {
    let l = layout
    let t = thread
    let d = device!
    let dn = deviceName(d)
    let era = variant.era
    let beginLate = variant.has(.readBeginAfterSnapshot) && era == .intervalNotifier
    let retryUnlocked = variant.has(.readRetryUnlocked)
    let rangeText = range.count == 1 ? "page \(range[0])" : "pages \(range.first!)-\(range.last!)"

    func reset(_ b: inout StepBuilder) {
      for a in range {
        b.set(l.snapPage(t, a), 0)
        b.set(l.snapWrite(t, a), false)
      }
      b.set(l.seq(t), 0)
      b.set(l.valid(t), false)
    }

    let again = pc0
    let mmLock = label("mirror: mmap_read_lock")
    let checkAt = range.map { label("mirror: check_retry before page \($0)") }
    let pteAt = range.map { label("mirror: walk page \($0)") }
    let walkDone = label("mirror: walk done")
    let drvLock = label("mirror: take driver lock")
    let retryAt = label("mirror: read_retry")
    let programAt = label("mirror: program")
    let failFault = label("mirror: fault failed")

    // read_begin (or its ancestors), then the mmap read lock.
    func emitReadBegin(at pc: Int, then next: Int) {
      let wait = label("mirror: read_begin sleeping")
      step(pc, "mmu_interval_read_begin", [dn], outcome: "seq = I", to: next) { b in
        b.require(.ne(b.get(l.iseq(d)), b.get(l.seqS)))
        b.set(l.seq(t), b.get(l.iseq(d)))
      }
      step(pc, "mmu_interval_read_begin", [dn], outcome: "I == S: invalidation in progress, sleep", to: wait) { b in
        b.require(.eq(b.get(l.iseq(d)), b.get(l.seqS)))
        b.set(l.seq(t), b.get(l.iseq(d)))
      }
      step(wait, "mmu_interval_read_begin", [dn], outcome: "woken: S != seq", to: next) { b in
        b.require(.ne(b.get(l.seqS), b.get(l.seq(t))))
      }
    }

    switch era {
    case .intervalNotifier:
      if beginLate {
        step(again, "dmirror_range_fault", [rangeText], outcome: "start (read_begin deferred: BUG O1)", to: mmLock)
      } else {
        emitReadBegin(at: again, then: mmLock)
      }
    case .hmmMirror2017:
      step(again, "hmm_vma_fault", [rangeText], outcome: "register range (valid = true)", to: mmLock) { b in
        b.set(l.seq(t), 1)
        b.set(l.valid(t), true)
      }
    case .validFlag2019:
      step(again, "hmm_range_register + hmm_range_wait_until_valid", [rangeText], outcome: "no invalidation in flight", to: mmLock) { b in
        b.require(.eq(b.get(l.active), 0))
        b.set(l.seq(t), 1)
        b.set(l.valid(t), true)
      }
    }
    step(mmLock, "mmap_read_lock", [], to: checkAt[0]) { b in
      b.require(.isFalse(b.get(l.mmWriter)))
      b.add(l.mmReaders, 1)
    }

    // hmm_range_fault: the unlocked check at the top of its loop, then one
    // lockless PTE read per step, faulting where the request needs it.
    for (i, a) in range.enumerated() {
      switch era {
      case .intervalNotifier where !beginLate:
        if variant.has(.retryReusesSeq) {
          // BUG O6: -EBUSY, then walk again with the same (stale) sequence.
          step(
            checkAt[i], "hmm_range_fault: mmu_interval_check_retry", [pageParam(a)], outcome: "collision: -EBUSY, retry with the old seq (BUG O6)",
            events: [.rangeFaultBusy], to: mmLock
          ) { b in
            b.require(.ne(b.get(l.iseq(d)), b.get(l.seq(t))))
            b.add(l.mmReaders, -1)
            for a2 in range {
              b.set(l.snapPage(t, a2), 0)
              b.set(l.snapWrite(t, a2), false)
            }
          }
        } else {
          step(
            checkAt[i], "hmm_range_fault: mmu_interval_check_retry", [pageParam(a)], outcome: "collision: -EBUSY", events: [.rangeFaultBusy],
            to: again
          ) { b in
            b.require(.ne(b.get(l.iseq(d)), b.get(l.seq(t))))
            b.add(l.mmReaders, -1)
            reset(&b)
          }
        }
        step(checkAt[i], "hmm_range_fault: mmu_interval_check_retry", [pageParam(a)], outcome: "no collision", to: pteAt[i]) { b in
          b.require(.eq(b.get(l.iseq(d)), b.get(l.seq(t))))
        }
      case .validFlag2019:
        step(checkAt[i], "hmm_range_fault", [pageParam(a)], outcome: "range invalid: -EBUSY", events: [.rangeFaultBusy], to: again) { b in
          b.require(.isFalse(b.get(l.valid(t))))
          b.add(l.mmReaders, -1)
          reset(&b)
        }
        step(checkAt[i], "hmm_range_fault", [pageParam(a)], outcome: "range valid", to: pteAt[i]) { b in
          b.require(.isTrue(b.get(l.valid(t))))
        }
      default:
        step(checkAt[i], "hmm_range_fault", [pageParam(a)], to: pteAt[i])
      }
      let nextPage = i == range.count - 1 ? walkDone : pteAt[i + 1]
      emitWalkPTE(at: pteAt[i], page: a, write: w, to: nextPage, retry: checkAt[i], failFault: failFault, fail: fail, reset: reset)
    }
    step(failFault, "hmm_range_fault", [rangeText], outcome: "fault failed: -EFAULT", to: fail) { b in
      b.add(l.mmReaders, -1)
      reset(&b)
    }

    // mmap_read_unlock, then the critical section under driver->update.
    let unlocked = beginLate ? label("mirror: late read_begin") : (retryUnlocked ? label("mirror: unlocked read_retry") : drvLock)
    step(walkDone, "mmap_read_unlock", [], to: unlocked) { b in b.add(l.mmReaders, -1) }
    if beginLate {
      emitReadBegin(at: unlocked, then: drvLock)
    } else if retryUnlocked {
      // BUG O2: the check outside the lock proves nothing about the install.
      step(
        unlocked, "mmu_interval_read_retry (without driver->update: BUG O2)", [dn], outcome: "collision: retry", events: [.readRetryCollision],
        to: again
      ) { b in
        b.require(.ne(b.get(l.iseq(d)), b.get(l.seq(t))))
        reset(&b)
      }
      step(unlocked, "mmu_interval_read_retry (without driver->update: BUG O2)", [dn], outcome: "no collision", to: drvLock) { b in
        b.require(.eq(b.get(l.iseq(d)), b.get(l.seq(t))))
      }
    }
    step(drvLock, "mutex_lock(driver->update)", [dn], to: retryUnlocked ? programAt : retryAt) { b in
      b.require(.eq(b.get(l.drvLock(d)), 0))
      b.set(l.drvLock(d), t + 1)
    }
    if !retryUnlocked {
      let (name, stale): (String, (StepBuilder) -> Expr) = {
        switch era {
        case .intervalNotifier: return ("mmu_interval_read_retry", { b in .ne(b.get(l.iseq(d)), b.get(l.seq(t))) })
        case .hmmMirror2017: return ("hmm_vma_range_done", { b in .isFalse(b.get(l.valid(t))) })
        case .validFlag2019: return ("hmm_range_valid", { b in .isFalse(b.get(l.valid(t))) })
        }
      }()
      step(retryAt, name, [dn], outcome: "collision: unlock, retry", events: [.readRetryCollision], to: again) { b in
        b.require(stale(b))
        b.set(l.drvLock(d), 0)
        reset(&b)
      }
      step(retryAt, name, [dn], outcome: "no collision", to: programAt) { b in
        b.require(.negate(stale(b)))
      }
    }

    // dmirror_do_fault: program the device page table from the snapshot;
    // a read-only entry under a write request hits its WARN_ON: -EFAULT.
    let unlockOK = label("mirror: programmed")
    let unlockFail = label("mirror: program failed")
    let allWritable: (StepBuilder) -> Expr = { b in
      w ? .conj(range.map { .isTrue(b.get(l.snapWrite(t, $0))) }) : .true
    }
    func program(_ b: inout StepBuilder) {
      var ok: Expr = .true
      for a in range {
        if w { ok = .conj([ok, .isTrue(b.get(l.snapWrite(t, a)))]) }
        let tag = Expr.cond(.isTrue(b.get(l.snapWrite(t, a))), .const(DPTTag.write.rawValue), .const(DPTTag.read.rawValue))
        b.set(l.dptPage(d, a), b.get(l.snapPage(t, a)), when: ok)
        b.set(l.dptTag(d, a), tag, when: ok)
      }
    }
    step(programAt, "dmirror_do_fault", [rangeText], outcome: "program device PTEs", events: [.mirrorProgrammed], progress: true, to: unlockOK) { b in
      b.require(allWritable(b))
      program(&b)
    }
    if w {
      step(programAt, "dmirror_do_fault", [rangeText], outcome: "WARN_ON(read-only entry for a write request): -EFAULT", to: unlockFail) { b in
        b.require(.negate(allWritable(b)))
        program(&b)
      }
    }
    step(unlockOK, "mutex_unlock(driver->update)", [dn], to: done) { b in
      b.set(l.drvLock(d), 0)
      reset(&b)
    }
    step(unlockFail, "mutex_unlock(driver->update)", [dn], outcome: "-EFAULT", to: fail) { b in
      b.set(l.drvLock(d), 0)
      reset(&b)
    }
  }

  /// dmirror_read / dmirror_write (lib/test_hmm.c): under dmirror->mutex,
  /// dmirror_do_read / dmirror_do_write look the entry up and copy (a write
  /// needs the WRITE tag); a missing entry unlocks and returns -ENOENT, and
  /// dmirror_fault mirrors the page before the next attempt.
  func emitDmirrorAccess(at pc: Int, page a: Int, write w: Bool, to next: Int) {
    let l = layout
    let d = device!
    let dn = deviceName(d)
    let P = [pageParam(a)]
    let name = w ? "dmirror_do_write" : "dmirror_do_read"
    let locked = label("\(name): mutex held")
    step(pc, "mutex_lock(dmirror->mutex)", [dn], to: locked) { b in
      b.require(.eq(b.get(l.drvLock(d)), 0))
      b.set(l.drvLock(d), thread + 1)
    }
    let hit: (StepBuilder) -> Expr = { b in
      .conj([.ne(b.get(l.dptPage(d, a)), 0), w ? .eq(b.get(l.dptTag(d, a)), DPTTag.write.rawValue) : .true])
    }
    for p in l.phys.indices {
      var ev: [HMMEvent] = [.deviceAccess]
      if l.phys[p].device != nil { ev.append(w ? .deviceWroteDeviceMemory : .deviceReadAfterMigration) }
      step(
        locked, name, P + [physName(p)], outcome: w ? "copy into the page, mutex_unlock" : "copy from the page, mutex_unlock", events: ev,
        progress: true, to: next
      ) { b in
        b.require(hit(b))
        b.require(.eq(b.get(l.dptPage(d, a)), p + 1))
        if w {
          b.write(a, into: p, l)
        } else {
          b.set(l.staleRead, .disj([.isTrue(b.get(l.staleRead)), .ne(b.get(l.data(p)), b.get(l.latest(a)))]))
        }
        b.set(l.drvLock(d), 0)
      }
    }
    let faultAt = label("dmirror_fault")
    step(locked, name, P, outcome: "no entry (or read-only for a write): mutex_unlock, -ENOENT", to: faultAt) { b in
      b.require(.negate(hit(b)))
      b.set(l.drvLock(d), 0)
    }
    let saved = context
    context = "\(saved) / dmirror_fault"
    emitMirror(at: faultAt, range: [a], write: w, done: pc, fail: next)
    context = saved
  }

  /// hmm_vma_walk_pte for one page: record it, fault it, or fail.
  private func emitWalkPTE(
    at pc: Int, page a: Int, write w: Bool, to next: Int, retry: Int, failFault: Int, fail: Int,
    reset: @escaping (inout StepBuilder) -> Void
  ) {
    let l = layout
    let t = thread
    let d = device!
    let P = [pageParam(a)]
    // What hmm_range_fault reports without faulting (REQ_FAULT [| REQ_WRITE]).
    let snapshotOK: (StepBuilder) -> Expr = { b in
      let k = b.get(l.pteKind(a))
      var alts: [Expr] = [
        .conj([.eq(k, PTEKind.present.rawValue), w ? .isTrue(b.get(l.pteWrite(a))) : .true])
      ]
      if !w && l.zeroPhys != nil { alts.append(.eq(k, PTEKind.zero.rawValue)) }
      // the caller's own device-private pages, whatever the request
      for p in l.devicePages(d) where l.phys[p].kind == .devicePrivate {
        alts.append(.conj([.eq(k, PTEKind.devicePrivate.rawValue), .eq(b.get(l.ptePage(a)), p + 1)]))
      }
      return .conj([.disj(alts), self.vmaAllows(b, a, write: false)])
    }
    step(pc, "hmm_vma_walk_pte", P, outcome: "snapshot", to: next) { b in
      b.require(snapshotOK(b))
      b.set(l.snapPage(t, a), b.get(l.ptePage(a)))
      b.set(l.snapWrite(t, a), b.get(l.pteWrite(a)))
    }
    step(pc, "hmm_vma_walk_pte", P, outcome: w ? "no VMA, or VMA not writable: -EFAULT/-EPERM" : "no readable VMA: -EFAULT", to: fail) { b in
      b.require(.negate(snapshotOK(b)))
      b.require(.negate(self.vmaAllows(b, a, write: w)))
      b.add(l.mmReaders, -1)
      reset(&b)
    }
    emitFault(at: pc, FaultSite(page: a, write: w, retry: retry, fail: failFault, holdsMmapLock: true, owner: d))
  }

  // MARK: - device access

  /// A device access through its page table: the device TLB lookup, then the
  /// DMA completing. A miss runs the mirror fault and looks up again.
  func emitDeviceAccess(at pc: Int, page a: Int, write w: Bool, to next: Int) {
    if variant.deviceAccess == .dmirrorMutex {
      emitDmirrorAccess(at: pc, page: a, write: w, to: next)
      return
    }
    let l = layout
    let t = thread
    let d = device!
    let dmaAt = label("DMA in flight")
    let P = [pageParam(a)]
    let hit: (StepBuilder) -> Expr = { b in
      .conj([.ne(b.get(l.dptPage(d, a)), 0), w ? .eq(b.get(l.dptTag(d, a)), DPTTag.write.rawValue) : .true])
    }
    step(pc, "device TLB lookup", P, outcome: "hit: start DMA", to: dmaAt) { b in
      b.require(hit(b))
      b.set(l.dmaPage(t), b.get(l.dptPage(d, a)))
    }
    let faultAt = label("device fault")
    step(pc, "device TLB lookup", P, outcome: "miss: device fault", to: faultAt) { b in
      b.require(.negate(hit(b)))
    }
    let saved = context
    context = "\(saved) / device fault"
    emitMirror(at: faultAt, range: [a], write: w, done: pc, fail: next)
    context = saved
    for p in l.phys.indices {
      var ev: [HMMEvent] = [.deviceAccess]
      if l.phys[p].device != nil { ev.append(w ? .deviceWroteDeviceMemory : .deviceReadAfterMigration) }
      step(dmaAt, w ? "device DMA write" : "device DMA read", P + [physName(p)], outcome: "completes", events: ev, progress: true, to: next) { b in
        b.require(.eq(b.get(l.dmaPage(t)), p + 1))
        if w {
          b.write(a, into: p, l)
        } else {
          b.set(l.staleRead, .disj([.isTrue(b.get(l.staleRead)), .ne(b.get(l.data(p)), b.get(l.latest(a)))]))
        }
        b.set(l.dmaPage(t), 0)
      }
    }
  }
}
