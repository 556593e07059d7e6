import CheckerCore
import Explorers
import HMM

/// Small HMM models built in code, and hand-written properties over their
/// layout (independent of the property language).
enum HMMModels {
  /// gpu0 mirrors `pages` pages for write while the CPU unmaps the last one
  /// (Models/mirror_vs_munmap_1p1d.yaml and _2p1d.yaml).
  static func mirrorVsMunmap(pages: Int = 1, _ bugs: [Variant.Bug] = []) -> ModelConfig {
    ModelConfig(
      name: "mirror_vs_munmap_\(pages)p1d",
      system: SystemConfig(
        pages: pages, vmas: [VMAConfig(first: 0, last: pages - 1, kind: .privateAnon, prot: .readWrite)],
        initial: Array(repeating: .ram(writable: true), count: pages), ramPages: 2,
        devices: [DeviceConfig(name: "gpu0", poolPages: 1)], memcgLimit: 2),
      variant: Variant(bugs: bugs),
      threads: [
        ThreadConfig(name: "mirror", device: 0, program: [.mirror(PageRange(0, pages - 1), write: true)]),
        ThreadConfig(name: "cpu", program: [.munmap(PageRange(pages - 1, pages - 1))]),
      ])
  }

  /// gpu0 writes page 0 while the CPU unmaps it
  /// (Models/bug_o4_callback_returns_early_1p1d.yaml without the bug, or with it).
  static func deviceWriteVsMunmap(_ bugs: [Variant.Bug] = []) -> ModelConfig {
    ModelConfig(
      name: "device_write_vs_munmap_1p1d",
      system: SystemConfig(
        pages: 1, vmas: [VMAConfig(first: 0, last: 0, kind: .privateAnon, prot: .readWrite)],
        initial: [.ram(writable: true)], ramPages: 2, devices: [DeviceConfig(name: "gpu0", poolPages: 1)],
        memcgLimit: 2),
      variant: Variant(bugs: bugs),
      threads: [
        ThreadConfig(name: "gpu0", device: 0, program: [.deviceWrite(0)]),
        ThreadConfig(name: "cpu", program: [.munmap(PageRange(0, 0))]),
      ])
  }

  /// INV-1/INV-6 (no stale device mapping), as HMMTests' Smoke.swift states it.
  static func staleOK(_ l: HMMLayout) -> Expr {
    var parts: [Expr] = []
    for d in 0..<l.devices {
      for a in 0..<l.pages {
        let dp = Expr.slot(l.dptPage(d, a))
        let mapped = Expr.ne(dp, 0)
        let pending = Expr.ne(.slot(l.pending(d, a)), 0)
        let k = Expr.slot(l.pteKind(a))
        let same = Expr.eq(dp, .slot(l.ptePage(a)))
        let rightsOK = Expr.op(.implies, .eq(.slot(l.dptTag(d, a)), DPTTag.write.rawValue), .isTrue(.slot(l.pteWrite(a))))
        let cpuMaps = Expr.conj([
          .disj([.eq(k, PTEKind.present.rawValue), .eq(k, PTEKind.zero.rawValue), .eq(k, PTEKind.devicePrivate.rawValue)]),
          same, rightsOK,
        ])
        let migr = Expr.conj([
          .eq(k, PTEKind.migration.rawValue), .eq(.slot(l.migOwner(a)), d + 1),
          .disj([same, .eq(dp, .slot(l.migDstGhost(a)))]),
        ])
        parts.append(.op(.implies, .conj([mapped, .negate(pending)]), .disj([cpuMaps, migr])))
      }
    }
    return .conj(parts)
  }

  static func always(_ name: String, _ e: Expr) -> Property<GuardedSystem> {
    let p = FlatCode(e)
    return Property(name: name, kind: .always, check: .state { s in s.slots.withUnsafeBufferPointer { p.run($0) != 0 } })
  }

  /// A transition property over the events a command fires.
  static func event(
    _ name: String, _ kind: Property<GuardedSystem>.Kind, _ event: String, in m: HMMModel
  )
    -> Property<GuardedSystem>
  {
    let fires = m.system.commands.map { $0.events.contains(event) }
    return Property(
      name: name, kind: kind,
      check: .step { _, a, _ in kind == .always ? !fires[a] : fires[a] })
  }

  /// The state properties most tests use: the stale-mapping invariant, the
  /// use-after-free ghost, and a step witness for the read-retry collision.
  static func properties(_ m: HMMModel) -> [Property<GuardedSystem>] {
    [
      always("no_stale_device_mapping", staleOK(m.layout)),
      always("no_use_after_free", .eq(.slot(m.layout.useAfterFree), 0)),
      event("mirror_retries", .sometimes, "read_retry_collision", in: m),
    ]
  }
}
