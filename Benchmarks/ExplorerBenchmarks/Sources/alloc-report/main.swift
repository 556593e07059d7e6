// alloc-report: runs each explorer workload once and prints what it did
// and how many heap allocations it made, counted by ordo-one's malloc
// interposer (the same counters as the benchmarks' mallocCountTotal).
//
//   Benchmarks/explorer-benchmarks.sh report
//
// The interposer counts only if its malloc is the one the process calls:
// linking it (as here) is enough on Linux; the script also preloads it
// (LD_PRELOAD=<bin>/libMallocInterposerSwift.so), as the benchmark plugin
// does. A sanity check below refuses to print zeros when nothing is counted.
//
// To show that allocations follow BFS levels / state blocks and setup
// (compiling the commands and properties), not states or steps, each
// explorer runs at several sizes: states and steps grow by 10x and more,
// mallocs barely move.
import CheckerCore
import ExplorerWorkloads
import Explorers
import Foundation
import MallocInterposerSwift

#if canImport(Glibc)
import Glibc
#endif

/// Counted mallocs (and bytes) while `body` runs; counting is on only then.
func counting<T>(_ body: () -> T) -> (T, mallocs: Int, bytes: Int, frees: Int) {
  MallocInterposerSwift.initialize()
  MallocInterposerSwift.hook()
  let r = body()
  MallocInterposerSwift.unhook()
  let s = MallocInterposerSwift.getStatistics()
  return (r, s.mallocCount, s.mallocBytesCount, s.freeCount)
}

// Sanity: 1000 known allocations must be counted.
let (_, probe, _, _) = counting { () -> Int in
  var sum = 0
  for i in 0..<1000 {
    let p = UnsafeMutablePointer<Int>.allocate(capacity: 3)
    p.initialize(to: i)
    sum &+= p.pointee
    p.deallocate()
  }
  return sum
}
guard probe >= 1000 else {
  FileHandle.standardError.write(
    Data("alloc-report: the malloc interposer is not active (counted \(probe) of 1000 known mallocs): run with LD_PRELOAD=<build dir>/libMallocInterposerSwift.so\n".utf8))
  exit(2)
}

func fmt(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
func grouped(_ n: Int) -> String {
  let s = String(n)
  var out = ""
  for (i, ch) in s.reversed().enumerated() {
    if i > 0 && i % 3 == 0 { out.append(",") }
    out.append(ch)
  }
  return String(out.reversed())
}

let which = CommandLine.arguments.dropFirst().first ?? "all"

if which == "all" || which == "bfs" {
  print("## Packed BFS (PackedBFSExplorer, workers 1, exhaustive)")
  print("")
  print("setup = a run stopped at depth 0 (compiling commands and properties, the tables, the initial level).")
  print("")
  print("| model | distinct states | transitions | levels | state blocks | seconds | states/s | mallocs | setup | (mallocs - setup) / level | mallocs/state | MiB malloc'd |")
  print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
  for model in ["Benchmarks/models/spin_twin_1x1.yaml", "Benchmarks/models/spin_twin_2x1.yaml", Workloads.bfsModel, "Models/mirror_migrate_cpu_2p2d.yaml"] {
    let s = Workloads.load(model)
    _ = Workloads.bfs(s)  // warm-up (page faults, lazy runtime metadata)
    let (r, m, bytes, _) = counting { Workloads.bfs(s) }
    precondition(r.stop == .exhaustive && r.internalError == nil, "\(model): \(r.stop) \(r.internalError ?? "")")
    let (_, setup, _, _) = counting { Workloads.bfs(s, limits: ExplorationLimits(maxDepth: 0)) }
    let levels = r.maxDepth + 1
    // Upper bound on the blocks written: one partial block per level.
    let blocks = (r.distinctStates + 4095) / 4096 + levels
    let name = (model as NSString).lastPathComponent.replacingOccurrences(of: ".yaml", with: "")
    print("| \(name) | \(grouped(r.distinctStates)) | \(grouped(r.transitions)) | \(levels) | ≤ \(grouped(blocks)) | \(fmt(r.seconds, 3)) | \(grouped(Int(Double(r.distinctStates) / r.seconds))) | \(grouped(m)) | \(grouped(setup)) | \(fmt(Double(m - setup) / Double(levels), 1)) | \(fmt(Double(m) / Double(r.distinctStates), 5)) | \(fmt(Double(bytes) / 1048576, 1)) |")
  }
  print("")
}

if which == "all" || which == "random" {
  print("## Random walks (PackedRandomExplorer, uniform, seed \(Workloads.seed), \(Workloads.walkModel))")
  print("")
  let s = Workloads.load(Workloads.walkModel)
  _ = Workloads.randomWalks(s, walks: 1000)  // warm-up
  let (_, setup, _, _) = counting { Workloads.randomWalks(s, walks: 0) }
  print("setup = a run of 0 walks: \(grouped(setup)) mallocs.")
  print("")
  print("| walks x steps | steps taken | distinct states | seconds | steps/s | mallocs | mallocs - setup | mallocs/step | MiB malloc'd |")
  print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
  for (walks, steps) in [(2_000, Workloads.walkSteps), (Workloads.walks, Workloads.walkSteps), (100_000, Workloads.walkSteps)] {
    let (r, m, bytes, _) = counting { Workloads.randomWalks(s, walks: walks, steps: steps) }
    precondition(r.internalError == nil, r.internalError ?? "")
    print("| \(grouped(walks)) x \(steps) | \(grouped(r.transitions)) | \(grouped(r.distinctStates)) | \(fmt(r.seconds, 3)) | \(grouped(Int(Double(r.transitions) / r.seconds))) | \(grouped(m)) | \(grouped(m - setup)) | \(fmt(Double(m) / Double(max(r.transitions, 1)), 6)) | \(fmt(Double(bytes) / 1048576, 1)) |")
  }
  print("")
}
