import ExerciseData
import Foundation

/// A copy of everything a program prints, kept part by part for its report
/// while it still goes to the screen: the course's printouts, the gradient
/// check's table and fmincg's lines included, whoever prints them.
///
/// While a transcript runs, standard output is a pipe; a reader thread passes
/// every byte on to the real standard output and keeps a copy. Markers sent
/// down the same pipe, in order with the text, end a part (at the course's
/// pauses), place a picture, and mark output meant for the terminal only
/// (pictures drawn in text, the live cost curve, the pause prompt), which
/// reaches the screen but not the copy. A marker is a NUL byte, a letter,
/// its argument, and another NUL; the programs never print NUL themselves.
///
/// With no transcript running, the static functions do their work directly
/// (``terminalOnly(_:)`` just runs its body) or nothing.
package final class OutputTranscript: @unchecked Sendable {
  /// Something the program showed, in order.
  package enum Event: Sendable, Equatable {
    /// Printed text, as bytes arrived (carriage returns and all).
    case text(String)
    /// A picture file the program wrote, with what it shows.
    case picture(path: String, caption: String)
  }

  /// The events between two of the course's pauses.
  package typealias Part = [Event]

  private let lock = NSLock()
  private var parts: [Part] = [[]]
  private var pictures: [(path: String, caption: String)] = []
  private var pendingText: [UInt8] = []
  private var recording = true
  private let screen: Int32
  private let pipeOutput: Int32
  private let done = DispatchSemaphore(value: 0)
  private var finished = false

  private static let currentLock = NSLock()
  nonisolated(unsafe) private static var running: OutputTranscript?

  /// The transcript now running, if any.
  package static var current: OutputTranscript? { currentLock.withLock { running } }

  /// Starts copying standard output. Only one transcript runs at a time.
  ///
  /// - Throws: ``InputError`` when the pipe cannot be made.
  package static func start() throws -> OutputTranscript {
    precondition(current == nil, "OutputTranscript: a transcript is already running")
    StandardOutput.flush()
    let screen = dup(STDOUT_FILENO)
    var ends: [Int32] = [0, 0]
    guard screen >= 0, pipe(&ends) == 0 else {
      throw InputError("cannot capture the output for the report (\(String(cString: strerror(errno))))")
    }
    let wasTerminal = isatty(screen) == 1
    dup2(ends[1], STDOUT_FILENO)
    close(ends[1])
    // On a terminal, keep showing each line as it is printed, as before.
    if wasTerminal { StandardOutput.bufferLines() }
    let transcript = OutputTranscript(screen: screen, pipeOutput: ends[0])
    currentLock.withLock { running = transcript }
    let reader = Thread { transcript.readUntilClosed() }
    reader.name = "output transcript"
    reader.start()
    return transcript
  }

  private init(screen: Int32, pipeOutput: Int32) {
    self.screen = screen
    self.pipeOutput = pipeOutput
  }

  /// Stops copying, gives standard output back, and returns the parts
  /// (empty parts left out). Calling it again returns the same parts.
  @discardableResult
  package func finish() -> [Part] {
    if !lock.withLock({ finished }) {
      StandardOutput.flush()
      // Standard output becomes the screen again, which closes the pipe's last writing end.
      dup2(screen, STDOUT_FILENO)
      done.wait()
      close(pipeOutput)
      close(screen)
      lock.withLock { finished = true }
      OutputTranscript.currentLock.withLock { OutputTranscript.running = nil }
    }
    return lock.withLock { parts.filter { !$0.isEmpty } }
  }

  // MARK: - Markers

  /// Ends the current part (the course's `pause`).
  package static func endPart() {
    guard current != nil else { return }
    sendMarker("P")
  }

  /// Places the picture at `path` here in the transcript.
  package static func attachPicture(path: String, caption: String) {
    guard let transcript = current else { return }
    let index = transcript.lock.withLock {
      transcript.pictures.append((path, caption))
      return transcript.pictures.count - 1
    }
    sendMarker("I\(index)")
  }

  /// Runs `body`, whose printing reaches the screen but not the transcript.
  package static func terminalOnly(_ body: () -> Void) {
    guard current != nil else { return body() }
    sendMarker("T")
    body()
    sendMarker("t")
  }

  private static func sendMarker(_ text: String) {
    let bytes: [UInt8] = [0] + Array(text.utf8) + [0]
    StandardOutput.write(bytes)
  }

  // MARK: - The reader

  private func readUntilClosed() {
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var marker: [UInt8]? = nil
    var toScreen: [UInt8] = []
    while true {
      let count = buffer.withUnsafeMutableBytes { read(pipeOutput, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      lock.withLock {
        for byte in buffer[0..<count] {
          if marker != nil {
            if byte == 0 {
              handle(marker: marker!)
              marker = nil
            } else {
              marker!.append(byte)
            }
          } else if byte == 0 {
            marker = []
          } else {
            toScreen.append(byte)
            if recording { pendingText.append(byte) }
          }
        }
      }
      writeToScreen(&toScreen)
    }
    lock.withLock { closeText() }
    done.signal()
  }

  /// Acts on a marker (with the lock held).
  private func handle(marker: [UInt8]) {
    guard let kind = marker.first else { return }
    let argument = String(decoding: marker.dropFirst(), as: UTF8.self)
    switch kind {
    case UInt8(ascii: "P"):
      closeText()
      if !(parts.last?.isEmpty ?? true) { parts.append([]) }
    case UInt8(ascii: "I"):
      closeText()
      if let index = Int(argument), pictures.indices.contains(index) {
        parts[parts.count - 1].append(.picture(path: pictures[index].path, caption: pictures[index].caption))
      }
    case UInt8(ascii: "T"): recording = false
    case UInt8(ascii: "t"): recording = true
    default: break
    }
  }

  /// Moves the text collected so far into the current part (with the lock held).
  private func closeText() {
    guard !pendingText.isEmpty else { return }
    parts[parts.count - 1].append(.text(String(decoding: pendingText, as: UTF8.self)))
    pendingText.removeAll()
  }

  private func writeToScreen(_ bytes: inout [UInt8]) {
    var start = 0
    while start < bytes.count {
      let written = bytes[start...].withUnsafeBytes { write(screen, $0.baseAddress, $0.count) }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { break }
      start += written
    }
    bytes.removeAll(keepingCapacity: true)
  }
}

extension OutputTranscript.Event {
  /// Printed text as it ended up on a screen: each line's text after its last
  /// carriage return (fmincg rewrites its line in place), escape sequences
  /// (colours, cursor moves) removed.
  package static func screenText(_ text: String) -> String {
    var result = String.UnicodeScalarView()
    var line = String.UnicodeScalarView()
    var returned = false
    var escape = 0  // 1 after ESC, 2 inside ESC [ … until its final character
    for scalar in text.unicodeScalars {
      if escape == 1 {
        escape = scalar == "[" ? 2 : 0
        continue
      }
      if escape == 2 {
        if (0x40...0x7E).contains(scalar.value) { escape = 0 }
        continue
      }
      switch scalar {
      case "\u{1B}":
        escape = 1
      case "\n":
        result.append(contentsOf: line)
        result.append("\n")
        line = String.UnicodeScalarView()
        returned = false
      case "\r":
        returned = true
      default:
        if returned {
          line = String.UnicodeScalarView()
          returned = false
        }
        line.append(scalar)
      }
    }
    result.append(contentsOf: line)
    return String(result)
  }
}

extension OutputTranscript {
  /// Runs `body` with a transcript running and returns its parts; standard
  /// output is given back whether `body` finishes or throws.
  package static func capture(_ body: () throws -> Void) throws -> [Part] {
    let transcript = try start()
    do {
      try body()
    } catch {
      transcript.finish()
      throw error
    }
    return transcript.finish()
  }
}
