import ArgumentParser
import ExerciseData
import Foundation
import TrainingRecord

/// `--report PATH`. The programs' rule for an output file's option: a path
/// with a folder in it (`reports/r.html`, `/tmp/r.html`) is that path,
/// relative to the current directory as for every command-line tool; a bare
/// file name (`r.html`) goes into the output folder with the run's pictures.
package enum ReportOption {
  /// Checks that `name` is a path to a file ending in `.html` (or `.htm`).
  package static func check(_ name: String) throws(ValidationError) {
    let file = (name as NSString).lastPathComponent
    guard !name.isEmpty, !name.hasSuffix("/"), file != ".", file != ".." else {
      throw ValidationError(
        "--report must name a file such as report.html or reports/run.html, got '\(name)'")
    }
    let lowered = name.lowercased()
    guard lowered.hasSuffix(".html") || lowered.hasSuffix(".htm") else {
      throw ValidationError("--report must name an .html file, got '\(name)'")
    }
  }

  /// The report's path: `name` itself when it has a folder in it, else `name` in `outputDir`.
  package static func path(_ name: String, outputDir: String) -> String {
    name.contains("/") ? name : (outputDir as NSString).appendingPathComponent(name)
  }

  /// Makes sure the output folder exists, that the report's folder does and
  /// that the report may be written there (nothing is there, or an earlier
  /// report); returns the report's path.
  ///
  /// - Throws: ``InputError`` naming the folder or the file.
  package static func prepare(_ name: String, outputDir: String) throws -> String {
    try OutputDirectory.prepare(outputDir)
    let path = path(name, outputDir: outputDir)
    let folder = (path as NSString).deletingLastPathComponent
    var isFolder: ObjCBool = false
    guard
      folder.isEmpty || (FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue)
    else {
      throw InputError("\(folder): no such folder for --report \(name) (make it first, or give a file name alone)")
    }
    try TrainingReport.checkCanWrite(to: path)
    return path
  }
}
