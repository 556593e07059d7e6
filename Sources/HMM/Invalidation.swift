import CheckerCore

/// The mmu_notifier event of an invalidation (include/linux/mmu_notifier.h).
enum NotifyEvent: Equatable {
  case unmap, clear, protection, release
  /// MMU_NOTIFY_MIGRATE with range->owner = the migrating device.
  case migrate(owner: Int)

  var name: String {
    switch self {
    case .unmap: return "MMU_NOTIFY_UNMAP"
    case .clear: return "MMU_NOTIFY_CLEAR"
    case .protection: return "MMU_NOTIFY_PROTECTION_VMA"
    case .release: return "MMU_NOTIFY_RELEASE"
    case .migrate: return "MMU_NOTIFY_MIGRATE"
    }
  }
}

extension Emitter {
  /// Devices whose interval notifier callback does real work for `event`
  /// (every device's notifier covers the whole address space, as dmirror's).
  func callbackDevices(for event: NotifyEvent) -> [Int] {
    (0..<layout.devices).filter { d in
      if case .migrate(let owner) = event, owner == d, variant.ownMigrateFilter == .dmirror {
        return false  // dmirror_interval_invalidate: `return true` before set_seq
      }
      return true
    }
  }

  /// A driver that filters its own MMU_NOTIFY_MIGRATE events defers tearing
  /// down its mappings to its migration code (rule O8), but still advances
  /// its sequence: the caveat of Docs/kernel.md, "The own-migration filter", since otherwise its own
  /// concurrent faults would validate snapshots taken before the collect.
  func deferredTeardown(_ d: Int, _ event: NotifyEvent) -> Bool {
    if case .migrate(let owner) = event, owner == d,
      variant.ownMigrateFilter == .invalidateBeforeCopy || variant.ownMigrateFilter == .noInvalidate
    {
      return true
    }
    return false
  }

  /// Device threads that may hold a DMA in flight on device `d`.
  func dmaThreads(of d: Int) -> [Int] {
    layout.config.threads.indices.filter { t in
      layout.config.threads[t].device == d && Self.hasDeviceAccess(layout.config.threads[t].program)
    }
  }

  static func hasDeviceAccess(_ ops: [Operation]) -> Bool {
    ops.contains { op in
      switch op {
      case .deviceRead, .deviceWrite: return true
      case .choice(let alts): return alts.contains { hasDeviceAccess($0) }
      default: return false
      }
    }
  }

  /// Reader threads of device `d` (threads that run mirror faults).
  func readerThreads(of d: Int) -> [Int] {
    layout.config.threads.indices.filter { layout.config.threads[$0].device == d }
  }

  /// `mmu_notifier_invalidate_range_start` and, in the current protocol, each
  /// device's `invalidate()` callback as four steps (lock, set_seq, clear the
  /// SPTEs, unlock once the device is idle). Returns the label at which the
  /// caller changes the CPU page table (INV-5: only after every callback).
  func emitInvalidateStart(at start: Int, range: [Int], event: NotifyEvent) -> Int {
    let l = layout
    let devs = callbackDevices(for: event)
    let rangeText = range.count == 1 ? "page \(range[0])" : "pages \(range.first!)-\(range.last!)"
    var pc = label("\(event.name) \(rangeText): callbacks")
    step(start, "mmu_notifier_invalidate_range_start", [rangeText, event.name], to: pc) { b in
      if variant.era == .intervalNotifier {
        // S |= 1: S is odd exactly while some invalidation is active (INV-4).
        let newS = Expr.cond(.eq(b.get(l.active), 0), .plus(b.get(l.seqS), 1), b.get(l.seqS))
        b.set(l.seqS, newS)
        b.set(l.cur(thread), newS)
      }
      b.add(l.active, 1)
      for d in devs { for a in range { b.add(l.pending(d, a), 1) } }
    }
    // The 2017 hmm_mirror syncs device page tables only at range_end (B1).
    if variant.era == .hmmMirror2017 { return pc }
    for d in devs {
      pc = emitCallback(at: pc, device: d, range: range, rangeText: rangeText, clears: !deferredTeardown(d, event))
    }
    // Temporary notifiers of snapshots in flight (no own-event filter).
    return emitSnapshotCallbacks(at: pc, range: range, rangeText: rangeText)
  }

