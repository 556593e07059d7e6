import Testing
import CheckerCore
import Explorers
@testable import HMM

/// Hand-written invariants over the layout, independent of the property
/// language (which must agree with them).
enum HandInvariants {
  /// INV-1/INV-6 as the SPIN twin states it.
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
}

func property(_ name: String, _ e: Expr) -> Property<GuardedSystem> {
  let p = FlatCode(e)
  return Property(name: name, kind: .always, check: .state { s in s.slots.withUnsafeBufferPointer { p.run($0) != 0 } })
}

@Suite struct SmokeTests {
  static func mirrorVsMunmap(_ bugs: [Variant.Bug] = []) -> ModelConfig {
    ModelConfig(
      name: "t",
      system: SystemConfig(
        pages: 1, vmas: [VMAConfig(first: 0, last: 0, kind: .privateAnon, prot: .readWrite)],
        initial: [.ram(writable: true)], ramPages: 2, devices: [DeviceConfig(name: "gpu0", poolPages: 1)], memcgLimit: 2),
      variant: Variant(bugs: bugs),
      threads: [
        ThreadConfig(name: "mirror", device: 0, program: [.mirror(PageRange(0, 0), write: true)]),
        ThreadConfig(name: "cpu", program: [.munmap(PageRange(0, 0))]),
      ])
  }

  /// The hand-written INV-1/INV-6 holds on every state of the correct
  /// protocol and fails, at the shortest depth the bug allows, with O2 and
  /// O3 (the property language's device_maps_cpu_page must agree: the
  /// bundled models' tests check that one).
  @Test func handWrittenInvariantSeparatesTheProtocolFromItsBugs() throws {
    let correct = try HMMModel(Self.mirrorVsMunmap())
    let ok = BFSExplorer(system: correct.system, properties: [property("stale", HandInvariants.staleOK(correct.layout))]).run()
    #expect(ok.stop == .exhaustive)
    #expect(ok.findings.isEmpty)
    #expect(ok.internalError == nil)
    for bug in [Variant.Bug.readRetryUnlocked, .skipSetSeq] {
      let m = try HMMModel(Self.mirrorVsMunmap([bug]))
      let r = BFSExplorer(system: m.system, properties: [property("stale", HandInvariants.staleOK(m.layout))]).run()
      let f = try #require(r.finding("stale", .violation), "\(bug)")
      #expect(PathReplay.confirms(m.system, f.path, property: property("stale", HandInvariants.staleOK(m.layout)), kind: .violation))
      #expect(f.path.actions.contains { m.system.commands[$0].name == "zap_pte_range" }, "\(bug): the stale entry outlives munmap's zap")
    }
  }
}
