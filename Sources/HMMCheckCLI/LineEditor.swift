#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The keys the line editor understands, decoded from terminal bytes.
enum EditKey: Equatable, Sendable {
  case insert(Character)
  case enter
  case backspace
  /// Delete the character under the cursor (the Delete key; Ctrl-D on a
  /// non-empty line).
  case delete
  case left, right, home, end
  case up, down
  /// Ctrl-U: delete from the start of the line to the cursor.
  case killToStart
  /// Ctrl-K: delete from the cursor to the end of the line.
  case killToEnd
  /// Ctrl-W: delete the word before the cursor.
  case killWord
  /// Ctrl-C: abandon the line.
  case interrupt
  /// Ctrl-D: end of input on an empty line, else delete.
  case eof
  /// Ctrl-L: clear the screen.
  case clearScreen
}

/// The editing state of one line plus the history, with no I/O: every key
/// is a pure transition, so the editor's behaviour is tested without a
/// terminal.
struct LineBuffer: Sendable {
  enum Outcome: Equatable, Sendable {
    case editing
    /// Enter: the line is complete.
    case line(String)
    /// Ctrl-C: the line was cleared.
    case interrupted
    /// Ctrl-D on an empty line.
    case endOfInput
    case clearScreen
  }

  private(set) var chars: [Character] = []
  private(set) var cursor = 0
  private(set) var history: [String] = []
  /// `history.count` while editing a new line; otherwise the entry shown.
  private var historyIndex = 0
  /// The new line being typed before moving into the history.
  private var draft: [Character] = []
  var maxHistory = 500

  init(history: [String] = []) {
    self.history = history
    historyIndex = history.count
  }

  var text: String { String(chars) }

  /// Starts a new line (after Enter or Ctrl-C).
  mutating func reset() {
    chars = []
    cursor = 0
    draft = []
    historyIndex = history.count
  }

  /// Records a line entered (not blank, not a repeat of the last one).
  mutating func remember(_ line: String) {
    guard !line.allSatisfy({ $0 == " " || $0 == "\t" }), history.last != line else { return }
    history.append(line)
    if history.count > maxHistory { history.removeFirst(history.count - maxHistory) }
    historyIndex = history.count
  }

  mutating func apply(_ key: EditKey) -> Outcome {
    switch key {
    case .insert(let c):
      chars.insert(c, at: cursor)
      cursor += 1
    case .enter:
      let line = text
      remember(line)
      reset()
      return .line(line)
    case .backspace:
      if cursor > 0 {
        chars.remove(at: cursor - 1)
        cursor -= 1
      }
    case .delete:
      if cursor < chars.count { chars.remove(at: cursor) }
    case .left: cursor = max(0, cursor - 1)
    case .right: cursor = min(chars.count, cursor + 1)
    case .home: cursor = 0
    case .end: cursor = chars.count
    case .up:
      guard historyIndex > 0 else { break }
      if historyIndex == history.count { draft = chars }
      historyIndex -= 1
      chars = Array(history[historyIndex])
      cursor = chars.count
    case .down:
      guard historyIndex < history.count else { break }
      historyIndex += 1
      chars = historyIndex == history.count ? draft : Array(history[historyIndex])
      cursor = chars.count
    case .killToStart:
      chars.removeSubrange(0..<cursor)
      cursor = 0
    case .killToEnd:
      chars.removeSubrange(cursor..<chars.count)
    case .killWord:
      var i = cursor
      while i > 0 && chars[i - 1] == " " { i -= 1 }
      while i > 0 && chars[i - 1] != " " { i -= 1 }
      chars.removeSubrange(i..<cursor)
      cursor = i
    case .interrupt:
      reset()
      return .interrupted
    case .eof:
      if chars.isEmpty { return .endOfInput }
      if cursor < chars.count { chars.remove(at: cursor) }
    case .clearScreen:
      return .clearScreen
    }
    return .editing
  }
}

/// Turns terminal bytes into keys: UTF-8 text, control characters, and the
/// ANSI/xterm escape sequences of the arrow, Home, End and Delete keys.
struct KeyDecoder: Sendable {
  private var escape: [UInt8] = []
  private var utf8: [UInt8] = []
  private var utf8Need = 0

  /// The key completed by `byte`, if any.
  mutating func feed(_ byte: UInt8) -> EditKey? {
    if !escape.isEmpty { return feedEscape(byte) }
    if utf8Need > 0 {
      guard byte & 0xC0 == 0x80 else {
        utf8 = []
        utf8Need = 0
        return feed(byte)
      }
      utf8.append(byte)
      utf8Need -= 1
      if utf8Need > 0 { return nil }
      defer { utf8 = [] }
      guard let s = String(validating: utf8, as: UTF8.self), let c = s.first else { return nil }
      return .insert(c)
    }
    switch byte {
    case 0x01: return .home  // Ctrl-A
    case 0x02: return .left  // Ctrl-B
    case 0x03: return .interrupt  // Ctrl-C
    case 0x04: return .eof  // Ctrl-D
    case 0x05: return .end  // Ctrl-E
    case 0x06: return .right  // Ctrl-F
    case 0x08, 0x7F: return .backspace  // Ctrl-H, DEL
    case 0x0A, 0x0D: return .enter
    case 0x0B: return .killToEnd  // Ctrl-K
    case 0x0C: return .clearScreen  // Ctrl-L
    case 0x0E: return .down  // Ctrl-N
    case 0x10: return .up  // Ctrl-P
    case 0x15: return .killToStart  // Ctrl-U
    case 0x17: return .killWord  // Ctrl-W
    case 0x1B:
      escape = [byte]
      return nil
    case 0x20..<0x7F: return .insert(Character(Unicode.Scalar(byte)))
    case 0xC0..<0xE0: utf8 = [byte]; utf8Need = 1; return nil
    case 0xE0..<0xF0: utf8 = [byte]; utf8Need = 2; return nil
    case 0xF0..<0xF8: utf8 = [byte]; utf8Need = 3; return nil
    default: return nil
    }
  }

