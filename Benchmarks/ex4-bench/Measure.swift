import CBLAS
import Foundation
import NeuralNetworkEngine

/// Wall-clock seconds from a monotonic clock.
func now() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// CPU seconds this process has used, on every core together.
func processorTime() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// The times of `repeats` runs of `body`, in seconds, after one untimed run.
func times(_ repeats: Int, warmUp: Bool = true, _ body: () -> Void) -> [Double] {
  if warmUp { body() }
  return (0..<repeats).map { _ in
    let start = now()
    body()
    return now() - start
  }
}

/// Median, minimum and maximum of some times.
struct Summary {
  let median: Double
  let minimum: Double
  let maximum: Double

  init(_ values: [Double]) {
    let sorted = values.sorted()
    median =
      sorted.count % 2 == 1
      ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    minimum = sorted.first ?? .nan
    maximum = sorted.last ?? .nan
  }

  /// "median 3.21 ms (min 3.10, max 4.02)".
  var milliseconds: String {
    String(format: "median %7.2f ms  (min %7.2f, max %7.2f)", median * 1e3, minimum * 1e3, maximum * 1e3)
  }
}

/// This process's peak resident memory (VmHWM) in bytes, from /proc/self/status.
func peakResidentBytes() -> Int? { statusField("VmHWM:") }

/// This process's resident memory (VmRSS) in bytes.
func residentBytes() -> Int? { statusField("VmRSS:") }

private func statusField(_ name: String) -> Int? {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
  for line in status.split(separator: "\n") where line.hasPrefix(name) {
    let kilobytes = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
      .flatMap { Int($0) }
    return kilobytes.map { $0 * 1024 }
  }
  return nil
}

/// Resets VmHWM to the current resident size (Linux: writing 5 to clear_refs),
/// so that the next reading is the peak of what follows. Returns whether it could.
@discardableResult
func resetPeakResident() -> Bool {
  guard let file = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
  defer { try? file.close() }
  do {
    try file.write(contentsOf: Data("5".utf8))
    return true
  } catch {
    return false
  }
}

func megabytes(_ bytes: Int?) -> String {
  bytes.map { String(format: "%.0f MB", Double($0) / 1_048_576) } ?? "unknown"
}

/// The machine's double-precision matrix-multiply peak as OpenBLAS reaches
/// it: the best of `repeats` square `dgemm`s of order n, in GFLOP/s.
func measureDGEMMPeak(order n: Int, repeats: Int) -> Double {
  let a = (0..<(n * n)).map { Double(($0 * 7919) % 1000) / 1000 - 0.5 }
  var c = [Double](repeating: 0, count: n * n)
  let t = times(repeats) {
    cblas_dgemm(
      CblasColMajor, CblasNoTrans, CblasNoTrans, blasint(n), blasint(n), blasint(n), 1, a, blasint(n), a,
      blasint(n), 0, &c, blasint(n))
  }
  return 2 * Double(n) * Double(n) * Double(n) / t.min()! / 1e9
}

extension Buffer {
  /// `count` doubles on a cache-line boundary, as the engine's, element k
  /// set to `value(k)`.
  convenience init(count: Int, _ value: (Int) -> Double) {
    self.init(count: count)
    for k in 0..<count { pointer[k] = value(k) }
  }
}

extension KernelPath {
  /// The paths the loops are timed on: the vector ones this processor runs,
  /// or the portable one when it runs none.
  static var timed: [KernelPath] { available.count > 1 ? Array(available.dropFirst()) : available }

  /// "AVX2", "AVX-512 (the engine's)".
  var label: String {
    let name =
      switch self {
      case .portable: "portable"
      case .avx2: "AVX2"
      case .avx512: "AVX-512"
      }
    return self == .best ? "\(name) (the engine's)" : name
  }
}

/// Nanoseconds the threads of process `pid` have run, summed over
/// `/proc/<pid>/task/*/schedstat` (a thread that ended no longer counts,
/// which only makes a window look idler); nil when it cannot be read.
func runTime(ofProcess pid: Int32) -> UInt64? {
  let tasks = "/proc/\(pid)/task"
  guard let threads = try? FileManager.default.contentsOfDirectory(atPath: tasks) else { return nil }
  var total: UInt64 = 0
  for thread in threads {
    guard let text = try? String(contentsOfFile: "\(tasks)/\(thread)/schedstat", encoding: .utf8),
      let first = text.split(separator: " ").first, let nanoseconds = UInt64(first)
    else { continue }
    total += nanoseconds
  }
  return total
}

/// Waits until the processes `pids` have together run for less than a tenth
/// of one core through `window` seconds, or `limit` seconds have gone; the
/// seconds waited. A library's worker threads keep spinning for a while after
/// their work (OpenBLAS's and OpenMP's for up to a few hundred milliseconds),
/// and would take the cores from the next implementation timed; a tenth of a
/// core lets through a process that only polls (Octave looks for its next
/// command every 5 ms).
func waitUntilIdle(_ pids: [Int32], window: Double = 0.02, limit: Double = 2) -> Double {
  let start = now()
  func total() -> UInt64 { pids.reduce(0) { $0 + (runTime(ofProcess: $1) ?? 0) } }
  var before = total()
  while now() - start < limit {
    usleep(UInt32(window * 1e6))
    let after = total()
    if Double(after &- before) < 0.1 * window * 1e9 { break }
    before = after
  }
  return now() - start
}