  /// One device's invalidate() callback; returns the label after it.
  private func emitCallback(at pc0: Int, device d: Int, range: [Int], rangeText: String, clears: Bool = true) -> Int {
    let l = layout
    let dn = deviceName(d)
    var pc = pc0
    let locked = label("\(dn) callback: lock held")
    step(pc, "\(dn) invalidate(): mutex_lock(driver->update)", [rangeText], to: locked) { b in
      b.require(.eq(b.get(l.drvLock(d)), 0))
      b.set(l.drvLock(d), thread + 1)
    }
    pc = locked
    if variant.era == .intervalNotifier && !variant.has(.skipSetSeq) {
      let next = label("\(dn) callback: seq set")
      step(pc, "\(dn) invalidate(): mmu_interval_set_seq", [rangeText], to: next) { b in
        b.set(l.iseq(d), b.get(l.cur(thread)))
      }
      pc = next
    }
    let cleared = label("\(dn) callback: SPTEs cleared")
    if !clears {
      // Own MIGRATE event of a deferring driver: the migration code tears
      // the entries down before it copies.
      step(pc, "\(dn) invalidate(): own MMU_NOTIFY_MIGRATE, teardown deferred", [rangeText], to: cleared)
    } else {
      step(pc, "\(dn) invalidate(): clear device PTEs", [rangeText], to: cleared) { b in
        for a in range {
          b.set(l.dptPage(d, a), 0)
          b.set(l.dptTag(d, a), DPTTag.none.rawValue)
        }
        if variant.era == .validFlag2019 || variant.era == .hmmMirror2017 {
          // range->valid = false for every registered range of this mirror.
          for r in readerThreads(of: d) {
            b.set(l.valid(r), .cond(.eq(b.get(l.seq(r)), 1), .false, b.get(l.valid(r))))
          }
        }
      }
    }
    let done = label("\(dn) callback: returned")
    let waitsForDevice = !variant.has(.callbackReturnsEarly)
    step(
      cleared, "\(dn) invalidate(): mutex_unlock, return true",
      [rangeText], outcome: waitsForDevice ? "device idle" : "device may still be using the entries",
      to: done
    ) { b in
      if waitsForDevice {
        // O4: do not return until the device stopped using the entries.
        for t in dmaThreads(of: d) { b.require(.eq(b.get(l.dmaPage(t)), 0)) }
      }
      b.set(l.drvLock(d), 0)
      for a in range { b.add(l.pending(d, a), -1) }
    }
    return done
  }

  /// `mmu_notifier_invalidate_range_end`; `extra` adds the caller's own
  /// effects folded into the same step (e.g. mmap_read_unlock).
  func emitInvalidateEnd(
    at pc0: Int, range: [Int], event: NotifyEvent, to next: Int,
    outcome: String = "", _ extra: (inout StepBuilder) -> Void = { _ in }
  ) {
    let l = layout
    let rangeText = range.count == 1 ? "page \(range[0])" : "pages \(range.first!)-\(range.last!)"
    var pc = pc0
    if variant.era == .hmmMirror2017 {
      // B1: the mirrors are synced only now, after the CPU PTEs changed.
      for d in callbackDevices(for: event) {
        pc = emitCallback(at: pc, device: d, range: range, rangeText: rangeText)
      }
    }
    step(pc, "mmu_notifier_invalidate_range_end", [rangeText], outcome: outcome, to: next) { b in
      let last = Expr.eq(b.get(l.active), 1)
      if variant.era == .intervalNotifier {
        b.set(l.seqS, .cond(last, .plus(b.get(l.seqS), 1), b.get(l.seqS)))
        b.set(l.cur(thread), 0)
      }
      if variant.era == .validFlag2019 {
        // B2: every registered range becomes valid again once no
        // invalidation is in flight, hiding a complete start+end pair.
        for r in layout.config.threads.indices where layout.config.threads[r].device != nil {
          b.set(l.valid(r), .cond(.conj([last, .eq(b.get(l.seq(r)), 1)]), .true, b.get(l.valid(r))))
        }
      }
      b.add(l.active, -1)
      extra(&b)
    }
  }
}
