import NeuralNetworkLearning
import Pictures
import TrainingRecord
import Foundation

/// What the program knows about where its output goes, and the course's pauses.
package struct Console {
  /// Standard output is a terminal.
  package let isTerminal: Bool
  /// Pause between parts: stdin and stdout are terminals and `--no-pause` was not given.
  package let pauses: Bool
  /// 24-bit colour is allowed (not `NO_COLOR`, not `TERM=dumb`).
  package let colour: Bool
  /// How pictures are drawn: plain characters, half blocks, or real pixels
  /// (kitty, sixel), decided from the environment alone
  /// (``TerminalImage/pictureMode(environment:)``).
  package let pictureMode: TerminalPictureMode

  package init(noPause: Bool) {
    isTerminal = OutputDirectory.standardOutputIsTerminal
    pauses = !noPause && isTerminal && isatty(STDIN_FILENO) == 1
    colour = TerminalImage.colourEnabled
    pictureMode = TerminalImage.pictureMode
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

  /// Draws a picture in the terminal when standard output is one: across
  /// the whole window, in real pixels where the terminal shows them
  /// (``pictureMode``), or, given `maxColumns`, at most that wide and no
  /// larger than the window.
  package func show(_ image: Matrix, maxColumns: Int? = nil) {
    guard isTerminal else { return }
    let window = TerminalWindow.current()
    let columns =
      maxColumns.map {
        min(
          image.columns,
          TerminalImage.fittingColumns(preferred: $0, aspect: Double(image.rows) / Double(max(image.columns, 1))))
      } ?? TerminalImage.fullWidth(of: window)
    OutputTranscript.terminalOnly {
      print(
        TerminalImage.rendering(of: image, columns: max(columns, 1), mode: pictureMode, window: window),
        terminator: "")
    }
    flush()
  }

  package func flush() { fflush(nil) }
}