  private mutating func feedEscape(_ byte: UInt8) -> EditKey? {
    if escape.count == 1 {
      if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "O") {
        escape.append(byte)
        return nil
      }
      // A lone Escape (or Alt+key): drop the Escape, keep the key.
      escape = []
      return feed(byte)
    }
    escape.append(byte)
    // Parameters and intermediates until a final byte.
    guard byte >= 0x40 && byte <= 0x7E else {
      if escape.count > 16 { escape = [] }
      return nil
    }
    let seq = escape
    escape = []
    let params = String(decoding: seq.dropFirst(2).dropLast(), as: UTF8.self)
    switch byte {
    case UInt8(ascii: "A"): return .up
    case UInt8(ascii: "B"): return .down
    case UInt8(ascii: "C"): return .right
    case UInt8(ascii: "D"): return .left
    case UInt8(ascii: "H"): return .home
    case UInt8(ascii: "F"): return .end
    case UInt8(ascii: "~"):
      switch params {
      case "1", "7": return .home
      case "4", "8": return .end
      case "3": return .delete
      default: return nil
      }
    default: return nil
    }
  }
}

/// A small raw-mode line editor over termios: left/right, backspace,
/// Home/End, up/down history, Ctrl-A/E/U/K/W, Ctrl-C clears the line,
/// Ctrl-D on an empty line ends the input. (No readline is available as a
/// Swift package.) The terminal is raw only while a line is read, so
/// output, and Ctrl-C as SIGINT, work normally between lines.
final class LineEditor {
  private let input: Int32
  private let output: Int32
  private var buffer = LineBuffer()
  private var decoder = KeyDecoder()

  /// Nil unless both `input` and `output` are terminals.
  init?(input: Int32 = 0, output: Int32 = 1) {
    guard isatty(input) != 0, isatty(output) != 0 else { return nil }
    self.input = input
    self.output = output
  }

  var history: [String] { buffer.history }

  /// Reads one line; nil at end of input (Ctrl-D on an empty line, or the
  /// terminal closed).
  func readLine(prompt: String) -> String? {
    var saved = termios()
    guard tcgetattr(input, &saved) == 0 else { return nil }
    var raw = saved
    raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
    withUnsafeMutableBytes(of: &raw.c_cc) { cc in
      cc[Int(VMIN)] = 1
      cc[Int(VTIME)] = 0
    }
    guard tcsetattr(input, TCSADRAIN, &raw) == 0 else { return nil }
    defer { _ = tcsetattr(input, TCSADRAIN, &saved) }

    buffer.reset()
    refresh(prompt)
    var byte: UInt8 = 0
    while true {
      let n = read(input, &byte, 1)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 {
        emit("\r\n")
        return nil
      }
      guard let key = decoder.feed(byte) else { continue }
      // The finished line stays on screen, whole, after its prompt.
      if key == .enter { refresh(prompt, cursorAtEnd: true) }
      switch buffer.apply(key) {
      case .editing:
        refresh(prompt)
      case .line(let s):
        emit("\r\n")
        return s
      case .interrupted:
        emit("^C\r\n")
        refresh(prompt)
      case .endOfInput:
        emit("\r\n")
        return nil
      case .clearScreen:
        emit("\u{1B}[H\u{1B}[2J")
        refresh(prompt)
      }
    }
  }

  private func columns() -> Int {
    var ws = winsize()
    if ioctl(output, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col > 0 { return Int(ws.ws_col) }
    return 80
  }

  /// Redraws the prompt and the line, scrolling horizontally when it does
  /// not fit the terminal.
  private func refresh(_ prompt: String, cursorAtEnd: Bool = false) {
    let cols = columns()
    let promptWidth = ExploreText.visibleWidth(prompt)
    let room = max(8, cols - promptWidth - 1)
    let chars = buffer.chars
    let cursor = cursorAtEnd ? chars.count : buffer.cursor
    let start = cursor >= room ? cursor - room + 1 : 0
    let end = min(chars.count, start + room)
    var s = "\r" + prompt + String(chars[start..<end]) + "\u{1B}[K"
    let back = end - cursor
    if back > 0 { s += "\u{1B}[\(back)D" }
    emit(s)
  }

  private func emit(_ s: String) {
    let bytes = Array(s.utf8)
    var off = 0
    while off < bytes.count {
      let n = bytes[off...].withUnsafeBufferPointer { write(output, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      off += n
    }
  }
}
