import HMM
import ModelFiles
import Testing

/// The property catalogue the tests pretend `Properties/` holds.
let knownProperties: Set<String> = [
  "no_stale_device_mapping", "no_memcg_overcharge", "mirror_coherence", "hmm",
]

func isKnown(_ name: String) -> Bool { knownProperties.contains(name) }

/// Parses `text` as `Models/test.yaml`.
func parse(_ text: String) throws -> LoadedModel {
  try ModelLoader.parse(text: text, file: "Models/test.yaml", isKnownProperty: isKnown)
}

/// The error `text` fails with, or nil (and a test issue) if it parses.
func parseError(
  _ text: String, sourceLocation: SourceLocation = #_sourceLocation
)
  -> ModelFileError?
{
  do {
    _ = try parse(text)
    Issue.record("expected a ModelFileError, but the model parsed", sourceLocation: sourceLocation)
  } catch let error as ModelFileError {
    return error
  } catch {
    Issue.record("expected a ModelFileError, got \(error)", sourceLocation: sourceLocation)
  }
  return nil
}

/// Expects `text` to fail at `line`:`column` with a message containing `message`.
func expectError(
  _ text: String, line: Int, column: Int, _ message: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard let error = parseError(text, sourceLocation: sourceLocation) else { return }
  #expect(error.file == "Models/test.yaml", sourceLocation: sourceLocation)
  #expect(
    (error.line, error.column) == (line, column), "\(error)", sourceLocation: sourceLocation)
  #expect(error.message.contains(message), "\(error)", sourceLocation: sourceLocation)
}

/// The smallest valid model: one CPU thread reading page 0 of two pages.
/// Error tests edit one line of it, so line numbers below refer to this layout.
let minimal = """
  system:
    pages: 2
    ram_pages: 3
  threads:
    - name: cpu0
      program:
        - cpu_read: 0
  properties: [no_stale_device_mapping]

  """

/// `minimal` with line `line` (1-based) replaced by `replacement` (which
/// may span several lines).
func minimal(replacingLine line: Int, with replacement: String) -> String {
  minimal(replacingLines: line...line, with: replacement)
}

/// `minimal` with lines `lines` (1-based) replaced by `replacement`.
func minimal(replacingLines lines: ClosedRange<Int>, with replacement: String) -> String {
  var all = minimal.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  all.replaceSubrange((lines.lowerBound - 1)...(lines.upperBound - 1), with: [replacement])
  return all.joined(separator: "\n")
}

/// A file that uses every key of the format, with non-default values.
let fullModel = """
  name: mirror_vs_munmap
  description: |
    A device mirrors two pages while the CPU unmaps one.
  system:
    pages: 3
    ram_pages: 3
    memcg_limit: 5
    vmas:
      - pages: 0-1
        kind: private_anon
        prot: read_write
      - pages: 2
        kind: file
        prot: read
    initial:
      0: ram_rw
      1: "gpu0:ro"
      2: ram_ro
    devices:
      - name: gpu0
        kind: private
        pool: 2
      - name: gpu1
        kind: coherent
        pool: 1
  variant:
    era: valid_flag_2019
    memcg: pre_v6.7
    swap_page_locking: trylock_spin
    own_migrate_filter: invalidate_before_copy
    driver_may_decline: true
    zero_page: false
    bugs: [read_retry_unlocked, skip_set_seq]
  threads:
    - name: gpu0_mirror
      device: gpu0
      program:
        - mirror: { pages: 0-1, write: true }
        - device_read: 0
        - device_write: 1
        - migrate_to_device: 0-1
        - migrate_to_system: 1
        - mirror: 2
    - name: gpu1-dma
      device: gpu1
      program:
        - device_read: 2
        - choice:
            - [ migrate_to_device: 0 ]
            - [ device_write: 0, migrate_to_system: 0-2 ]
    - name: cpu0
      program:
        - cpu_read: 0
        - cpu_write: 1
        - munmap: 1
        - mprotect: { pages: 0-1, prot: read }
        - gup_pin: 0
        - gup_write: 0
        - gup_unpin: 0
        - choice:
            - [ cpu_write: 0 ]
            - [ munmap: 0, cpu_read: 1 ]
            - - choice:
                  - [ exit ]
                  - [ cpu_read: 2 ]
        - exit
  properties: [no_stale_device_mapping, no_memcg_overcharge]
  expect: { violation: no_stale_device_mapping }
  expect_unfired: [migrate_vma_insert_page, do_swap_page]

  """

/// What `fullModel` must parse to.
let fullConfig = ModelConfig(
  name: "mirror_vs_munmap",
  description: "A device mirrors two pages while the CPU unmaps one.\n",
  system: SystemConfig(
    pages: 3,
    vmas: [
      VMAConfig(first: 0, last: 1, kind: .privateAnon, prot: .readWrite),
      VMAConfig(first: 2, last: 2, kind: .file, prot: .read),
    ],
    initial: [.ram(writable: true), .device(0, writable: false), .ram(writable: false)],
    ramPages: 3,
    devices: [
      DeviceConfig(name: "gpu0", kind: .private, poolPages: 2),
      DeviceConfig(name: "gpu1", kind: .coherent, poolPages: 1),
    ],
    memcgLimit: 5),
  variant: Variant(
    era: .validFlag2019, memcg: .preV6_7, swapPageLocking: .trylockSpin,
    ownMigrateFilter: .invalidateBeforeCopy, driverMayDecline: true, zeroPage: false,
    bugs: [.readRetryUnlocked, .skipSetSeq]),
  threads: [
    ThreadConfig(
      name: "gpu0_mirror", device: 0,
      program: [
        .mirror(PageRange(0, 1), write: true), .deviceRead(0), .deviceWrite(1),
        .migrateToDevice(PageRange(0, 1)), .migrateToSystem(PageRange(1, 1)),
        .mirror(PageRange(2, 2), write: false),
      ]),
    ThreadConfig(
      name: "gpu1-dma", device: 1,
      program: [
        .deviceRead(2),
        .choice([
          [.migrateToDevice(PageRange(0, 0))],
          [.deviceWrite(0), .migrateToSystem(PageRange(0, 2))],
        ]),
      ]),
    ThreadConfig(
      name: "cpu0", device: nil,
      program: [
        .cpuRead(0), .cpuWrite(1), .munmap(PageRange(1, 1)), .mprotect(PageRange(0, 1), .read),
        .gupPin(0), .gupWrite(0), .gupUnpin(0),
        .choice([
          [.cpuWrite(0)],
          [.munmap(PageRange(0, 0)), .cpuRead(1)],
          [.choice([[.exit], [.cpuRead(2)]])],
        ]),
        .exit,
      ]),
  ],
  properties: ["no_stale_device_mapping", "no_memcg_overcharge"],
  expect: .violation("no_stale_device_mapping"),
  expectUnfired: ["migrate_vma_insert_page", "do_swap_page"])
