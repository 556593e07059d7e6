/// Levenshtein distance, for "did you mean" suggestions on misspelt keys
/// and values.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.unicodeScalars)
  let b = Array(b.unicodeScalars)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
      current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}

/// The candidate closest to `word` if it is within edit distance 2 (the
/// first one on a tie, so the suggestion is deterministic).
func closest(to word: String, among candidates: [String]) -> String? {
  var best: (name: String, distance: Int)?
  for candidate in candidates {
    let d = editDistance(word, candidate)
    if d <= 2, d < (best?.distance ?? Int.max) { best = (candidate, d) }
  }
  return best?.name
}

/// " (did you mean 'x'?)" or "", ready to append to a message.
func suggestion(for word: String, among candidates: [String]) -> String {
  closest(to: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
}
