import OctaveCore
import Foundation

/// How a picture is drawn in a terminal.
package enum TerminalPictureMode: String, Sendable, Equatable, CaseIterable {
  /// Characters of ``TerminalImage/plainRamp``, no escape sequences
  /// (`NO_COLOR`, `TERM=dumb`).
  case plain
  /// Upper-half blocks in 24-bit grey, two picture rows a text line.
  case blocks
  /// Real pixels through the kitty graphics protocol (a PNG, base64 in
  /// chunks).
  case kitty
  /// Real pixels as sixels (DEC's six-pixel-high bands).
  case sixel
}

/// A terminal window's size: character cells, and the text area in pixels
/// when the terminal reports it (0 when it does not).
package struct TerminalWindow: Sendable, Equatable {
  package var columns: Int
  package var lines: Int
  package var pixelWidth: Int
  package var pixelHeight: Int

  package init(columns: Int, lines: Int, pixelWidth: Int = 0, pixelHeight: Int = 0) {
    self.columns = columns
    self.lines = lines
    self.pixelWidth = pixelWidth
    self.pixelHeight = pixelHeight
  }

  /// The window of standard output (or standard error), from the
  /// `TIOCGWINSZ` ioctl: the kernel's record of the size, so asking never
  /// waits for the terminal. Nil when neither is a terminal.
  package static func current() -> TerminalWindow? {
    for descriptor in [STDOUT_FILENO, STDERR_FILENO] {
      var size = winsize()
      if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
        return TerminalWindow(
          columns: Int(size.ws_col), lines: Int(size.ws_row), pixelWidth: Int(size.ws_xpixel),
          pixelHeight: Int(size.ws_ypixel))
      }
    }
    return nil
  }

  /// The width of a character cell in pixels: the reported one, or 10 (a
  /// common cell width) when the terminal reports none.
  var cellWidth: Int { pixelWidth > 0 ? max(1, pixelWidth / columns) : 10 }
}

extension TerminalImage {
  /// The drawing mode this process's environment calls for; see
  /// ``pictureMode(environment:)``.
  package static var pictureMode: TerminalPictureMode { pictureMode(environment: ProcessInfo.processInfo.environment) }

  /// The drawing mode for a terminal with this environment, decided from the
  /// environment variables alone: asking the terminal itself (a device
  /// attributes query) would hang, or leave its answer typed at the prompt,
  /// in a terminal that does not answer.
  ///
  /// - `NO_COLOR` (non-empty) or `TERM=dumb`: ``TerminalPictureMode/plain``;
  /// - `EX4_TERMINAL_PICTURES` set to `plain`, `blocks`, `kitty` or
  ///   `sixel`: that mode (for a terminal not recognised here);
  /// - inside tmux or GNU screen (`TMUX`, `STY`, or `TERM` starting with
  ///   `screen` or `tmux`), which do not pass pictures through:
  ///   ``TerminalPictureMode/blocks``;
  /// - kitty (`TERM=xterm-kitty` or `KITTY_WINDOW_ID`), Ghostty
  ///   (`TERM=xterm-ghostty` or `TERM_PROGRAM=ghostty`) and WezTerm
  ///   (`TERM_PROGRAM=WezTerm`): ``TerminalPictureMode/kitty``;
  /// - foot, mlterm, contour and yaft (`TERM` `foot…`, `mlterm…`, `contour…`,
  ///   `yaft…`): ``TerminalPictureMode/sixel``;
  /// - anything else: ``TerminalPictureMode/blocks``.
  package static func pictureMode(environment: [String: String]) -> TerminalPictureMode {
    guard colourEnabled(environment: environment) else { return .plain }
    if let chosen = environment["EX4_TERMINAL_PICTURES"].flatMap(TerminalPictureMode.init(rawValue:)) {
      return chosen
    }
    let term = environment["TERM"] ?? ""
    let program = environment["TERM_PROGRAM"] ?? ""
    func isSet(_ name: String) -> Bool { !(environment[name] ?? "").isEmpty }
    if isSet("TMUX") || isSet("STY") || term.hasPrefix("screen") || term.hasPrefix("tmux") { return .blocks }
    if term == "xterm-kitty" || isSet("KITTY_WINDOW_ID") || term == "xterm-ghostty" || program == "ghostty"
      || program == "WezTerm"
    {
      return .kitty
    }
    if ["foot", "mlterm", "contour", "yaft"].contains(where: { term.hasPrefix($0) }) { return .sixel }
    return .blocks
  }

  /// The columns a picture takes when drawn across the whole window: all
  /// but the last (writing into the last column makes some terminals wrap),
  /// and at least 8; 80 when there is no window.
  package static func fullWidth(of window: TerminalWindow?) -> Int {
    guard let window else { return 80 }
    return max(8, window.columns - 1)
  }

  /// `image` resampled by area averaging to exactly `columns` columns, its
  /// rows by the same factor (at least one row): larger or smaller.
  package static func resampled(_ image: Matrix, columns: Int) -> Matrix {
    precondition(columns >= 1, "TerminalImage: columns must be at least 1 (got \(columns))")
    guard image.columns != columns, !image.isEmpty else { return image }
    return areaAveraged(image, columns: columns)
  }

