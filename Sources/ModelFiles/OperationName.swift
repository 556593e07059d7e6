/// The operation names a program may use, and which kind of thread runs
/// each: CPU threads make syscalls and faults, device threads drive their
/// device's driver, and either may branch with `choice`.
enum OperationName: String, CaseIterable {
  case cpuRead = "cpu_read"
  case cpuWrite = "cpu_write"
  case munmap
  case mprotect
  case gupPin = "gup_pin"
  case gupWrite = "gup_write"
  case gupUnpin = "gup_unpin"
  case exit
  case mirror
  case deviceRead = "device_read"
  case deviceWrite = "device_write"
  case migrateToDevice = "migrate_to_device"
  case migrateToSystem = "migrate_to_system"
  case snapshot
  case release
  case after
  case choice

  enum Runner { case cpu, device, either }

  var runner: Runner {
    switch self {
    case .cpuRead, .cpuWrite, .munmap, .mprotect, .gupPin, .gupWrite, .gupUnpin, .exit: .cpu
    case .mirror, .deviceRead, .deviceWrite, .migrateToDevice, .migrateToSystem, .snapshot, .release: .device
    case .choice, .after: .either
    }
  }

  /// Operations written as a bare name, with no argument.
  var takesNoArgument: Bool { self == .exit || self == .release }

  /// Names of the operations a runner may use, for messages.
  static func names(for runner: Runner) -> String {
    allCases.filter { $0.runner == runner }.map(\.rawValue).joined(separator: ", ")
  }
}
