#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// How the explorer writes: colour (only on a terminal, never with
/// `NO_COLOR`), and every line wrapped to fit 80 columns.
struct ExploreStyle: Sendable {
  /// ANSI colours on or off.
  var color: Bool
  /// Columns every line must fit in.
  var width: Int = 80

  static let plain = ExploreStyle(color: false)

  /// Colour when `fd` is a terminal and `NO_COLOR` is unset or empty
  /// (https://no-color.org).
  static func detect(fd: Int32 = 1, environment: [String: String] = ProcessInfo.processInfo.environment) -> ExploreStyle {
    let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
    let dumb = environment["TERM"] == "dumb"
    return ExploreStyle(color: isatty(fd) != 0 && !noColor && !dumb)
  }

  enum Tone: String {
    case bold = "1"
    case dim = "2"
    case red = "31"
    case green = "32"
    case yellow = "33"
    case cyan = "36"
    case boldRed = "1;31"
  }

  func paint(_ s: String, _ tone: Tone) -> String {
    color && !s.isEmpty ? "\u{1B}[\(tone.rawValue)m\(s)\u{1B}[0m" : s
  }

  /// `text` broken into lines of at most `width` visible columns; lines after
  /// the first start with `indent` spaces. Words longer than a line are cut.
  func wrap(_ text: String, indent: Int = 4) -> [String] {
    ExploreText.wrap(text, width: width, indent: indent)
  }
}

enum ExploreText {
  /// Writes to standard output at once (unbuffered, so a prompt shows
  /// before input is read and nothing is lost if the process is killed).
  static func writeOut(_ s: String) {
    let bytes = Array(s.utf8)
    var off = 0
    while off < bytes.count {
      let n = bytes[off...].withUnsafeBufferPointer { write(1, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      off += n
    }
  }

  /// Visible columns of `s`: ANSI escape sequences take none, every other
  /// character one (the explorer prints no wide characters).
  static func visibleWidth(_ s: String) -> Int {
    var n = 0
    var inEscape = false
    for u in s.unicodeScalars {
      if inEscape {
        if u.value >= 0x40 && u.value <= 0x7E && u != "[" { inEscape = false }
        continue
      }
      if u == "\u{1B}" {
        inEscape = true
        continue
      }
      // Combining marks take no column.
      if u.properties.generalCategory == .nonspacingMark { continue }
      n += 1
    }
    return n
  }

  /// Greedy word wrap by visible width. Leading spaces of `text` are kept
  /// on the first line; continuation lines get `indent` spaces.
  static func wrap(_ text: String, width: Int, indent: Int) -> [String] {
    if visibleWidth(text) <= width { return [text] }
    let lead = String(text.prefix { $0 == " " })
    // Empty words keep runs of spaces inside a line ("3  gpu0_mirror").
    let words = text.dropFirst(lead.count).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    let pad = String(repeating: " ", count: min(indent, width / 2))
    var lines: [String] = []
    var cur = lead
    var curWidth = visibleWidth(lead)
    var startOfLine = true
    for var w in words {
      var ww = visibleWidth(w)
      if startOfLine && w.isEmpty && !lines.isEmpty { continue }
      if !startOfLine && curWidth + 1 + ww > width {
        lines.append(cur)
        cur = pad
        curWidth = pad.count
        startOfLine = true
      }
      // A word that cannot fit on a line of its own is cut.
      while curWidth + ww > width && !w.contains("\u{1B}") {
        let room = max(1, width - curWidth)
        lines.append(cur + w.prefix(room))
        w = String(w.dropFirst(room))
        ww = visibleWidth(w)
        cur = pad
        curWidth = pad.count
      }
      if w.isEmpty && startOfLine { continue }
      if startOfLine {
        cur += w
        curWidth += ww
        startOfLine = false
      } else {
        cur += " " + w
        curWidth += 1 + ww
      }
    }
    if !startOfLine || lines.isEmpty { lines.append(cur) }
    return lines.map { l in
      var l = l
      while l.hasSuffix(" ") { l.removeLast() }
      return l
    }
  }
}
