import HMM
import Yams

/// Reads one thread's program: a list of operations, each a bare name
/// (`exit`) or a one-key mapping (`cpu_read: 0`), checked against the kind
/// of thread that runs it and the system's pages.
struct ProgramReader {
  /// The thread's name, for messages.
  let thread: String
  /// Device threads run device operations; CPU threads run CPU operations.
  let isDevice: Bool
  let pages: Int
  /// Every thread's name, in order (`after:` names one of them).
  var threads: [String] = []

  /// A non-empty list of operations.
  func program(_ node: Node, _ what: String) throws -> [Operation] {
    let items = try readList(node, what)
    guard !items.isEmpty else { throw Diagnostic(at: node, "\(what) is empty") }
    return try items.map(operation)
  }

  func operation(_ node: Node) throws -> Operation {
    switch node {
    case .scalar where !node.isNull:
      let name = try operationName(node)
      guard name.takesNoArgument else {
        throw Diagnostic(
          at: node, "operation '\(name.rawValue)' in thread '\(thread)' needs an argument")
      }
      return name == .exit ? .exit : .release
    case .mapping(let mapping):
      guard let (key, argument) = mapping.first else {
        throw Diagnostic(
          at: node, "expected an operation in thread '\(thread)', found an empty mapping")
      }
      if mapping.count > 1 {
        let extra = mapping[mapping.index(after: mapping.startIndex)].key
        throw Diagnostic(
          at: extra,
          "an operation is a mapping with one key, but this one also has '\(extra.string ?? "")'; "
            + "start each operation with its own '- '")
      }
      return try operation(try operationName(key), key: key, argument: argument)
    default:
      throw Diagnostic(at: node, "expected an operation in thread '\(thread)', found \(node.found)")
    }
  }

  /// A known operation name that this thread may run.
  private func operationName(_ node: Node) throws -> OperationName {
    let text = try readString(node, "an operation in thread '\(thread)'")
    guard let name = OperationName(rawValue: text) else {
      throw Diagnostic(
        at: node,
        "unknown operation '\(text)' in thread '\(thread)'"
          + suggestion(for: text, among: OperationName.allCases.map(\.rawValue)))
    }
    switch (name.runner, isDevice) {
    case (.device, false):
      throw Diagnostic(
        at: node,
        "device operation '\(text)' in CPU thread '\(thread)' (only a thread with 'device:' runs "
          + "\(OperationName.names(for: .device)))")
    case (.cpu, true):
      throw Diagnostic(
        at: node,
        "CPU operation '\(text)' in device thread '\(thread)' (device threads run "
          + "\(OperationName.names(for: .device)), choice)")
    default:
      return name
    }
  }

  private func operation(_ name: OperationName, key: Node, argument: Node) throws -> Operation {
    let what = "'\(name.rawValue)' in thread '\(thread)'"
    func page() throws -> Int { try PageSpec.page(argument, what, pages: pages) }
    func range() throws -> PageRange { try PageSpec.range(argument, what, pages: pages) }
    switch name {
    case .cpuRead: return .cpuRead(try page())
    case .cpuWrite: return .cpuWrite(try page())
    case .munmap: return .munmap(try range())
    case .mprotect:
      let map = try MappingReader(argument, path: what, allowedKeys: ["pages", "prot"])
      let pages = try PageSpec.range(map.required("pages"), "'pages' of \(what)", pages: self.pages)
      let prot: VMAConfig.Prot = try readEnum(map.required("prot"), "'prot' of \(what)")
      return .mprotect(pages, prot)
    case .gupPin: return .gupPin(try page())
    case .gupWrite: return .gupWrite(try page())
    case .gupUnpin: return .gupUnpin(try page())
    case .exit, .release:
      throw Diagnostic(at: key, "'\(name.rawValue)' takes no argument (write '- \(name.rawValue)')")
    case .mirror:
      // `mirror: 0-1` is short for `mirror: { pages: 0-1 }`.
      guard case .mapping = argument else { return .mirror(try range(), write: false) }
      let map = try MappingReader(argument, path: what, allowedKeys: ["pages", "write"])
      let pages = try PageSpec.range(map.required("pages"), "'pages' of \(what)", pages: self.pages)
      let write = try map.value("write").map { try readBool($0, "'write' of \(what)") } ?? false
      return .mirror(pages, write: write)
    case .deviceRead: return .deviceRead(try page())
    case .deviceWrite: return .deviceWrite(try page())
    case .migrateToDevice: return .migrateToDevice(try range())
    case .migrateToSystem: return .migrateToSystem(try range())
    case .snapshot: return .snapshot(try range())
    case .after:
      let other = try readString(argument, what)
      guard let k = threads.firstIndex(of: other) else {
        throw Diagnostic(at: argument, "unknown thread '\(other)' in \(what)" + suggestion(for: other, among: threads))
      }
      guard other != thread else { throw Diagnostic(at: argument, "thread '\(thread)' cannot wait for itself") }
      return .after(k)
    case .choice:
      let alternatives = try readList(argument, what)
      guard alternatives.count >= 2 else {
        throw Diagnostic(
          at: argument, "\(what) needs at least 2 alternatives, got \(alternatives.count)")
      }
      return .choice(
        try alternatives.enumerated().map { i, alternative in
          try program(alternative, "alternative \(i + 1) of \(what)")
        })
    }
  }
}
