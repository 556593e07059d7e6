import CheckerCore
import Explorers
import Foundation
import Testing

@testable import HMMCheckCLI

/// The explorer's commands, in process, on bundled models.
@Suite struct SessionTests {
  /// BFS's shortest counterexample for `property` from the model's initial state.
  static func bfsCounterexample(_ s: ModelSession, _ property: String) throws -> [Int] {
    let r = BFSExplorer(system: s.system, properties: s.properties).run()
    return try #require(r.finding(property, .violation)).path.actions
  }

  /// The same model's commands with `state` as its only initial state: an
  /// independent BFS from there (no wrapper, no explorer code).
  static func bfsFrom(_ s: ModelSession, _ state: StateVector, _ property: String) -> Int? {
    let sys = s.system
    let rooted = GuardedSystem(schema: sys.schema, threads: sys.threads, commands: sys.commands, initial: [state])
    let props = s.compiled.filter { $0.name == property }.map { ModelSession.slotProperty($0, system: rooted).property(for: rooted) }
    let r = BFSExplorer(system: rooted, properties: props, stopAtFirstViolation: true).run()
    return r.finding(property, .violation)?.path.actions.count
  }

  /// `find` from any state of a counterexample is no longer than BFS's
  /// counterexample from that same state, ends in the violation, and
  /// keeps the steps taken so far.
  @Test(arguments: [
    (Repo.o2, "device_maps_cpu_page"),
    ("bug_o3_skip_set_seq_1p1d", "device_maps_cpu_page"),
    ("bug_migrate_back_charges_first_1p1d", "migrate_back_never_refused"),
  ])
  func findIsNoLongerThanBFSFromTheSameState(model: String, property: String) throws {
    let s = try Repo.session(model)
    let cex = try Self.bfsCounterexample(s, property)
    let states = try PathReplay.states(s.system, ActionPath(initial: 0, actions: cex))
    for k in [0, 1, cex.count / 2, cex.count - 1] {
      let t = try Transcript(model)
      try t.session.setPath(ActionPath(initial: 0, actions: Array(cex[..<k])), at: k)
      let out = t.run("find \(property)")
      let found = t.session.cursor - k
      let bfs = try #require(Self.bfsFrom(s, states[k], property), "BFS from step \(k) finds no violation")
      #expect(found <= bfs, "from step \(k): find took \(found) steps, BFS \(bfs)\n\(out)")
      #expect(found > 0)
      #expect(t.session.cursor <= cex.count, "find from a state on the shortest path is no longer than it")
      #expect(Array(t.session.actions.prefix(k)) == Array(cex.prefix(k)), "the steps before find are kept")
      #expect(t.session.propertyStatus().failing.contains(property), "\(out)")
      #expect(out.contains("found a violation of \(property) \(found) step"), "\(out)")
    }
  }

  /// A sometimes property is found as a witness, shortest too.
  @Test func findReachesAWitness() throws {
    let t = try Transcript("mirror_vs_munmap_1p1d")
    #expect(t.session.model.properties.contains { $0.name == "mirror_retries" && $0.kind == .sometimes })
    let out = t.run("find mirror_retries")
    #expect(out.contains("found a witness of mirror_retries"), "\(out)")
    #expect(t.session.propertyStatus().witnesses.contains("mirror_retries"), "\(out)")
    #expect(t.session.verdictHere().status == "witness" && t.session.verdictHere().property == "mirror_retries")
  }

  /// A find that is interrupted (Ctrl-C) leaves the session where it was,
  /// and the session goes on.
  @Test func interruptedFindKeepsTheSession() throws {
    let t = try Transcript(Repo.o2)
    t.run("1")
    t.session.interrupted = { true }
    let out = t.run("find device_maps_cpu_page")
    #expect(out.contains("find interrupted (Ctrl-C)"), "\(out)")
    #expect(t.session.cursor == 1)
    t.session.interrupted = { false }
    #expect(t.run("1").contains("step 2: after"))
    let r = t.run("find device_maps_cpu_page")
    #expect(r.contains("found a violation"), "\(r)")
  }

  /// Why a step is blocked, in kernel words: the driver lock held by the
  /// invalidating thread, the mmap_lock, a thread elsewhere in its program.
  @Test func whyNamesTheLockAndItsHolder() throws {
    let s = try Repo.session(Repo.o2)
    let cex = try Self.bfsCounterexample(s, "device_maps_cpu_page")
    let states = try PathReplay.states(s.system, ActionPath(initial: 0, actions: cex))
    let why = GuardExplainer(system: s.system)
    let mutexLock = try #require(
      s.system.commands.indices.first {
        s.system.threads[s.system.commands[$0].thread].name == "gpu0_mirror" && s.system.commands[$0].name == "mutex_lock(driver->update)"
      })
    // Some state on the path has the mirror waiting for cpu0's driver lock.
    let waiting = states.filter {
      !s.system.isEnabled(mutexLock, in: $0) && why.reasons(mutexLock, in: $0).contains { $0.hasPrefix("waits for the driver lock") }
    }
    let reasons = try #require(waiting.first.map { why.reasons(mutexLock, in: $0) }, "the mirror never waits for the driver lock")
    #expect(reasons.contains { $0.hasPrefix("waits for the driver lock of gpu0 (driver->update), held by cpu0") }, "\(reasons)")
    // At the start, the mirror is not at that step yet.
    let atStart = why.reasons(mutexLock, in: states[0])
    #expect(atStart.count == 1 && atStart[0].hasPrefix("gpu0_mirror is at \u{201C}"), "\(atStart)")

