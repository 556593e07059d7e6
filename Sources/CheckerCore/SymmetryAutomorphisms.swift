// Whether a symmetry's elements are automorphisms of a guarded system:
// every command has an image command, so exploring canonical states is sound.

// MARK: - Automorphisms of a guarded system

extension StateSymmetry {
  /// A command in a normal form in which two commands with the same effect
  /// on every state compare equal (for the command shapes models emit).
  struct NormalCommand: Hashable {
    var thread: Int
    var pc: Int
    var guardExpr: Expr
    var updates: [Command.Update]
    var events: [String]
    var progress: Bool
  }

  static func normalForm(thread: Int, pc: Int, guardExpr: Expr, updates: [Command.Update], events: [String], progress: Bool) -> NormalCommand {
    NormalCommand(
      thread: thread, pc: pc, guardExpr: ExprNormalizer.normalize(guardExpr),
      updates: updates.map { Command.Update(slot: $0.slot, value: ExprNormalizer.normalize($0.value)) }.sorted { $0.slot < $1.slot },
      events: events.sorted(), progress: progress)
  }

  /// The image of command `c` under element `g`, in normal form.
  func imageCommand(_ c: Command, in system: GuardedSystem, under g: Int, threadOfPCSlot: [Int: Int]) throws -> NormalCommand {
    let pcSlot = system.threads[c.thread].pcSlot
    let (pcImage, pcDomain) = try slotImage(pcSlot, g)
    guard let t = threadOfPCSlot[pcImage] else {
      throw Unmappable(reason: "the pc of \(system.threads[c.thread].name) moves to \(system.schema.slotName(pcImage)), no thread's pc")
    }
    let pc = pcDomain == 0 ? c.pc : Int(store.table(g, pcDomain, c.pc))
    try plain(inferDomain(c.guardExpr), c.guardExpr)
    let guardImage = try rewrite(c.guardExpr, domain: 0, under: g)
    var updates: [Command.Update] = []
    for u in c.updates {
      let (x, d) = try slotImage(u.slot, g)
      _ = try unify(d, inferDomain(u.value), u.value)
      updates.append(Command.Update(slot: x, value: try rewrite(u.value, domain: d, under: g)))
    }
    return Self.normalForm(thread: t, pc: pc, guardExpr: guardImage, updates: updates, events: c.events, progress: c.progress)
  }

  /// For element `g`: `images[a]` is a command of `system` whose effect on
  /// `g(s)` is `g` of the effect of `a` on `s`, with the same events and
  /// progress mark; or why some command has none.
  public func commandImages(of system: GuardedSystem, under g: Int) -> Result<[Int], BuildError> {
    let normal = Self.normalForms(of: system)
    return commandImages(of: system, under: g, normal: normal)
  }

  static func normalForms(of system: GuardedSystem) -> [NormalCommand: Int] {
    var normal: [NormalCommand: Int] = [:]
    for (i, c) in system.commands.enumerated() {
      let f = normalForm(thread: c.thread, pc: c.pc, guardExpr: c.guardExpr, updates: c.updates, events: c.events, progress: c.progress)
      if normal[f] == nil { normal[f] = i }
    }
    return normal
  }

  func commandImages(of system: GuardedSystem, under g: Int, normal: [NormalCommand: Int]) -> Result<[Int], BuildError> {
    guard system.schema.slotCount == slotCount else {
      return .failure(BuildError("the system has \(system.schema.slotCount) slots, the symmetry \(slotCount)"))
    }
    var threadOfPCSlot: [Int: Int] = [:]
    for (t, th) in system.threads.enumerated() { threadOfPCSlot[th.pcSlot] = t }
    var out: [Int] = []
    out.reserveCapacity(system.commands.count)
    for (i, c) in system.commands.enumerated() {
      do {
        let img = try imageCommand(c, in: system, under: g, threadOfPCSlot: threadOfPCSlot)
        guard let j = normal[img] else {
          return .failure(
            BuildError(
              "`\(system.describe(i))` has no image under \(describe(element: g)) (no command of \(system.threads[img.thread].name) at `\(system.threads[img.thread].pcLabels[safe: img.pc] ?? "pc \(img.pc)")` does the mapped step)"
            ))
        }
        out.append(j)
      } catch let u as Unmappable {
        return .failure(BuildError("`\(system.describe(i))`: \(u.reason)"))
      } catch {
        return .failure(BuildError("\(error)"))
      }
    }
    return .success(out)
  }

