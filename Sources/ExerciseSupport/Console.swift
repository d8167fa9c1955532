import NeuralNetworkLearning
import Pictures
import Foundation

/// What the program knows about where its output goes, and the course's pauses.
package struct Console {
  /// Standard output is a terminal.
  package let isTerminal: Bool
  /// Pause between parts: stdin and stdout are terminals and `--no-pause` was not given.
  package let pauses: Bool
  /// 24-bit colour is allowed (not `NO_COLOR`, not `TERM=dumb`).
  package let colour: Bool

  package init(noPause: Bool) {
    isTerminal = OutputDirectory.standardOutputIsTerminal
    pauses = !noPause && isTerminal && isatty(STDIN_FILENO) == 1
    colour = TerminalImage.colourEnabled
  }

  /// The course's `pause` between parts: says so and waits for Enter, but
  /// only when ``pauses``; otherwise it prints nothing and goes on. Either
  /// way it ends a part of the report's transcript, when one is kept.
  package func pause() {
    OutputTranscript.endPart()
    guard pauses else { return }
    OutputTranscript.terminalOnly { print("\nProgram paused. Press enter to continue.") }
    flush()
    _ = readLine()
  }

  /// Draws a picture in the terminal when standard output is one, at most
  /// `maxColumns` wide and no larger than the terminal window.
  package func show(_ image: Matrix, maxColumns: Int = 80) {
    guard isTerminal else { return }
    let columns = TerminalImage.fittingColumns(
      preferred: maxColumns, aspect: Double(image.rows) / Double(max(image.columns, 1)))
    OutputTranscript.terminalOnly {
      print(terminalRendering(of: image, maxColumns: columns, colour: colour), terminator: "")
    }
    flush()
  }

  package func flush() { fflush(nil) }
}
