import CheckerCore
import Foundation
import HMM
import Yams

/// Loads `Models/*.yaml` files into `ModelConfig`s.
///
/// Every problem, from a YAML syntax error to a device operation in a CPU
/// thread, is a `ModelFileError` at the line and column of the node that
/// caused it, so a model author never has to guess which line is wrong.
/// The format is documented in `Docs/model-format.md`.
public enum ModelLoader {
  static let keys = [
    "name", "description", "system", "variant", "threads", "properties", "expect",
    "expect_unfired", "fairness", "assertions",
  ]

  /// Reads and parses the file at `path`.
  ///
  /// - Parameters:
  ///   - path: The model file; kept as given in errors and in the result.
  ///   - isKnownProperty: Whether a property suite or property name exists
  ///     (the CLI passes the `Properties/` catalogue).
  /// - Throws: `ModelFileError`; an unreadable file is reported at 1:1.
  public static func load(path: String, isKnownProperty: (String) -> Bool) throws -> LoadedModel {
    let bytes = try readBytes(path)
    let text: String
    do {
      text = try decodeUTF8(bytes)
    } catch let diagnostic as Diagnostic {
      throw diagnostic.error(file: path)
    }
    return try parse(
      text: text, file: path, hash: Fingerprint.of(bytes), isKnownProperty: isKnownProperty)
  }

  /// Parses model text that did not come from disk (tests, an editor buffer).
  ///
  /// - Parameters:
  ///   - file: Used in errors and for the default model name (its stem).
  ///   - isKnownProperty: As for `load(path:isKnownProperty:)`.
  /// - Throws: `ModelFileError`.
  public static func parse(
    text: String, file: String, isKnownProperty: (String) -> Bool
  ) throws -> LoadedModel {
    try parse(
      text: text, file: file, hash: Fingerprint.of(Array(text.utf8)),
      isKnownProperty: isKnownProperty)
  }

  /// `hash` is passed in so `load` hashes the bytes on disk, not a
  /// re-encoding of them.
  static func parse(
    text: String, file: String, hash: UInt64, isKnownProperty: (String) -> Bool
  ) throws -> LoadedModel {
    do {
      let root: Node
      do {
        // The basic resolver tags every scalar a string: the readers decide
        // what a scalar means, and skipping Yams' per-scalar regular
        // expressions makes parsing several times faster.
        guard let node = try Yams.compose(yaml: text, .basic) else {
          throw Diagnostic(
            line: 1, column: 1, "the model file is empty (it needs system, threads and properties)")
        }
        root = node
      } catch let error where !(error is Diagnostic) {
        throw YAMLSyntaxError.diagnostic(error, text: text)
      }
      let config = try readModel(root, file: file, source: text, isKnownProperty: isKnownProperty)
      return LoadedModel(config: config, file: file, sourceHash: hash, text: text)
    } catch let diagnostic as Diagnostic {
      throw diagnostic.error(file: file)
    }
  }

  // MARK: - The top level

  static func readModel(
    _ root: Node, file: String, source: String = "", isKnownProperty: (String) -> Bool
  ) throws -> ModelConfig {
    let map = try MappingReader(root, path: "", allowedKeys: keys)
    let name: String
    if let node = map.value("name") {
      name = try readString(node, "name")
      guard !name.isEmpty else { throw Diagnostic(at: node, "name must not be empty") }
    } else {
      name = stem(of: file)
    }
    let description = try map.value("description").map { try readString($0, "description") } ?? ""
    // The variant first: whether a page may start as the zero page depends on it.
    let variant = try map.value("variant").map(VariantReader.read) ?? Variant()
    let system = try SystemReader.read(map.required("system"), zeroPage: variant.zeroPage)
    let threads = try ThreadsReader.read(map.required("threads"), system: system)
    let properties = try readProperties(
      map.required("properties"), isKnownProperty: isKnownProperty)
    let expect =
      try map.value("expect").map { try readExpectation($0, isKnownProperty: isKnownProperty) }
      ?? .pass
    let expectUnfired =
      try map.value("expect_unfired").map { node in
        try readList(node, "expect_unfired").map { item -> String in
          let step = try readString(item, "expect_unfired")
          guard !step.isEmpty else {
            throw Diagnostic(at: item, "empty step name in expect_unfired")
          }
          return step
        }
      } ?? []
    var config = ModelConfig(
      name: name, description: description, system: system, variant: variant, threads: threads,
      properties: properties, expect: expect, expectUnfired: expectUnfired)
    if let f = map.value("fairness") { config.fairness = try readEnum(f, "fairness") }
    if let a = map.value("assertions") { config.assertions = try readAssertions(a, source: source) }
    return config
  }

