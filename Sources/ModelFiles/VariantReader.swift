import HMM
import Yams

/// Reads the `variant:` section. Every key is optional and defaults to
/// `Variant()`, the correct current protocol, so a model file names only
/// how it departs from the kernel as it is today.
enum VariantReader {
  static let keys = [
    "era", "memcg", "swap_page_locking", "migrate_to_ram_alloc_failure", "own_migrate_filter", "device_access",
    "driver_may_decline", "zero_page", "bugs",
  ]

  static func read(_ node: Node) throws -> Variant {
    let map = try MappingReader(node, path: "variant", allowedKeys: keys)
    var variant = Variant()
    if let v = map.value("era") { variant.era = try readEnum(v, "variant.era") }
    if let v = map.value("memcg") { variant.memcg = try readEnum(v, "variant.memcg") }
    if let v = map.value("swap_page_locking") {
      variant.swapPageLocking = try readEnum(v, "variant.swap_page_locking")
    }
    if let v = map.value("migrate_to_ram_alloc_failure") {
      variant.migrateToRAMAllocFailure = try readEnum(v, "variant.migrate_to_ram_alloc_failure")
    }
    if let v = map.value("own_migrate_filter") {
      variant.ownMigrateFilter = try readEnum(v, "variant.own_migrate_filter")
    }
    if let v = map.value("device_access") { variant.deviceAccess = try readEnum(v, "variant.device_access") }
    if let v = map.value("driver_may_decline") {
      variant.driverMayDecline = try readBool(v, "variant.driver_may_decline")
    }
    if let v = map.value("zero_page") { variant.zeroPage = try readBool(v, "variant.zero_page") }
    if let v = map.value("bugs") { variant.bugs = try readBugs(v) }
    return variant
  }

  /// Bug names in file order, each at most once.
  static func readBugs(_ node: Node) throws -> [Variant.Bug] {
    var bugs: [Variant.Bug] = []
    for item in try readList(node, "variant.bugs") {
      let bug: Variant.Bug = try readEnum(item, "variant.bugs", noun: "bug")
      guard !bugs.contains(bug) else {
        throw Diagnostic(at: item, "bug '\(bug.rawValue)' is listed twice in variant.bugs")
      }
      bugs.append(bug)
    }
    return bugs
  }
}
