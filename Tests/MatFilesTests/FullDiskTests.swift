import Foundation
import Testing

@testable import MatFiles
import OctaveCore
import TestSupport

/// Writes that meet a full disk (a 64 KiB tmpfs): the write throws with the
/// system's reason, the file that was there is left byte for byte as it was,
/// and no temporary file is left. libmatio does not check its fwrite calls,
/// so before this a full disk gave a cut file and no error.
@Suite(.enabled(if: SmallDisk.canMount, "needs to mount a tmpfs (root or CAP_SYS_ADMIN); skipped here"))
struct FullDiskTests {
  @Test func aMatFileWriteOnAFullDiskFailsAndKeepsTheOldFile() throws {
    let disk = try #require(SmallDisk(kilobytes: 64))
    let path = disk.file("weights.mat")
    var generator = SeededGenerator(seed: 3)
    try MatFile.write(["Theta1": randomMatrix(20, 20, scale: 1, using: &generator)], to: path, madeBy: "ex4")
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    // 200×200 random doubles: about 300 KB even compressed.
    let big = randomMatrix(200, 200, scale: 1, using: &generator)
    let error = try #require(throws: MatFileError.self) {
      try MatFile.write(["Theta1": big], to: path, madeBy: "ex4")
    }
    #expect(error.reason == .writeFailed(String(cString: strerror(ENOSPC))))
    #expect(error.description == "\(path): could not be written (No space left on device)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path) == ["weights.mat"])
    // None of this write's temporary files is still registered for removal
    // (the registry is the process's: other tests' writes may be under way).
    #expect(!TemporaryFiles.registered.contains { $0.hasPrefix(disk.path + "/") }, "\(TemporaryFiles.registered)")
  }

  @Test func aNewMatFileOnAFullDiskLeavesNothing() throws {
    let disk = try #require(SmallDisk(kilobytes: 64))
    let path = disk.file("new.mat")
    var generator = SeededGenerator(seed: 4)
    #expect(throws: MatFileError(path: path, reason: .writeFailed("No space left on device"))) {
      try MatFile.write(["A": randomMatrix(200, 200, scale: 1, using: &generator)], to: path)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path).isEmpty)
  }
}

/// The one check of a write's target (`WriteTarget`), made before a long
/// computation and again when writing.
struct WriteTargetTests {
  @Test func aDanglingSymbolicLinkIsRefusedBeforeAndWhenWriting() throws {
    let dir = try TemporaryDirectory()
    let link = dir.file("link.mat")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir.file("missing.mat"))
    let expected = MatFileError(
      path: link, reason: .writeFailed("it is a symbolic link; the link would be replaced, not the file it names"))
    #expect(throws: expected) { try MatFile.checkCanWrite(to: link, madeBy: "ex4") }
    #expect(throws: expected) { try MatFile.write(["A": Matrix([[1]])], to: link, madeBy: "ex4") }
    #expect(throws: expected) { try MatFile.write(["A": Matrix([[1]])], to: link, overwrite: true) }
    #expect(!FileManager.default.fileExists(atPath: dir.file("missing.mat")))
  }

  @Test func theTemporaryFileIsRegisteredOnlyDuringTheWrite() throws {
    let dir = try TemporaryDirectory()
    let slot = TemporaryFiles.register(dir.file(".x.partial"))
    #expect(TemporaryFiles.registered.contains(dir.file(".x.partial")))
    TemporaryFiles.unregister(slot)
    #expect(!TemporaryFiles.registered.contains(dir.file(".x.partial")))
  }
}
