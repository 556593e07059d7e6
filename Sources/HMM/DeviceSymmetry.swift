import CheckerCore

/// What symmetry an HMM model has, and why a candidate was given up.
public struct HMMSymmetryAnalysis: Sendable {
  /// The verified symmetry, nil when the model has none (or none that could
  /// be proved).
  public var symmetry: StateSymmetry?
  /// Sets of interchangeable devices in `symmetry`, by name.
  public var deviceClasses: [[String]]
  /// Sets of interchangeable threads in `symmetry` (threads that move with
  /// a device are not listed here), by name.
  public var threadClasses: [[String]]
  /// One line per candidate given up, and why.
  public var notes: [String]
}

/// Device (and thread) symmetry of an HMM model.
///
/// Two devices are *candidates* for interchange when they have the same
/// kind and pool size and the same device threads (same programs and
/// fairness, matched one to one). Free threads (CPU threads, and device
/// threads whose device is not interchanged) are candidates when they have
/// the same device, program and fairness. A candidate becomes a symmetry
/// only once `StateSymmetry.automorphismViolation` proved, on the guarded
/// commands themselves, that every swap maps the initial state to itself and
/// every command to a command with the same events and progress mark:
/// whatever the model does with a device index is then covered, including
/// code this derivation does not know about.
///
/// What a device swap σ does to the state (`HMMLayout`):
/// - Slots indexed by a device (`dpt.page/tag[d][a]`, `drv.lock[d]`,
///   `mn.iseq[d]`, `mn.pending[d][a]`) move to σ(d): the device's page table,
///   driver lock, interval notifier and pending callbacks are its own.
/// - Slots indexed by a physical page of device d's pool (`page.*[p]`) move
///   to the page at the same pool position of σ(d): device memory belongs to
///   its device, so the i-th page of gpu0 plays the i-th page of gpu1.
///   RAM and the zero page do not move.
/// - Slots indexed by a thread bound to d (`thread.pc`, `t.*`) move to the
///   matched thread of σ(d): a device thread is part of its device.
/// - Slots whose value names a device (`page.owner`, `mig.owner`: type
///   `reference(device)`) are renamed d+1 ↦ σ(d)+1; values naming a physical
///   page (`pte.page`, `dpt.page`, `mig.dst`, `t.snap_page`, `t.mig_src/dst`,
///   `t.fault_page`, `t.new_page`, `t.gup_page`, `t.dma_page`: `reference(phys)`)
///   follow the page map; values naming a thread (`drv.lock`:
///   `reference(thread)`) follow the thread map.
/// - A program counter is a label index, and labels name devices ("gpu0
///   callback: lock held", "do_swap_page page 0: gpu1 migrate_to_ram"), so
///   every thread's pc (moved or not) is renamed to the label with the device
///   names swapped, in the pc space of the thread it moves to.
/// - Everything else is a count, a flag, a sequence number or an enumeration
///   (`mn.seq`, `t.seq`, `t.cur`, `mn.active`, `page.ref`, `t.mig_ninv` =
///   page + 1, pages never move) and is left as it is.
/// A thread swap moves the thread's slots and renames thread references and
/// its pc (identical programs have identical labels).
///
/// As emitted today, every invalidation runs the device callbacks in device
/// order (`emitInvalidateStart`: gpu0's, then gpu1's), and every fault path
/// of a private device reaches such an invalidation (`migrate_to_ram`): a
/// state where gpu0's callback is done and gpu1's is not has no mirror image.
/// Swapping devices is then not an automorphism, the check says so, and only
/// thread symmetry remains.
extension HMMModel {
  /// The verified device and thread symmetry of this model, nil when it
  /// has none (`symmetryAnalysis()` says why).
  public var symmetry: StateSymmetry? { symmetryAnalysis().symmetry }

