import HMM
import Yams

/// Reads `threads:`: each thread's name, its device (device threads only)
/// and its program.
enum ThreadsReader {
  static let keys = ["name", "device", "program", "fairness"]
  static let countRange = 1...16

  static func read(_ node: Node, system: SystemConfig) throws -> [ThreadConfig] {
    let items = try readList(node, "threads")
    guard countRange.contains(items.count) else {
      throw Diagnostic(
        at: node,
        "threads must have \(countRange.lowerBound)...\(countRange.upperBound) entries, got \(items.count)"
      )
    }
    var threads: [ThreadConfig] = []
    var nameNodes: [Node] = []
    // Every name first: `after:` may name a thread listed further down.
    let allNames = items.compactMap { item -> String? in
      guard case .mapping(let m) = item, let n = m["name"] else { return nil }
      return n.string
    }
    for (i, item) in items.enumerated() {
      let map = try MappingReader(item, path: "threads[\(i)]", allowedKeys: keys)
      let nameNode = try map.required("name")
      let name = try readName(nameNode, map.path(of: "name"))
      if let first = threads.firstIndex(where: { $0.name == name }) {
        throw Diagnostic(
          at: nameNode,
          "duplicate thread name '\(name)' (first at line \(nameNodes[first].mark?.line ?? 1))")
      }
      var device: Int?
      if let deviceNode = map.value("device") {
        let deviceName = try readString(deviceNode, map.path(of: "device"))
        guard let index = system.devices.firstIndex(where: { $0.name == deviceName }) else {
          throw Diagnostic(
            at: deviceNode,
            "unknown device '\(deviceName)' for thread '\(name)' (\(SystemReader.deviceList(system.devices)))"
              + suggestion(for: deviceName, among: system.devices.map(\.name)))
        }
        device = index
      }
      let reader = ProgramReader(thread: name, isDevice: device != nil, pages: system.pages, threads: allNames)
      let program = try reader.program(map.required("program"), "the program of thread '\(name)'")
      var thread = ThreadConfig(name: name, device: device, program: program)
      if let f = map.value("fairness") { thread.fairness = try readEnum(f, map.path(of: "fairness")) }
      threads.append(thread)
      nameNodes.append(nameNode)
    }
    return threads
  }
}
