/// A JSON value with ordered objects, written with a fixed layout so that the
/// same trace is byte-identical on every run (Foundation's encoder promises
/// neither key order nor number formatting across versions).
public indirect enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  /// Compact arrays of scalars stay on one line; everything else is indented.
  public func render(indent: Int = 0) -> String {
    let pad = String(repeating: "  ", count: indent)
    let inner = String(repeating: "  ", count: indent + 1)
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .string(let s): return JSONValue.quote(s)
    case .array(let xs):
      if xs.isEmpty { return "[]" }
      if xs.allSatisfy({ $0.isScalar || $0.isFlatArray }) {
        return "[" + xs.map { $0.render() }.joined(separator: ", ") + "]"
      }
      return "[\n" + xs.map { inner + $0.render(indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "]"
    case .object(let kv):
      if kv.isEmpty { return "{}" }
      return "{\n"
        + kv.map { inner + JSONValue.quote($0.0) + ": " + $0.1.render(indent: indent + 1) }.joined(separator: ",\n")
        + "\n" + pad + "}"
    }
  }

  var isScalar: Bool {
    switch self {
    case .array, .object: return false
    default: return true
    }
  }

  var isFlatArray: Bool {
    if case .array(let xs) = self { return xs.allSatisfy(\.isScalar) }
    return false
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        // C0 and C1 controls and DEL are escaped: valid JSON either way,
        // but YAML readers (and so the trace reader) reject them raw.
        if u.value < 0x20 || (u.value >= 0x7F && u.value <= 0x9F) {
          out += "\\u" + hex4(u.value)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}

func hex4(_ v: UInt32) -> String {
  let hex = String(v, radix: 16)
  return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
}
