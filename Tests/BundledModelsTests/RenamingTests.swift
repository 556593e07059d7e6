import CheckerCore
import ExplorerOracles
import Explorers
import HMM
import ModelFiles
import Testing

@testable import HMMCheckCLI

/// The canonical renaming of sequences and versions is exact: on every
/// bundled model whose unrenamed state space is finite, verdicts, findings
/// and shortest depths are the same with and without it (counts may
/// shrink; both are pinned); where the unrenamed space is infinite (a
/// retry loop through an invalidation), the unrenamed search runs out of
/// its declared ranges, and the renamed one closes the loop.
@Suite struct RenamingTests {
  /// Golden (distinct states, transitions, depth) without renaming, no
  /// symmetry reduction: the counts the models had before the renaming.
  static let unrenamedGolden: [String: (states: Int, transitions: Int, depth: Int)] = [
    "bug_b1_hmm_mirror_2017_1p1d": (75, 119, 13),
    "bug_b2_valid_flag_2019_1p1d": (66, 98, 14),
    "bug_b8_swap_page_no_reference": (477, 858, 30),
    "bug_dmirror_own_filter_skips_set_seq_1p1d": (146, 244, 21),
    "bug_finalize_skips_restore_1p1d": (24, 23, 16),
    "bug_migrate_back_charges_first_1p1d": (11, 10, 9),
    "bug_migrate_ignores_pins_1p1d": (101, 140, 32),
    "bug_o1_read_begin_after_snapshot_1p1d": (89, 138, 16),
    "bug_o2_read_retry_unlocked_1p1d": (90, 136, 15),
    "bug_o3_skip_set_seq_1p1d": (72, 110, 14),
    "bug_o4_callback_returns_early_1p1d": (105, 165, 20),
    "bug_o6_retry_reuses_seq_1p1d": (79, 121, 14),
    "bug_o8_own_filter_no_invalidate_1p1d": (270, 455, 26),
    "fault_path_devmem_callback_ram_exhausted": (15, 14, 14),
    "fault_path_no_reference_2cpu": (477, 858, 30),
    "fault_path_no_reference_3cpu": (13466, 35391, 45),
    "fault_path_trylock_sleep_2cpu": (79, 110, 16),
    "fault_path_trylock_sleep_2cpu_memcg_limit_pre_v6_7": (79, 110, 16),
    "fault_path_trylock_sleep_2cpu_memcg_limit_v6.7": (79, 110, 16),
    "fault_path_trylock_sleep_3cpu": (324, 588, 17),
    "fault_path_trylock_sleep_ram_exhausted_sigbus": (15, 14, 14),
    "fault_path_trylock_spin_2cpu": (49, 78, 16),
    "fault_path_trylock_spin_3cpu": (135, 282, 17),
    "liveness_swap_page_sleep_no_fairness": (79, 110, 16),
    "liveness_swap_page_spin_no_fairness": (49, 78, 16),
    "liveness_swap_page_spin_weak_fairness": (49, 78, 16),
    "migrate_back_memcg_tight": (31, 30, 30),
    "migrate_back_memcg_tight_pre_v6_7": (31, 30, 30),
    "migrate_hole_c10_pinned": (122, 184, 33),
    "migrate_hole_c1_shared_anon": (143, 227, 32),
    "migrate_hole_c3_other_owner": (1231, 2287, 66),
    "migrate_hole_c9_two_devices": (944, 1736, 51),
    "migrate_hole_d1_driver_declines": (233, 366, 43),
    "migrate_hole_p1_memcg": (31, 30, 30),
    "migrate_hole_p1_raced": (365, 588, 51),
    "migrate_hole_p2_file": (80, 120, 29),
    "mirror_migrate_cpu_2p2d": (65299, 155309, 106),
    "mirror_vs_munmap_1p1d": (79, 121, 14),
    "mirror_vs_munmap_2p1d": (93, 141, 18),
    "mirror_vs_munmap_2p2d": (1154, 2559, 32),
    "mirror_vs_munmap_3p1d": (94, 142, 19),
    "own_filter_invalidate_before_copy_1p1d": (828, 1331, 47),
    "selftest_anon_read": (343, 513, 60),
    "selftest_anon_read_multiple": (40, 39, 39),
    "selftest_anon_read_prot": (26, 25, 25),
    "selftest_anon_teardown": (487, 797, 52),
    "selftest_anon_write": (18, 17, 17),
    "selftest_anon_write_prot": (60, 59, 59),
    "selftest_double_map": (150, 149, 149),
    "selftest_file_read": (14, 13, 13),
    "selftest_file_write": (16, 15, 15),
    "selftest_hmm_gup_test": (69, 68, 68),
    "selftest_migrate": (25, 24, 24),
    "selftest_migrate_fault": (2114, 3703, 97),
    "selftest_migrate_mixed": (86, 85, 85),
    "selftest_migrate_multiple": (104, 103, 103),
    "selftest_migrate_partial_unmap_fault": (65, 64, 64),
    "selftest_migrate_release": (53, 52, 52),
    "selftest_migrate_shared": (17, 16, 16),
    "selftest_snapshot": (66, 65, 65),
    "spin_twin_1x1_bug_no_setseq": (8526, 21380, 53),
    "spin_twin_1x1_bug_o2": (12879, 32914, 56),
    "swap_page_two_faulters": (79, 110, 16),
    "symmetry_coherent_devices_3d": (6118, 19344, 38),
  ]

