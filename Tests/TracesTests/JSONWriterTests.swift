import Foundation
import Testing
@testable import Traces

@Suite struct JSONWriterTests {
  @Test func rendersDeterministically() {
    let v = JSONValue.object([("b", .int(1)), ("a", .array([.string("x\"y"), .bool(true), .null]))])
    #expect(v.render() == "{\n  \"b\": 1,\n  \"a\": [\"x\\\"y\", true, null]\n}")
  }
}

/// The JSON writer's escaping and layout.
@Suite struct JSONEscapingTests {
  @Test func escapesWhatJSONRequires() {
    #expect(JSONValue.quote("plain") == "\"plain\"")
    #expect(JSONValue.quote("") == "\"\"")
    #expect(JSONValue.quote("a\"b") == "\"a\\\"b\"")
    #expect(JSONValue.quote("a\\b") == "\"a\\\\b\"")
    #expect(JSONValue.quote("\n\r\t") == "\"\\n\\r\\t\"")
    #expect(JSONValue.quote("\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}") == "\"\\u0000\\u0001\\u0008\\u000b\\u000c\\u001f\"")
    // Not escaped: the solidus, space, and everything from U+0020 up.
    #expect(JSONValue.quote("a/b c~") == "\"a/b c~\"")
    #expect(JSONValue.quote("café → 😀") == "\"café → 😀\"")
  }

  /// Every scalar below U+0100 and a few beyond: Foundation reads back the
  /// string that was written.
  @Test func foundationReadsBackEveryString() throws {
    var scalars = (0..<0x100).compactMap(Unicode.Scalar.init)
    scalars += ["\u{2028}", "\u{2029}", "\u{fffd}", "\u{10ffff}", "😀"].compactMap(\.unicodeScalars.first)
    for u in scalars {
      let s = "x\(Character(u))y"
      let text = JSONValue.array([.string(s)]).render()
      let back = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
      #expect(back == [s], "U+\(String(u.value, radix: 16))")
    }
  }

  @Test func escapedKeys() {
    let v = JSONValue.object([("a\"b\n", .int(-3))])
    #expect(v.render() == "{\n  \"a\\\"b\\n\": -3\n}")
  }

  @Test func layout() {
    #expect(JSONValue.array([]).render() == "[]")
    #expect(JSONValue.object([]).render() == "{}")
    #expect(JSONValue.array([.array([.int(1), .int(2)]), .array([])]).render() == "[[1, 2], []]")
    #expect(JSONValue.array([.object([("k", .null)])]).render() == "[\n  {\n    \"k\": null\n  }\n]")
    #expect(JSONValue.array([.array([.array([.int(1)])])]).render() == "[\n  [[1]]\n]")
    #expect(
      JSONValue.object([("o", .object([("p", .array([.bool(false)]))]))]).render()
        == "{\n  \"o\": {\n    \"p\": [false]\n  }\n}")
    #expect(JSONValue.int(Int.min).render() == "-9223372036854775808")
  }

  @Test func equalityRespectsKeyOrder() {
    let a = JSONValue.object([("a", .int(1)), ("b", .int(2))])
    let b = JSONValue.object([("b", .int(2)), ("a", .int(1))])
    #expect(a != b)
    #expect(a == JSONValue.object([("a", .int(1)), ("b", .int(2))]))
    #expect(JSONValue.int(1) != .bool(true))
    #expect(JSONValue.null != .string("null"))
  }
}