    // Through the session: step 2, munmap waits for the mirror's mmap_lock.
    let t = try Transcript(Repo.o2)
    let out = t.run("1", "1", "why")
    #expect(out.contains("cpu0 is blocked at"), "\(out)")
    #expect(out.contains("waits for the mmap_lock: 1 reader holds it for read"), "\(out)")
    let byName = t.run("why munmap")
    #expect(byName.contains("waits for the mmap_lock"), "\(byName)")
    #expect(t.run("why 1").contains("1 is enabled"))
  }

  /// Every command that is not enabled has at least one reason, and an
  /// enabled one none, in every reachable state of several models
  /// (including page-lock waits).
  @Test(arguments: [Repo.o2, "swap_page_two_faulters", "migrate_hole_c9_two_devices"])
  func everyBlockedCommandHasAReason(model: String) throws {
    let s = try Repo.session(model)
    let sys = s.system
    let why = GuardExplainer(system: sys)
    var seen: Set<StateVector> = [sys.initialStates()[0]]
    var queue = [sys.initialStates()[0]]
    var wording: Set<String> = []
    var enabled: [Int] = []
    while let st = queue.popLast(), seen.count < 3000 {
      enabled.removeAll()
      sys.enabledActions(in: st, into: &enabled)
      for (t, info) in sys.threads.enumerated() where st[info.pcSlot] != info.donePC {
        for a in sys.commands.indices where sys.commands[a].thread == t && sys.commands[a].pc == st[info.pcSlot] {
          let r = why.reasons(a, in: st)
          #expect(r.isEmpty == enabled.contains(a), "\(sys.describe(a)): \(r)")
          if let first = r.first { wording.insert(String(first.prefix(20))) }
        }
      }
      for a in enabled {
        let n = sys.successor(of: st, via: a)
        if seen.insert(n).inserted { queue.append(n) }
      }
    }
    if model == "swap_page_two_faulters" {
      #expect(wording.contains { $0.hasPrefix("waits for the page") }, "\(wording)")
    }
  }

  /// Numbers name actions; a number out of range, a blocked one and a
  /// malformed command are rejected with a message and change nothing.
  @Test func mistakesAreReportedAndChangeNothing() throws {
    let t = try Transcript(Repo.o2)
    t.run("1", "1")
    #expect(t.session.cursor == 2)
    let out = t.run("9", "0", "2", "bogus", "goto 99", "random x", "find nothing_like_this", "state now")
    #expect(out.contains("error: there is no action 9 here: choose 1-1"), "\(out)")
    #expect(out.contains("error: there is no action 0 here"), "\(out)")
    #expect(out.contains("error: action 2 is not enabled: cpu0: munmap"), "\(out)")
    #expect(out.contains("error: unknown command `bogus` (help lists the commands)"), "\(out)")
    #expect(out.contains("error: goto 99: the path has steps 0-2"), "\(out)")
    #expect(out.contains("error: random takes a number of steps"), "\(out)")
    #expect(out.contains("error: this model checks no property `nothing_like_this`"), "\(out)")
    #expect(out.contains("error: `state` takes no argument"), "\(out)")
    #expect(t.session.rejected == 8)
    #expect(t.session.cursor == 2 && t.session.actions.count == 2)
  }

  /// back and forward move along the path without losing it; taking
  /// another action drops the rest, taking the same one keeps it.
  @Test func backForwardAndBranching() throws {
    let t = try Transcript(Repo.o2)
    t.run("1", "1", "1")
    let path = t.session.actions
    t.run("back", "back")
    #expect(t.session.cursor == 1 && t.session.actions == path)
    t.run("forward")
    #expect(t.session.cursor == 2 && t.session.actions == path)
    t.run("goto 0", "1")
    #expect(t.session.cursor == 1 && t.session.actions == path, "picking the path's own next step is a redo")
    t.run("2")
    #expect(t.session.cursor == 2 && t.session.actions.count == 2 && t.session.actions[1] != path[1])
    #expect(t.run("forward").contains("error: forward: nothing to redo"))
    #expect(t.run("goto 0", "back").contains("error: back: already at the initial state"))
  }

  /// Every short form does what its long form does; find takes a unique
  /// prefix of a property name, and `/NAME` with no space.
  @Test func shortForms() throws {
    let t = try Transcript(Repo.o2)
    let out = t.run("1", "1", "b", "f", "g 1", "g 2", "p", "l", "s", "d", "w", "w 2", "c", "r 2 3", "h", "?")
    #expect(t.session.rejected == 0, "\(out)")
    let long = try Transcript(Repo.o2)
    let same = long.run(
      "1", "1", "back", "forward", "goto 1", "goto 2", "path", "list", "state", "diff", "why", "why 2", "check", "random 2 3", "help", "help")
    #expect(out == same)
    let u = try Transcript(Repo.o2)
    #expect(u.run("/device_maps").contains("found a violation of device_maps_cpu_page 15 steps from step 0"))
    u.run("goto 0")
    #expect(u.run("/ device_maps_cpu_page").contains("found a violation of device_maps_cpu_page 15 steps"))
    #expect(u.run("quit", "q", "exit").isEmpty)
    #expect(!u.session.execute("q") && !u.session.execute("quit") && u.session.execute("path"))
  }

  /// random K SEED is reproducible, and stops at a violation.
  @Test func randomIsSeeded() throws {
    let a = try Transcript(Repo.o2), b = try Transcript(Repo.o2), c = try Transcript(Repo.o2)
    let ra = a.run("random 40 7"), rb = b.run("random 40 7")
    #expect(ra == rb)
    #expect(a.session.actions == b.session.actions)
    #expect(ra.contains("random (seed 7): "), "\(ra)")
    var differs = false
    for seed in 8...20 where !differs {
      c.run("goto 0")
      c.run("random 40 \(seed)")
      differs = c.session.actions != a.session.actions
    }
    #expect(differs, "13 other seeds all walked the same path")
  }

  /// save writes a trace from the model's initial state: "path" for an
  /// ordinary one, "violation" with the property when the state shows one;
  /// load walks it again.
  @Test func saveAndLoad() throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let t = try Transcript(Repo.o2)
    t.run("1", "1", "save \(s.path("plain.itf.json"))")
    let plain = try String(contentsOfFile: s.path("plain.itf.json"), encoding: .utf8)
    #expect(plain.contains("\"status\": \"path\""))
    #expect(plain.contains("\"engine\": \"explore\""))
    let out = t.run("find device_maps_cpu_page", "save \(s.path("v.itf.json"))")
    #expect(out.flat.contains("saved \(t.session.cursor) steps to \(s.path("v.itf.json")): violation of device_maps_cpu_page"), "\(out)")
    let u = try Transcript(Repo.o2)
    let loaded = u.run("load \(s.path("v.itf.json"))")
    #expect(loaded.contains("violation of device_maps_cpu_page, \(t.session.cursor) steps"), "\(loaded)")
    #expect(u.session.actions == Array(t.session.actions.prefix(t.session.cursor)))
    // Another model's trace is refused.
    let other = try Transcript("bug_o3_skip_set_seq_1p1d")
    #expect(other.run("load \(s.path("v.itf.json"))").contains("error: "))
    #expect(other.session.actions.isEmpty)
  }

  /// The state view groups the state as the kernel does and fits 80 columns.
  @Test func stateIsGroupedAndFits() throws {
    let t = try Transcript("mirror_migrate_cpu_2p2d")
    let out = t.run("state", "random 30 3", "state", "diff", "check", "why", "path", "help")
    var last = -1
    for title in ["CPU page table:", "device page tables:", "physical pages:", "notifier sequences and locks:", "memcg / rss:", "threads:"] {
      let i = try #require(out.range(of: title), "no \(title)\n\(out)").lowerBound.utf16Offset(in: out)
      #expect(i > last, "\(title) out of order")
      last = i
    }
    for l in out.lines { #expect(ExploreText.visibleWidth(l) <= 80, "too wide: \(l)") }
  }

  @Test func wrapKeepsWordsAndWidth() {
    let text =
      "  12  gpu0_mirror: mmu_interval_read_retry (without driver->update: BUG O2) (gpu0) → no collision and a_very_long_word_"
      + String(repeating: "x", count: 100)
    let lines = ExploreText.wrap(text, width: 80, indent: 6)
    #expect(lines.count > 1)
    #expect(lines.allSatisfy { ExploreText.visibleWidth($0) <= 80 })
    #expect(lines[0].hasPrefix("  12  gpu0_mirror:"), "runs of spaces inside the first line are kept")
    #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("      ") })
    let joined = lines.map { $0.trimmingCharacters(in: .whitespaces) }.joined()
    #expect(joined.replacingOccurrences(of: " ", with: "") == text.replacingOccurrences(of: " ", with: ""))
    #expect(ExploreText.visibleWidth("\u{1B}[1;31mred\u{1B}[0m") == 3)
  }
}
