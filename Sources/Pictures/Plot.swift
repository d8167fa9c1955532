import OctaveCore
import Foundation

/// A small 2-D plot of points and lines, drawn as SVG for files and as a
/// grey raster for the terminal: what Octave's `plot(x, y, 'rx')` and
/// `plot(x, y, '-')` show, with axes, ticks and labels.
public struct Plot: Sendable {
  /// How a series is drawn.
  public enum Style: Sendable {
    /// A cross at each point (Octave's `'x'`).
    case crosses
    /// A small circle at each point (Octave's `'o'`).
    case circles
    /// A line through the points in order (Octave's `'-'`).
    case line
  }

  /// One set of points, drawn in one style and colour, named in the legend.
  public struct Series: Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public var style: Style
    /// An SVG colour, such as `"#d62728"`.
    public var colour: String

    public init(name: String, x: [Double], y: [Double], style: Style, colour: String) {
      precondition(x.count == y.count, "a series needs as many x as y values (\(x.count) vs \(y.count))")
      self.name = name
      self.x = x
      self.y = y
      self.style = style
      self.colour = colour
    }
  }

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [Series]
  /// Draw the y axis on a logarithmic scale (Octave's `semilogy`); values ≤ 0 are left out.
  public var logarithmicY: Bool

  public init(title: String, xLabel: String, yLabel: String, series: [Series] = [], logarithmicY: Bool = false) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.logarithmicY = logarithmicY
  }

  /// The series as drawn: with a logarithmic y axis, y is replaced by log10(y).
  var drawnSeries: [Series] {
    guard logarithmicY else { return series }
    return series.map { s in
      var t = s
      t.y = s.y.map { $0 > 0 ? Foundation.log10($0) : .nan }
      return t
    }
  }

  /// The drawn data's extent, widened to whole tick steps (whole decades on a log axis).
  var bounds: (x: ClosedRange<Double>, y: ClosedRange<Double>) {
    let xs = series.flatMap(\.x).filter(\.isFinite)
    let ys = drawnSeries.flatMap(\.y).filter(\.isFinite)
    if logarithmicY, let lo = ys.min(), let hi = ys.max() {
      return (niceRange(xs), Foundation.floor(lo)...max(Foundation.ceil(hi), Foundation.floor(lo) + 1))
    }
    return (niceRange(xs), niceRange(ys))
  }

  /// Writes ``svg(width:height:)`` to `path` the way every file of the
  /// package is written (a temporary file, every error checked, `fsync`, read
  /// back, then put in place), replacing a regular file there.
  ///
  /// - Throws: ``ImageFileError`` naming the file and the system's reason
  ///   (`No space left on device`); the old file is then left as it was.
  public func writeSVG(to path: String, width: Int = 640, height: Int = 440) throws(ImageFileError) {
    do {
      try FilePlacement.write(Array(svg(width: width, height: height).utf8), to: path, overwrite: true)
    } catch {
      throw ImageFileError(path: path, problem: "could not be written (\(error))")
    }
  }

  /// The plot as an SVG document, `width × height` pixels.
  public func svg(width: Int = 640, height: Int = 440) -> String {
    let (xr, yr) = bounds
    let left = 70.0
    let right = Double(width) - 20
    let top = 40.0
    let bottom = Double(height) - 55
    func px(_ x: Double) -> Double { left + (x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * (right - left) }
    func py(_ y: Double) -> Double { bottom - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * (bottom - top) }
    func f(_ v: Double) -> String { String(format: "%.1f", v) }

    var out: [String] = []
    out.append(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">"
    )
    out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
    out.append(
      "<text x=\"\(f(Double(width) / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escaped(title))</text>")
    // Grid, ticks and tick labels.
    for t in ticks(xr) {
      out.append(
        "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(bottom))\" stroke=\"#e6e6e6\"/>")
      out.append("<text x=\"\(f(px(t)))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(tickLabel(t))</text>")
    }
    let yTicks = logarithmicY ? Array(stride(from: yr.lowerBound, through: yr.upperBound, by: 1)) : ticks(yr)
    for t in yTicks {
      let label = logarithmicY ? tickLabel(Foundation.pow(10, t)) : tickLabel(t)
      out.append(
        "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(right))\" y2=\"\(f(py(t)))\" stroke=\"#e6e6e6\"/>")
      out.append("<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(label)</text>")
    }
    out.append(
      "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"black\"/>"
    )
    out.append(
      "<text x=\"\(f((left + right) / 2))\" y=\"\(f(Double(height) - 15))\" text-anchor=\"middle\">\(escaped(xLabel))</text>"
    )
    out.append(
      "<text transform=\"translate(18 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escaped(yLabel))</text>"
    )
    // Series.
    for s in drawnSeries {
      let points = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
      switch s.style {
      case .line:
        let path = points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
        out.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"2\"/>")
      case .crosses:
        for (x, y) in points {
          let (cx, cy) = (px(x), py(y))
          out.append(
            "<path d=\"M\(f(cx - 5)),\(f(cy - 5))L\(f(cx + 5)),\(f(cy + 5))M\(f(cx - 5)),\(f(cy + 5))L\(f(cx + 5)),\(f(cy - 5))\" stroke=\"\(s.colour)\" stroke-width=\"2\"/>"
          )
        }
      case .circles:
        for (x, y) in points {
          out.append(
            "<circle cx=\"\(f(px(x)))\" cy=\"\(f(py(y)))\" r=\"4\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"1.5\"/>"
          )
        }
      }
    }
    // Legend.
    for (k, s) in series.enumerated() {
      let y = top + 16 + Double(k) * 18
      let x = left + 12
      switch s.style {
      case .line:
        out.append(
          "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 22))\" y2=\"\(f(y - 4))\" stroke=\"\(s.colour)\" stroke-width=\"2\"/>"
        )
      case .crosses:
        out.append(
          "<path d=\"M\(f(x + 6)),\(f(y - 9))L\(f(x + 16)),\(f(y + 1))M\(f(x + 6)),\(f(y + 1))L\(f(x + 16)),\(f(y - 9))\" stroke=\"\(s.colour)\" stroke-width=\"2\"/>"
        )
      case .circles:
        out.append(
          "<circle cx=\"\(f(x + 11))\" cy=\"\(f(y - 4))\" r=\"4\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"1.5\"/>"
        )
      }
      out.append("<text x=\"\(f(x + 30))\" y=\"\(f(y))\">\(escaped(s.name))</text>")
    }
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }

  /// The plot as a grey raster for ``TerminalImage``: background −1, axes
  /// −0.3, lines 0.5, markers +1. Row 1 is the top.
  public func raster(width: Int, height: Int) -> Matrix {
    precondition(width >= 8 && height >= 8, "a plot raster needs at least 8×8 pixels")
    var image = Matrix(rows: height, columns: width, repeating: -1)
    let (xr, yr) = bounds
    func col(_ x: Double) -> Double { 1 + (x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * Double(width - 1) }
    func row(_ y: Double) -> Double {
      Double(height) - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * Double(height - 1)
    }
    func set(_ r: Int, _ c: Int, _ v: Double) {
      if r >= 1 && r <= height && c >= 1 && c <= width { image[r, c] = max(image[r, c], v) }
    }
    for c in 1...width { set(height, c, -0.3) }
    for r in 1...height { set(r, 1, -0.3) }
    for s in drawnSeries {
      let points = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
      switch s.style {
      case .line:
        for (a, b) in zip(points, points.dropFirst()) {
          let steps = Int(max(abs(col(b.0) - col(a.0)), abs(row(b.1) - row(a.1))).rounded(.up)) + 1
          for t in 0...steps {
            let u = Double(t) / Double(steps)
            let x = a.0 + u * (b.0 - a.0)
            let y = a.1 + u * (b.1 - a.1)
            set(Int(row(y).rounded()), Int(col(x).rounded()), 0.5)
          }
        }
      case .crosses, .circles:
        for (x, y) in points {
          let (r, c) = (Int(row(y).rounded()), Int(col(x).rounded()))
          for (dr, dc) in [(0, 0), (-1, -1), (1, 1), (-1, 1), (1, -1)] { set(r + dr, c + dc, 1) }
        }
      }
    }
    return image
  }
}

/// The smallest range of whole 1-2-5 steps that holds every value.
private func niceRange(_ values: [Double]) -> ClosedRange<Double> {
  guard var lo = values.min(), var hi = values.max() else { return 0...1 }
  if lo == hi {
    lo -= 1
    hi += 1
  }
  let step = niceStep((hi - lo) / 6)
  return (Foundation.floor(lo / step) * step)...(Foundation.ceil(hi / step) * step)
}

private func niceStep(_ rough: Double) -> Double {
  let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(rough)))
  let fraction = rough / magnitude
  let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
  return nice * magnitude
}

private func ticks(_ range: ClosedRange<Double>) -> [Double] {
  let step = niceStep((range.upperBound - range.lowerBound) / 6)
  var out: [Double] = []
  var t = range.lowerBound
  while t <= range.upperBound + step * 1e-9 {
    out.append(abs(t) < step * 1e-9 ? 0 : t)
    t += step
  }
  return out
}

private func tickLabel(_ t: Double) -> String {
  String(format: "%g", t)
}

private func escaped(_ text: String) -> String {
  text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    .replacingOccurrences(of: ">", with: "&gt;")
}
