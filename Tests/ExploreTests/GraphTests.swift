import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import HMMCheckCLI

/// `hmmcheck graph`: the reachable state graph as Graphviz dot or JSON.
@Suite struct GraphTests {
  /// The graph has the states and transitions `check` counts (violating
  /// states drawn but not expanded), marked where a property fails.
  @Test func jsonHasCheckCountsAndMarksViolations() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let r = try await hmmcheck(["graph", Repo.model(Repo.o2), "--format", "json", "--properties", Repo.properties], cwd: s.url)
    #expect(r.status == 0, "\(r)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let states = try #require(json["states"] as? [[String: Any]])
    let edges = try #require(json["transitions"] as? [[String: Any]])
    let check = try await hmmcheck(["check", Repo.model(Repo.o2), "--properties", Repo.properties], cwd: s.url)
    #expect(
      check.stdout.contains("\(states.count) distinct states, \(edges.count) transitions"),
      "graph: \(states.count) states, \(edges.count) transitions\n\(check)")
    let bad = states.filter { ($0["violates"] as? [String])?.contains("device_maps_cpu_page") == true }
    #expect(!bad.isEmpty)
    // Violating states are leaves; every other non-final state has a successor.
    let sources = Set(edges.compactMap { $0["from"] as? Int })
    for st in bad { #expect(!sources.contains(st["id"] as! Int)) }
    #expect(states.first?["initial"] as? Bool == true)
    #expect((states.first?["changes"] as? [String])?.isEmpty == true)
    #expect((states[1]["changes"] as? [String])?.isEmpty == false, "states are labelled by what differs from the initial state")
    #expect(edges.allSatisfy { ($0["label"] as? String)?.isEmpty == false })
  }

  /// The same graph as dot: a digraph, violations in red; Graphviz renders
  /// it when installed.
  @Test func dotIsAGraphvizDigraph() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let r = try await hmmcheck(["graph", Repo.model("bug_migrate_back_charges_first_1p1d"), "--properties", Repo.properties], cwd: s.url)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.hasPrefix("digraph \"bug_migrate_back_charges_first_1p1d\" {\n"))
    #expect(r.stdout.hasSuffix("}\n"))
    #expect(r.stdout.contains("label=\"bug_migrate_back_charges_first_1p1d: 11 states, 10 transitions; red: violates a property\""), "\(r)")
    #expect(r.stdout.contains("VIOLATES migrate_back_never_refused\\l\", color=red"), "\(r)")
    #expect(r.stdout.contains("s0 -> s1 [label=\"cpu0: do_swap_page"), "\(r)")
    let dot = ["/usr/bin/dot", "/usr/local/bin/dot", "/opt/homebrew/bin/dot"].first { FileManager.default.isExecutableFile(atPath: $0) }
    if let dot {
      try r.stdout.write(toFile: s.path("g.dot"), atomically: true, encoding: .utf8)
      let p = Process()
      p.executableURL = URL(fileURLWithPath: dot)
      p.arguments = ["-Tsvg", "-o", s.path("g.svg"), s.path("g.dot")]
      let status: Int32 = try await withCheckedThrowingContinuation { k in
        p.terminationHandler = { k.resume(returning: $0.terminationStatus) }
        do { try p.run() } catch { k.resume(throwing: error) }
      }
      #expect(status == 0)
      let svg = try String(contentsOfFile: s.path("g.svg"), encoding: .utf8)
      #expect(svg.contains("<svg"))
    }
  }

  /// Above the limit: refused cleanly, exit 64, nothing on stdout.
  @Test func refusesAboveTheLimit() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let r = try await hmmcheck(["graph", Repo.model(Repo.o2), "--max-states", "50", "--properties", Repo.properties], cwd: s.url)
    #expect(r.status == 64, "\(r)")
    #expect(r.stdout.isEmpty, "\(r)")
    #expect(r.stderr.contains("has more than 50 reachable states: too many to draw"), "\(r)")
    let d = try await hmmcheck(["graph", Repo.model("mirror_migrate_cpu_2p2d"), "--properties", Repo.properties], cwd: s.url)
    #expect(d.status == 64 && d.stderr.contains("more than 2000 reachable states"), "the default limit is 2000: \(d)")
    let f = try await hmmcheck(["graph", Repo.model(Repo.o2), "--format", "svg", "--properties", Repo.properties], cwd: s.url)
    #expect(f.status == 64, "an unknown format is bad usage: \(f)")
  }

  /// --through-violations also expands violating states; -o writes a file.
  @Test func throughViolationsAndOutputFile() async throws {
    let s = try Scratch()
    defer { s.cleanup() }
    let m = try Repo.session("bug_migrate_back_charges_first_1p1d")
    let leaves = try GraphExport.build(m.system, properties: m.properties, maxStates: 5000)
    let all = try GraphExport.build(m.system, properties: m.properties, maxStates: 5000, throughViolations: true)
    #expect(leaves.nodes.count == 11)
    #expect(all.nodes.count > leaves.nodes.count)
    let r = try await hmmcheck(["graph", Repo.model(Repo.o2), "-o", "g.dot", "--properties", Repo.properties], cwd: s.url)
    #expect(r.status == 0 && r.stdout.isEmpty, "\(r)")
    #expect(try String(contentsOfFile: s.path("g.dot"), encoding: .utf8).hasPrefix("digraph"))
  }
}

/// Colour only on a terminal, and never with NO_COLOR.
@Suite struct ColourTests {
  @Test func colourOnlyOnATerminalWithoutNoColor() throws {
    // A pseudo-terminal's master side is a terminal device too.
    let tty = open("/dev/ptmx", O_RDWR | O_NOCTTY)
    try #require(tty >= 0)
    defer { close(tty) }
    #expect(isatty(tty) != 0)
    #expect(ExploreStyle.detect(fd: tty, environment: ["TERM": "xterm"]).color)
    #expect(!ExploreStyle.detect(fd: tty, environment: ["TERM": "xterm", "NO_COLOR": "1"]).color)
    #expect(ExploreStyle.detect(fd: tty, environment: ["TERM": "xterm", "NO_COLOR": ""]).color, "an empty NO_COLOR does not count")
    #expect(!ExploreStyle.detect(fd: tty, environment: ["TERM": "dumb"]).color)
    let file = open("/dev/null", O_WRONLY)
    defer { close(file) }
    #expect(!ExploreStyle.detect(fd: file, environment: [:]).color)
    #expect(ExploreStyle(color: true).paint("x", .red) == "\u{1B}[31mx\u{1B}[0m")
    #expect(ExploreStyle.plain.paint("x", .red) == "x")
  }
}
