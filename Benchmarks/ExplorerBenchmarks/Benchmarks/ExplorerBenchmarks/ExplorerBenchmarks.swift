// The explorers' hot paths: wall clock, throughput and heap allocations.
//
// The claim under test: no heap allocation per generated successor (BFS) or
// per step (random walks), so mallocs per run are a fixed setup (compiling
// the commands and properties: about 2,200 here) plus a few per BFS level
// and per state block (4096 states) and per visited-set doubling, never
// per state or step (alloc-report shows the split). `mallocCountTotal` is per run; the custom
// metrics divide it by the run's distinct states / steps (per million, as
// metrics are integers) and give the explorer's own rates.
//
//   Benchmarks/explorer-benchmarks.sh   (from the repository root)
import Benchmark
import ExplorerWorkloads
import MallocInterposerSwift

// Loaded once, outside every measurement.
let bfsSession = Workloads.load(Workloads.bfsModel)
let walkSession = Workloads.load(Workloads.walkModel)

let statesPerSecond = BenchmarkMetric.custom("states/s (explorer clock)", polarity: .prefersLarger, useScalingFactor: false)
let distinctStates = BenchmarkMetric.custom("distinct states", polarity: .prefersLarger, useScalingFactor: false)
let mallocsPerMillionStates = BenchmarkMetric.custom("mallocs per 1M states", useScalingFactor: false)
let stepsPerSecond = BenchmarkMetric.custom("steps/s (explorer clock)", polarity: .prefersLarger, useScalingFactor: false)
let steps = BenchmarkMetric.custom("steps", polarity: .prefersLarger, useScalingFactor: false)
let mallocsPerMillionSteps = BenchmarkMetric.custom("mallocs per 1M steps", useScalingFactor: false)

/// Mallocs counted by the interposer (the framework hooks counting for the
/// whole run; `getStatistics` itself does not allocate).
func mallocs() -> Int { MallocInterposerSwift.getStatistics().mallocCount }

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    // No OS metrics (cpu, resident memory): their sampling thread allocates
    // and would blur mallocCountTotal.
    metrics: [.wallClock, .throughput, .mallocCountTotal, .mallocBytesCount],
    warmupIterations: 1,
    maxDuration: .seconds(20),
    maxIterations: 10)

  // (a) Exhaustive packed BFS, one worker.
  Benchmark(
    "PackedBFS spin_twin_1x2 workers=1",
    configuration: .init(
      metrics: Benchmark.defaultConfiguration.metrics + [statesPerSecond, distinctStates, mallocsPerMillionStates])
  ) { benchmark in
    let before = mallocs()
    let r = Workloads.bfs(bfsSession)
    let counted = mallocs() - before
    benchmark.stopMeasurement()
    precondition(r.stop == .exhaustive && r.internalError == nil, "the BFS did not finish: \(r.stop)")
    benchmark.measurement(distinctStates, r.distinctStates)
    benchmark.measurement(statesPerSecond, Int(Double(r.distinctStates) / r.seconds))
    benchmark.measurement(mallocsPerMillionStates, counted * 1_000_000 / max(r.distinctStates, 1))
    blackHole(r)
  }

  // (b) Uniform random walks on the default model: 20,000 walks x 200 steps, seed 1.
  Benchmark(
    "PackedRandom mirror_migrate_cpu_2p2d 20000x200 seed=1",
    configuration: .init(
      metrics: Benchmark.defaultConfiguration.metrics + [stepsPerSecond, steps, mallocsPerMillionSteps])
  ) { benchmark in
    let before = mallocs()
    let r = Workloads.randomWalks(walkSession)
    let counted = mallocs() - before
    benchmark.stopMeasurement()
    precondition(r.internalError == nil, "the walks failed: \(r.internalError ?? "")")
    benchmark.measurement(steps, r.transitions)
    benchmark.measurement(stepsPerSecond, Int(Double(r.transitions) / r.seconds))
    benchmark.measurement(mallocsPerMillionSteps, counted * 1_000_000 / max(r.transitions, 1))
    blackHole(r)
  }
}
