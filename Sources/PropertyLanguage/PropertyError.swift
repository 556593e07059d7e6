import CheckerCore

/// A problem in a `.hmmprop` file, pinned to the character that caused it.
/// Every stage (lexer, parser, type checker, lowering) reports through it.
public typealias PropertyError = InputError

extension InputError {
  init(file: String, at location: SourceLocation, _ message: String) {
    self.init(file: file, line: location.line, column: location.column, message: message)
  }
}

/// "Did you mean" hints: a misspelt `pte.knd` should point at `pte.kind`
/// rather than leave the user grepping the schema.
enum Suggest {
  /// The candidate closest to `name` by edit distance, if close enough to be
  /// a plausible typo.
  static func closest(to name: String, in candidates: [String]) -> String? {
    let target = Array(name.lowercased())
    var best: (String, Int)?
    for c in candidates where c != name {
      let d = distance(target, Array(c.lowercased()))
      if best == nil || d < best!.1 { best = (c, d) }
    }
    guard let (c, d) = best else { return nil }
    let limit = max(2, min(target.count, c.count) / 3)
    return d <= limit ? c : nil
  }

  /// `; did you mean 'x'?` or nothing.
  static func hint(for name: String, in candidates: [String]) -> String {
    closest(to: name, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
  }

  /// Levenshtein distance.
  static func distance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = prev
    for i in 1...a.count {
      cur[0] = i
      for j in 1...b.count {
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&prev, &cur)
    }
    return prev[b.count]
  }
}