  /// Derives and verifies the model's symmetry. `devices: false` or
  /// `threads: false` leave that kind of interchange out.
  public func symmetryAnalysis(devices: Bool = true, threads: Bool = true) -> HMMSymmetryAnalysis {
    var notes: [String] = []
    let names = config.system.devices.map(\.name)
    let (devClasses, bound) = devices ? deviceClassCandidates(notes: &notes) : ([], [])
    // The most symmetry first; then devices given up (their threads may
    // still be interchangeable among themselves); then threads given up.
    let withDevices = threads ? threadClassCandidates(excluding: Set(bound.flatMap { $0.flatMap { $0 } })) : []
    var attempts: [(dev: [[Int]], bound: [[[Int]]], thr: [[Int]])] = [(devClasses, bound, withDevices)]
    if !devClasses.isEmpty && threads { attempts.append(([], [], threadClassCandidates(excluding: []))) }
    if !devClasses.isEmpty && !withDevices.isEmpty { attempts.append((devClasses, bound, [])) }
    if attempts.allSatisfy({ $0.dev.isEmpty && $0.thr.isEmpty }) {
      notes.append("no two devices and no two threads are alike")
    }
    for a in attempts where !(a.dev.isEmpty && a.thr.isEmpty) {
      let what = describe(devClasses: a.dev, threadClasses: a.thr)
      do {
        let sym = try symmetryCandidate(deviceClasses: a.dev, boundThreads: a.bound, threadClasses: a.thr)
        if let why = sym.automorphismViolation(of: system) {
          notes.append("\(what) are not interchangeable: \(why)" + explainFixedCallbackOrder(a.dev))
          continue
        }
        return HMMSymmetryAnalysis(
          symmetry: sym, deviceClasses: a.dev.map { $0.map { names[$0] } },
          threadClasses: a.thr.map { $0.map { config.threads[$0].name } }, notes: notes)
      } catch {
        notes.append("\(what): \(error)")
      }
    }
    return HMMSymmetryAnalysis(symmetry: nil, deviceClasses: [], threadClasses: [], notes: notes)
  }

  // MARK: - Candidates

  /// A thread's behaviour as far as interchange is concerned.
  func signature(_ t: Int) -> String {
    let th = config.threads[t]
    return "\(th.program)|\(th.fairness.map(\.rawValue) ?? "model")"
  }

  /// Devices with the same kind, pool and device threads; for each class
  /// and device, its threads in matched order.
  func deviceClassCandidates(notes: inout [String]) -> ([[Int]], [[[Int]]]) {
    let devs = config.system.devices
    var byKey: [String: [Int]] = [:]
    var keys: [String] = []
    var threadsOf: [[Int]] = []
    for d in devs.indices {
      let ts = config.threads.indices.filter { config.threads[$0].device == d }.sorted { signature($0) < signature($1) }
      threadsOf.append(ts)
      let key = "\(devs[d].kind)|\(devs[d].poolPages)|" + ts.map(signature).joined(separator: "#")
      if byKey[key] == nil { keys.append(key) }
      byKey[key, default: []].append(d)
    }
    var classes: [[Int]] = []
    var bound: [[[Int]]] = []
    for k in keys {
      let members = byKey[k]!
      guard members.count >= 2 else { continue }
      classes.append(members)
      bound.append(members.map { threadsOf[$0] })
    }
    if devs.count >= 2 && classes.isEmpty {
      notes.append("no two devices have the same kind, pool and device threads")
    }
    return (classes, bound)
  }

  /// Free threads with the same device, program and fairness.
  func threadClassCandidates(excluding bound: Set<Int>) -> [[Int]] {
    var byKey: [String: [Int]] = [:]
    var keys: [String] = []
    for t in config.threads.indices where !bound.contains(t) {
      let key = "\(config.threads[t].device.map(String.init) ?? "cpu")|" + signature(t)
      if byKey[key] == nil { keys.append(key) }
      byKey[key, default: []].append(t)
    }
    return keys.compactMap { byKey[$0]!.count >= 2 ? byKey[$0]! : nil }
  }

  func describe(devClasses: [[Int]], threadClasses: [[Int]]) -> String {
    let d = devClasses.map { "devices " + $0.map { config.system.devices[$0].name }.joined(separator: ", ") }
    let t = threadClasses.map { "threads " + $0.map { config.threads[$0].name }.joined(separator: ", ") }
    return (d + t).joined(separator: "; ")
  }

  func explainFixedCallbackOrder(_ devClasses: [[Int]]) -> String {
    let names = config.system.devices.map(\.name)
    for members in devClasses {
      for th in system.threads {
        let withCallbacks = members.filter { d in th.pcLabels.contains { $0.contains("\(names[d]) callback: ") } }
        if withCallbacks.count >= 2 {
          return " (\(th.name)'s invalidations run the callbacks of "
            + withCallbacks.map { names[$0] }.joined(separator: ", ")
            + " one after the other in that fixed order, so a swapped state is not one the model reaches)"
        }
      }
    }
    return ""
  }

