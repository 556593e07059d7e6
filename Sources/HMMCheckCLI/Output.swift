#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the CLI writes: stdout for results, stderr for progress and errors.
enum Output {

  static func line(_ s: String = "") {
    print(s)
  }

  static func error(_ s: String) {
    let bytes = Array((s + "\n").utf8)
    bytes.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count) }
  }

  static var stderrIsTTY: Bool { isatty(2) != 0 }
}
