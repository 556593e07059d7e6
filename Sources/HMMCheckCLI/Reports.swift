import Foundation
import Traces

/// Machine-readable reports for CI: JUnit XML (one test case per model) and
/// a JSON summary.
enum Reports {
  static func junit(_ results: [ModelResult]) -> String {
    let total = results.count
    func esc(_ s: String) -> String {
      s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    let failures = results.filter { $0.exit != .ok }.count
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<testsuite name=\"hmmcheck\" tests=\"\(total)\" failures=\"\(failures)\" errors=\"0\">\n"
    for r in results {
      let t = String(format: "%.3f", r.report.seconds)
      out += "  <testcase classname=\"hmmcheck.models\" name=\"\(esc(r.name))\" file=\"\(esc(r.file))\" time=\"\(t)\">\n"
      if r.exit != .ok {
        out += "    <failure type=\"exit \(r.exit.rawValue)\" message=\"\(esc(r.verdict))\"/>\n"
      }
      let summary =
        r.report.engine == "none"
        ? r.verdict : "\(r.report.engine): \(r.report.stop.rawValue), \(r.report.distinctStates) states, depth \(r.report.maxDepth)"
      out += "    <system-out>\(esc(summary))</system-out>\n"
      out += "  </testcase>\n"
    }
    return out + "</testsuite>\n"
  }

  static func json(_ results: [ModelResult]) -> String {
    let models: [JSONValue] = results.map { r in
      .object([
        ("model", .string(r.name)), ("file", .string(r.file)), ("expect", .string(r.expectation)),
        ("exit", .int(Int(r.exit.rawValue))), ("verdict", .string(r.verdict)),
        ("engine", .string(r.report.engine)), ("stop", .string(r.report.stop.rawValue)),
        ("exhaustive", .bool(r.report.stop.isExhaustive)),
        ("distinctStates", .int(r.report.distinctStates)), ("transitions", .int(r.report.transitions)),
        ("depth", .int(r.report.maxDepth)),
        ("seconds", .string(String(format: "%.4f", r.report.seconds))),
        ("memoryBytes", .int(r.report.memoryBytes)),
        ("livenessSeconds", r.livenessSeconds.map { .string(String(format: "%.4f", $0)) } ?? .null),
        (
          "findings",
          .array(
            r.findings.map { f in
              .object([
                ("kind", .string(f.kind.rawValue)), ("property", .string(f.property)), ("steps", .int(f.steps)),
                ("expected", .bool(f.expected)), ("explanation", f.explanation.map { .string($0) } ?? .null),
                ("trace", f.traceFile.map { .string($0) } ?? .null),
              ])
            })
        ),
        ("unreachedWitnesses", .array(r.unreachedWitnesses.map { .string($0) })),
        ("vacuousOperations", .array(r.vacuousOperations.map { .string($0) })),
      ])
    }
    return JSONValue.object([("hmmcheck", .int(1)), ("models", .array(models))]).render() + "\n"
  }
}
