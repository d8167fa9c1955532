import Foundation
import Testing

import NeuralNetworkLearning
import OctaveCore
import ExerciseData

/// Course files in the data directory (`EX4_DATA_DIR`, default
/// `exercises/data`). A test that needs one declares
/// `.enabled(if: CourseFile.has("ex4weights.mat"), CourseFile.missing("ex4weights.mat"))`
/// so that it is reported as skipped, with the file and where it was looked for.
package enum CourseFile {
  package static func has(_ name: String) -> Bool { DataDirectory.existingFile(name) != nil }

  package static func missing(_ name: String) -> Comment {
    "skipped: \(name) not found at \(DataDirectory.file(name)) (set \(DataDirectory.environmentVariable) to the folder that has it)"
  }

  /// The file's path; the test should be guarded by `has(_:)`.
  package static func path(_ name: String) -> String { DataDirectory.file(name) }

  package static func read(_ name: String) throws -> [String: Matrix] { try MatFile.read(path(name)) }
}

/// Files under `fixtures/` at the package root, found from this source file's
/// location so that tests do not depend on the working directory.
package enum Fixture {
  package static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures")

  package static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// |a − b| / max(|a|, |b|, tiny): the relative difference of two numbers.
package func relativeDifference(_ a: Double, _ b: Double) -> Double {
  if a == b { return 0 }
  return abs(a - b) / max(abs(a), abs(b), Double.leastNormalMagnitude)
}

/// The largest elementwise relative difference, after checking the shapes agree.
package func maxRelativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
  precondition(a.rows == b.rows && a.columns == b.columns, "shapes differ: \(a.shape) vs \(b.shape)")
  return zip(a.values, b.values).map { relativeDifference($0, $1) }.max() ?? 0
}

/// ‖a − b‖ / ‖a + b‖, the course's measure for gradients.
package func normRelativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
  precondition(a.count == b.count, "sizes differ: \(a.shape) vs \(b.shape)")
  let d = zip(a.values, b.values).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
  let s = zip(a.values, b.values).map { ($0 + $1) * ($0 + $1) }.reduce(0, +).squareRoot()
  return d / s
}

