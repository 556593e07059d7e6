import Foundation
import Yams

// Typed reading of Yams nodes that keeps source positions: every failure is
// a `Diagnostic` at the node that caused it. `YAMLDecoder` would lose the
// positions, so model files are read from `Node` trees with these helpers.

extension Node {
  /// A plain `~`, `null` or empty value (`key:` with nothing after it).
  var isNull: Bool {
    if case .scalar(let scalar) = self { return NSNull.construct(from: scalar) != nil }
    return false
  }

  /// How this node reads in "expected X, found Y" messages.
  var found: String {
    switch self {
    case .scalar(let scalar):
      if isNull { return "an empty value" }
      switch scalar.style {
      case .singleQuoted, .doubleQuoted: return "the quoted string \"\(scalar.string)\""
      case .literal, .folded: return "a block string"
      case .plain, .any: return "'\(scalar.string)'"
      }
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
  }

  /// The text of a plain (unquoted) scalar; quoted scalars are strings by
  /// YAML's rules, never numbers or booleans.
  var plainText: String? {
    guard case .scalar(let scalar) = self, scalar.style == .plain || scalar.style == .any,
      !isNull
    else { return nil }
    return scalar.string
  }
}

/// `what` as it reads in messages: a dotted path such as `system.pages`.
func join(_ path: String, _ key: String) -> String {
  path.isEmpty ? key : "\(path).\(key)"
}

/// A mapping whose keys were checked against those the format allows, so
/// the readers only ever ask for known keys and typos are reported once,
/// at the key, with a suggestion.
struct MappingReader {
  let node: Node
  /// Dotted path of this mapping (`system`, `threads[0]`); empty at the top.
  let path: String
  private var entries: [(key: String, keyNode: Node, value: Node)] = []

  /// "in system", or "at the top level".
  var location: String { path.isEmpty ? "at the top level" : "in \(path)" }

  init(_ node: Node, path: String, allowedKeys: [String]) throws {
    self.node = node
    self.path = path
    guard case .mapping(let mapping) = node else {
      let target = path.isEmpty ? "at the top level" : "for \(path)"
      throw Diagnostic(at: node, "expected a mapping \(target), found \(node.found)")
    }
    for (keyNode, value) in mapping {
      guard case .scalar(let scalar) = keyNode, !keyNode.isNull else {
        throw Diagnostic(at: keyNode, "expected a key name \(location), found \(keyNode.found)")
      }
      let key = scalar.string
      guard allowedKeys.contains(key) else {
        throw Diagnostic(
          at: keyNode,
          "unknown key '\(key)' \(location)\(suggestion(for: key, among: allowedKeys))")
      }
      // Yams only rejects keys equal in text *and* tag (`!x pages` slips
      // through), so compare the text too.
      if let first = entries.first(where: { $0.key == key }) {
        throw Diagnostic(
          at: keyNode,
          "duplicate key '\(key)' \(location) (first at line \(first.keyNode.mark?.line ?? 1))")
      }
      entries.append((key, keyNode, value))
    }
  }

  /// The value under `key`, or nil when the key is absent. An empty value
  /// (`key:`) is present: its typed reader reports it.
  func value(_ key: String) -> Node? {
    entries.first { $0.key == key }?.value
  }

  /// The value under `key`, or an error at this mapping naming the key.
  func required(_ key: String) throws -> Node {
    guard let value = value(key) else {
      throw Diagnostic(at: node, "missing required key '\(key)' \(location)")
    }
    return value
  }

  /// The dotted path of a key's value, for messages.
  func path(of key: String) -> String { join(path, key) }
}

/// A list, or an error at the node.
func readList(_ node: Node, _ what: String) throws -> [Node] {
  guard case .sequence(let sequence) = node else {
    throw Diagnostic(at: node, "expected a list for \(what), found \(node.found)")
  }
  return Array(sequence)
}

/// A decimal integer in `range`. Only plain decimal digits count: YAML 1.1
/// would also read `0x10`, `1_0` and `1:30` (sexagesimal) as integers, which
/// is more surprise than convenience in a model file.
func readInt(_ node: Node, _ what: String, in range: ClosedRange<Int>) throws -> Int {
  guard let text = node.plainText, let value = parseDecimal(text) else {
    throw Diagnostic(at: node, "expected an integer for \(what), found \(node.found)")
  }
  guard range.contains(value) else {
    throw Diagnostic(
      at: node, "\(what) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
  }
  return value
}

/// `[+-]?[0-9]+` as an Int, or nil (also nil on overflow).
func parseDecimal(_ text: String) -> Int? {
  var digits = Substring(text)
  if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
  guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
  return Int(text.first == "+" ? String(text.dropFirst()) : text)
}

/// A scalar's text. Numbers and booleans are accepted as their text (a
/// name `123` is a fine name); lists, mappings and empty values are not.
func readString(_ node: Node, _ what: String) throws -> String {
  guard case .scalar(let scalar) = node, !node.isNull else {
    throw Diagnostic(at: node, "expected a string for \(what), found \(node.found)")
  }
  return scalar.string
}

/// `true` or `false` only: YAML 1.1's `yes`/`no`/`on`/`off` are rejected
/// because `no` silently meaning false is a classic YAML trap.
func readBool(_ node: Node, _ what: String) throws -> Bool {
  switch node.plainText {
  case "true": return true
  case "false": return false
  default: throw Diagnostic(at: node, "expected true or false for \(what), found \(node.found)")
  }
}

/// One of an enumeration's raw values; the message lists them all.
func readEnum<E: RawRepresentable & CaseIterable>(
  _ node: Node, _ what: String, noun: String = "value"
) throws -> E where E.RawValue == String {
  let text = try readString(node, what)
  if let value = E(rawValue: text) { return value }
  let allowed = E.allCases.map(\.rawValue)
  throw Diagnostic(
    at: node,
    "unknown \(noun) '\(text)' for \(what) (expected one of: \(allowed.joined(separator: ", ")))"
      + suggestion(for: text, among: allowed))
}

/// A name made of letters, digits, `_` and `-`: names appear inside other
/// values (`gpu0:rw`), in traces and on command lines.
func readName(_ node: Node, _ what: String) throws -> String {
  let name = try readString(node, what)
  let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
  let ok = !name.isEmpty && name.allSatisfy { allowed.contains($0) }
  guard ok else {
    throw Diagnostic(
      at: node, "bad name '\(name)' for \(what) (use letters, digits, '_' and '-')")
  }
  return name
}
