import HMM
import Yams

/// Reads the `system:` section: sizes, VMAs, initial page contents and
/// devices. The bounds keep every value in a state slot's byte; past
/// 4 pages the models are for `prove` and random walks (BFS runs out at
/// about 4 pages with 8 threads). `Docs/model-format.md` documents them.
enum SystemReader {
  static let keys = ["pages", "ram_pages", "memcg_limit", "vmas", "initial", "devices"]
  static let pagesRange = 1...8
  static let ramPagesRange = 0...16
  static let memcgLimitRange = 0...32
  static let maxDevices = 3
  static let poolRange = 0...4

  /// - Parameter zeroPage: `variant.zero_page`, which decides whether a
  ///   page may start as the zero page.
  static func read(_ node: Node, zeroPage: Bool) throws -> SystemConfig {
    let map = try MappingReader(node, path: "system", allowedKeys: keys)
    let pages = try readInt(map.required("pages"), "system.pages", in: pagesRange)
    let ramPages = try readInt(map.required("ram_pages"), "system.ram_pages", in: ramPagesRange)
    let devices = try map.value("devices").map(readDevices) ?? []
    // The default never limits: every page the system could ever allocate fits.
    let memcgLimit =
      try map.value("memcg_limit").map {
        try readInt($0, "system.memcg_limit", in: memcgLimitRange)
      }
      ?? ramPages + devices.reduce(0) { $0 + $1.poolPages }
    let vmas =
      try map.value("vmas").map { try readVMAs($0, pages: pages) }
      ?? [VMAConfig(first: 0, last: pages - 1, kind: .privateAnon, prot: .readWrite)]
    var initial = [InitialPage](repeating: .none, count: pages)
    if let initialNode = map.value("initial") {
      let named = try readInitial(initialNode, pages: pages, vmas: vmas, devices: devices)
      for entry in named { initial[entry.page] = entry.content }
      try checkInitialFits(
        named, vmas: vmas, devices: devices, ramPages: ramPages, memcgLimit: memcgLimit,
        memcgLimitNode: map.value("memcg_limit"), zeroPage: zeroPage)
    }
    return SystemConfig(
      pages: pages, vmas: vmas, initial: initial, ramPages: ramPages, devices: devices,
      memcgLimit: memcgLimit)
  }

  // MARK: - VMAs

  static let vmaKeys = ["pages", "kind", "prot"]

  /// VMAs in file order; they may leave holes but must not overlap, as in
  /// a real address space.
  static func readVMAs(_ node: Node, pages: Int) throws -> [VMAConfig] {
    var vmas: [(vma: VMAConfig, path: String)] = []
    for (i, item) in try readList(node, "system.vmas").enumerated() {
      let path = "system.vmas[\(i)]"
      let map = try MappingReader(item, path: path, allowedKeys: vmaKeys)
      let pagesNode = try map.required("pages")
      let range = try PageSpec.range(pagesNode, map.path(of: "pages"), pages: pages)
      let kind: VMAConfig.Kind =
        try map.value("kind").map { try readEnum($0, map.path(of: "kind")) } ?? .privateAnon
      let prot: VMAConfig.Prot =
        try map.value("prot").map { try readEnum($0, map.path(of: "prot")) } ?? .readWrite
      if let other = vmas.first(where: { $0.vma.first <= range.last && range.first <= $0.vma.last }) {
        let otherRange = PageRange(other.vma.first, other.vma.last)
        throw Diagnostic(
          at: pagesNode, "VMA over \(range) overlaps the VMA over \(otherRange) (\(other.path))")
      }
      vmas.append((VMAConfig(first: range.first, last: range.last, kind: kind, prot: prot), path))
    }
    return vmas.map(\.vma)
  }

  // MARK: - Initial contents

  /// One `page: content` pair of `initial`, with the node to blame.
  struct InitialEntry {
    var page: Int
    var content: InitialPage
    var node: Node
  }

