import CheckerCore

/// HMM_DMIRROR_SNAPSHOT (lib/test_hmm.c dmirror_snapshot,
/// dmirror_range_snapshot; Docs/kernel.md, "The dmirror test driver"):
/// hmm_range_fault with no HMM_PFN_REQ_FAULT, validated through a
/// temporary interval notifier that covers exactly the range, then each
/// page's hmm_pfn encoded as dmirror_mkentry does.
///
/// The temporary notifier's callback (dmirror_snapshot_invalidate) only sets
/// its sequence, under dmirror->mutex; it has no own-MIGRATE filter. Its
/// insertion waits for the invalidations in flight to end, where the kernel
/// defers it to the last one's end and its read_begin sleeps until then: the
/// snapshot sees the same states either way. A thread's temporary notifiers
/// cover the union of its snapshot ranges.
extension Emitter {
  /// Threads whose programs take snapshots, with the pages their temporary
  /// notifiers cover.
  func snapshotThreads() -> [(thread: Int, device: Int, pages: Set<Int>)] {
    layout.config.threads.enumerated().compactMap { t, th in
      guard let d = th.device else { return nil }
      let pages = Self.snapshotPages(th.program)
      return pages.isEmpty ? nil : (t, d, pages)
    }
  }

  static func snapshotPages(_ ops: [Operation]) -> Set<Int> {
    ops.reduce(into: Set<Int>()) { acc, op in
      switch op {
      case .snapshot(let r): acc.formUnion(r.pages)
      case .choice(let alts): for a in alts { acc.formUnion(snapshotPages(a)) }
      default: break
      }
    }
  }

  func emitSnapshot(at pc: Int, range: [Int], to next: Int) {
    let l = layout
    let t = thread
    let d = device!
    let dn = deviceName(d)
    let rangeText = range.count == 1 ? "page \(range[0])" : "pages \(range.first!)-\(range.last!)"
    let again = label("snapshot: read_begin")
    let sleeping = label("snapshot: read_begin sleeping")
    let mmLock = label("snapshot: mmap_read_lock")
    let checkAt = range.map { label("snapshot: check_retry before page \($0)") }
    let walkAt = range.map { label("snapshot: walk page \($0)") }
    let walkDone = label("snapshot: walk done")
    let retryAt = label("snapshot: read_retry")
    let removeAt = label("snapshot: remove notifier")

    // mmu_interval_notifier_insert: with no invalidation in flight, I is an
    // odd value below every sequence to come (the kernel's S - 1; the
    // pinned 1 here, which keeps the renaming's contract).
    step(pc, "mmu_interval_notifier_insert", [rangeText, "temporary"], outcome: "I = S - 1", to: again) { b in
      b.require(.eq(b.get(l.active), 0))
      b.set(l.snapRegistered(t), true)
      b.set(l.snapIseq(t), 1)
    }
    step(again, "mmu_interval_read_begin", ["temporary"], outcome: "seq = I", to: mmLock) { b in
      b.require(.ne(b.get(l.snapIseq(t)), b.get(l.seqS)))
      b.set(l.seq(t), b.get(l.snapIseq(t)))
    }
    step(again, "mmu_interval_read_begin", ["temporary"], outcome: "I == S: invalidation in progress, sleep", to: sleeping) { b in
      b.require(.eq(b.get(l.snapIseq(t)), b.get(l.seqS)))
      b.set(l.seq(t), b.get(l.snapIseq(t)))
    }
    step(sleeping, "mmu_interval_read_begin", ["temporary"], outcome: "woken: S != seq", to: mmLock) { b in
      b.require(.ne(b.get(l.seqS), b.get(l.seq(t))))
    }
    step(mmLock, "mmap_read_lock", [], to: checkAt[0]) { b in
      b.require(.isFalse(b.get(l.mmWriter)))
      b.add(l.mmReaders, 1)
    }
    for (i, a) in range.enumerated() {
      step(
        checkAt[i], "hmm_range_fault: mmu_interval_check_retry", [pageParam(a)], outcome: "collision: -EBUSY", events: [.rangeFaultBusy], to: again
      ) { b in
        b.require(.ne(b.get(l.snapIseq(t)), b.get(l.seq(t))))
        b.add(l.mmReaders, -1)
      }
      step(checkAt[i], "hmm_range_fault: mmu_interval_check_retry", [pageParam(a)], outcome: "no collision", to: walkAt[i]) { b in
        b.require(.eq(b.get(l.snapIseq(t)), b.get(l.seq(t))))
      }
      emitSnapshotEntry(at: walkAt[i], page: a, device: d, to: i == range.count - 1 ? walkDone : checkAt[i + 1])
    }
    let locked = label("snapshot: mutex held")
    step(walkDone, "mmap_read_unlock", [], to: locked) { b in b.add(l.mmReaders, -1) }
    // (read_retry and dmirror_mkentry under dmirror->mutex.)
    step(locked, "mutex_lock(dmirror->mutex)", [dn], to: retryAt) { b in
      b.require(.eq(b.get(l.drvLock(d)), 0))
      b.set(l.drvLock(d), t + 1)
    }
    step(retryAt, "mmu_interval_read_retry", ["temporary"], outcome: "collision: mutex_unlock, retry", events: [.readRetryCollision], to: again) {
      b in
      b.require(.ne(b.get(l.snapIseq(t)), b.get(l.seq(t))))
      b.set(l.drvLock(d), 0)
    }
    step(
      retryAt, "dmirror_mkentry", [rangeText], outcome: "no collision: the entries stand, mutex_unlock", events: [.snapshotTaken], progress: true,
      to: removeAt
    ) { b in
      b.require(.eq(b.get(l.snapIseq(t)), b.get(l.seq(t))))
      b.set(l.drvLock(d), 0)
    }
    // mmu_interval_notifier_remove waits for the invalidation in flight.
    step(removeAt, "mmu_interval_notifier_remove", ["temporary"], to: next) { b in
      b.require(.eq(b.get(l.active), 0))
      b.set(l.snapRegistered(t), false)
      b.set(l.snapIseq(t), 0)
      b.set(l.seq(t), 0)
    }
  }

