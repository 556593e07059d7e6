// swift-tools-version: 6.1
// Benchmarks of hmmcheck's explorers (never run by the tests or CI): wall
// clock, throughput and heap allocations of the packed BFS and the flat
// random walker, with ordo-one/benchmark's malloc interposer.
//
//   Benchmarks/explorer-benchmarks.sh          # from the repository root
//
// A separate package so the root package (and CI) never builds the
// benchmark framework; it reaches the explorers through the root package's
// HMMCheckKit library.
import PackageDescription

let package = Package(
  name: "ExplorerBenchmarks",
  platforms: [.macOS(.v14)],
  dependencies: [
    // `name:` so `.product(package:)` does not depend on the clone's folder name.
    .package(name: "hmmcheck", path: "../.."),
    // The malloc counters need the MallocInterposer trait (naming it also
    // leaves out the default RuntimeInterposer trait and its dependency).
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    // The same interposer the benchmark framework counts with, for alloc-report.
    .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
  ],
  targets: [
    // Loading a model as `hmmcheck check` does, and the two workloads.
    .target(
      name: "ExplorerWorkloads",
      dependencies: [.product(name: "HMMCheckKit", package: "hmmcheck")]),
    // ordo-one/benchmark's layout: Benchmarks/<target>/<target>.swift.
    .executableTarget(
      name: "ExplorerBenchmarks",
      dependencies: [
        "ExplorerWorkloads",
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
      ],
      path: "Benchmarks/ExplorerBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    // Runs each workload once and prints states, steps, seconds, rates and
    // malloc counts (run with the interposer in LD_PRELOAD; see the script).
    .executableTarget(
      name: "alloc-report",
      dependencies: [
        "ExplorerWorkloads",
        .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
      ]),
  ]
)