  /// Text that draws `image` (−1 black … +1 white) `columns` character
  /// cells wide, in `mode`: text characters are resampled to that many
  /// columns; real pixels (kitty, sixel) keep every pixel of the picture,
  /// each a square of whole screen pixels, as many as fill the width (from
  /// `window`'s cell width when it reports one). The text ends in a newline.
  package static func rendering(
    of image: Matrix, columns: Int, mode: TerminalPictureMode, window: TerminalWindow? = nil
  ) -> String {
    guard !image.isEmpty else { return "" }
    let cellWidth = window?.cellWidth ?? 10
    // Whole screen pixels a picture pixel, at most 4096 pixels across.
    let scale = max(1, min(columns * cellWidth, 4096) / image.columns)
    switch mode {
    case .plain, .blocks:
      return terminalRendering(of: resampled(image, columns: columns), maxColumns: columns, colour: mode == .blocks)
    case .kitty:
      guard let png = PNGImage.encodedGrey(image, scale: scale) else {
        return terminalRendering(of: resampled(image, columns: columns), maxColumns: columns, colour: true)
      }
      return kittySequence(png: png, columns: columns) + "\n"
    case .sixel:
      return sixelSequence(of: image, scale: scale) + "\n"
    }
  }

  /// The most base64 bytes in one kitty graphics escape sequence.
  package static let kittyChunkSize = 4096

  /// The kitty graphics protocol's escape sequences that show the PNG
  /// `png` at the cursor, scaled to `columns` cells wide (rows in
  /// proportion): `ESC _G a=T,f=100,c=…,q=2,m=1;<base64> ESC \`, the
  /// base64 text split in chunks of at most ``kittyChunkSize`` bytes, each
  /// chunk but the last marked `m=1`, the later ones with no other key but
  /// `q=2`, which asks the terminal not to answer, so that nothing is left
  /// typed at the prompt.
  package static func kittySequence(png: [UInt8], columns: Int) -> String {
    let encoded = Array(Data(png).base64EncodedString().utf8)
    var text = ""
    var start = 0
    repeat {
      let end = min(start + kittyChunkSize, encoded.count)
      let more = end < encoded.count ? 1 : 0
      let keys = start == 0 ? "a=T,f=100,c=\(columns),q=2,m=\(more)" : "q=2,m=\(more)"
      text += "\u{1B}_G\(keys);" + String(decoding: encoded[start..<end], as: UTF8.self) + "\u{1B}\\"
      start = end
    } while start < encoded.count
    return text
  }

  /// The grey levels a sixel picture is drawn with: 64, from black to white.
  package static let sixelGreys = 64

  /// A sixel picture of `image`, each element a `scale`×`scale` square of
  /// pixels: `ESC P 9;1;0 q` (square pixels, pixels not drawn left as they
  /// are), the raster attributes `"1;1;width;height`, ``sixelGreys`` grey
  /// colour registers `#n;2;p;p;p` (percent), the bands of six rows (`#n`
  /// then one character 63 + the six bits for each column, runs as `!count`,
  /// `$` back to the band's start, `-` to the next band), and `ESC \`.
  package static func sixelSequence(of image: Matrix, scale: Int = 1) -> String {
    precondition(scale >= 1, "TerminalImage.sixelSequence: scale must be at least 1 (got \(scale))")
    let width = image.columns * scale
    let height = image.rows * scale
    let levels = PNGImage.greyPixels(image, scale: scale)
    let greys = sixelGreys
    func register(_ level: UInt8) -> Int { (Int(level) * (greys - 1) + 127) / 255 }
    var out: [UInt8] = Array("\u{1B}P9;1;0q\"1;1;\(width);\(height)".utf8)
    for n in 0..<greys {
      let percent = (n * 100 + (greys - 1) / 2) / (greys - 1)
      out += Array("#\(n);2;\(percent);\(percent);\(percent)".utf8)
    }
    var bits = [UInt8](repeating: 0, count: greys * width)
    var used = [Bool](repeating: false, count: greys)
    for top in stride(from: 0, to: height, by: 6) {
      for k in bits.indices { bits[k] = 0 }
      for k in used.indices { used[k] = false }
      for dy in 0..<min(6, height - top) {
        let row = (top + dy) * width
        for x in 0..<width {
          let n = register(levels[row + x])
          bits[n * width + x] |= UInt8(1 << dy)
          used[n] = true
        }
      }
      var first = true
      for n in 0..<greys where used[n] {
        if !first { out.append(UInt8(ascii: "$")) }
        first = false
        out += Array("#\(n)".utf8)
        var x = 0
        while x < width {
          let value = bits[n * width + x]
          var run = 1
          while x + run < width && bits[n * width + x + run] == value { run += 1 }
          let character = 63 + value
          if run > 3 {
            out += Array("!\(run)".utf8)
            out.append(character)
          } else {
            out += [UInt8](repeating: character, count: run)
          }
          x += run
        }
      }
      out.append(UInt8(ascii: "-"))
    }
    out += Array("\u{1B}\\".utf8)
    return String(decoding: out, as: UTF8.self)
  }
}
