import OctaveCore
import Foundation

extension Plot {
  /// The plot as a grey raster for ``TerminalImage``: background −1, axes
  /// −0.3, lines 0.5, markers +1. Row 1 is the top.
  package func raster(width: Int, height: Int) -> Matrix {
    precondition(width >= 8 && height >= 8, "a plot raster needs at least 8×8 pixels")
    var image = Matrix(rows: height, columns: width, repeating: -1)
    // Columns 1…width and rows 1…height, the frame filling the raster.
    let frame = frame(left: 1, right: Double(width), top: 1, bottom: Double(height))
    func set(_ r: Int, _ c: Int, _ v: Double) {
      if r >= 1 && r <= height && c >= 1 && c <= width { image[r, c] = max(image[r, c], v) }
    }
    for c in 1...width { set(height, c, -0.3) }
    for r in 1...height { set(r, 1, -0.3) }
    for s in series {
      let points = frame.points(of: s)
      switch s.style {
      case .line, .dashedLine:
        var travelled = 0
        for (a, b) in zip(points, points.dropFirst()) {
          let steps = Int(max(abs(b.x - a.x), abs(b.y - a.y)).rounded(.up)) + 1
          for t in 0...steps {
            let u = Double(t) / Double(steps)
            travelled += 1
            if s.style == .dashedLine && travelled % 6 >= 4 { continue }
            set(Int((a.y + u * (b.y - a.y)).rounded()), Int((a.x + u * (b.x - a.x)).rounded()), 0.5)
          }
        }
      case .crosses, .circles:
        for p in points {
          let (rr, cc) = (Int(p.y.rounded()), Int(p.x.rounded()))
          for (dr, dc) in [(0, 0), (-1, -1), (1, 1), (-1, 1), (1, -1)] { set(rr + dr, cc + dc, 1) }
        }
      }
    }
    return image
  }

  /// The plot as text for a terminal: the series drawn in Braille dots
  /// (each character 2 dots wide and 4 high) in `columns × lines` characters,
  /// with the left axis's values at its top and bottom and the x axis's at
  /// its ends; the title, when there is one, on the first line. Every line
  /// ends in a newline.
  ///
  /// - Precondition: at least 4 columns and 2 lines.
  package func textRendering(columns: Int, lines: Int) -> String {
    precondition(columns >= 4 && lines >= 2, "Plot.textRendering needs at least 4 columns and 2 lines")
    let cells = brailleDots(columns: columns, lines: lines)
    let (xs, ys) = (xScale, yScale(.left))
    let (high, low) = (ys.shortLabel(atPosition: ys.upper), ys.shortLabel(atPosition: ys.lower))
    let margin = max(high.count, low.count)
    func padded(_ text: String) -> String { String(repeating: " ", count: margin - text.count) + text }
    var text = title.isEmpty ? "" : title + "\n"
    for line in 0..<lines {
      let label = line == 0 ? padded(high) : line == lines - 1 ? padded(low) : String(repeating: " ", count: margin)
      text += label + (line == 0 || line == lines - 1 ? " ┤" : " │")
      for c in 0..<columns {
        text.unicodeScalars.append(Unicode.Scalar(0x2800 + cells[line * columns + c])!)
      }
      text += "\n"
    }
    text += String(repeating: " ", count: margin) + " └" + String(repeating: "─", count: columns) + "\n"
    let (first, last) = (xs.shortLabel(atPosition: xs.lower), xs.shortLabel(atPosition: xs.upper))
    let gap = max(1, columns - first.count - last.count + 2)
    text += String(repeating: " ", count: margin + 2) + first + String(repeating: " ", count: gap) + last + "\n"
    return text
  }

  /// The series as Braille dots, one cell a character (the bits of
  /// U+2800…U+28FF), `columns × lines` cells row by row.
  private func brailleDots(columns: Int, lines: Int) -> [UInt32] {
    let (dotsAcross, dotsDown) = (2 * columns, 4 * lines)
    var cells = [UInt32](repeating: 0, count: columns * lines)
    func dot(_ fx: Double, _ fy: Double) {
      guard fx >= -1e-9 && fx <= 1 + 1e-9 && fy >= -1e-9 && fy <= 1 + 1e-9 else { return }
      let x = min(dotsAcross - 1, max(0, Int((fx * Double(dotsAcross - 1)).rounded())))
      let y = min(dotsDown - 1, max(0, Int(((1 - fy) * Double(dotsDown - 1)).rounded())))
      let bits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
      cells[(y / 4) * columns + x / 2] |= bits[x % 2][y % 4]
    }
    for (s, framed) in zip(series, framePoints(xScale, left: yScale(.left), right: yScale(.right))) {
      if framed.count == 1 || !s.style.isLine {
        for p in framed { dot(p.x, p.y) }
      }
      guard s.style.isLine else { continue }
      for (a, b) in zip(framed, framed.dropFirst()) {
        let steps = max(1, Int((max(abs(b.x - a.x) * Double(dotsAcross), abs(b.y - a.y) * Double(dotsDown))) * 2))
        for k in 0...steps {
          let t = Double(k) / Double(steps)
          dot(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
        }
      }
    }
    return cells
  }
}
