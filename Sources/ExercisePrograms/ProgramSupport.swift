import ArgumentParser
import ExerciseData
import NeuralNetworkLearning
import Foundation

/// The folder an exercise program writes its pictures into.
package enum OutputDirectory {
  /// Makes sure `path` is a writable directory, creating it (and its parents)
  /// when missing. Nothing already in it is touched.
  ///
  /// - Throws: ``InputError`` naming the option and the reason.
  package static func prepare(_ path: String, option: String = "--output-dir") throws(InputError) {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw InputError("\(option) \(path): exists and is not a directory") }
    } else {
      do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
      } catch {
        throw InputError("\(option) \(path): cannot be created (\(creationProblem(path, error)))")
      }
    }
    guard access(path, W_OK) == 0 else { throw InputError("\(option) \(path): is not writable") }
  }

  /// Why the folder `path` could not be made: the nearest part of it that
  /// exists is a file, or the system's reason for refusing the first part
  /// that does not.
  private static func creationProblem(_ path: String, _ error: any Error) -> String {
    var existing = URL(fileURLWithPath: path).standardizedFileURL
    var firstMissing = existing
    while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" {
      firstMissing = existing
      existing = existing.deletingLastPathComponent()
    }
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: existing.path, isDirectory: &isDirectory)
    if !isDirectory.boolValue { return "\(existing.path) is a file, not a folder" }
    if mkdir(firstMissing.path, 0o755) != 0 {
      return "\(firstMissing.path): \(String(cString: strerror(errno)))"
    }
    rmdir(firstMissing.path)
    return error.localizedDescription
  }

  /// Says where the pictures go, as an absolute path: the folder is taken
  /// from where the student stands, which a relative name does not show.
  package static func announce(_ path: String, option: String = "--output-dir") {
    print("Output folder (\(option)): \(printable(DataDirectory.absolute(path)))")
  }

  /// Whether standard output is a terminal.
  package static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}

/// How an exercise program starts: as a MATLAB v7.3 reader child when it
/// was started as one (``MatFile/serveMAT73ChildIfAsked()``), otherwise as
/// `command`, with v7.3 files read in a child process that is this same
/// executable (`/proc/self/exe`), so that HDF5 failing on a damaged file
/// cannot take the program down. Before anything else, the program restarts
/// with the best OpenBLAS kernel for the processor when OpenBLAS picked an
/// older one by itself (`BLASKernel.useBestForProcessor()`).
package enum ProgramStart {
  package static func main<Command: ParsableCommand>(_ command: Command.Type) {
    MatFile.serveMAT73ChildIfAsked()
    BLASKernel.useBestForProcessor()
    MatFile.$mat73Reading.withValue(
      .childProcess(executable: "/proc/self/exe", arguments: [MatFile.mat73ChildMarker])
    ) {
      // As `command.main(nil)`, but with what the run printed flushed before
      // the error goes to standard error, so the two arrive in order.
      do {
        var parsed = try command.parseAsRoot(nil)
        try parsed.run()
      } catch {
        fflush(nil)
        command.exit(withError: error)
      }
    }
  }
}
