import Foundation

/// Every property suite of the project (`Properties/*.hmmprop`), addressable
/// by suite name or by property name.
///
/// A model's `properties:` list mixes both ("check the whole
/// `no_stale_device_mapping` suite, plus `usage_matches`"), so property
/// names must be unique across suites, not just within one file.
public struct SuiteCatalogue: Sendable {
  public private(set) var suites: [PropertySuite]

  /// Rejects two suites with one name and one property name in two suites.
  public init(suites: [PropertySuite]) throws {
    var suiteFiles: [String: String] = [:]
    var owners: [String: (suite: String, file: String, at: SourceLocation)] = [:]
    for s in suites {
      if let other = suiteFiles[s.name] {
        throw PropertyError(
          file: s.file, line: 1, column: 1, message: "duplicate suite name '\(s.name)' (also \(other))")
      }
      suiteFiles[s.name] = s.file
      for p in s.properties {
        if let first = owners[p.name] {
          throw PropertyError(
            file: s.file, at: p.nameLocation,
            "property '\(p.name)' is also declared in suite '\(first.suite)' at \(first.file):\(first.at)")
        }
        owners[p.name] = (s.name, s.file, p.nameLocation)
      }
    }
    self.suites = suites
  }

  /// Parses every `*.hmmprop` file of `directory`, in file-name order.
  public static func load(directory: String) throws -> SuiteCatalogue {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
      .filter { $0.hasSuffix(".hmmprop") }
      .sorted()
    let base = directory.hasSuffix("/") ? directory : directory + "/"
    let suites = try names.map { name -> PropertySuite in
      let path = base + name
      let text = try String(contentsOfFile: path, encoding: .utf8)
      return try PropertyParser.parse(text: text, file: path)
    }
    return try SuiteCatalogue(suites: suites)
  }

  public func suite(named name: String) -> PropertySuite? { suites.first { $0.name == name } }

  public func suite(containing property: String) -> PropertySuite? {
    suites.first { $0.properties.contains { $0.name == property } }
  }

  /// What one entry of a model's `properties:` list designates.
  public struct Selection: Sendable, Hashable {
    public var suite: PropertySuite
    /// The chosen properties, or nil for the whole suite.
    public var properties: [String]?
  }

  /// Resolves suite names and property names, in the order given.
  public func select(_ names: [String]) throws -> [Selection] {
    try names.map { name in
      if let s = suite(named: name) { return Selection(suite: s, properties: nil) }
      if let s = suite(containing: name) { return Selection(suite: s, properties: [name]) }
      let all = suites.map(\.name) + suites.flatMap { $0.properties.map(\.name) }
      throw CatalogueError.unknownName(name, suggestion: Suggest.closest(to: name, in: all))
    }
  }

  /// Compiles the properties `names` designate, each once, suites compiled
  /// whole (so a suite's errors surface even when one property is chosen).
  public func compile(_ names: [String], with compiler: PropertyCompiler) throws -> [CompiledProperty] {
    var compiled: [String: [CompiledProperty]] = [:]
    var out: [CompiledProperty] = []
    var taken: Set<String> = []
    for sel in try select(names) {
      if compiled[sel.suite.name] == nil { compiled[sel.suite.name] = try compiler.compile(sel.suite) }
      for p in compiled[sel.suite.name]! where sel.properties?.contains(p.name) ?? true {
        if taken.insert(p.name).inserted { out.append(p) }
      }
    }
    return out
  }
}

public enum CatalogueError: Error, CustomStringConvertible, Sendable, Hashable {
  /// A model names a suite or property that no `.hmmprop` file declares.
  case unknownName(String, suggestion: String?)

  public var description: String {
    switch self {
    case .unknownName(let n, let s):
      return "error: no property suite or property named '\(n)'" + (s.map { "; did you mean '\($0)'?" } ?? "")
    }
  }
}