  /// hmm_vma_walk_pte without a fault request, and dmirror_mkentry's byte.
  private func emitSnapshotEntry(at pc: Int, page a: Int, device d: Int, to next: Int) {
    let l = layout
    let t = thread
    let P = [pageParam(a)]
    let name = "hmm_vma_walk_pte"
    func record(_ b: inout StepBuilder, _ r: Expr) { b.set(l.snapResult(t, a), r) }
    let readable: (StepBuilder) -> Expr = { b in
      .conj([.ne(b.get(l.vmaKind(a)), VMAKind.unmapped.rawValue), .ne(b.get(l.vmaProt(a)), ProtValue.none.rawValue)])
    }
    func rw(_ b: StepBuilder, _ read: SnapshotResult, _ write: SnapshotResult) -> Expr {
      .cond(.isTrue(b.get(l.pteWrite(a))), .const(write.rawValue), .const(read.rawValue))
    }
    step(pc, name, P, outcome: "no VMA, or no VM_READ: HMM_PFN_ERROR", to: next) { b in
      b.require(.negate(readable(b)))
      record(&b, .const(SnapshotResult.error.rawValue))
    }
    let notValid: [(PTEKind, String)] = [(.none, "pte_none"), (.migration, "migration entry")]
    for (kind, what) in notValid {
      step(pc, name, P, outcome: "\(what): 0 (not valid)", to: next) { b in
        b.require(readable(b))
        b.require(.eq(b.get(l.pteKind(a)), kind.rawValue))
        record(&b, .const(SnapshotResult.none.rawValue))
      }
    }
    if l.zeroPhys != nil {
      step(pc, name, P, outcome: "zero page: ZERO | READ", to: next) { b in
        b.require(readable(b))
        b.require(.eq(b.get(l.pteKind(a)), PTEKind.zero.rawValue))
        record(&b, .const(SnapshotResult.zeroRead.rawValue))
      }
    }
    for p in l.refcounted {
      let ph = l.phys[p]
      switch ph.kind {
      case .ram:
        step(pc, name, P + [physName(p)], outcome: "present: READ or WRITE", to: next) { b in
          b.require(readable(b))
          b.requirePTE(a, .present, p, l)
          record(&b, rw(b, .read, .write))
        }
      case .deviceCoherent:
        let local = ph.device == d
        step(
          pc, name, P + [physName(p)],
          outcome: local ? "this device's coherent page: DEV_COHERENT_LOCAL" : "another device's coherent page: DEV_COHERENT_REMOTE", to: next
        ) { b in
          b.require(readable(b))
          b.requirePTE(a, .present, p, l)
          record(&b, local ? rw(b, .coherentLocalRead, .coherentLocalWrite) : rw(b, .coherentRemoteRead, .coherentRemoteWrite))
        }
      case .devicePrivate:
        let local = ph.device == d
        step(
          pc, name, P + [physName(p)],
          outcome: local ? "this device's private page: DEV_PRIVATE_LOCAL" : "another owner's private page: 0 (not faulted, not valid)", to: next
        ) { b in
          b.require(readable(b))
          b.requirePTE(a, .devicePrivate, p, l)
          record(&b, local ? rw(b, .privateLocalRead, .privateLocalWrite) : .const(SnapshotResult.none.rawValue))
        }
      case .zero:
        break
      }
    }
  }

  /// dmirror_snapshot_invalidate for each temporary notifier covering
  /// `range`: under dmirror->mutex, mmu_interval_set_seq and nothing else.
  /// A notifier not in the interval tree (no snapshot running) is skipped.
  func emitSnapshotCallbacks(at pc0: Int, range: [Int], rangeText: String) -> Int {
    let l = layout
    var pc = pc0
    for s in snapshotThreads() where !s.pages.isDisjoint(with: range) {
      let name = "\(layout.config.threads[s.thread].name) snapshot"
      let locked = label("\(name) callback: lock held")
      let done = label("\(name) callback: returned")
      step(pc, "dmirror_snapshot_invalidate", [name, rangeText], outcome: "not registered: not called", to: done) { b in
        b.require(.isFalse(b.get(l.snapRegistered(s.thread))))
      }
      step(pc, "dmirror_snapshot_invalidate: mutex_lock(dmirror->mutex)", [name, rangeText], to: locked) { b in
        b.require(.isTrue(b.get(l.snapRegistered(s.thread))))
        b.require(.eq(b.get(l.drvLock(s.device)), 0))
        b.set(l.drvLock(s.device), thread + 1)
      }
      step(locked, "dmirror_snapshot_invalidate: mmu_interval_set_seq, mutex_unlock", [name, rangeText], to: done) { b in
        b.set(l.snapIseq(s.thread), b.get(l.cur(thread)))
        b.set(l.drvLock(s.device), 0)
      }
      pc = done
    }
    return pc
  }
}
