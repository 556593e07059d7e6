import Testing

@testable import HMMCheckCLI

/// The line editor's keys, without a terminal.
@Suite struct LineEditorTests {
  /// Types `text` into `b` and returns the last outcome.
  @discardableResult
  static func type(_ b: inout LineBuffer, _ text: String) -> LineBuffer.Outcome {
    var last = LineBuffer.Outcome.editing
    for c in text { last = b.apply(.insert(c)) }
    return last
  }

  @Test func cursorMovesAndEdits() {
    var b = LineBuffer()
    Self.type(&b, "goto 3")
    #expect(b.text == "goto 3" && b.cursor == 6)
    _ = b.apply(.home)
    Self.type(&b, "x")
    #expect(b.text == "xgoto 3" && b.cursor == 1)
    _ = b.apply(.end)
    _ = b.apply(.left)
    _ = b.apply(.backspace)
    #expect(b.text == "xgoto3" && b.cursor == 5)
    _ = b.apply(.right)
    _ = b.apply(.right)
    #expect(b.cursor == 6, "right stops at the end")
    _ = b.apply(.home)
    _ = b.apply(.delete)
    #expect(b.text == "goto3")
    _ = b.apply(.left)
    #expect(b.cursor == 0, "left stops at the start")
    #expect(b.apply(.enter) == .line("goto3"))
    #expect(b.text.isEmpty && b.cursor == 0)
  }

  @Test func killCommands() {
    var b = LineBuffer()
    Self.type(&b, "why  mutex_lock")
    _ = b.apply(.killWord)
    #expect(b.text == "why  ")
    _ = b.apply(.killWord)
    #expect(b.text == "")
    Self.type(&b, "save trace.json")
    for _ in 0..<5 { _ = b.apply(.left) }
    _ = b.apply(.killToEnd)
    #expect(b.text == "save trace" && b.cursor == 10)
    _ = b.apply(.left)
    _ = b.apply(.killToStart)
    #expect(b.text == "e" && b.cursor == 0)
  }

  @Test func historyUpAndDownKeepsTheDraft() {
    var b = LineBuffer()
    Self.type(&b, "1")
    _ = b.apply(.enter)
    Self.type(&b, "why")
    _ = b.apply(.enter)
    Self.type(&b, "why")
    _ = b.apply(.enter)  // a repeat is remembered once
    #expect(b.history == ["1", "why"])
    Self.type(&b, "dra")
    _ = b.apply(.up)
    #expect(b.text == "why")
    _ = b.apply(.up)
    #expect(b.text == "1")
    _ = b.apply(.up)
    #expect(b.text == "1", "up stops at the oldest line")
    _ = b.apply(.down)
    _ = b.apply(.down)
    #expect(b.text == "dra", "down past the newest line restores the draft")
    _ = b.apply(.up)
    #expect(b.apply(.enter) == .line("why"))
    _ = b.apply(.enter)
    #expect(b.history == ["1", "why"], "blank lines are not remembered")
  }

  @Test func ctrlCClearsAndCtrlDEnds() {
    var b = LineBuffer()
    Self.type(&b, "find device")
    #expect(b.apply(.interrupt) == .interrupted)
    #expect(b.text.isEmpty)
    Self.type(&b, "ab")
    _ = b.apply(.home)
    #expect(b.apply(.eof) == .editing, "Ctrl-D on a non-empty line deletes")
    #expect(b.text == "b")
    _ = b.apply(.backspace)
    _ = b.apply(.delete)
    #expect(b.apply(.eof) == .endOfInput)
  }

  @Test func decoderReadsControlsEscapesAndUTF8() {
    var d = KeyDecoder()
    func keys(_ bytes: [UInt8]) -> [EditKey] { bytes.compactMap { d.feed($0) } }
    #expect(
      keys([0x01, 0x05, 0x15, 0x0B, 0x17, 0x03, 0x04, 0x7F, 0x0D]) == [
        .home, .end, .killToStart, .killToEnd, .killWord, .interrupt, .eof, .backspace, .enter,
      ])
    #expect(
      keys(Array("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D\u{1B}[H\u{1B}[F\u{1B}OH\u{1B}[3~\u{1B}[1~\u{1B}[4~".utf8)) == [
        .up, .down, .right, .left, .home, .end, .home, .delete, .home, .end,
      ])
    #expect(keys(Array("a→é".utf8)) == [.insert("a"), .insert("→"), .insert("é")])
    #expect(keys([0x1B, UInt8(ascii: "x")]) == [.insert("x")], "a lone Escape is dropped")
    #expect(keys(Array("\u{1B}[1;5C".utf8)) == [.right], "modifiers are ignored")
  }
}