  /// The `assertions:` block as property-language source whose line and
  /// column numbers are the model file's: the block's own lines, verbatim,
  /// after as many empty lines as precede them.
  static func readAssertions(_ node: Node, source: String) throws -> String {
    let text = try readString(node, "assertions")
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    var body = Substring(text)
    while body.hasSuffix("\n") { body = body.dropLast() }
    let count = body.split(separator: "\n", omittingEmptySubsequences: false).count
    // The scalar's mark is its indicator (`|`) for a block scalar, whose
    // lines start on the next line; a flow scalar starts where it is.
    var first = (node.mark?.line ?? 1) - 1
    if lines.indices.contains(first) {
      let here = lines[first].trimmingCharacters(in: .whitespaces)
      if here.hasSuffix("|") || here.hasSuffix("|-") || here.hasSuffix("|+") || here.hasSuffix(">") { first += 1 }
    }
    guard first + count <= lines.count else { return text }
    return String(repeating: "\n", count: first) + lines[first..<(first + count)].joined(separator: "\n")
  }

  /// Suite or property names, non-empty, each known and listed once.
  static func readProperties(_ node: Node, isKnownProperty: (String) -> Bool) throws -> [String] {
    let items = try readList(node, "properties")
    guard !items.isEmpty else {
      throw Diagnostic(
        at: node, "properties is empty: name at least one property suite or property")
    }
    var names: [String] = []
    for item in items {
      let name = try readString(item, "properties")
      guard isKnownProperty(name) else {
        throw Diagnostic(at: item, "unknown property suite '\(name)' (see Properties/)")
      }
      guard !names.contains(name) else {
        throw Diagnostic(at: item, "property suite '\(name)' is listed twice in properties")
      }
      names.append(name)
    }
    return names
  }

  /// `pass`, `deadlock`, `{ violation: PROPERTY }` or, for a bug with
  /// several documented consequences, `{ violation: [P, Q] }` (exactly these).
  static func readExpectation(_ node: Node, isKnownProperty: (String) -> Bool) throws -> Expectation {
    if case .mapping = node {
      let map = try MappingReader(node, path: "expect", allowedKeys: ["violation"])
      let propertyNode = try map.required("violation")
      let nodes: [Node]
      if case .sequence(let seq) = propertyNode {
        guard !seq.isEmpty else { throw Diagnostic(at: propertyNode, "expect.violation lists no property") }
        nodes = Array(seq)
      } else {
        nodes = [propertyNode]
      }
      var names: [String] = []
      for n in nodes {
        let property = try readString(n, "expect.violation")
        guard isKnownProperty(property) else {
          throw Diagnostic(at: n, "unknown property '\(property)' (see Properties/)")
        }
        guard !names.contains(property) else { throw Diagnostic(at: n, "property '\(property)' listed twice") }
        names.append(property)
      }
      return names.count == 1 ? .violation(names[0]) : .violations(names)
    }
    let text = try readString(node, "expect")
    switch text {
    case "pass": return .pass
    case "deadlock": return .deadlock
    default:
      throw Diagnostic(
        at: node,
        "unknown value '\(text)' for expect (expected one of: pass, deadlock, { violation: PROPERTY })"
          + suggestion(for: text, among: ["pass", "deadlock", "violation"]))
    }
  }

  /// `Models/mirror_vs_munmap.yaml` -> `mirror_vs_munmap`.
  static func stem(of file: String) -> String {
    let base =
      file.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? file
    guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return base }
    return String(base[..<dot])
  }

  // MARK: - Reading the file

  static func readBytes(_ path: String) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    let reason: String
    if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      reason = "no such file"
    } else if isDirectory.boolValue {
      reason = "it is a directory"
    } else if let data = FileManager.default.contents(atPath: path) {
      return [UInt8](data)
    } else {
      reason = "it is not readable"
    }
    throw ModelFileError(
      file: path, line: 1, column: 1, message: "cannot read model file: \(reason)")
  }

  /// The text, or an error at the first byte that is not UTF-8.
  static func decodeUTF8(_ bytes: [UInt8]) throws -> String {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var line = 1
    var column = 1
    while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded):
        if Unicode.UTF8.decode(encoded) == "\n" {
          line += 1
          column = 1
        } else {
          column += 1
        }
      case .emptyInput:
        return String(decoding: bytes, as: UTF8.self)
      case .error:
        throw Diagnostic(line: line, column: column, "the model file is not valid UTF-8")
      }
    }
  }
}
