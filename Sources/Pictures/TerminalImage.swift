import OctaveCore
import Foundation

/// Showing a grey picture in a terminal as text.
///
/// With colour, every text cell is an upper-half block `▀` whose 24-bit
/// foreground is the upper pixel and background the lower pixel
/// (`ESC[38;2;g;g;gm ESC[48;2;g;g;gm▀`), so a text line holds two picture
/// rows; the attributes are reset at the end of each line. Without colour,
/// each cell is one character of the grey ramp ``plainRamp`` (dark to light)
/// standing for one picture column of two rows averaged.
package enum TerminalImage {
  /// Characters from black (first) to white (last) for terminals without colour.
  package static let plainRamp: [Character] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

  /// Whether this process's environment allows colour: not when `NO_COLOR`
  /// is set to anything non-empty (https://no-color.org) or `TERM` is `dumb`.
  package static var colourEnabled: Bool { colourEnabled(environment: ProcessInfo.processInfo.environment) }

  /// Whether the given environment allows colour; see ``colourEnabled``.
  package static func colourEnabled(environment: [String: String]) -> Bool {
    if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
    return environment["TERM"] != "dumb"
  }

  /// `image` shrunk by area averaging to at most `maxColumns` columns, its
  /// rows shrunk by the same factor (at least one row is kept); unchanged when
  /// it is narrow enough. Each new element is the mean of the old ones under
  /// it, counting a partly covered element by the fraction covered.
  package static func downscaled(_ image: Matrix, maxColumns: Int) -> Matrix {
    precondition(maxColumns >= 1, "TerminalImage: maxColumns must be at least 1 (got \(maxColumns))")
    guard image.columns > maxColumns else { return image }
    return areaAveraged(image, columns: maxColumns)
  }
}

/// Text that draws `image` (values −1 black … +1 white, clamped; array row =
/// picture row) in a terminal, one line per two picture rows, each line ending
/// in a newline: half blocks in 24-bit grey when `colour` is true, otherwise
/// characters of ``TerminalImage/plainRamp``. A picture wider than
/// `maxColumns` is first shrunk to that width by area averaging
/// (``TerminalImage/downscaled(_:maxColumns:)``).
///
/// A 211×211 `displayData` picture with `maxColumns: 100` becomes 100
/// columns by 50 lines.
package func terminalRendering(of image: Matrix, maxColumns: Int = 100, colour: Bool) -> String {
  let picture = TerminalImage.downscaled(image, maxColumns: maxColumns)
  var text = ""
  for top in stride(from: 1, through: picture.rows, by: 2) {
    let hasLower = top < picture.rows
    if colour {
      // Colours are sent only when they change along the line.
      var lastUpper: UInt8? = nil
      var lastLower: UInt8? = nil
      for j in stride(from: 1, through: picture.columns, by: 1) {
        let upper = PNGImage.greyLevel(of: picture[top, j])
        if upper != lastUpper { text += "\u{1B}[38;2;\(upper);\(upper);\(upper)m" }
        lastUpper = upper
        if hasLower {
          let lower = PNGImage.greyLevel(of: picture[top + 1, j])
          if lower != lastLower { text += "\u{1B}[48;2;\(lower);\(lower);\(lower)m" }
          lastLower = lower
        }
        text += "▀"
      }
      text += "\u{1B}[0m\n"
    } else {
      let ramp = TerminalImage.plainRamp
      for j in stride(from: 1, through: picture.columns, by: 1) {
        let value = hasLower ? (picture[top, j] + picture[top + 1, j]) / 2 : picture[top, j]
        let level = Int(PNGImage.greyLevel(of: value))
        text.append(ramp[min(ramp.count - 1, level * ramp.count / 256)])
      }
      text += "\n"
    }
  }
  return text
}

extension TerminalImage {
  /// The terminal's size in character cells, when standard output (or, while
  /// standard output is being copied through a pipe, standard error) is a
  /// terminal that reports one.
  package static func windowSize() -> (columns: Int, lines: Int)? {
    for descriptor in [STDOUT_FILENO, STDERR_FILENO] {
      var size = winsize()
      if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
        return (Int(size.ws_col), Int(size.ws_row))
      }
    }
    return nil
  }

  /// The widest rendering, at most `preferred` columns, of a picture of
  /// `aspect` = rows ÷ columns that fits the terminal window with `spareLines`
  /// left over (two picture rows make one text line).
  package static func fittingColumns(preferred: Int, aspect: Double, spareLines: Int = 3) -> Int {
    guard let window = windowSize() else { return preferred }
    let byHeight = Int(Double(2 * max(window.lines - spareLines, 4)) / max(aspect, 1e-9))
    return max(8, min(preferred, window.columns - 1, byHeight))
  }
}
