import Foundation
import Testing

@testable import MatFiles
import OctaveCore
import TestSupport

/// Special files are refused before they are opened: opening a FIFO for
/// reading would wait for a writer forever (as a hang, not an error).
@Suite struct SpecialFileTests {
  @Test("A FIFO given as a .mat file is refused at once with one line saying what it is")
  func fifoIsRefused() throws {
    let directory = try TemporaryDirectory()
    let fifo = directory.file("pipe.mat")
    #expect(mkfifo(fifo, 0o600) == 0)
    let start = ContinuousClock.now
    #expect {
      try MatFile.read(fifo)
    } throws: { error in
      "\(error)" == "\(fifo): cannot be read (it is a FIFO (named pipe), not a regular file)"
    }
    #expect(ContinuousClock.now - start < .seconds(2))
  }

  @Test("A device is refused, a directory is named as one, a missing file as missing")
  func otherKinds() throws {
    #expect(throws: FileReadError.specialFile(kind: "a device")) { try WholeFile.read("/dev/null") }
    #expect(throws: FileReadError.directory) { try WholeFile.read("/") }
    #expect(throws: FileReadError.notFound) { try WholeFile.read("/nonexistent/x.mat") }
    #expect(throws: FileReadError.notFound) { try WholeFile.read("/etc/passwd/x.mat") }
  }
}
