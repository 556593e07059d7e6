// swift-tools-version:6.0
// hmmcheck: a model checker and property tester for the Linux kernel's
// Heterogeneous Memory Management (HMM) policy.
//
// Dependency direction: the CLI depends on everything; engines (Explorers,
// Symbolic) depend on CheckerCore only; the kernel model (HMM) depends on
// CheckerCore only and does no I/O; Z3 never reaches the model.
import PackageDescription

let package = Package(
  name: "hmmcheck",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "hmmcheck", targets: ["hmmcheck"]),
    // The engines, the kernel model, model files and properties as one
    // library, for out-of-tree users such as Benchmarks/ExplorerBenchmarks.
    .library(name: "HMMCheckKit", targets: ["CheckerCore", "Explorers", "HMM", "ModelFiles", "PropertyLanguage"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
  ],
  targets: [
    // Core library: the shared IR, fingerprints, RNG; no kernel knowledge.
    .target(name: "CheckerCore"),
    .testTarget(name: "CheckerCoreTests", dependencies: ["CheckerCore"]),
    // The kernel policy as pure values: guarded commands, no I/O, no solver.
    .target(name: "HMM", dependencies: ["CheckerCore"]),
    .testTarget(name: "HMMTests", dependencies: ["HMM", "CheckerCore", "Explorers"]),
    // Engines: know nothing about the kernel.
    .target(name: "Explorers", dependencies: ["CheckerCore", "CPrefetch"]),
    // __builtin_prefetch for the visited set's probes (header-only).
    .target(name: "CPrefetch"),
    // Test oracles only: depth-first search, iterative deepening and the
    // generic random walker, the slow and simple searches the packed engines
    // are checked against (no product, no CLI engine uses them).
    .target(name: "ExplorerOracles", dependencies: ["Explorers", "CheckerCore"]),
    .testTarget(name: "ExplorersTests", dependencies: ["Explorers", "ExplorerOracles", "CheckerCore", "HMM"]),
    .testTarget(name: "LivenessTests", dependencies: ["Explorers", "ExplorerOracles", "CheckerCore", "HMM"]),
    // Counterexample traces (ITF JSON) and their rendering.
    .target(name: "Traces", dependencies: ["CheckerCore", .product(name: "Yams", package: "Yams")]),
    .testTarget(name: "TracesTests", dependencies: ["Traces", "CheckerCore", "Explorers", "HMM"]),
    // Model files and property suites.
    .target(name: "ModelFiles", dependencies: ["HMM", "CheckerCore", .product(name: "Yams", package: "Yams")]),
    .testTarget(name: "ModelFilesTests", dependencies: ["ModelFiles", "HMM"]),
    .target(name: "PropertyLanguage", dependencies: ["CheckerCore"]),
    .testTarget(name: "PropertyLanguageTests", dependencies: ["PropertyLanguage", "CheckerCore"]),
    // Z3 from Debian's libz3-dev, a thin Swift wrapper, and the symbolic
    // engines (BMC, k-induction) over the shared IR.
    .systemLibrary(name: "CZ3", path: "Sources/CZ3", pkgConfig: "z3", providers: [.apt(["libz3-dev"])]),
    .target(name: "Z3Kit", dependencies: ["CZ3"]),
    .testTarget(name: "Z3KitTests", dependencies: ["Z3Kit"]),
    .target(name: "Symbolic", dependencies: ["CheckerCore", "Z3Kit"]),
    .testTarget(name: "SymbolicTests", dependencies: ["Symbolic", "CheckerCore", "Explorers", "HMM", "PropertyLanguage", "ModelFiles"]),
    // The CLI: commands in a library (testable), a thin executable.
    .target(
      name: "HMMCheckCLI",
      dependencies: [
        "CheckerCore", "Explorers", "HMM", "ModelFiles", "PropertyLanguage", "Traces", "Symbolic", "Z3Kit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(name: "hmmcheck", dependencies: ["HMMCheckCLI"]),
    .testTarget(
      name: "BundledModelsTests", dependencies: ["HMMCheckCLI", "HMM", "CheckerCore", "Explorers", "ExplorerOracles", "Traces", "ModelFiles"]),
    .testTarget(name: "CLITests", dependencies: ["HMMCheckCLI", "HMM", "CheckerCore", "Explorers", "Traces"], exclude: ["Fixtures"]),
    .testTarget(name: "ExploreTests", dependencies: ["HMMCheckCLI", "HMM", "CheckerCore", "Explorers", "Traces"]),
  ]
)
