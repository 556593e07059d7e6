import Foundation
import HMM
import ModelFiles
import Testing

@Suite struct ModelLoaderTests {
  @Test func fullFileRoundTripsToExpectedConfig() throws {
    let loaded = try parse(fullModel)
    #expect(loaded.config == fullConfig)
    #expect(loaded.file == "Models/test.yaml")
    #expect(loaded.text == fullModel)
  }

  @Test func omittedKeysTakeTheirDefaults() throws {
    let config = try parse(minimal).config
    #expect(config.name == "test")  // the file stem
    #expect(config.description == "")
    #expect(config.variant == Variant())
    #expect(config.expect == .pass)
    #expect(config.expectUnfired == [])
    #expect(config.system.devices == [])
    #expect(
      config.system.vmas == [VMAConfig(first: 0, last: 1, kind: .privateAnon, prot: .readWrite)])
    #expect(config.system.initial == [.none, .none])
    #expect(config.threads == [ThreadConfig(name: "cpu0", device: nil, program: [.cpuRead(0)])])
  }

  @Test func defaultMemcgLimitCoversRAMAndEveryDevicePool() throws {
    let text = minimal(
      replacingLine: 3,
      with: """
          ram_pages: 3
          devices:
            - { name: gpu0, pool: 2 }
            - { name: gpu1, pool: 4, kind: coherent }
        """)
    let system = try parse(text).config.system
    #expect(system.memcgLimit == 3 + 2 + 4)
    #expect(
      system.devices == [
        DeviceConfig(name: "gpu0", kind: .private, poolPages: 2),
        DeviceConfig(name: "gpu1", kind: .coherent, poolPages: 4),
      ])
  }

  @Test func partialVariantKeepsOtherDefaults() throws {
    let text = minimal + "variant:\n  bugs: [migrate_ignores_pins]\n  zero_page: false\n"
    var expected = Variant()
    expected.bugs = [.migrateIgnoresPins]
    expected.zeroPage = false
    #expect(try parse(text).config.variant == expected)
  }

  @Test func explicitEmptyVMAListMeansNoVMAs() throws {
    let text = minimal(replacingLine: 3, with: "  ram_pages: 3\n  vmas: []")
    #expect(try parse(text).config.system.vmas == [])
  }

  @Test func vmaKindAndProtDefault() throws {
    let text = minimal(replacingLine: 3, with: "  ram_pages: 3\n  vmas: [{ pages: 1 }]")
    #expect(
      try parse(text).config.system.vmas == [
        VMAConfig(first: 1, last: 1, kind: .privateAnon, prot: .readWrite)
      ])
  }

  @Test func initialContentMayBeOnACoherentDevice() throws {
    let text = minimal(
      replacingLine: 3,
      with:
        "  ram_pages: 3\n  devices: [{ name: cxl, kind: coherent, pool: 1 }]\n  initial: { 1: cxl:ro }"
    )
    #expect(try parse(text).config.system.initial == [.none, .device(0, writable: false)])
  }

  @Test func expectationForms() throws {
    #expect(try parse(minimal + "expect: pass\n").config.expect == .pass)
    #expect(try parse(minimal + "expect: deadlock\n").config.expect == .deadlock)
    #expect(
      try parse(minimal + "expect:\n  violation: no_memcg_overcharge\n").config.expect
        == .violation("no_memcg_overcharge"))
  }

  @Test func pageRangeSpellings() throws {
    let text = minimal(
      replacingLine: 7,
      with: "        - munmap: \"0 - 1\"\n        - munmap: 1\n        - munmap: 0-0")
    #expect(
      try parse(text).config.threads[0].program == [
        .munmap(PageRange(0, 1)), .munmap(PageRange(1, 1)), .munmap(PageRange(0, 0)),
      ])
  }

  @Test func mirrorShorthandAndDefaultWrite() throws {
    let text = """
      system: { pages: 2, ram_pages: 0, devices: [{ name: gpu0, pool: 1 }] }
      threads:
        - name: gpu0_mirror
          device: gpu0
          program: [mirror: 0-1, mirror: { pages: 1 }]
      properties: [hmm]
      """
    #expect(
      try parse(text).config.threads[0]
        == ThreadConfig(
          name: "gpu0_mirror", device: 0,
          program: [.mirror(PageRange(0, 1), write: false), .mirror(PageRange(1, 1), write: false)])
    )
  }

  @Test func nameDefaultsToTheFileStem() throws {
    let loaded = try ModelLoader.parse(
      text: minimal, file: "a/b/mirror_vs_munmap.yaml", isKnownProperty: isKnown)
    #expect(loaded.config.name == "mirror_vs_munmap")
    let stem = { (file: String) in
      try ModelLoader.parse(text: minimal, file: file, isKnownProperty: isKnown).config.name
    }
    #expect(try stem("plain") == "plain")
    #expect(try stem(".hidden") == ".hidden")
    #expect(try stem("dir.d/x.y.yaml") == "x.y")
  }

  @Test func loadReadsTheFileAndHashesItsBytes() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("modelfiles-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("full.yaml").path
    try Data(fullModel.utf8).write(to: URL(fileURLWithPath: path))

    let loaded = try ModelLoader.load(path: path, isKnownProperty: isKnown)
    var expected = fullConfig
    expected.name = "mirror_vs_munmap"
    #expect(loaded.config == expected)
    #expect(loaded.file == path)
    #expect(loaded.text == fullModel)
    // Same bytes, same hash, whichever entry point read them.
    #expect(loaded.sourceHash == (try parse(fullModel)).sourceHash)
    #expect(loaded.sourceHash != (try parse(fullModel + "# edited\n")).sourceHash)
  }

  @Test func errorDescriptionIsCompilerStyle() {
    let error = ModelFileError(file: "Models/x.yaml", line: 3, column: 7, message: "boom")
    #expect(error.description == "Models/x.yaml:3:7: error: boom")
  }
}
