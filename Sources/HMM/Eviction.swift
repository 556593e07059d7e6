import CheckerCore

/// HMM_DMIRROR_RELEASE (lib/test_hmm.c dmirror_device_remove_chunks and
/// dmirror_device_evict_chunk; Docs/kernel.md, "Migration"): every page of
/// the device's memory goes back to RAM with its data, found through the
/// rmap rather than an address range, and the chunk is unmapped once every
/// page is free.
///
/// The kernel collects every page of the chunk, then unmaps, copies and
/// commits them together; here each page is evicted in turn (collect,
/// try_to_migrate, copy, migrate_device_pages, finalize), so a page's lock
/// is not held while another page of the same release is processed.
extension Emitter {
  func emitRelease(at pc: Int, to next: Int) {
    let l = layout
    let d = device!
    let dn = deviceName(d)
    let pool = l.devicePages(d)
    let removing = label("release: chunk removing")
    step(pc, "dmirror_device_remove_chunks", [dn], outcome: "chunk->remove = true, free pages dropped", to: removing) { b in
      b.set(l.removing(d), true)
    }
    var cur = removing
    for p in pool {
      let after = label("release: \(physName(p)) evicted")
      emitEvict(at: cur, page: p, device: d, to: after)
      cur = after
    }
    // memunmap_pages: waits until every page of the chunk is free.
    step(cur, "memunmap_pages", [dn], outcome: "every page of the chunk freed", to: next) { b in
      for p in pool { b.require(.eq(b.get(l.ref(p)), 0)) }
      b.set(l.removing(d), false)
    }
  }

