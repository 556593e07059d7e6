#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds since an arbitrary origin on the monotonic clock: the one clock
/// for time limits, rates and reported timings. Never read by anything that
/// decides a result (determinism).
@inlinable
public func monotonicSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
