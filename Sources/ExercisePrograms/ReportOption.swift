import ArgumentParser
import ExerciseData
import Foundation
import TrainingRecord

/// `--report FILE`: the report is one of the program's own outputs, written
/// into its output folder like its pictures, so the option names a file, not a path.
package enum ReportOption {
  /// Checks that `name` is a file name ending in `.html` (or `.htm`).
  package static func check(_ name: String) throws(ValidationError) {
    guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
      throw ValidationError(
        "--report must be a file name such as report.html (it is written into the --output-dir folder), got '\(name)'")
    }
    let lowered = name.lowercased()
    guard lowered.hasSuffix(".html") || lowered.hasSuffix(".htm") else {
      throw ValidationError("--report must name an .html file, got '\(name)'")
    }
  }

  /// Makes sure the output folder exists and that the report may be written
  /// there (nothing is there, or an earlier report); returns the report's path.
  ///
  /// - Throws: ``InputError`` naming the folder or the file.
  package static func prepare(_ name: String, outputDir: String) throws -> String {
    try OutputDirectory.prepare(outputDir)
    let path = (outputDir as NSString).appendingPathComponent(name)
    try TrainingReport.checkCanWrite(to: path)
    return path
  }
}