  /// One device page through migrate_device_range, migrate_device_unmap,
  /// the copy, migrate_device_pages and migrate_device_finalize.
  private func emitEvict(at pc: Int, page p: Int, device d: Int, to next: Int) {
    let l = layout
    let t = thread
    let P = [physName(p)]
    let ram = l.ramPages
    let kind: PTEKind = l.phys[p].kind == .devicePrivate ? .devicePrivate : .present
    let unmapAt = label("evict \(physName(p)): collected")
    let checkAt = label("evict \(physName(p)): unmapped")
    let copyAt = label("evict \(physName(p)): check passed")
    let pagesAt = label("evict \(physName(p)): copied")
    let finalizeAt = label("evict \(physName(p)): migrate_device_pages done")

    // migrate_device_pfn_lock: folio_get_nontail_page skips a free page; a
    // failed folio_trylock leaves the page where it is.
    step(pc, "migrate_device_range", P, outcome: "free: skipped", to: next) { b in
      b.require(.eq(b.get(l.ref(p)), 0))
    }
    step(pc, "migrate_device_range", P, outcome: "folio_trylock failed: skipped", events: [.migrationHole], to: next) { b in
      b.require(.ne(b.get(l.ref(p)), 0))
      b.require(.isTrue(b.get(l.locked(p))))
    }
    step(pc, "migrate_device_range", P, outcome: "folio_get, folio_trylock", to: unmapAt) { b in
      b.require(.ne(b.get(l.ref(p)), 0))
      b.require(.isFalse(b.get(l.locked(p))))
      b.getRef(p, l)
      b.set(l.locked(p), true)
      b.set(l.evictPage(t), p + 1)
    }

    // migrate_device_unmap: try_to_migrate walks the rmap; each mapping is
    // replaced by a migration entry inside an MMU_NOTIFY_CLEAR invalidation
    // (no owner: every mirror tears it down, the device's own included).
    step(unmapAt, "try_to_migrate", P, outcome: "not mapped", to: checkAt) { b in
      for a in 0..<l.pages { b.require(.negate(ptePointsAt(b, a, kind, p))) }
    }
    for a in 0..<l.pages {
      let started = label("evict \(physName(p)): try_to_migrate_one page \(a)")
      step(unmapAt, "try_to_migrate", P + [pageParam(a)], outcome: "mapped here", to: started) { b in
        b.require(ptePointsAt(b, a, kind, p))
      }
      let changeAt = emitInvalidateStart(at: started, range: [a], event: .clear)
      let replaced = label("evict \(physName(p)): page \(a) migration entry")
      step(changeAt, "try_to_migrate_one", P + [pageParam(a)], outcome: "migration entry", to: replaced) { b in
        b.require(ptePointsAt(b, a, kind, p))
        b.set(l.pteKind(a), PTEKind.migration.rawValue)
        // The eviction is the device driver's migration session.
        b.set(l.migOwner(a), d + 1)
        b.add(l.mapcount(p), -1)
        b.put(p, l)
      }
      step(changeAt, "try_to_migrate_one", P + [pageParam(a)], outcome: "the PTE changed meanwhile", to: replaced) { b in
        b.require(.negate(ptePointsAt(b, a, kind, p)))
      }
      emitInvalidateEnd(at: replaced, range: [a], event: .clear, to: unmapAt)
    }

    // migrate_vma_check_page: still mapped, or another reference: restore.
    step(checkAt, "migrate_device_unmap", P, outcome: "still mapped or referenced: restore, skipped", events: [.migrationHole], to: finalizeAt) { b in
      b.require(.disj([.ne(b.get(l.mapcount(p)), 0), .ne(b.get(l.ref(p)), 1)]))
    }
    step(checkAt, "migrate_device_unmap", P, outcome: "isolated", to: copyAt) { b in
      b.require(.eq(b.get(l.mapcount(p)), 0))
      b.require(.eq(b.get(l.ref(p)), 1))
    }
    // alloc_page(__GFP_NOFAIL): waits for a page; then the copy.
    for q in ram {
      step(copyAt, "dmirror_device_evict_chunk", P + ["→ " + physName(q)], outcome: "alloc_page(__GFP_NOFAIL), lock, copy", to: pagesAt) { b in
        b.requireLowestFree(q, in: ram, l)
        b.set(l.ref(q), 1)
        b.set(l.locked(q), true)
        b.set(l.anon(q), true)
        b.set(l.data(q), b.get(l.data(p)))
        b.set(l.evictDst(t), q + 1)
      }
      // migrate_device_pages: folio_migrate_mapping's exact count.
      step(
        pagesAt, "migrate_device_pages", P + ["→ " + physName(q)], outcome: "commit: folio_migrate_mapping, mem_cgroup_migrate",
        events: [.pageCommitted, .pageEvicted], progress: true, to: finalizeAt
      ) { b in
        b.require(.eq(b.get(l.evictDst(t)), q + 1))
        b.require(.eq(b.get(l.ref(p)), 1))
        memcgMigrate(&b, from: p, to: q)
        for a in 0..<l.pages {
          b.set(
            l.migDstGhost(a), .const(q + 1), when: .conj([.eq(b.get(l.pteKind(a)), PTEKind.migration.rawValue), .eq(b.get(l.ptePage(a)), p + 1)]))
        }
      }
      step(
        pagesAt, "migrate_device_pages", P + ["→ " + physName(q)], outcome: "hole P4: folio_migrate_mapping refcount mismatch",
        events: [.migrationHole], to: finalizeAt
      ) { b in
        b.require(.eq(b.get(l.evictDst(t)), q + 1))
        b.require(.ne(b.get(l.ref(p)), 1))
        b.set(l.evictDst(t), .const(0))
        b.set(l.locked(q), false)
        b.put(q, l)
      }
    }

    // migrate_device_finalize: every migration entry of the page becomes a
    // mapping of the new page (committed: the old one's memcg moved) or of
    // the old one again; then both are unlocked and put. The freed device
    // page is not reused while the chunk is being removed.
    step(finalizeAt, "migrate_device_finalize", P, outcome: "not migrated: remove_migration_ptes(src, src)", to: next) { b in
      b.require(.eq(b.get(l.evictDst(t)), 0))
      for a in 0..<l.pages {
        let here = Expr.conj([
          .eq(b.get(l.pteKind(a)), PTEKind.migration.rawValue), .eq(b.get(l.ptePage(a)), p + 1), .eq(b.get(l.migOwner(a)), d + 1),
        ])
        b.set(l.pteKind(a), .const(kind.rawValue), when: here)
        b.set(l.migOwner(a), .const(0), when: here)
        b.set(l.mapcount(p), .op(.add, b.get(l.mapcount(p)), .cond(here, .const(1), .const(0))))
        b.set(l.ref(p), .op(.add, b.get(l.ref(p)), .cond(here, .const(1), .const(0))))
      }
      b.set(l.locked(p), false)
      b.put(p, l)
      b.set(l.evictPage(t), 0)
    }
    for q in ram {
      step(finalizeAt, "migrate_device_finalize", P + ["→ " + physName(q)], outcome: "remove_migration_ptes(src, dst)", progress: true, to: next) {
        b in
        b.require(.eq(b.get(l.evictDst(t)), q + 1))
        var maps: Expr = .const(0)
        for a in 0..<l.pages {
          let here = Expr.conj([
            .eq(b.get(l.pteKind(a)), PTEKind.migration.rawValue), .eq(b.get(l.ptePage(a)), p + 1), .eq(b.get(l.migOwner(a)), d + 1),
          ])
          b.set(l.pteKind(a), .const(PTEKind.present.rawValue), when: here)
          b.set(l.migOwner(a), .const(0), when: here)
          b.set(l.ptePage(a), .const(q + 1), when: here)
          b.set(l.migDstGhost(a), .const(0), when: here)
          maps = .op(.add, maps, .cond(here, .const(1), .const(0)))
        }
        b.set(l.mapcount(q), maps)
        b.set(l.ref(q), .op(.add, b.get(l.ref(q)), maps))
        b.set(l.lru(q), true)
        b.set(l.locked(q), false)
        b.put(q, l)
        b.set(l.locked(p), false)
        b.put(p, l)
        b.set(l.evictPage(t), 0)
        b.set(l.evictDst(t), 0)
      }
    }
  }

  /// The PTE at `a` maps page `p` with an entry of `kind`.
  private func ptePointsAt(_ b: StepBuilder, _ a: Int, _ kind: PTEKind, _ p: Int) -> Expr {
    .conj([.eq(b.get(layout.pteKind(a)), kind.rawValue), .eq(b.get(layout.ptePage(a)), p + 1)])
  }
}
