/// The named shape of a state vector: which slot holds which variable.
///
/// A model declares its variables here (arrays indexed by finite domains such
/// as pages or devices, with typed values); engines see only slots, while the
/// property language, the trace writer and the pretty-printer see names. The
/// schema is what lets those three speak the kernel's vocabulary without the
/// engines knowing any of it.
public struct Schema: Hashable, Sendable, Codable {
  /// A finite index set (`page`, `device`, `phys`, `thread`) with display names.
  public struct Domain: Hashable, Sendable, Codable {
    public var name: String
    public var elements: [String]
    public init(name: String, elements: [String]) {
      self.name = name
      self.elements = elements
    }
  }

  /// What a slot's integer means.
  public enum ValueType: Hashable, Sendable, Codable {
    case bool
    /// Inclusive range; values are stored as is, so `min` must be >= 0.
    case int(min: Int, max: Int)
    /// Named constants 0..<cases.count; `name` is the type's name in properties.
    case enumeration(name: String, cases: [String])
    /// 0 = none, k = element k-1 of the named domain.
    case reference(domain: String)
  }

  public struct Variable: Hashable, Sendable, Codable {
    public var name: String
    public var dimensions: [String]
    public var type: ValueType
    public var firstSlot: Int
    public var group: String
    public var doc: String
    /// Ghost variables exist only so properties can state what the kernel
    /// relies on (e.g. pending callbacks); no kernel step reads them.
    public var ghost: Bool
  }

  public private(set) var domains: [Domain] = []
  public private(set) var variables: [Variable] = []
  public private(set) var slotCount = 0
  /// For every slot, its variable index (parallel to the state vector).
  public private(set) var slotOwner: [Int] = []
  /// Data-independent value classes (sequence counts, content versions):
  /// see `ValueRenaming`.
  public private(set) var valueClasses: [ValueClass] = []

  public init() {}

  /// Declares that the slots of `variables` hold values of one
  /// data-independent class: the model only compares them with each other
  /// (`==`, `!=`, `<`, `<=`) or with the pinned values, copies them, and
  /// makes new ones at the class's clock (see `ValueRenaming`).
  public mutating func addValueClass(_ name: String, variables names: [String], clock: String, parity: Bool) {
    precondition(valueClasses.allSatisfy { $0.name != name }, "value class \(name) declared twice")
    precondition(names.contains(clock), "the clock of \(name) must be one of its variables")
    for n in names {
      precondition(variable(named: n) != nil, "unknown variable \(n)")
      precondition(valueClass(ofVariable: n) == nil, "variable \(n) is in two value classes")
    }
    valueClasses.append(ValueClass(name: name, variables: names, clock: clock, parity: parity))
  }

  /// The value class a variable's slots belong to, if any.
  public func valueClass(ofVariable name: String) -> ValueClass? {
    valueClasses.first { $0.variables.contains(name) }
  }

  public func domain(_ name: String) -> Domain? { domains.first { $0.name == name } }

  public func variable(named name: String) -> Variable? { variables.first { $0.name == name } }

  public mutating func addDomain(_ name: String, elements: [String]) {
    precondition(domain(name) == nil, "domain \(name) declared twice")
    domains.append(Domain(name: name, elements: elements))
  }

  /// Declares a variable and returns its index. Arrays are laid out row-major.
  @discardableResult
  public mutating func addVariable(
    _ name: String, dimensions: [String] = [], type: ValueType,
    group: String, doc: String = "", ghost: Bool = false
  ) -> Int {
    precondition(variable(named: name) == nil, "variable \(name) declared twice")
    let count = dimensions.reduce(1) { acc, d in
      guard let dom = domain(d) else { preconditionFailure("unknown domain \(d)") }
      return acc * dom.elements.count
    }
    let v = Variable(
      name: name, dimensions: dimensions, type: type, firstSlot: slotCount,
      group: group, doc: doc, ghost: ghost)
    variables.append(v)
    slotOwner.append(contentsOf: Array(repeating: variables.count - 1, count: count))
    slotCount += count
    return variables.count - 1
  }

  /// The largest value a variable's slots may hold.
  public func maxValue(of type: ValueType) -> Int {
    switch type {
    case .bool: return 1
    case .int(_, let max): return max
    case .enumeration(_, let cases): return cases.count - 1
    case .reference(let d): return domain(d)?.elements.count ?? 0
    }
  }

  /// Slot of `variable[indices...]`.
  public func slot(_ v: Variable, _ indices: [Int]) -> Int {
    precondition(indices.count == v.dimensions.count, "\(v.name): wrong number of indices")
    var offset = 0
    for (d, i) in zip(v.dimensions, indices) {
      let n = domain(d)!.elements.count
      precondition(i >= 0 && i < n, "\(v.name): index \(i) out of \(d)")
      offset = offset * n + i
    }
    return v.firstSlot + offset
  }

  public func slot(_ name: String, _ indices: Int...) -> Int {
    guard let v = variable(named: name) else { preconditionFailure("unknown variable \(name)") }
    return slot(v, indices)
  }

  /// The variable and indices a slot belongs to (inverse of `slot`).
  public func locate(slot: Int) -> (variable: Variable, indices: [Int]) {
    let v = variables[slotOwner[slot]]
    var rest = slot - v.firstSlot
    var indices = Array(repeating: 0, count: v.dimensions.count)
    for k in stride(from: v.dimensions.count - 1, through: 0, by: -1) {
      let n = domain(v.dimensions[k])!.elements.count
      indices[k] = rest % n
      rest /= n
    }
    return (v, indices)
  }

  /// `pte.kind[page 1]`, `dpt.page[gpu0][page 2]`: a slot as a kernel developer reads it.
  public func slotName(_ slot: Int) -> String {
    let (v, idx) = locate(slot: slot)
    if idx.isEmpty { return v.name }
    let parts = zip(v.dimensions, idx).map { d, i in elementName(d, i) }
    return v.name + parts.map { "[\($0)]" }.joined()
  }

  public func elementName(_ domainName: String, _ index: Int) -> String {
    guard let d = domain(domainName), index >= 0, index < d.elements.count else {
      return "\(domainName)#\(index)"
    }
    return d.elements[index]
  }

  /// A value rendered in its type (`present`, `true`, `ram1`, `none`).
  public func format(_ value: Int, as type: ValueType) -> String {
    switch type {
    case .bool: return value != 0 ? "true" : "false"
    case .int: return String(value)
    case .enumeration(_, let cases):
      return value >= 0 && value < cases.count ? cases[value] : "?\(value)"
    case .reference(let d):
      return value == 0 ? "none" : elementName(d, value - 1)
    }
  }

  public func format(slot: Int, value: Int) -> String {
    format(value, as: variables[slotOwner[slot]].type)
  }
}
