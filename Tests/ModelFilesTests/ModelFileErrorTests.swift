import Foundation
import ModelFiles
import Testing

/// Each class of mistake, with the exact line and column it is reported at.
/// Line numbers refer to `minimal` (see Support.swift) after the edit.
@Suite struct ModelFileErrorTests {
  // MARK: - YAML itself

  @Test func syntaxErrorAtYamsMark() {
    // An unclosed flow sequence: libyaml notices at the end of the input.
    expectError(
      minimal(replacingLine: 8, with: "properties: [no_stale_device_mapping"),
      line: 9, column: 1, "YAML syntax error: did not find expected ',' or ']'")
    // A tab where indentation is expected.
    expectError(
      minimal(replacingLine: 3, with: "\tram_pages: 3"),
      line: 3, column: 1, "YAML syntax error")
  }

  @Test func duplicateKeyPointsAtTheRepeat() {
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 3\n  pages: 1"),
      line: 4, column: 3, "duplicate key 'pages' (first at line 2)")
    expectError(
      minimal(replacingLine: 7, with: "        - mprotect: { pages: 0, prot: read, pages: 1 }"),
      line: 7, column: 45, "duplicate key 'pages'")
    // Quoted or not, a key is the same key.
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 3\n  \"pages\": 1"),
      line: 4, column: 3, "duplicate key 'pages' (first at line 2)")
  }

  @Test func emptyFileAndNonMappingRoot() {
    expectError("", line: 1, column: 1, "the model file is empty")
    expectError("# nothing\n", line: 1, column: 1, "the model file is empty")
    expectError(
      "- a\n- b\n", line: 1, column: 1, "expected a mapping at the top level, found a list")
  }

  // MARK: - Keys

  @Test func unknownKeySuggestsTheClosest() {
    guard
      let error = parseError(minimal(replacingLine: 2, with: "  pagse: 2"))
    else { return }
    #expect(error.line == 2 && error.column == 3)
    #expect(error.message == "unknown key 'pagse' in system (did you mean 'pages'?)")
  }

  @Test func unknownKeysAtEveryLevel() {
    expectError(
      minimal + "propertes: [hmm]\n", line: 9, column: 1,
      "unknown key 'propertes' at the top level (did you mean 'properties'?)")
    expectError(
      minimal(replacingLine: 5, with: "  - name: cpu0\n    devise: gpu0"), line: 6, column: 5,
      "unknown key 'devise' in threads[0] (did you mean 'device'?)")
    expectError(
      minimal + "variant:\n  frobnicate: true\n", line: 10, column: 3,
      "unknown key 'frobnicate' in variant")
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 3\n  vmas: [{ pages: 0, knd: file }]"),
      line: 4, column: 22, "unknown key 'knd' in system.vmas[0] (did you mean 'kind'?)")
    // No suggestion when nothing is close.
    guard let error = parseError(minimal + "zzzzzzzz: 1\n") else { return }
    #expect(error.message == "unknown key 'zzzzzzzz' at the top level")
  }

  @Test func missingRequiredKeyIsReportedAtTheParentMapping() {
    // Line 2 removed: the `system` mapping now starts at ram_pages (2:3).
    expectError(
      minimal(replacingLines: 2...3, with: "  ram_pages: 3"),
      line: 2, column: 3, "missing required key 'pages' in system")
    expectError(
      minimal(replacingLine: 7, with: "        - mprotect: { pages: 0 }"),
      line: 7, column: 21, "missing required key 'prot' in 'mprotect' in thread 'cpu0'")
    expectError(
      "system: { pages: 1, ram_pages: 0 }\nproperties: [hmm]\n", line: 1, column: 1,
      "missing required key 'threads' at the top level")
  }

  @Test func wrongNodeKinds() {
    expectError(
      "system: 3\n", line: 1, column: 9, "expected a mapping for system, found '3'")
    expectError(
      minimal(replacingLine: 2, with: "  pages: two"), line: 2, column: 10,
      "expected an integer for system.pages, found 'two'")
    expectError(
      minimal(replacingLine: 2, with: "  pages: \"2\""), line: 2, column: 10,
      "expected an integer for system.pages, found the quoted string \"2\"")
    expectError(
      minimal(replacingLine: 2, with: "  pages:"), line: 2, column: 9,
      "expected an integer for system.pages, found an empty value")
    expectError(
      minimal(replacingLine: 8, with: "properties: hmm"), line: 8, column: 13,
      "expected a list for properties, found 'hmm'")
    expectError(
      minimal + "variant: { zero_page: no }\n", line: 9, column: 23,
      "expected true or false for variant.zero_page, found 'no'")
  }

  // MARK: - Sizes and pages

  @Test func outOfRangeSizesGiveTheAllowedRange() {
    guard let error = parseError(minimal(replacingLine: 2, with: "  pages: 9")) else { return }
    #expect(error.line == 2 && error.column == 10)
    #expect(error.message == "system.pages must be in 1...8, got 9")
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 17"), line: 3, column: 14,
      "system.ram_pages must be in 0...16, got 17")
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 3\n  memcg_limit: -1"), line: 4, column: 16,
      "system.memcg_limit must be in 0...32, got -1")
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 3\n  devices: [{ name: gpu0, pool: 5 }]"),
      line: 4, column: 33, "system.devices[0].pool must be in 0...4, got 5")
  }

  @Test func tooManyDevicesOrThreads() {
    expectError(
      minimal(
        replacingLine: 3,
        with:
          "  ram_pages: 3\n  devices: [{name: a, pool: 1}, {name: b, pool: 1}, {name: c, pool: 1}, {name: d, pool: 1}]"
      ),
      line: 4, column: 12, "system.devices has 4 devices; at most 3 are allowed")
    expectError(
      minimal(replacingLines: 4...7, with: "threads: []"),
      line: 4, column: 10, "threads must have 1...16 entries, got 0")
    let seventeen = (0..<17).map { "  - { name: t\($0), program: [exit] }" }.joined(separator: "\n")
    expectError(
      "system: { pages: 1, ram_pages: 0 }\nthreads:\n\(seventeen)\nproperties: [hmm]\n",
      line: 3, column: 3, "threads must have 1...16 entries, got 17")
  }

  @Test func badPageRanges() {
    guard let error = parseError(minimal(replacingLine: 7, with: "        - munmap: 1-0")) else {
      return
    }
    #expect(error.line == 7 && error.column == 19)
    #expect(
      error.message
        == "page range '1-0' for 'munmap' in thread 'cpu0' is reversed: first page 1 > last page 0")
    expectError(
      minimal(replacingLine: 7, with: "        - munmap: 0-x"), line: 7, column: 19,
      "bad page range '0-x' for 'munmap' in thread 'cpu0' (expected a page 'A' or a range 'A-B')")
    expectError(
      minimal(replacingLine: 7, with: "        - munmap: 0-"), line: 7, column: 19,
      "bad page range '0-'")
    expectError(
      minimal(replacingLine: 7, with: "        - munmap: [0, 1]"), line: 7, column: 19,
      "expected a page or a page range 'A-B' for 'munmap' in thread 'cpu0', found a list")
    expectError(
      minimal(replacingLine: 7, with: "        - cpu_read: 0-1"), line: 7, column: 21,
      "expected a page number for 'cpu_read' in thread 'cpu0', found '0-1'")
  }

  @Test func pagesOutsideTheSystem() {
    guard let error = parseError(minimal(replacingLine: 7, with: "        - cpu_write: 2")) else {
      return
    }
    #expect(error.line == 7 && error.column == 22)
    #expect(
      error.message
        == "page 2 for 'cpu_write' in thread 'cpu0' out of range: the system has 2 pages (0-1)")
    expectError(
      minimal(replacingLine: 7, with: "        - gup_pin: -1"), line: 7, column: 20,
      "page -1 for 'gup_pin'")
    expectError(
      minimal(replacingLine: 7, with: "        - mprotect: { pages: 1-3, prot: none }"), line: 7,
      column: 30,
      "pages 1-3 for 'pages' of 'mprotect' in thread 'cpu0' out of range")
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 3\n  initial: { 2: ram_rw }"), line: 4,
      column: 14,
      "page 2 for system.initial out of range: the system has 2 pages (0-1)")
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 3\n  vmas: [{ pages: 0-2 }]"), line: 4,
      column: 19,
      "pages 0-2 for system.vmas[0].pages out of range")
    // A device operation past the end.
    let device = """
      system: { pages: 1, ram_pages: 0, devices: [{ name: gpu0, pool: 1 }] }
      threads:
        - { name: g, device: gpu0, program: [migrate_to_device: 0-1] }
      properties: [hmm]
      """
    expectError(
      device, line: 3, column: 59,
      "pages 0-1 for 'migrate_to_device' in thread 'g' out of range: the system has 1 page (0)")
  }

  @Test func overlappingVMAs() {
    expectError(
      minimal(
        replacingLine: 3,
        with: "  ram_pages: 3\n  vmas:\n    - pages: 0-1\n    - pages: 1\n      kind: file"),
      line: 6, column: 14, "VMA over page 1 overlaps the VMA over pages 0-1 (system.vmas[0])")
  }

  // MARK: - Names

  @Test func unknownEnumValuesListTheAllowedOnes() {
    guard let error = parseError(minimal + "variant:\n  era: interval_notifer\n") else { return }
    #expect(error.line == 10 && error.column == 8)
    #expect(
      error.message
        == "unknown value 'interval_notifer' for variant.era (expected one of: interval_notifier, "
        + "hmm_mirror_2017, valid_flag_2019) (did you mean 'interval_notifier'?)")
    expectError(
      minimal + "variant: { memcg: v6.8 }\n", line: 9, column: 19,
      "unknown value 'v6.8' for variant.memcg (expected one of: v6.7, pre_v6.7)")
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 3\n  vmas: [{ pages: 0, prot: write }]"),
      line: 4, column: 28, "for system.vmas[0].prot (expected one of: none, read, read_write)")
    expectError(
      minimal(
        replacingLine: 3, with: "  ram_pages: 3\n  devices: [{ name: g, pool: 1, kind: public }]"),
      line: 4, column: 39, "(expected one of: private, coherent)")
    expectError(
      minimal + "expect: fail\n", line: 9, column: 9,
      "unknown value 'fail' for expect (expected one of: pass, deadlock, { violation: PROPERTY })")
  }

  @Test func unknownAndRepeatedBugs() {
    expectError(
      minimal + "variant:\n  bugs: [skip_set_seq, skip_setseq]\n", line: 10, column: 24,
      "unknown bug 'skip_setseq' for variant.bugs (expected one of: read_retry_unlocked, skip_set_seq,"
    )
    expectError(
      minimal + "variant:\n  bugs: [skip_set_seq, skip_set_seq]\n", line: 10, column: 24,
      "bug 'skip_set_seq' is listed twice in variant.bugs")
  }

  @Test func unknownPropertySuite() {
    guard
      let error = parseError(minimal(replacingLine: 8, with: "properties: [hmm, no_such]"))
    else { return }
    #expect(error.line == 8 && error.column == 19)
    #expect(error.message == "unknown property suite 'no_such' (see Properties/)")
    expectError(
      minimal + "expect:\n  violation: no_such_property\n", line: 10, column: 14,
      "unknown property 'no_such_property' (see Properties/)")
    expectError(
      minimal(replacingLine: 8, with: "properties: []"), line: 8, column: 13, "properties is empty")
    expectError(
      minimal(replacingLine: 8, with: "properties: [hmm, hmm]"), line: 8, column: 19,
      "property suite 'hmm' is listed twice")
  }

  @Test func unknownDevices() {
    expectError(
      minimal(replacingLine: 5, with: "  - name: cpu0\n    device: gpu0"), line: 6, column: 13,
      "unknown device 'gpu0' for thread 'cpu0' (no devices are declared)")
    guard
      let error = parseError(
        minimal(
          replacingLine: 3,
          with:
            "  ram_pages: 3\n  devices: [{ name: gpu0, pool: 1, kind: coherent }]\n  initial:\n    1: \"gpu1:rw\"\n    0: \"gpu0:rw\""
        ))
    else { return }
    #expect(error.line == 6 && error.column == 8)
    #expect(
      error.message
        == "unknown device 'gpu1' in initial content 'gpu1:rw' for page 1 in system.initial (devices: gpu0)"
    )
  }

  @Test func badInitialContent() {
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 3\n  initial: { 0: ram }"), line: 4, column: 17,
      "unknown initial content 'ram' for page 0 in system.initial")
    expectError(
      minimal(
        replacingLine: 3,
        with: "  ram_pages: 3\n  devices: [{ name: gpu0, pool: 1 }]\n  initial: { 0: gpu0:rx }"),
      line: 5, column: 17, "bad access 'rx' in initial content 'gpu0:rx'")
    expectError(
      minimal(
        replacingLine: 3, with: "  ram_pages: 3\n  vmas: [{ pages: 0 }]\n  initial: { 1: ram_ro }"),
      line: 5, column: 17, "page 1 has initial content 'ram_ro' but no VMA covers it")
    expectError(
      minimal(replacingLine: 3, with: "  ram_pages: 3\n  initial: { 0: ram_ro, 00: zero }"),
      line: 4, column: 25, "page 0 is given twice in system.initial")
  }

  @Test func initialContentsMustFitTheSystem() {
    let system = { (lines: String) in minimal(replacingLine: 3, with: lines) }
    expectError(
      system("  ram_pages: 1\n  initial:\n    1: ram_rw\n    0: ram_ro"), line: 5, column: 8,
      "page 1 needs a RAM page for 'ram_rw', but the initial contents already use all ram_pages = 1"
    )
    expectError(
      system(
        "  ram_pages: 3\n  devices: [{ name: gpu0, pool: 1 }]\n  initial: { 0: gpu0:rw, 1: gpu0:ro }"
      ),
      line: 5, column: 29,
      "page 1 needs a page of device 'gpu0' for 'gpu0:ro', but the initial contents already use all of its pool = 1"
    )
    expectError(
      system(
        "  ram_pages: 3\n  devices: [{ name: gpu0, pool: 1 }]\n  vmas: [{ pages: 0-1, kind: shared_anon }]\n  initial: { 1: gpu0:rw }"
      ),
      line: 6, column: 17,
      "page 1 is in a shared_anon VMA: only private_anon memory can be in device memory")
    expectError(
      system("  ram_pages: 3\n  memcg_limit: 1\n  initial: { 0: ram_rw, 1: ram_rw }"), line: 4,
      column: 16, "system.memcg_limit = 1 is below the 2 pages the initial contents charge")
    expectError(
      system("  ram_pages: 3\n  initial: { 1: zero }") + "variant: { zero_page: false }\n", line: 4,
      column: 17, "page 1 starts as the zero page, but variant.zero_page is false")
  }

  @Test func duplicateNames() {
    expectError(
      minimal(replacingLine: 7, with: "        - cpu_read: 0\n  - name: cpu0\n    program: [exit]"),
      line: 8, column: 11, "duplicate thread name 'cpu0' (first at line 5)")
    expectError(
      minimal(
        replacingLine: 3,
        with:
          "  ram_pages: 3\n  devices:\n    - { name: gpu0, pool: 1 }\n    - { name: gpu0, pool: 2 }"
      ),
      line: 6, column: 15, "duplicate device name 'gpu0' (first at line 5)")
    expectError(
      minimal(replacingLine: 5, with: "  - name: \"cpu 0\""), line: 5, column: 11,
      "bad name 'cpu 0' for threads[0].name")
  }

  // MARK: - Programs

  @Test func deviceOperationInCPUThread() {
    guard let error = parseError(minimal(replacingLine: 7, with: "        - mirror: 0")) else {
      return
    }
    #expect(error.line == 7 && error.column == 11)
    #expect(
      error.message
        == "device operation 'mirror' in CPU thread 'cpu0' (only a thread with 'device:' runs "
        + "mirror, device_read, device_write, migrate_to_device, migrate_to_system, snapshot, release)")
    // Also inside a choice.
    expectError(
      minimal(replacingLine: 7, with: "        - choice: [[exit], [device_read: 0]]"), line: 7,
      column: 29,
      "device operation 'device_read' in CPU thread 'cpu0'")
  }

  /// snapshot, release, after and assertions: each mistake at its node.
  @Test func snapshotReleaseAfterAndAssertions() {
    let device = """
      system: { pages: 2, ram_pages: 1, devices: [{ name: gpu0, pool: 1 }] }
      threads:
        - name: gpu0_test
          device: gpu0
          program:
            - snapshot: 0-1
            - release
        - name: cpu0
          program:
            - after: gpu0_test
            - cpu_read: 0
      properties: [hmm]
      """
    #expect((try? parse(device)) != nil)
    func edit(_ line: Int, _ text: String) -> String {
      var all = device.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      all[line - 1] = text
      return all.joined(separator: "\n")
    }
    expectError(edit(6, "      - snapshot: 0-2"), line: 6, column: 19, "pages 0-2 for 'snapshot' in thread 'gpu0_test' out of range")
    expectError(edit(7, "      - release: 0"), line: 7, column: 9, "'release' takes no argument (write '- release')")
    expectError(edit(7, "      - snapshot"), line: 7, column: 9, "operation 'snapshot' in thread 'gpu0_test' needs an argument")
    expectError(edit(11, "      - after: gpu9_test"), line: 11, column: 16, "unknown thread 'gpu9_test'")
    expectError(edit(11, "      - after: cpu0"), line: 11, column: 16, "thread 'cpu0' cannot wait for itself")
    expectError(edit(12, "      - snapshot: 0"), line: 12, column: 9, "device operation 'snapshot' in CPU thread 'cpu0'")
    // Assertions keep the model file's line and column numbers (the
    // property compiler reports its errors there: CLITests).
    let withAssertions = device + "\nassertions: |\n  always ok: t.done[gpu0_test]\n  always bad: t.snap_result[gpu0_test][0] == sevn\n"
    let lines = (try? parse(withAssertions))?.config.assertions.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines?.count == 15)
    #expect(lines?[14] == "  always bad: t.snap_result[gpu0_test][0] == sevn")
    #expect(withAssertions.split(separator: "\n", omittingEmptySubsequences: false)[14] == lines?[14])
  }

  @Test func cpuOperationInDeviceThread() {
    let text = """
      system: { pages: 1, ram_pages: 0, devices: [{ name: gpu0, pool: 1 }] }
      threads:
        - name: gpu0_mirror
          device: gpu0
          program:
            - mirror: 0
            - cpu_write: 0
      properties: [hmm]
      """
    expectError(
      text, line: 7, column: 9, "CPU operation 'cpu_write' in device thread 'gpu0_mirror'")
    expectError(
      text.replacingOccurrences(of: "- cpu_write: 0", with: "- exit"), line: 7, column: 9,
      "CPU operation 'exit' in device thread 'gpu0_mirror'")
  }

  @Test func malformedOperations() {
    expectError(
      minimal(replacingLine: 7, with: "        - cpu_reed: 0"), line: 7, column: 11,
      "unknown operation 'cpu_reed' in thread 'cpu0' (did you mean 'cpu_read'?)")
    expectError(
      minimal(replacingLine: 7, with: "        - cpu_read"), line: 7, column: 11,
      "operation 'cpu_read' in thread 'cpu0' needs an argument")
    expectError(
      minimal(replacingLine: 7, with: "        - exit: 0"), line: 7, column: 11,
      "'exit' takes no argument (write '- exit')")
    expectError(
      minimal(replacingLine: 7, with: "        - cpu_read: 0\n          cpu_write: 1"), line: 8,
      column: 11,
      "an operation is a mapping with one key, but this one also has 'cpu_write'")
    expectError(
      minimal(replacingLine: 7, with: "        - [cpu_read: 0]"), line: 7, column: 11,
      "expected an operation in thread 'cpu0', found a list")
    expectError(
      minimal(replacingLines: 6...7, with: "    program: []"), line: 6, column: 14,
      "the program of thread 'cpu0' is empty")
    expectError(
      minimal(replacingLine: 7, with: "        - choice: [[exit]]"), line: 7, column: 19,
      "'choice' in thread 'cpu0' needs at least 2 alternatives, got 1")
    expectError(
      minimal(replacingLine: 7, with: "        - choice: [[exit], []]"), line: 7, column: 28,
      "alternative 2 of 'choice' in thread 'cpu0' is empty")
    expectError(
      minimal(replacingLine: 7, with: "        - mirror: { pages: 0, write: 1 }"), line: 7,
      column: 11,
      "device operation 'mirror'")
  }

  // MARK: - Reading files

  @Test func unreadableFileIsReportedAtLineOne() {
    let path = "/nonexistent/dir/model.yaml"
    #expect(
      throws: ModelFileError(
        file: path, line: 1, column: 1, message: "cannot read model file: no such file")
    ) {
      try ModelLoader.load(path: path, isKnownProperty: isKnown)
    }
    #expect(
      throws: ModelFileError(
        file: "/tmp", line: 1, column: 1, message: "cannot read model file: it is a directory")
    ) {
      try ModelLoader.load(path: "/tmp", isKnownProperty: isKnown)
    }
  }

  @Test func invalidUTF8IsPlaced() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("modelfiles-\(UUID().uuidString).yaml").path
    try Data(Array("a: 1\nb: ".utf8) + [0xFF]).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(
      throws: ModelFileError(
        file: path, line: 2, column: 4, message: "the model file is not valid UTF-8")
    ) {
      try ModelLoader.load(path: path, isKnownProperty: isKnown)
    }
  }
}
