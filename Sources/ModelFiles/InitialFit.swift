import HMM
import Yams

extension SystemReader {
  /// Checks that the initial contents can be built the way `HMMModel`
  /// builds them: pages are taken in page order from `ram_pages` and from
  /// each device's pool, each is charged to the memcg, and device memory
  /// only ever holds private anonymous pages (migrate_vma moves nothing
  /// else). `HMMModel` checks the same but cannot say which line is wrong.
  static func checkInitialFits(
    _ entries: [InitialEntry], vmas: [VMAConfig], devices: [DeviceConfig], ramPages: Int,
    memcgLimit: Int, memcgLimitNode: Node?, zeroPage: Bool
  ) throws {
    var ramUsed = 0
    var poolUsed = [Int](repeating: 0, count: devices.count)
    for entry in entries {
      let text = entry.node.string ?? ""
      switch entry.content {
      case .none:
        break
      case .zero:
        guard zeroPage else {
          throw Diagnostic(
            at: entry.node,
            "page \(entry.page) starts as the zero page, but variant.zero_page is false")
        }
      case .ram:
        ramUsed += 1
        guard ramUsed <= ramPages else {
          throw Diagnostic(
            at: entry.node,
            "page \(entry.page) needs a RAM page for '\(text)', but the initial contents "
              + "already use all ram_pages = \(ramPages)")
        }
      case .device(let device, _):
        poolUsed[device] += 1
        guard poolUsed[device] <= devices[device].poolPages else {
          throw Diagnostic(
            at: entry.node,
            "page \(entry.page) needs a page of device '\(devices[device].name)' for '\(text)', "
              + "but the initial contents already use all of its pool = \(devices[device].poolPages)"
          )
        }
        let vma = vmas.first { ($0.first...$0.last).contains(entry.page) }
        guard vma?.kind == .privateAnon else {
          throw Diagnostic(
            at: entry.node,
            "page \(entry.page) is in a \(vma?.kind.rawValue ?? "missing") VMA: only private_anon "
              + "memory can be in device memory")
        }
      }
    }
    let charged = ramUsed + poolUsed.reduce(0, +)
    if charged > memcgLimit, let memcgLimitNode {
      throw Diagnostic(
        at: memcgLimitNode,
        "system.memcg_limit = \(memcgLimit) is below the \(charged) pages the initial contents charge"
      )
    }
  }
}