  /// The `page: content` pairs, in page order; unnamed pages stay `none`.
  static func readInitial(
    _ node: Node, pages: Int, vmas: [VMAConfig], devices: [DeviceConfig]
  ) throws -> [InitialEntry] {
    guard case .mapping(let mapping) = node else {
      throw Diagnostic(at: node, "expected a mapping for system.initial, found \(node.found)")
    }
    var entries: [InitialEntry] = []
    var keys: [Int: Node] = [:]
    for (key, value) in mapping {
      let page = try PageSpec.page(key, "system.initial", pages: pages)
      if let first = keys[page] {
        throw Diagnostic(
          at: key,
          "page \(page) is given twice in system.initial (first at line \(first.mark?.line ?? 1))")
      }
      keys[page] = key
      let content = try readContent(value, page: page, devices: devices)
      if content != .none, !vmas.contains(where: { ($0.first...$0.last).contains(page) }) {
        throw Diagnostic(
          at: value,
          "page \(page) has initial content '\(value.string ?? "")' but no VMA covers it")
      }
      entries.append(InitialEntry(page: page, content: content, node: value))
    }
    return entries.sorted { $0.page < $1.page }
  }

  static let fixedContents: [(String, InitialPage)] = [
    ("none", .none), ("zero", .zero), ("ram_ro", .ram(writable: false)),
    ("ram_rw", .ram(writable: true)),
  ]

  /// `none | zero | ram_ro | ram_rw | DEVICE:rw | DEVICE:ro`.
  static func readContent(_ node: Node, page: Int, devices: [DeviceConfig]) throws -> InitialPage {
    let what = "page \(page) in system.initial"
    let text = try readString(node, what)
    if let fixed = fixedContents.first(where: { $0.0 == text }) { return fixed.1 }
    let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2 else {
      let names = fixedContents.map(\.0) + devices.flatMap { ["\($0.name):rw", "\($0.name):ro"] }
      throw Diagnostic(
        at: node,
        "unknown initial content '\(text)' for \(what) (expected one of: none, zero, ram_ro, ram_rw, "
          + "DEVICE:rw, DEVICE:ro)" + suggestion(for: text, among: names))
    }
    let name = String(parts[0])
    guard let device = devices.firstIndex(where: { $0.name == name }) else {
      throw Diagnostic(
        at: node,
        "unknown device '\(name)' in initial content '\(text)' for \(what) (\(deviceList(devices)))"
      )
    }
    switch parts[1] {
    case "rw": return .device(device, writable: true)
    case "ro": return .device(device, writable: false)
    default:
      throw Diagnostic(
        at: node,
        "bad access '\(parts[1])' in initial content '\(text)' for \(what) (expected rw or ro)")
    }
  }

  // MARK: - Devices

  static let deviceKeys = ["name", "kind", "pool"]

  static func readDevices(_ node: Node) throws -> [DeviceConfig] {
    let items = try readList(node, "system.devices")
    guard items.count <= maxDevices else {
      throw Diagnostic(
        at: node, "system.devices has \(items.count) devices; at most \(maxDevices) are allowed")
    }
    var devices: [DeviceConfig] = []
    var nameNodes: [Node] = []
    for (i, item) in items.enumerated() {
      let map = try MappingReader(item, path: "system.devices[\(i)]", allowedKeys: deviceKeys)
      let nameNode = try map.required("name")
      let name = try readName(nameNode, map.path(of: "name"))
      if let first = devices.firstIndex(where: { $0.name == name }) {
        throw Diagnostic(
          at: nameNode,
          "duplicate device name '\(name)' (first at line \(nameNodes[first].mark?.line ?? 1))")
      }
      let kind: DeviceConfig.Kind =
        try map.value("kind").map { try readEnum($0, map.path(of: "kind")) } ?? .private
      let pool = try readInt(map.required("pool"), map.path(of: "pool"), in: poolRange)
      devices.append(DeviceConfig(name: name, kind: kind, poolPages: pool))
      nameNodes.append(nameNode)
    }
    return devices
  }

  /// "devices: gpu0, gpu1", or "no devices are declared", for messages.
  static func deviceList(_ devices: [DeviceConfig]) -> String {
    devices.isEmpty
      ? "no devices are declared" : "devices: " + devices.map(\.name).joined(separator: ", ")
  }
}