/// A temporary directory removed when the test that made it finishes.
package final class TemporaryDirectory {
  package let path: String
  package init() throws {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("nnl-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  package func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The 1-based position of the first element whose bits differ (or where one
/// array ends before the other), nil when the arrays are identical.
package func firstBitDifference(_ a: [Double], _ b: [Double]) -> Int? {
  for k in 0..<min(a.count, b.count) where a[k].bitPattern != b[k].bitPattern { return k + 1 }
  return a.count == b.count ? nil : min(a.count, b.count) + 1
}

// MARK: - Rounding bounds

/// u = 2⁻⁵³, the unit roundoff of Double: a correctly rounded operation's
/// result is within a relative u of the exact one.
package let unitRoundoff = Double.ulpOfOne / 2

/// γₙ = n·u / (1 − n·u). A dot product of n terms (or a sum of n + 1 terms)
/// computed in any order, with or without fused multiply-adds, is within
/// γₙ · Σ|terms| of its exact value (Higham, *Accuracy and Stability of
/// Numerical Algorithms*, §3.1). BLAS kernels differ in their orders of
/// addition, so two kernels' results differ by at most twice that.
package func gamma(_ n: Int) -> Double {
  let nu = Double(n) * unitRoundoff
  return nu / (1 - nu)
}

/// The OpenBLAS kernel an Octave fixture was made with: its `openblas_core`
/// variable (character codes), nil when the file does not say.
package func fixtureKernel(_ variables: [String: Matrix]) -> String? {
  guard let codes = variables["openblas_core"] else { return nil }
  return String(decoding: codes.values.map { UInt8(clamping: Int($0)) }, as: UTF8.self)
}

// MARK: - How far an fmincg run can move with the rounding of its dot products

/// `Σ aᵢbᵢ` accurately (as if computed in twice the working precision and
/// rounded: Ogita, Rump and Oishi's Dot2, an error-free product by a fused
/// multiply-add and error-free sums), and `Σ |aᵢbᵢ|`.
package func accurateDot(_ a: [Double], _ b: [Double]) -> (value: Double, magnitude: Double) {
  var sum = 0.0
  var error = 0.0
  var magnitude = 0.0
  for (x, y) in zip(a, b) {
    let p = x * y
    let pError = (-p).addingProduct(x, y)  // x·y − p exactly, by one fused multiply-add
    let s = sum + p
    let z = s - sum
    error += (sum - (s - z)) + (p - z) + pError
    sum = s
    magnitude += abs(p)
  }
  return (sum + error, magnitude)
}

/// fmincg run several times from the same start with its dot products
/// replaced: computed accurately, then moved by the largest error any
/// summation order can make (γₙ · Σ|aᵢbᵢ|, see ``gamma(_:)``) up, down and
/// with seeded random signs, call by call. Every BLAS kernel's dot products
/// lie within that distance of the accurate ones, so how far these runs
/// spread is how far the rounding of the dot products can move a run, entry
/// by entry: tiny for the first line searches, growing along the run, and
/// for a long or badly conditioned run, the number of line searches and
/// evaluations changes too. The spread is measured, not proven (a kernel's
/// errors could line up otherwise), so comparisons allow a margin over it.
package struct FmincgRoundingSpread {
  package struct Run {
    package var X: Matrix
    package var fX: [Double]
    package var i: Int
    package var evaluations: Int
  }

  /// The accurate run first, then the perturbed ones.
  package let runs: [Run]

  package init(_ f: @escaping (Matrix) -> (Double, Matrix), start: Matrix, maxIter: Int) {
    var runs: [Run] = []
    // Signs: none (the accurate run), all up, all down, two random sequences.
    for plan in 0..<5 {
      var generator = SplitMix64(seed: UInt64(plan))
      let perturbed = { (a: Matrix, b: Matrix) -> Double in
        let sign: Double =
          switch plan {
          case 0: 0
          case 1: 1
          case 2: -1
          default: Bool.random(using: &generator) ? 1 : -1
          }
        let (value, magnitude) = accurateDot(a.values, b.values)
        return value + sign * gamma(a.count) * magnitude
      }
      let products = FmincgProducts(dot: perturbed, selfDot: { perturbed($0, $0) })
      var evaluations = 0
      let counted = { (x: Matrix) -> (Double, Matrix) in
        evaluations += 1
        return f(x)
      }
      let (X, fX, i) = fmincg(counted, start, maxIter: maxIter, progress: .silent, products: products) { _ in }
      runs.append(Run(X: X, fX: fX, i: i, evaluations: evaluations))
    }
    self.runs = runs
  }

  /// Whether every run ended with as many entries in fX and the same
  /// counter i: then a correct port on any kernel ends so too.
  package var entriesAreStable: Bool {
    runs.allSatisfy { $0.fX.count == runs[0].fX.count && $0.i == runs[0].i }
  }

  /// Whether every run also made the same number of evaluations.
  package var evaluationsAreStable: Bool {
    entriesAreStable && runs.allSatisfy { $0.evaluations == runs[0].evaluations }
  }

  /// How far two correct runs (on any two kernels) may differ at entry `k`
  /// (0-based) of fX: each is within the spread s = max |run − accurate run|
  /// of the accurate run, so 2s, doubled as a margin for s being measured
  /// from a few runs, and at least 4 units in the last place of the entry
  /// (the perturbations may not happen to change the last bits where a
  /// kernel does). Nil when a run has no entry k or an entry is not finite.
  /// An entry that is infinite or NaN in every run (the same in each) gets
  /// tolerance 0: it must be the same there.
  package func tolerance(entry k: Int) -> Double? {
    guard runs.allSatisfy({ $0.fX.count > k }) else { return nil }
    let accurate = runs[0].fX[k]
    if runs.allSatisfy({ $0.fX[k].isNaN }) || (accurate.isInfinite && runs.allSatisfy { $0.fX[k] == accurate }) {
      return 0
    }
    guard runs.allSatisfy({ $0.fX[k].isFinite }) else { return nil }
    let spread = runs.map { abs($0.fX[k] - accurate) }.max() ?? 0
    return max(4 * spread, 4 * accurate.ulp)
  }

  /// The first entries, in order, whose tolerance relative to the entry is
  /// at most `relative`: where rounding has not yet grown and a tight
  /// comparison means something.
  package func tightEntries(relative: Double = 1e-8) -> Int {
    var k = 0
    while let t = tolerance(entry: k), t == 0 || t <= relative * abs(runs[0].fX[k]) { k += 1 }
    return k
  }

  /// As ``tolerance(entry:)`` for component `k` of the final point X.
  package func tolerance(component k: Int) -> Double {
    let accurate = runs[0].X.values[k]
    let spread = runs.map { abs($0.X.values[k] - accurate) }.max() ?? 0
    return max(4 * spread, 4 * accurate.ulp)
  }

  /// Whether `a` agrees with `b` within `tolerance`: both NaN, equal
  /// (infinities included), or finite and at most `tolerance` apart.
  package static func agree(_ a: Double, _ b: Double, within tolerance: Double) -> Bool {
    (a.isNaN && b.isNaN) || a == b || (a.isFinite && b.isFinite && abs(a - b) <= tolerance)
  }
}

/// A tmpfs of `kilobytes` mounted on a fresh folder, for tests of a full disk
/// (ENOSPC); unmounted when released. Nil when this process may not mount
/// one (mounting needs CAP_SYS_ADMIN): such tests are then skipped.
package final class SmallDisk {
  package let path: String
  private let folder: TemporaryDirectory

  package init?(kilobytes: Int = 64) {
    guard let folder = try? TemporaryDirectory() else { return nil }
    guard mount("tmpfs", folder.path, "tmpfs", 0, "size=\(kilobytes)k,mode=0755") == 0 else { return nil }
    self.folder = folder
    path = folder.path
  }

  package func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

  /// Whether a tmpfs can be mounted here (for `.enabled(if:)`).
  package static let canMount: Bool = SmallDisk() != nil

  deinit { umount2(path, Int32(MNT_DETACH)) }
}

/// A student's clone as the documentation's transcripts show it: a folder named
/// `/home/you/NeuralNetworkLearning` inside a temporary directory, whose
/// `exercises/data` holds only the course files a command names (linked from
/// the data directory), with `EX4_DATA_DIR` pointing there. A program run in
/// it prints the paths a student sees once the temporary directory's prefix
/// is taken off (``shown(_:)``).
package final class StudentClone {
  /// The folder the documentation calls `/home/you/NeuralNetworkLearning`.
  package static let shownPath = "/home/you/NeuralNetworkLearning"
  private let temporary: TemporaryDirectory
  /// The clone's folder, where the programs run.
  package let path: String
  /// Its `exercises/data`.
  package let data: String

  /// A clone whose data folder holds `courseFiles` (names in the data
  /// directory); the caller has checked that they exist (`CourseFile.has`).
  package init(courseFiles: [String]) throws {
    temporary = try TemporaryDirectory()
    path = temporary.path + Self.shownPath
    data = path + "/exercises/data"
    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    for name in Set(courseFiles) {
      try FileManager.default.createSymbolicLink(atPath: data + "/" + name, withDestinationPath: CourseFile.path(name))
    }
  }

  /// The environment for a run in the clone: its data folder, as a student's
  /// clone finds its own.
  package var environment: [String: String?] { [DataDirectory.environmentVariable: data] }

  /// `output` with the temporary directory's prefix taken off the clone's
  /// paths, as a run in the student's own clone prints them.
  package func shown(_ output: String) -> String {
    output.replacingOccurrences(of: temporary.path + Self.shownPath, with: Self.shownPath)
  }

  /// `relative` inside the clone.
  package func file(_ relative: String) -> String { path + "/" + relative }
}