  // MARK: - The candidate symmetry (unverified)

  /// Where an element of a permuted domain sits: group, block, position.
  struct Place: Hashable {
    var group: Int
    var block: Int
    var position: Int
  }

  /// Builds the symmetry that interchanges the given device classes (with
  /// `boundThreads[c][b]` the threads of device `deviceClasses[c][b]`, in
  /// matched order) and thread classes. Not verified: see
  /// `StateSymmetry.automorphismViolation`. `dropping` leaves slots out of
  /// every block (for tests that check a forgotten slot is caught).
  func symmetryCandidate(
    deviceClasses: [[Int]], boundThreads: [[[Int]]], threadClasses: [[Int]], dropping: Set<Int> = []
  ) throws -> StateSymmetry {
    let l = layout
    let schema = l.schema
    var devPlace: [Int: Place] = [:], physPlace: [Int: Place] = [:], threadPlace: [Int: Place] = [:]
    var groups: [StateSymmetry.BlockGroup] = []
    for (c, members) in deviceClasses.enumerated() {
      let pool = members.map { l.devicePages($0) }
      guard Set(pool.map(\.count)).count == 1, Set(boundThreads[c].map(\.count)).count == 1 else {
        throw StateSymmetry.BuildError("devices of a class differ in pool size or threads")
      }
      for (b, d) in members.enumerated() {
        devPlace[d] = Place(group: c, block: b, position: 0)
        for (i, p) in pool[b].enumerated() { physPlace[p] = Place(group: c, block: b, position: i) }
        for (j, t) in boundThreads[c][b].enumerated() { threadPlace[t] = Place(group: c, block: b, position: j) }
      }
      groups.append(StateSymmetry.BlockGroup(name: "device", labels: members.map { config.system.devices[$0].name }, blocks: []))
    }
    for (k, members) in threadClasses.enumerated() {
      let g = deviceClasses.count + k
      for (b, t) in members.enumerated() {
        guard threadPlace[t] == nil else { throw StateSymmetry.BuildError("thread \(config.threads[t].name) is in two classes") }
        threadPlace[t] = Place(group: g, block: b, position: 0)
      }
      groups.append(StateSymmetry.BlockGroup(name: "thread", labels: members.map { config.threads[$0].name }, blocks: []))
    }

    // Blocks: every slot with one moved index, keyed by (variable, moved
    // dimension, indices with the moved one replaced by its position).
    var entries: [[[(key: [Int], slot: Int)]]] = groups.indices.map { g in
      let count = g < deviceClasses.count ? deviceClasses[g].count : threadClasses[g - deviceClasses.count].count
      return Array(repeating: [], count: count)
    }
    for (vi, v) in schema.variables.enumerated() {
      let size = v.dimensions.reduce(1) { $0 * schema.domain($1)!.elements.count }
      for offset in 0..<size {
        let slot = v.firstSlot + offset
        if dropping.contains(slot) { continue }
        let indices = schema.locate(slot: slot).indices
        var moved: [(dim: Int, place: Place)] = []
        for (k, dim) in v.dimensions.enumerated() {
          let place: Place?
          switch dim {
          case "device": place = devPlace[indices[k]]
          case "phys": place = physPlace[indices[k]]
          case "thread": place = threadPlace[indices[k]]
          default: place = nil
          }
          if let p = place { moved.append((k, p)) }
        }
        guard let m = moved.first else { continue }
        guard moved.count == 1 else {
          throw StateSymmetry.BuildError("\(schema.slotName(slot)) has two indices that move")
        }
        var key = [vi, m.dim]
        for (k, i) in indices.enumerated() { key.append(k == m.dim ? m.place.position : i) }
        entries[m.place.group][m.place.block].append((key, slot))
      }
    }
    for g in groups.indices {
      let sorted = entries[g].map { $0.sorted { $0.key.lexicographicallyPrecedes($1.key) } }
      guard sorted.allSatisfy({ $0.map(\.key) == sorted[0].map(\.key) }) else {
        throw StateSymmetry.BuildError("the blocks of \(groups[g].labels.joined(separator: ", ")) do not correspond slot for slot")
      }
      groups[g].blocks = sorted.map { $0.map(\.slot) }
    }

    // Value domains.
    let pcVar = schema.variable(named: "thread.pc")!
    var domainNames = ["plain", "device", "phys", "thread"]
    domainNames += config.threads.map { "pc of \($0.name)" }
    var slotDomains = [UInt8](repeating: 0, count: schema.slotCount)
    for v in schema.variables {
      let size = v.dimensions.reduce(1) { $0 * schema.domain($1)!.elements.count }
      var r: UInt8 = 0
      if case .reference(let d) = v.type {
        switch d {
        case "device": r = 1
        case "phys": r = 2
        case "thread": r = 3
        default: r = 0  // pages never move
        }
      }
      for o in 0..<size { slotDomains[v.firstSlot + o] = r }
    }
    for t in config.threads.indices { slotDomains[schema.slot(pcVar, [t])] = UInt8(4 + t) }

    let devNames = config.system.devices.map(\.name)
    let labelIndex: [[String: Int]] = system.threads.map { th in
      var m: [String: Int] = [:]
      for (i, s) in th.pcLabels.enumerated() { m[s] = i }
      return m
    }
    let physCount = l.phys.count, threadCount = config.threads.count, devCount = l.devices
    return try StateSymmetry(
      slotCount: schema.slotCount, groups: groups, domainNames: domainNames, slotDomains: slotDomains
    ) { perms in
      func devImage(_ d: Int) -> Int {
        guard let p = devPlace[d] else { return d }
        return deviceClasses[p.group][perms[p.group][p.block]]
      }
      func physImage(_ x: Int) -> Int {
        guard let p = physPlace[x] else { return x }
        return l.devicePages(deviceClasses[p.group][perms[p.group][p.block]])[p.position]
      }
      func threadImage(_ t: Int) -> Int {
        guard let p = threadPlace[t] else { return t }
        if p.group < deviceClasses.count { return boundThreads[p.group][perms[p.group][p.block]][p.position] }
        return threadClasses[p.group - deviceClasses.count][perms[p.group][p.block]]
      }
      func refTable(_ count: Int, _ image: (Int) -> Int) -> [UInt8] {
        var t = (0..<256).map { UInt8($0) }
        for x in 0..<count { t[x + 1] = UInt8(image(x) + 1) }
        return t
      }
      var tables: [[UInt8]] = [[], refTable(devCount, devImage), refTable(physCount, physImage), refTable(threadCount, threadImage)]
      var rename: [String: String] = [:]
      for d in 0..<devCount where devImage(d) != d { rename[devNames[d]] = devNames[devImage(d)] }
      for t in 0..<threadCount {
        let u = threadImage(t)
        let from = system.threads[t].pcLabels
        guard from.count == system.threads[u].pcLabels.count else {
          throw StateSymmetry.BuildError("\(config.threads[t].name) and \(config.threads[u].name) have different program points")
        }
        var table = (0..<256).map { UInt8($0) }
        for (v, label) in from.enumerated() {
          let image = rename.isEmpty ? label : Self.substitute(label, rename)
          guard let w = labelIndex[u][image] else {
            throw StateSymmetry.BuildError(
              "\(config.threads[u].name) has no program point `\(image)` (the image of \(config.threads[t].name)'s `\(label)`)")
          }
          table[v] = UInt8(w)
        }
        tables.append(table)
      }
      return tables
    }
  }

  /// Replaces whole-word occurrences of the keys of `names` (device names)
  /// by their values, all at once.
  static func substitute(_ s: String, _ names: [String: String]) -> String {
    let chars = Array(s)
    let keys = names.keys.sorted { $0.count > $1.count }.map { (Array($0), names[$0]!) }
    func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
    var out = ""
    var i = 0
    scan: while i < chars.count {
      if i == 0 || !isWord(chars[i - 1]) {
        for (k, v) in keys where i + k.count <= chars.count && Array(chars[i..<(i + k.count)]) == k {
          let end = i + k.count
          if end == chars.count || !isWord(chars[end]) {
            out += v
            i = end
            continue scan
          }
        }
      }
      out.append(chars[i])
      i += 1
    }
    return out
  }
}
