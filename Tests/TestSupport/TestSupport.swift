import Foundation
import Testing

import NeuralNetworkLearning
import ExerciseSupport

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