  /// Nil when every element is an automorphism of `system`: it maps the
  /// initial states onto themselves and every command to a command (checked
  /// on the generators, which suffices since the tables form a group
  /// action). Otherwise the first reason found.
  public func automorphismViolation(of system: GuardedSystem) -> String? {
    guard system.schema.slotCount == slotCount else { return "the system has \(system.schema.slotCount) slots, the symmetry \(slotCount)" }
    let initial = Set(system.initial)
    for g in generators {
      for s in system.initial where !initial.contains(apply(g, to: s)) {
        return "the initial state is not invariant under \(describe(element: g))"
      }
    }
    let normal = Self.normalForms(of: system)
    for g in generators {
      if case .failure(let f) = commandImages(of: system, under: g, normal: normal) { return f.message }
    }
    return nil
  }

  /// For every command, the least command index of its orbit: in a reduced
  /// exploration a command "fired" (vacuity, coverage) iff some command of
  /// its orbit fired. Nil if some command has no image.
  public func commandOrbitRepresentatives(of system: GuardedSystem) -> [Int]? {
    let normal = Self.normalForms(of: system)
    var parent = Array(system.commands.indices)
    func find(_ x: Int) -> Int {
      var x = x
      while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
      return x
    }
    for g in generators {
      guard case .success(let images) = commandImages(of: system, under: g, normal: normal) else { return nil }
      for (a, b) in images.enumerated() {
        let x = find(a), y = find(b)
        if x != y { parent[max(x, y)] = min(x, y) }
      }
    }
    return system.commands.indices.map(find)
  }

  /// Turns a path of the quotient into a path of the model.
  ///
  /// A reduced exploration records, for each step, the action taken from a
  /// canonical state; the next recorded state is the canonical form of the
  /// successor, not the successor. Starting from the concrete state `start`
  /// (whose canonical form the path starts from), this returns the actions
  /// that take the model itself through the same orbits: replaying them with
  /// `successor` from `start` visits states whose canonical forms are the
  /// path's. Nil if `start` is not in the path's first orbit or some command
  /// has no image. Cold path (allocates).
  public func concretize(_ actions: [Int], from start: StateVector, in system: GuardedSystem) -> [Int]? {
    let normal = Self.normalForms(of: system)
    var maps: [Int: [Int]] = [:]
    func map(_ a: Int, _ g: Int) -> Int? {
      if g == 0 { return a }
      if maps[g] == nil {
        guard case .success(let m) = commandImages(of: system, under: g, normal: normal) else { return nil }
        maps[g] = m
      }
      return maps[g]![a]
    }
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, scratchBytes))
    defer { scratch.deallocate() }
    func canon(_ s: StateVector) -> (StateVector, Int) {
      var c = s
      let g = c.slots.withUnsafeMutableBufferPointer { store.canonicalize($0.baseAddress!, scratch) }
      return (c, g)
    }
    // Invariant: concrete == h(canonical).
    var (canonicalState, g0) = canon(start)
    var h = inverse(of: g0)
    var concrete = start
    var out: [Int] = []
    for a in actions {
      guard system.isEnabled(a, in: canonicalState), let b = map(a, h), system.isEnabled(b, in: concrete) else { return nil }
      out.append(b)
      concrete = system.successor(of: concrete, via: b)
      let (next, g) = canon(system.successor(of: canonicalState, via: a))
      canonicalState = next
      h = element(zip(permutations(of: h), permutations(of: inverse(of: g))).map { hp, gp in gp.map { hp[$0] } })
      guard apply(h, to: canonicalState) == concrete else { return nil }
    }
    return out
  }
}

extension Array {
  fileprivate subscript(safe i: Int) -> Element? { i >= 0 && i < count ? self[i] : nil }
}
