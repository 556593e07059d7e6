import Testing
@testable import Traces

@Suite struct JSONWriterTests {
  @Test func rendersDeterministically() {
    let v = JSONValue.object([("b", .int(1)), ("a", .array([.string("x\"y"), .bool(true), .null]))])
    #expect(v.render() == "{\n  \"b\": 1,\n  \"a\": [\"x\\\"y\", true, null]\n}")
  }
}
