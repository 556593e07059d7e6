import Foundation
import HMM
import ModelFiles
import Testing

/// `Docs/model-format.md` is the format's reference; its examples must
/// parse, or the reference is wrong.
@Suite struct DocsTests {
  /// The repository root, found from this file (through the symlink a
  /// scratch package may use).
  static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The YAML code blocks of the format reference, in order.
  static func yamlBlocks() throws -> [String] {
    let doc = try String(
      contentsOf: root.appendingPathComponent("Docs/model-format.md"), encoding: .utf8)
    var blocks: [String] = []
    var current: [Substring]?
    for line in doc.split(separator: "\n", omittingEmptySubsequences: false) {
      if current == nil, line == "```yaml" {
        current = []
      } else if current != nil, line == "```" {
        blocks.append(current!.joined(separator: "\n") + "\n")
        current = nil
      } else {
        current?.append(line)
      }
    }
    return blocks
  }

  @Test func annotatedExampleParses() throws {
    let example = try #require(try Self.yamlBlocks().first)
    let config = try ModelLoader.parse(
      text: example, file: "Models/mirror_vs_munmap.yaml", isKnownProperty: { _ in true }
    ).config
    #expect(config.name == "mirror_vs_munmap")
    #expect(config.system.memcgLimit == 5)
    #expect(config.system.initial == [.ram(writable: true), .device(0, writable: true)])
    #expect(config.variant.bugs == [.readRetryUnlocked])
    #expect(config.threads.map(\.device) == [0, nil])
    #expect(
      config.threads[1].program == [
        .choice([[.munmap(PageRange(1, 1))], [.mprotect(PageRange(0, 1), .read), .cpuRead(0)]]),
        .exit,
      ])
    #expect(config.expect == .violation("no_stale_device_mapping"))
  }

  @Test func blockStyleChoiceExampleParses() throws {
    let blocks = try Self.yamlBlocks()
    try #require(blocks.count >= 2)
    let text = """
      system: { pages: 2, ram_pages: 1 }
      threads:
        - name: cpu0
          program:
      \(blocks[1])properties: [hmm]
      """
    let program = try ModelLoader.parse(text: text, file: "x.yaml", isKnownProperty: { _ in true })
      .config.threads[0].program
    #expect(program == [.choice([[.munmap(PageRange(0, 0)), .cpuRead(1)], [.cpuWrite(0)]])])
  }
}
