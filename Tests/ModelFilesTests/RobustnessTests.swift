import ModelFiles
import Testing

/// Damaged model files must fail with a placed `ModelFileError`, never a
/// crash or another error type: an editor may feed the loader any buffer.
@Suite struct RobustnessTests {
  /// Parses `text`; records an issue unless it parses or fails with a
  /// `ModelFileError` whose position lies inside the text.
  func expectParsesOrFailsCleanly(_ text: String, _ label: @autoclosure () -> String) {
    do {
      _ = try parse(text)
    } catch let error as ModelFileError {
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
      #expect(
        error.line >= 1 && error.line <= lines + 1 && error.column >= 1,
        "\(label()): \(error) is outside the text")
      #expect(!error.message.isEmpty, "\(label())")
    } catch {
      Issue.record("\(label()): threw \(type(of: error)) instead of ModelFileError: \(error)")
    }
  }

  @Test func everyPrefixOfAValidFile() {
    let scalars = Array(fullModel.unicodeScalars)
    for length in 0...scalars.count {
      var prefix = String.UnicodeScalarView()
      prefix.append(contentsOf: scalars[..<length])
      expectParsesOrFailsCleanly(String(prefix), "prefix of length \(length)")
    }
  }

  @Test func everyLineDeleted() {
    let lines = fullModel.split(separator: "\n", omittingEmptySubsequences: false)
    for index in lines.indices {
      var edited = lines
      edited.remove(at: index)
      expectParsesOrFailsCleanly(edited.joined(separator: "\n"), "line \(index + 1) deleted")
    }
  }

  @Test(arguments: [" ", "-", ":", "{", "\t", "*", "\u{0}"])
  func everyCharacterReplaced(by replacement: String) {
    let scalars = Array(fullModel.unicodeScalars)
    for index in scalars.indices {
      var edited = String.UnicodeScalarView()
      edited.append(contentsOf: scalars[..<index])
      edited.append(contentsOf: replacement.unicodeScalars)
      edited.append(contentsOf: scalars[(index + 1)...])
      expectParsesOrFailsCleanly(
        String(edited), "character \(index) replaced by \(replacement.debugDescription)")
    }
  }

  @Test(arguments: [
    "", "~", "[]", "{}", "-1", "99999999999999999999999", "0-99999999999999999999", "x", "\"\"",
    "[[]]", "{ a: b }", "*undefined", "&a 1", "!!binary AAAA", "0x1", "1:30", "true",
  ])
  func oddValuesEverywhere(value: String) {
    // Put the odd value after every ':' of the full file in turn.
    let lines = fullModel.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for (index, line) in lines.enumerated() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      var edited = lines
      edited[index] = String(line[...colon]) + " " + value
      expectParsesOrFailsCleanly(
        edited.joined(separator: "\n"), "line \(index + 1) set to \(value)")
    }
  }

  @Test(arguments: [10, 330, 400])
  func deeplyNestedChoices(depth: Int) {
    // libyaml stops at 1000 nesting levels; each choice adds 3 (mapping,
    // alternatives, program), so 330 is just under its limit and 400 over.
    let open = String(repeating: "{choice: [[exit], [", count: depth)
    let close = String(repeating: "]]}", count: depth)
    let text =
      "system: { pages: 1, ram_pages: 1 }\nthreads:\n  - name: t\n    program: [\(open)exit\(close)]\nproperties: [hmm]\n"
    expectParsesOrFailsCleanly(text, "choices nested \(depth) deep")
  }

  @Test func aliasesAndMultipleDocuments() {
    expectParsesOrFailsCleanly(minimal + "---\nname: second\n", "two documents")
    // An anchor reused as a whole thread program is plain YAML and works.
    let text = """
      system: { pages: 1, ram_pages: 1 }
      threads:
        - { name: a, program: &p [cpu_read: 0, exit] }
        - { name: b, program: *p }
      properties: [hmm]
      """
    #expect(
      (try? parse(text))?.config.threads.map(\.program) == [
        [.cpuRead(0), .exit], [.cpuRead(0), .exit],
      ])
  }
}
