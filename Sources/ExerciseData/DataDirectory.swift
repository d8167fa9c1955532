import OctaveCore
import Foundation

/// Where the course's data files are looked for: the one setting shared by
/// the executables, the tests and the benchmarks.
///
/// It is the environment variable `EX4_DATA_DIR` when set and non-empty (a
/// relative value is taken from the current directory), otherwise the
/// package's own `exercises/data`, found from where this source file was
/// compiled (`#filePath`), which is the package's checkout: the same folder
/// whatever the current directory, so `cd exercises && swift run ex4` finds
/// the course files as running from the package root does. A binary copied
/// elsewhere still looks in the checkout it was built from; if that folder
/// has been moved or removed, the programs say which absolute path they
/// searched, and `EX4_DATA_DIR` points them at the files.
package enum DataDirectory {
  /// The name of the environment variable that sets the data directory.
  package static let environmentVariable = "EX4_DATA_DIR"

  /// The package's folder (the one holding Package.swift), as it was when
  /// this file was compiled: `Sources/ExerciseData/DataDirectory.swift`
  /// three levels down.
  package static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.standardizedFileURL.path
  }()

  /// The directory used when `EX4_DATA_DIR` is not set: the package's
  /// `exercises/data`, absolute.
  package static let defaultPath = (packageRoot as NSString).appendingPathComponent("exercises/data")

  /// `EX4_DATA_DIR` made absolute, when set and non-empty.
  package static var namedPath: String? {
    guard let value = ProcessInfo.processInfo.environment[environmentVariable], !value.isEmpty else { return nil }
    return absolute(value)
  }

  /// The data directory now in force, always absolute.
  package static var path: String { namedPath ?? defaultPath }

  /// `path` made absolute from the current directory (unchanged when absolute).
  package static func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
    let here = FileManager.default.currentDirectoryPath
    return URL(fileURLWithPath: (here as NSString).appendingPathComponent(path)).standardizedFileURL.path
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

  /// Refuses a data folder the student named with `EX4_DATA_DIR` that does
  /// not exist or is not a folder: a mistyped name must not quietly mean
  /// "no course files".
  ///
  /// - Throws: ``InputError`` naming the variable and the absolute path tried.
  package static func checkNamedFolder() throws(InputError) {
    guard let folder = namedPath else { return }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
      throw InputError("\(environmentVariable) \(folder): no such folder")
    }
    guard isDirectory.boolValue else { throw InputError("\(environmentVariable) \(folder): not a folder") }
  }

  /// Refuses a file the student named with `option` (`--data`, `--weights`)
  /// when nothing is there.
  ///
  /// - Throws: ``InputError`` naming the option and the absolute path tried.
  package static func checkNamedFile(_ path: String, option: String) throws(InputError) {
    guard isAbsent(path) else { return }
    throw InputError("\(option) \(absolute(path)): no such file")
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

  /// The hard-to-miss line a program prints when it falls back to the
  /// built-in digits, naming the absolute path searched.
  package static var builtinDigitsBanner: String {
    "*** NOT THE COURSE'S DATA: \(file("ex4data1.mat")) not found; using the built-in synthetic digits ***"
  }

  /// The reminder printed again at the end of a run on the built-in digits,
  /// beside its accuracy: the path searched, then `detail`.
  package static func builtinDigitsReminder(_ detail: String) -> String {
    "(on the built-in digits: \(file("ex4data1.mat")) was not found; \(detail))"
  }
}