  /// Models that retry through an invalidation forever: no finite space
  /// without the renaming.
  static let infiniteWithoutRenaming: Set<String> = [
    "fault_path_devmem_callback_2cpu",
    "fault_path_devmem_callback_3cpu",
    "fault_path_get_page_2cpu",
    "fault_path_get_page_3cpu",
    "fault_path_get_page_ram_exhausted",
    "fault_path_no_reference_ram_exhausted",
    "fault_path_trylock_sleep_ram_exhausted",
    "fault_path_trylock_spin_ram_exhausted",
  ]

  @Test func everyModelIsClassified() {
    #expect(Set(Bundled.modelNames) == Set(Self.unrenamedGolden.keys).union(Self.infiniteWithoutRenaming))
  }

  static func run(_ s: ModelSession) throws -> ModelResult {
    var opt = EngineOptions()
    opt.showProgress = false
    opt.symmetry = false
    return try ModelCheck.run(s, opt)
  }

  @Test(arguments: Bundled.modelNames)
  func renamingKeepsVerdictsFindingsAndDepths(_ name: String) throws {
    let renamed = try Self.run(Bundled.session(name))
    let plain = try Self.run(Bundled.sources.session(Bundled.repo + "/Models/\(name).yaml", Bundled.sources.catalogue(), renamed: false))
    if Self.infiniteWithoutRenaming.contains(name) {
      #expect(plain.exit == .internalError && plain.verdict.contains("exceeds its declared range"), "\(name): \(plain.verdict)")
      #expect(renamed.exit == .ok, "\(name): \(renamed.verdict)")
      return
    }
    let g = try #require(Self.unrenamedGolden[name])
    #expect(plain.report.distinctStates == g.states, "\(name)")
    #expect(plain.report.transitions == g.transitions, "\(name)")
    #expect(plain.report.maxDepth == g.depth, "\(name)")
    #expect(renamed.report.distinctStates <= plain.report.distinctStates, "\(name)")
    #expect(plain.exit == renamed.exit, "\(name): \(plain.verdict) / \(renamed.verdict)")
    let key = { (l: ModelResult.Line) in "\(l.kind.rawValue) \(l.property) @\(l.steps)" }
    #expect(Set(plain.findings.map(key)) == Set(renamed.findings.map(key)), "\(name)")
  }

  /// Every command of every bundled model keeps the renaming's contract
  /// (compares, copies, pinned values, clock + 1), and on every reachable
  /// state the clock is its class's maximum, so clock + 1 is fresh.
  @Test(arguments: Bundled.modelNames)
  func modelsKeepTheRenamingContract(_ name: String) throws {
    let s = try Bundled.session(name)
    let renaming = try #require(s.system.renaming)
    #expect(renaming.contractViolation(s.system.commands, schema: s.system.schema) == nil, "\(name)")
    let graph = StateGraph(system: s.system, maxStates: 40_000)
    for st in graph.states { #expect(renaming.clockViolations(st).isEmpty, "\(name)") }
  }

  /// The retry loop of a fault that cannot migrate the page back (no free
  /// RAM page, the driver returns 0) goes through an MMU_NOTIFY_MIGRATE
  /// invalidation, which advances the notifier sequence: a cycle only
  /// once the sequence is renamed.
  @Test func aRetryThroughAnInvalidationIsACycle() throws {
    let s = try Bundled.session("fault_path_get_page_ram_exhausted")
    let graph = StateGraph(system: s.system)
    #expect(graph.complete)
    let cycles = FairCycleSearch(graph: graph.graph).cycles()
    #expect(!cycles.isEmpty)
    let g = graph.graph
    let invalidating = cycles.contains { comp in
      let members = Set(comp)
      return comp.contains { v in
        g.edges(of: v).contains { e in
          members.contains(Int(g.edgeTarget[e]))
            && s.system.commands[Int(g.edgeAction[e])].name == "mmu_notifier_invalidate_range_start"
        }
      }
    }
    #expect(invalidating)
  }
}

/// Liveness on every bundled model: with the liveness suite added, each
/// gives an answer (never a signal or an internal error), and every lasso
/// re-verified.
@Suite struct LivenessEverywhereTests {
  @Test(arguments: Bundled.modelNames)
  func livenessAddedToEveryModelAnswers(_ name: String) throws {
    let cat = try Bundled.sources.catalogue()
    var loaded = try ModelLoader.load(path: Bundled.repo + "/Models/\(name).yaml") { (try? cat.select([$0])) != nil }
    if !loaded.config.properties.contains("liveness") { loaded.config.properties.append("liveness") }
    let s = try ModelSession(loaded: loaded, catalogue: cat)
    var opt = EngineOptions()
    opt.showProgress = false
    let r = try ModelCheck.run(s, opt)
    #expect(r.exit != .internalError, "\(name): \(r.verdict)")
    #expect(r.report.stop == .exhaustive, "\(name)")
    #expect(r.livenessSeconds != nil)
    #expect(!r.verdict.contains("not checked"), "\(name): \(r.verdict)")
  }
}
