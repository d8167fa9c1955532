import OctaveCore
import Foundation

extension Plot {
  /// Writes ``svg(width:height:)`` to `path` the way every file of the
  /// package is written (a temporary file, every error checked, `fsync`, read
  /// back, then put in place), replacing a regular file there.
  ///
  /// - Throws: ``ImageFileError`` naming the file and the system's reason
  ///   (`No space left on device`); the old file is then left as it was.
  package func writeSVG(to path: String, width: Int = 640, height: Int = 440) throws(ImageFileError) {
    do {
      try FilePlacement.write(Array(svg(width: width, height: height).utf8), to: path, overwrite: true)
    } catch {
      throw ImageFileError(path: path, problem: "could not be written (\(error))")
    }
  }

  /// The plot as an SVG document, `width × height` pixels.
  package func svg(width: Int = 640, height: Int = 440) -> String {
    let frame = frame(
      left: 70, right: Double(width) - (hasRightAxis ? 70 : 20), top: 40, bottom: Double(height) - 55)
    var out: [String] = []
    out.append(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">"
    )
    out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
    out.append(
      "<text x=\"\(svgNumber(Double(width) / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escaped(title))</text>"
    )
    out += svgAxes(frame)
    out += svgLabels(frame, width: width, height: height)
    for s in series { out += svgSeries(s, frame.points(of: s)) }
    out += svgLegend(frame)
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }

  /// The grid, the ticks and their labels, the frame, and the breaks between
  /// a logarithmic axis's zero and its decades.
  private func svgAxes(_ frame: PlotFrame) -> [String] {
    let f = svgNumber
    let (left, right, top, bottom) = frame.edges
    let (xs, ys, rs) = (frame.x, frame.left, frame.right)
    var out: [String] = []
    for t in xs.ticks {
      let x = frame.horizontal(t)
      out.append("<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(bottom))\" stroke=\"#e6e6e6\"/>")
      out.append(
        "<text x=\"\(f(x))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(escaped(xs.label(ofTick: t)))</text>")
    }
    for t in ys.ticks {
      let y = frame.vertical(t, on: ys)
      out.append("<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\" stroke=\"#e6e6e6\"/>")
      out.append(
        "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(escaped(ys.label(ofTick: t)))</text>")
    }
    if hasRightAxis {
      for t in rs.ticks {
        let y = frame.vertical(t, on: rs)
        out.append("<line x1=\"\(f(right))\" y1=\"\(f(y))\" x2=\"\(f(right + 5))\" y2=\"\(f(y))\" stroke=\"black\"/>")
        out.append(
          "<text x=\"\(f(right + 8))\" y=\"\(f(y + 4))\" text-anchor=\"start\">\(escaped(rs.label(ofTick: t)))</text>")
      }
    }
    out.append(
      "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"black\"/>"
    )
    if let b = xs.breakPosition {
      let x = frame.horizontal(b)
      out.append(
        "<path d=\"M\(f(x - 4)),\(f(bottom - 1))h8v2h-8z\" fill=\"white\"/><path d=\"M\(f(x - 6)),\(f(bottom + 5))L\(f(x - 2)),\(f(bottom - 5))M\(f(x + 2)),\(f(bottom + 5))L\(f(x + 6)),\(f(bottom - 5))\" stroke=\"black\"/>"
      )
    }
    if let b = ys.breakPosition {
      let y = frame.vertical(b, on: ys)
      out.append(
        "<path d=\"M\(f(left - 1)),\(f(y - 4))h2v8h-2z\" fill=\"white\"/><path d=\"M\(f(left - 5)),\(f(y - 2))L\(f(left + 5)),\(f(y - 6))M\(f(left - 5)),\(f(y + 6))L\(f(left + 5)),\(f(y + 2))\" stroke=\"black\"/>"
      )
    }
    return out
  }

  /// The axes' labels.
  private func svgLabels(_ frame: PlotFrame, width: Int, height: Int) -> [String] {
    let f = svgNumber
    let (left, right, top, bottom) = frame.edges
    var out = [
      "<text x=\"\(f((left + right) / 2))\" y=\"\(f(Double(height) - 15))\" text-anchor=\"middle\">\(escaped(xLabel))</text>",
      "<text transform=\"translate(18 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escaped(yLabel))</text>",
    ]
    if hasRightAxis {
      out.append(
        "<text transform=\"translate(\(f(Double(width) - 14)) \(f((top + bottom) / 2))) rotate(90)\" text-anchor=\"middle\">\(escaped(rightYLabel))</text>"
      )
    }
    return out
  }

  /// One series' points, drawn in its style.
  private func svgSeries(_ s: Series, _ points: [(x: Double, y: Double)]) -> [String] {
    let f = svgNumber
    let colour = escaped(s.colour)
    switch s.style {
    case .line, .dashedLine:
      let path = points.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
      return ["<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(svgDash(s.style))/>"]
    case .crosses:
      return points.map { p in
        "<path d=\"M\(f(p.x - 5)),\(f(p.y - 5))L\(f(p.x + 5)),\(f(p.y + 5))M\(f(p.x - 5)),\(f(p.y + 5))L\(f(p.x + 5)),\(f(p.y - 5))\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
      }
    case .circles:
      return points.map { p in
        "<circle cx=\"\(f(p.x))\" cy=\"\(f(p.y))\" r=\"4\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>"
      }
    }
  }

  /// The legend: a box in its corner, a sample of each named series' style and its name.
  private func svgLegend(_ frame: PlotFrame) -> [String] {
    let f = svgNumber
    let listed = listedSeries
    guard legend != .hidden && !listed.isEmpty else { return [] }
    let boxWidth = 42 + 7 * Double(listed.map(\.name.count).max() ?? 0)
    let boxHeight = 18 * Double(listed.count) + 8
    let (boxLeft, boxTop) = legendBox(width: boxWidth, height: boxHeight, in: frame, inset: 6, insetY: 4)
    var out = [
      "<rect x=\"\(f(boxLeft))\" y=\"\(f(boxTop))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>"
    ]
    for (k, s) in listed.enumerated() {
      let y = boxTop + 18 + Double(k) * 18
      let x = boxLeft + 6
      let colour = escaped(s.colour)
      switch s.style {
      case .line, .dashedLine:
        out.append(
          "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 22))\" y2=\"\(f(y - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"\(svgDash(s.style))/>"
        )
      case .crosses:
        out.append(
          "<path d=\"M\(f(x + 6)),\(f(y - 9))L\(f(x + 16)),\(f(y + 1))M\(f(x + 6)),\(f(y + 1))L\(f(x + 16)),\(f(y - 9))\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
        )
      case .circles:
        out.append(
          "<circle cx=\"\(f(x + 11))\" cy=\"\(f(y - 4))\" r=\"4\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>"
        )
      }
      out.append("<text x=\"\(f(x + 30))\" y=\"\(f(y))\">\(escaped(s.name))</text>")
    }
    return out
  }
}

/// A coordinate as the SVG writes it: one decimal.
private func svgNumber(_ v: Double) -> String { String(format: "%.1f", v) }

/// The dash attribute of a dashed line's style, empty for the others.
private func svgDash(_ style: Plot.Style) -> String { style == .dashedLine ? " stroke-dasharray=\"7 4\"" : "" }
