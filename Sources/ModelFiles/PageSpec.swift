import HMM
import Yams

/// Pages as written in a model file: a single page `A` (an integer) or an
/// inclusive range `A-B` (a string, quoted or not), checked against the system's
/// page count so every page a model names exists.
enum PageSpec {
  /// A page or a range, as a `PageRange` (a single page is `A-A`).
  static func range(_ node: Node, _ what: String, pages: Int) throws -> PageRange {
    // Quoting is allowed: a range is a string anyway.
    guard case .scalar(let scalar) = node, !node.isNull else {
      throw Diagnostic(
        at: node, "expected a page or a page range 'A-B' for \(what), found \(node.found)")
    }
    let text = scalar.string
    let range: PageRange
    if let page = parseDecimal(text) {
      range = PageRange(page, page)
    } else {
      let parts = text.split(separator: "-", omittingEmptySubsequences: false)
      guard parts.count == 2,
        let first = unsignedDecimal(parts[0]),
        let last = unsignedDecimal(parts[1])
      else {
        throw Diagnostic(
          at: node, "bad page range '\(text)' for \(what) (expected a page 'A' or a range 'A-B')")
      }
      guard first <= last else {
        throw Diagnostic(
          at: node,
          "page range '\(text)' for \(what) is reversed: first page \(first) > last page \(last)")
      }
      range = PageRange(first, last)
    }
    try check(range, node, what, pages: pages)
    return range
  }

  /// A single page (an integer): operations that touch one page take no range.
  static func page(_ node: Node, _ what: String, pages: Int) throws -> Int {
    guard let text = node.plainText, let page = parseDecimal(text) else {
      throw Diagnostic(at: node, "expected a page number for \(what), found \(node.found)")
    }
    try check(PageRange(page, page), node, what, pages: pages)
    return page
  }

  /// Every page of `range` must exist.
  static func check(_ range: PageRange, _ node: Node, _ what: String, pages: Int) throws {
    guard range.first < 0 || range.last >= pages else { return }
    let named =
      range.first == range.last ? "page \(range.first)" : "pages \(range.first)-\(range.last)"
    throw Diagnostic(
      at: node, "\(named) for \(what) out of range: \(systemPages(pages))")
  }

  /// "the system has 2 pages (0-1)", for out-of-range messages.
  static func systemPages(_ pages: Int) -> String {
    pages == 1 ? "the system has 1 page (0)" : "the system has \(pages) pages (0-\(pages - 1))"
  }
}

/// Digits only (spaces around them allowed: `0 - 1`), as an Int.
private func unsignedDecimal(_ part: Substring) -> Int? {
  let digits = part.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
  guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
  return Int(String(digits))
}
