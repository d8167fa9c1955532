import NeuralNetworkLearning
import Foundation

/// Where the course's data files are looked for: the one setting shared by
/// the executables, the tests and the benchmarks.
///
/// It is the environment variable `EX4_DATA_DIR` when set and non-empty,
/// otherwise `exercises/data` (relative to the working directory, which is
/// the package root under `swift run` and `swift test`).
package enum DataDirectory {
  /// The name of the environment variable that sets the data directory.
  package static let environmentVariable = "EX4_DATA_DIR"

  /// The directory used when `EX4_DATA_DIR` is not set.
  package static let defaultPath = "exercises/data"

  /// The data directory now in force.
  package static var path: String {
    if let value = ProcessInfo.processInfo.environment[environmentVariable], !value.isEmpty {
      return value
    }
    return defaultPath
  }

  /// The path of a course file in the data directory, e.g. `file("ex4weights.mat")`.
  package static func file(_ name: String) -> String {
    (path as NSString).appendingPathComponent(name)
  }

  /// The path of a course file if it exists there, otherwise nil.
  package static func existingFile(_ name: String) -> String? {
    let candidate = file(name)
    return isAbsent(candidate) ? nil : candidate
  }

  /// Whether nothing at all is at `path`, not even a symbolic link. A course
  /// file that is there but cannot be read (a symbolic link loop, a dangling
  /// link, no permission) is then read and reported with its real reason,
  /// instead of being taken for absent (`FileManager.fileExists` follows
  /// links and says false for all of these).
  package static func isAbsent(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) != 0 && (errno == ENOENT || errno == ENOTDIR)
  }

  /// One sentence on where `name` was looked for and how to provide it.
  package static func missingFileMessage(_ name: String) -> String {
    let exercise = name.hasPrefix("ex5") ? "ex5" : "ex4"
    return "\(name) not found in the data directory \(path) (looked for \(file(name))); "
      + "copy it there from the course's \(exercise) folder, or set \(environmentVariable) to the folder that has it"
  }
}
