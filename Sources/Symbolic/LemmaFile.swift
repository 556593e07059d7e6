import CheckerCore

/// Mined lemmas as a property suite (`Properties/lemmas/<model>.hmmprop`):
/// one `always` per group of facts, named after what it is about, with a
/// legend of every program point the lemmas mention.
public enum LemmaFile {
  /// The suite name of a model's lemma file.
  public static func suiteName(model: String) -> String { "lemmas_" + identifier(model) }

  static func identifier(_ s: String) -> String {
    String(s.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
  }

  /// A group as a named lemma (text and Expr built from the same facts).
  public static func lemma(_ g: LemmaGroup, system: GuardedSystem) -> Lemma {
    let schema = system.schema
    func thread(_ pcSlot: Int) -> ThreadInfo { system.threads.first { $0.pcSlot == pcSlot }! }
    func label(_ pcSlot: Int, _ pc: Int) -> String {
      let t = thread(pcSlot)
      return "\(t.name) at \(pc): " + (pc < t.pcLabels.count ? t.pcLabels[pc] : "?")
    }
    let name: String
    var doc: [String] = []
    switch g.kind {
    case .values(let v):
      name = "values_" + identifier(schema.variables[v].name)
    case .counter(let x):
      name = "counter_" + identifier(schema.slotName(x))
    case .programPoint(let t, let pc):
      name = "at_\(identifier(thread(t).name))_\(pc)"
      doc.append(label(t, pc))
    case .programPoints(let t1, let p, let t2, let q):
      name = "at_\(identifier(thread(t1).name))_\(p)_\(identifier(thread(t2).name))_\(q)"
      doc.append(label(t1, p))
      doc.append(label(t2, q))
    case .whereThread(let t, let v):
      name = "where_\(identifier(thread(t).name))_by_\(identifier(schema.variables[v].name))"
    case .when(let x, let v):
      name = "when_" + identifier(schema.slotName(x)) + "_is_" + identifier(schema.format(slot: x, value: v))
    case .whenRelated(let x, let y, let equal):
      name = "when_" + identifier(schema.slotName(x)) + (equal != 0 ? "_is_" : "_is_not_") + identifier(schema.slotName(y))
    case .clause(let k):
      name = "clause_\(k + 1)"
      for a in g.forms.flatMap(\.premises) {
        if case .valueIn(let s, let vs) = a, system.threads.contains(where: { $0.pcSlot == s }), vs.count == 1,
          !doc.contains(label(s, vs[0]))
        {
          doc.append(label(s, vs[0]))
        }
      }
    }
    return Lemma(name: name, text: g.text(schema), doc: doc, expr: g.expr)
  }

  /// The file's text: header, the program-point legend of every thread whose
  /// pc a lemma mentions, then the lemmas.
  public static func render(suite: String, header: [String], lemmas: [Lemma], system: GuardedSystem) -> String {
    var out = header.map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n") + "\n"
    let all = lemmas.map(\.text).joined(separator: "\n")
    var legend: [String] = []
    for t in system.threads where all.contains("thread.pc[\(t.name)]") {
      legend.append("#")
      legend.append("# program points of \(t.name) (thread.pc[\(t.name)] == k):")
      for (k, l) in t.pcLabels.enumerated() { legend.append("#   \(k): \(l)") }
    }
    out += legend.joined(separator: "\n") + (legend.isEmpty ? "" : "\n")
    out += "suite \(suite)\n"
    for l in lemmas {
      out += "\n"
      for d in l.doc { out += "# \(d)\n" }
      out += "always \(l.name):\n  \(l.text)\n"
    }
    return out
  }
}
