import OctaveCore
import Foundation

/// A small 2-D plot of points and lines, what Octave's `plot(x, y, 'rx')`,
/// `plot(x, y, '-')`, `semilogy` and `semilogx` show, with axes, ticks,
/// labels and a legend. One description, four drawings: SVG for files
/// (``svg(width:height:)``), a colour picture for PNG files
/// (``picture(width:height:textScale:)``), a grey raster for
/// ``terminalRendering(of:maxColumns:colour:)`` (``raster(width:height:)``)
/// and text for a terminal (``textRendering(columns:lines:)``).
///
/// Axes: each series is drawn against the left y axis or, for a second
/// quantity on another scale, the right one. A linear axis spans the data
/// widened to whole 1-2-5 steps; a logarithmic one spans whole decades and
/// leaves out values below 0, and when some values are exactly 0 (a λ of 0
/// in a sweep, say) they are drawn one decade below the lowest decade of the
/// positive values, at a tick labelled 0, with a break drawn on the axis
/// between that tick and the rest. `xRange`, `yRange` and `rightYRange`
/// fix an axis's extent instead.
public struct Plot: Sendable {
  /// How a series is drawn.
  public enum Style: Sendable {
    /// A cross at each point (Octave's `'x'`).
    case crosses
    /// A small circle at each point (Octave's `'o'`).
    case circles
    /// A line through the points in order (Octave's `'-'`).
    case line
    /// A dashed line through the points in order (Octave's `'--'`).
    case dashedLine
  }

  /// Which y axis a series is measured against.
  public enum Axis: Sendable {
    case left
    case right
  }

  /// Where the legend goes, inside the plot's frame.
  public enum LegendPlacement: Sendable, CaseIterable {
    case topLeft
    case topRight
    case bottomLeft
    case bottomRight
    /// The corner whose box covers the fewest drawn points (top right first on a tie).
    case automatic
    /// No legend.
    case hidden
  }

  /// One set of points, drawn in one style and colour, named in the legend
  /// (a series with an empty name is left out of it: a second style for the
  /// same points, say).
  public struct Series: Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public var style: Style
    /// An SVG colour, `#rrggbb`, such as `"#d62728"`.
    public var colour: String
    public var axis: Axis

    public init(name: String, x: [Double], y: [Double], style: Style, colour: String, axis: Axis = .left) {
      precondition(x.count == y.count, "a series needs as many x as y values (\(x.count) vs \(y.count))")
      self.name = name
      self.x = x
      self.y = y
      self.style = style
      self.colour = colour
      self.axis = axis
    }
  }

  public var title: String
  public var xLabel: String
  public var yLabel: String
  /// The right y axis's label (drawn only when a series uses that axis).
  public var rightYLabel: String
  public var series: [Series]
  /// Draw the x axis on a logarithmic scale (Octave's `semilogx`).
  public var logarithmicX: Bool
  /// Draw the left y axis on a logarithmic scale (Octave's `semilogy`).
  public var logarithmicY: Bool
  /// The x axis's extent, in data units, instead of the data's.
  public var xRange: ClosedRange<Double>?
  /// The left y axis's extent, in data units, instead of the data's.
  public var yRange: ClosedRange<Double>?
  /// The right y axis's extent, in data units, instead of the data's.
  public var rightYRange: ClosedRange<Double>?
  public var legend: LegendPlacement

  public init(
    title: String, xLabel: String, yLabel: String, rightYLabel: String = "", series: [Series] = [],
    logarithmicX: Bool = false, logarithmicY: Bool = false, legend: LegendPlacement = .topLeft
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.rightYLabel = rightYLabel
    self.series = series
    self.logarithmicX = logarithmicX
    self.logarithmicY = logarithmicY
    self.legend = legend
  }

  // MARK: - Scales

  /// One axis: where values go along it, its ticks and their labels, in
  /// "drawn units" (the value on a linear axis, its log10 on a logarithmic one).
  struct Scale {
    let logarithmic: Bool
    let lower: Double
    let upper: Double
    /// Where 0 is drawn on a logarithmic axis that has zeros; nil otherwise.
    let zero: Double?
    /// The tick positions, in drawn units, in increasing order (the zero's first).
    let ticks: [Double]

    init(values: [Double], logarithmic: Bool, fixed: ClosedRange<Double>?) {
      self.logarithmic = logarithmic
      guard logarithmic else {
        let range = fixed ?? niceRange(values.filter(\.isFinite))
        (lower, upper, zero) = (range.lowerBound, range.upperBound, nil)
        ticks = linearTicks(range)
        return
      }
      let positive = values.filter { $0.isFinite && $0 > 0 }.map { Foundation.log10($0) }
      let hasZero = values.contains(0)
      var low: Double
      var high: Double
      if let fixed, fixed.lowerBound > 0 {
        (low, high) = (Foundation.log10(fixed.lowerBound), Foundation.log10(fixed.upperBound))
      } else if let lo = positive.min(), let hi = positive.max() {
        low = Foundation.floor(lo)
        high = max(Foundation.ceil(hi), low + 1)
      } else {
        (low, high) = (0, 1)
      }
      var zero: Double? = nil
      var decadesFrom = low
      if hasZero {
        if positive.isEmpty {
          zero = 0
          (low, high) = (-0.5, 0.5)
          decadesFrom = 1
        } else {
          zero = Foundation.floor(low) - 1
          decadesFrom = zero! + 1
          low = zero! - 0.5
          // The same margin at the other end, so that the last point is not on the frame either.
          if fixed == nil && positive.max()! == high { high += 0.5 }
        }
      }
      let decades = Array(stride(from: Foundation.ceil(decadesFrom), through: high + 1e-9, by: 1))
      let step = max(1, Int((Double(decades.count) / 8).rounded(.up)))
      var ticks = stride(from: 0, to: decades.count, by: step).map { decades[$0] }
      if let zero { ticks.insert(zero, at: 0) }
      (self.lower, self.upper, self.zero, self.ticks) = (low, high, zero, ticks)
    }

    /// The value in drawn units, nil when it cannot be drawn on this axis.
    func position(_ value: Double) -> Double? {
      guard value.isFinite else { return nil }
      guard logarithmic else { return value }
      if value > 0 { return Foundation.log10(value) }
      return value == 0 ? zero : nil
    }

    /// Where `value` falls between the axis's ends, 0 at the lower and 1 at the upper; nil when not drawable.
    func fraction(_ value: Double) -> Double? {
      position(value).map(fraction(ofPosition:))
    }

    func fraction(ofPosition position: Double) -> Double {
      upper > lower ? (position - lower) / (upper - lower) : 0.5
    }

    /// Where the axis is broken between the zero and the decades; nil without a zero.
    var breakPosition: Double? { zero.map { $0 + 0.5 } }

    func label(ofTick tick: Double) -> String {
      if let zero, tick == zero { return "0" }
      return tickLabel(logarithmic ? Foundation.pow(10, tick) : tick)
    }

    /// A short label of the value at drawn position `position` (for the text drawing's ends).
    func shortLabel(atPosition position: Double) -> String {
      if let zero, position <= zero + 0.5 { return "0" }
      return String(format: "%.3g", logarithmic ? Foundation.pow(10, position) : position)
    }
  }

  var hasRightAxis: Bool { series.contains { $0.axis == .right } }

  var xScale: Scale { Scale(values: series.flatMap(\.x), logarithmic: logarithmicX, fixed: xRange) }

  func yScale(_ axis: Axis) -> Scale {
    switch axis {
    case .left:
      Scale(values: series.filter { $0.axis == .left }.flatMap(\.y), logarithmic: logarithmicY, fixed: yRange)
    case .right:
      Scale(values: series.filter { $0.axis == .right }.flatMap(\.y), logarithmic: false, fixed: rightYRange)
    }
  }

  /// Each series' drawable points as fractions of the frame (x from the left, y from the bottom).
  func framePoints(_ xs: Scale, left: Scale, right: Scale) -> [[(x: Double, y: Double)]] {
    series.map { s in
      let ys = s.axis == .left ? left : right
      return zip(s.x, s.y).compactMap { x, y in
        guard let fx = xs.fraction(x), let fy = ys.fraction(y) else { return nil }
        return (fx, fy)
      }
    }
  }

  /// The corner the legend goes in: ``legend`` itself, or for `.automatic`
  /// the corner where a box of `boxWidth × boxHeight` (fractions of the frame)
  /// covers the fewest drawn points, lines followed along their length.
  func legendCorner(boxWidth: Double, boxHeight: Double, points: [[(x: Double, y: Double)]]) -> LegendPlacement {
    guard legend == .automatic else { return legend }
    var samples: [(x: Double, y: Double)] = []
    for (s, framed) in zip(series, points) {
      samples += framed
      guard s.style == .line || s.style == .dashedLine else { continue }
      for (a, b) in zip(framed, framed.dropFirst()) {
        for k in 1..<20 {
          let t = Double(k) / 20
          samples.append((a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)))
        }
      }
    }
    let order: [LegendPlacement] = [.topRight, .topLeft, .bottomRight, .bottomLeft]
    let margin = 0.03
    func covered(_ corner: LegendPlacement) -> Int {
      let xs = corner == .topLeft || corner == .bottomLeft ? 0...(boxWidth + margin) : (1 - boxWidth - margin)...1
      let ys = corner == .bottomLeft || corner == .bottomRight ? 0...(boxHeight + margin) : (1 - boxHeight - margin)...1
      return samples.filter { xs.contains($0.x) && ys.contains($0.y) }.count
    }
    return order.min { covered($0) < covered($1) } ?? .topLeft
  }

  // MARK: - SVG

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
    let xs = xScale
    let (ys, rs) = (yScale(.left), yScale(.right))
    let left = 70.0
    let right = Double(width) - (hasRightAxis ? 70 : 20)
    let top = 40.0
    let bottom = Double(height) - 55
    func px(_ position: Double) -> Double { left + xs.fraction(ofPosition: position) * (right - left) }
    func py(_ position: Double, _ scale: Scale) -> Double {
      bottom - scale.fraction(ofPosition: position) * (bottom - top)
    }
    func f(_ v: Double) -> String { String(format: "%.1f", v) }

    var out: [String] = []
    out.append(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">"
    )
    out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
    out.append(
      "<text x=\"\(f(Double(width) / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escaped(title))</text>")
    // Grid, ticks and tick labels.
    for t in xs.ticks {
      out.append(
        "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(bottom))\" stroke=\"#e6e6e6\"/>")
      out.append(
        "<text x=\"\(f(px(t)))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(escaped(xs.label(ofTick: t)))</text>")
    }
    for t in ys.ticks {
      out.append(
        "<line x1=\"\(f(left))\" y1=\"\(f(py(t, ys)))\" x2=\"\(f(right))\" y2=\"\(f(py(t, ys)))\" stroke=\"#e6e6e6\"/>")
      out.append(
        "<text x=\"\(f(left - 6))\" y=\"\(f(py(t, ys) + 4))\" text-anchor=\"end\">\(escaped(ys.label(ofTick: t)))</text>"
      )
    }
    if hasRightAxis {
      for t in rs.ticks {
        out.append(
          "<line x1=\"\(f(right))\" y1=\"\(f(py(t, rs)))\" x2=\"\(f(right + 5))\" y2=\"\(f(py(t, rs)))\" stroke=\"black\"/>"
        )
        out.append(
          "<text x=\"\(f(right + 8))\" y=\"\(f(py(t, rs) + 4))\" text-anchor=\"start\">\(escaped(rs.label(ofTick: t)))</text>"
        )
      }
    }
    out.append(
      "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"black\"/>"
    )
    // Breaks between a logarithmic axis's zero and its decades.
    if let b = xs.breakPosition {
      let x = px(b)
      out.append(
        "<path d=\"M\(f(x - 4)),\(f(bottom - 1))h8v2h-8z\" fill=\"white\"/><path d=\"M\(f(x - 6)),\(f(bottom + 5))L\(f(x - 2)),\(f(bottom - 5))M\(f(x + 2)),\(f(bottom + 5))L\(f(x + 6)),\(f(bottom - 5))\" stroke=\"black\"/>"
      )
    }
    if let b = ys.breakPosition {
      let y = py(b, ys)
      out.append(
        "<path d=\"M\(f(left - 1)),\(f(y - 4))h2v8h-2z\" fill=\"white\"/><path d=\"M\(f(left - 5)),\(f(y - 2))L\(f(left + 5)),\(f(y - 6))M\(f(left - 5)),\(f(y + 6))L\(f(left + 5)),\(f(y + 2))\" stroke=\"black\"/>"
      )
    }
    out.append(
      "<text x=\"\(f((left + right) / 2))\" y=\"\(f(Double(height) - 15))\" text-anchor=\"middle\">\(escaped(xLabel))</text>"
    )
    out.append(
      "<text transform=\"translate(18 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escaped(yLabel))</text>"
    )
    if hasRightAxis {
      out.append(
        "<text transform=\"translate(\(f(Double(width) - 14)) \(f((top + bottom) / 2))) rotate(90)\" text-anchor=\"middle\">\(escaped(rightYLabel))</text>"
      )
    }
    // Series.
    for s in series {
      let scale = s.axis == .left ? ys : rs
      let points = zip(s.x, s.y).compactMap { x, y -> (Double, Double)? in
        guard let a = xs.position(x), let b = scale.position(y) else { return nil }
        return (px(a), py(b, scale))
      }
      let colour = escaped(s.colour)
      switch s.style {
      case .line, .dashedLine:
        let path = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        let dash = s.style == .dashedLine ? " stroke-dasharray=\"7 4\"" : ""
        out.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash)/>")
      case .crosses:
        for (cx, cy) in points {
          out.append(
            "<path d=\"M\(f(cx - 5)),\(f(cy - 5))L\(f(cx + 5)),\(f(cy + 5))M\(f(cx - 5)),\(f(cy + 5))L\(f(cx + 5)),\(f(cy - 5))\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
          )
        }
      case .circles:
        for (cx, cy) in points {
          out.append(
            "<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"4\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>")
        }
      }
    }
    // Legend.
    let listed = series.filter { !$0.name.isEmpty }
    if legend != .hidden && !listed.isEmpty {
      let boxWidth = 42 + 7 * Double(listed.map(\.name.count).max() ?? 0)
      let boxHeight = 18 * Double(listed.count) + 8
      let corner = legendCorner(
        boxWidth: boxWidth / (right - left), boxHeight: boxHeight / (bottom - top),
        points: framePoints(xs, left: ys, right: rs))
      let boxLeft = corner == .topLeft || corner == .bottomLeft ? left + 6 : right - 6 - boxWidth
      let boxTop = corner == .topLeft || corner == .topRight ? top + 4 : bottom - 4 - boxHeight
      out.append(
        "<rect x=\"\(f(boxLeft))\" y=\"\(f(boxTop))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>"
      )
      for (k, s) in listed.enumerated() {
        let y = boxTop + 18 + Double(k) * 18
        let x = boxLeft + 6
        let colour = escaped(s.colour)
        switch s.style {
        case .line, .dashedLine:
          let dash = s.style == .dashedLine ? " stroke-dasharray=\"7 4\"" : ""
          out.append(
            "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 22))\" y2=\"\(f(y - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash)/>"
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
    }
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }

  // MARK: - Colour picture

  /// The plot as a colour picture of `width × height` pixels, its text in
  /// ``BitmapFont`` with each font pixel a `textScale`×`textScale` square,
  /// for ``RGBRaster/writePNG(to:scale:overwrite:)``.
  ///
  /// - Precondition: the picture is at least 120×90 pixels and `textScale` at least 1.
  public func picture(width: Int = 800, height: Int = 520, textScale s: Int = 2) -> RGBRaster {
    precondition(
      width >= 120 && height >= 90, "Plot.picture: a plot needs at least 120×90 pixels, got \(width)×\(height)")
    precondition(s >= 1, "Plot.picture: textScale must be at least 1 (got \(s))")
    var image = RGBRaster(width: width, height: height)
    let xs = xScale
    let (ys, rs) = (yScale(.left), yScale(.right))
    let ink = RGBColour.black
    let gridColour = RGBColour(grey: 225)
    let line = BitmapFont.lineHeight * s
    let yTickLabels = ys.ticks.map { ys.label(ofTick: $0) }
    let rightTickLabels = hasRightAxis ? rs.ticks.map { rs.label(ofTick: $0) } : []
    func textWidth(_ text: String) -> Int { BitmapFont.width(of: text, scale: s) }

    let left = 3 * s + (yLabel.isEmpty ? 0 : line + 2 * s) + (yTickLabels.map(textWidth).max() ?? 0) + 5 * s
    // Without a right axis, room for half the last x tick's label, which is centred on the frame's edge.
    let lastXLabel = xs.ticks.last.map { textWidth(xs.label(ofTick: $0)) / 2 + 2 * s } ?? 0
    let right =
      width - 1
      - (hasRightAxis
        ? 3 * s + (rightYLabel.isEmpty ? 0 : line + 2 * s) + (rightTickLabels.map(textWidth).max() ?? 0) + 5 * s
        : max(6 * s, lastXLabel))
    let top = title.isEmpty ? 5 * s : 5 * s + line + 3 * s
    let bottom = height - 1 - (3 * s + line + 3 * s + (xLabel.isEmpty ? 0 : line + 2 * s))
    guard right - left >= 20 && bottom - top >= 20 else { return image }
    func px(_ position: Double) -> Double { Double(left) + xs.fraction(ofPosition: position) * Double(right - left) }
    func py(_ position: Double, _ scale: Scale) -> Double {
      Double(bottom) - scale.fraction(ofPosition: position) * Double(bottom - top)
    }

    if !title.isEmpty { image.text(title, x: (width - textWidth(title)) / 2, y: 5 * s, ink, scale: s) }
    for t in xs.ticks {
      let x = Int(px(t).rounded())
      image.fill(x: x, y: top, width: 1, height: bottom - top, gridColour)
      image.fill(x: x, y: bottom, width: 1, height: 2 * s, ink)
      let label = xs.label(ofTick: t)
      image.text(label, x: x - textWidth(label) / 2, y: bottom + 3 * s, ink, scale: s)
    }
    for (t, label) in zip(ys.ticks, yTickLabels) {
      let y = Int(py(t, ys).rounded())
      image.fill(x: left, y: y, width: right - left, height: 1, gridColour)
      image.fill(x: left - 2 * s, y: y, width: 2 * s, height: 1, ink)
      image.text(label, x: left - 3 * s - textWidth(label), y: y - BitmapFont.ascent * s / 2, ink, scale: s)
    }
    for (t, label) in zip(rs.ticks, rightTickLabels) {
      let y = Int(py(t, rs).rounded())
      image.fill(x: right, y: y, width: 2 * s, height: 1, ink)
      image.text(label, x: right + 3 * s, y: y - BitmapFont.ascent * s / 2, ink, scale: s)
    }
    image.outline(x: left, y: top, width: right - left + 1, height: bottom - top + 1, ink)
    if !xLabel.isEmpty {
      image.text(xLabel, x: (left + right - textWidth(xLabel)) / 2, y: bottom + 3 * s + line + 2 * s, ink, scale: s)
    }
    if !yLabel.isEmpty {
      image.text(yLabel, x: 3 * s, y: (top + bottom + textWidth(yLabel)) / 2, ink, scale: s, vertical: true)
    }
    if hasRightAxis && !rightYLabel.isEmpty {
      image.text(
        rightYLabel, x: width - 3 * s - line, y: (top + bottom + textWidth(rightYLabel)) / 2, ink, scale: s,
        vertical: true)
    }
    if let b = xs.breakPosition {
      let x = px(b)
      image.fill(x: Int(x) - 2 * s, y: bottom - s, width: 4 * s, height: 2 * s + 1, .white)
      for dx in [-2.5, 1.5] {
        image.line(
          from: (x + dx * Double(s) - Double(s), Double(bottom + 3 * s)),
          to: (x + dx * Double(s) + Double(s), Double(bottom - 3 * s)), ink)
      }
    }
    if let b = ys.breakPosition {
      let y = py(b, ys)
      image.fill(x: left - s, y: Int(y) - 2 * s, width: 2 * s + 1, height: 4 * s, .white)
      for dy in [-2.5, 1.5] {
        image.line(
          from: (Double(left - 3 * s), y + dy * Double(s) + Double(s)),
          to: (Double(left + 3 * s), y + dy * Double(s) - Double(s)), ink)
      }
    }

    for s1 in series {
      let scale = s1.axis == .left ? ys : rs
      let colour = RGBColour(hex: s1.colour) ?? ink
      let points = zip(s1.x, s1.y).compactMap { x, y -> (x: Double, y: Double)? in
        guard let a = xs.position(x), let b = scale.position(y) else { return nil }
        return (px(a) + 0.5, py(b, scale) + 0.5)
      }
      drawSeries(s1.style, points, colour, into: &image, scale: s)
    }

    let listed = series.filter { !$0.name.isEmpty }
    if legend != .hidden && !listed.isEmpty {
      let sample = 12 * s
      let boxWidth = 3 * s + sample + 5 * s + (listed.map { textWidth($0.name) }.max() ?? 0) + 3 * s
      let rowHeight = line + s
      let boxHeight = 2 * s + rowHeight * listed.count + s
      let corner = legendCorner(
        boxWidth: Double(boxWidth) / Double(right - left), boxHeight: Double(boxHeight) / Double(bottom - top),
        points: framePoints(xs, left: ys, right: rs))
      let boxLeft = corner == .topLeft || corner == .bottomLeft ? left + 3 * s : right - 3 * s - boxWidth
      let boxTop = corner == .topLeft || corner == .topRight ? top + 3 * s : bottom - 3 * s - boxHeight
      image.fill(x: boxLeft, y: boxTop, width: boxWidth, height: boxHeight, .white)
      image.outline(x: boxLeft, y: boxTop, width: boxWidth, height: boxHeight, RGBColour(grey: 190))
      for (k, s1) in listed.enumerated() {
        let rowTop = boxTop + 2 * s + k * rowHeight
        let middle = Double(rowTop + BitmapFont.ascent * s / 2) + 0.5
        let colour = RGBColour(hex: s1.colour) ?? ink
        let x0 = Double(boxLeft + 3 * s)
        let samplePoints: [(x: Double, y: Double)] =
          s1.style == .line || s1.style == .dashedLine
          ? [(x0, middle), (x0 + Double(sample), middle)] : [(x0 + Double(sample) / 2, middle)]
        drawSeries(s1.style, samplePoints, colour, into: &image, scale: s)
        image.text(s1.name, x: boxLeft + 3 * s + sample + 5 * s, y: rowTop, ink, scale: s)
      }
    }
    return image
  }

  /// One series' points (pixel coordinates) drawn in its style.
  private func drawSeries(
    _ style: Style, _ points: [(x: Double, y: Double)], _ colour: RGBColour, into image: inout RGBRaster, scale s: Int
  ) {
    switch style {
    case .line, .dashedLine:
      var phase = 0.0
      let dash = style == .dashedLine ? (on: Double(5 * s), off: Double(3 * s)) : nil
      for (a, b) in zip(points, points.dropFirst()) {
        image.line(from: a, to: b, colour, thickness: s, dash: dash, dashPhase: &phase)
      }
    case .crosses:
      let r = Double(3 * s)
      for p in points {
        image.line(from: (p.x - r, p.y - r), to: (p.x + r, p.y + r), colour, thickness: s)
        image.line(from: (p.x - r, p.y + r), to: (p.x + r, p.y - r), colour, thickness: s)
      }
    case .circles:
      for p in points { image.circle(x: p.x, y: p.y, radius: Double(3 * s), colour, thickness: max(1, s / 2 + 1)) }
    }
  }

  // MARK: - Terminal

  /// The plot as a grey raster for ``TerminalImage``: background −1, axes
  /// −0.3, lines 0.5, markers +1. Row 1 is the top.
  public func raster(width: Int, height: Int) -> Matrix {
    precondition(width >= 8 && height >= 8, "a plot raster needs at least 8×8 pixels")
    var image = Matrix(rows: height, columns: width, repeating: -1)
    let xs = xScale
    let (ys, rs) = (yScale(.left), yScale(.right))
    func col(_ position: Double) -> Double { 1 + xs.fraction(ofPosition: position) * Double(width - 1) }
    func row(_ position: Double, _ scale: Scale) -> Double {
      Double(height) - scale.fraction(ofPosition: position) * Double(height - 1)
    }
    func set(_ r: Int, _ c: Int, _ v: Double) {
      if r >= 1 && r <= height && c >= 1 && c <= width { image[r, c] = max(image[r, c], v) }
    }
    for c in 1...width { set(height, c, -0.3) }
    for r in 1...height { set(r, 1, -0.3) }
    for s in series {
      let scale = s.axis == .left ? ys : rs
      let points = zip(s.x, s.y).compactMap { x, y -> (Double, Double)? in
        guard let a = xs.position(x), let b = scale.position(y) else { return nil }
        return (col(a), row(b, scale))
      }
      switch s.style {
      case .line, .dashedLine:
        var travelled = 0
        for (a, b) in zip(points, points.dropFirst()) {
          let steps = Int(max(abs(b.0 - a.0), abs(b.1 - a.1)).rounded(.up)) + 1
          for t in 0...steps {
            let u = Double(t) / Double(steps)
            travelled += 1
            if s.style == .dashedLine && travelled % 6 >= 4 { continue }
            set(Int((a.1 + u * (b.1 - a.1)).rounded()), Int((a.0 + u * (b.0 - a.0)).rounded()), 0.5)
          }
        }
      case .crosses, .circles:
        for (c, r) in points {
          let (rr, cc) = (Int(r.rounded()), Int(c.rounded()))
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
  public func textRendering(columns: Int, lines: Int) -> String {
    precondition(columns >= 4 && lines >= 2, "Plot.textRendering needs at least 4 columns and 2 lines")
    let xs = xScale
    let (ys, rs) = (yScale(.left), yScale(.right))
    let (dotsAcross, dotsDown) = (2 * columns, 4 * lines)
    var cells = [UInt32](repeating: 0, count: columns * lines)
    func dot(_ fx: Double, _ fy: Double) {
      guard fx >= -1e-9 && fx <= 1 + 1e-9 && fy >= -1e-9 && fy <= 1 + 1e-9 else { return }
      let x = min(dotsAcross - 1, max(0, Int((fx * Double(dotsAcross - 1)).rounded())))
      let y = min(dotsDown - 1, max(0, Int(((1 - fy) * Double(dotsDown - 1)).rounded())))
      let bits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
      cells[(y / 4) * columns + x / 2] |= bits[x % 2][y % 4]
    }
    for (s, framed) in zip(series, framePoints(xs, left: ys, right: rs)) {
      if framed.count == 1 || s.style == .crosses || s.style == .circles {
        for p in framed { dot(p.x, p.y) }
      }
      guard s.style == .line || s.style == .dashedLine else { continue }
      for (a, b) in zip(framed, framed.dropFirst()) {
        let steps = max(1, Int((max(abs(b.x - a.x) * Double(dotsAcross), abs(b.y - a.y) * Double(dotsDown))) * 2))
        for k in 0...steps {
          let t = Double(k) / Double(steps)
          dot(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
        }
      }
    }
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
}

/// The smallest range of whole 1-2-5 steps that holds every value.
func niceRange(_ values: [Double]) -> ClosedRange<Double> {
  guard var lo = values.min(), var hi = values.max() else { return 0...1 }
  if lo == hi {
    lo -= 1
    hi += 1
  }
  let step = niceStep((hi - lo) / 6)
  return (Foundation.floor(lo / step) * step)...(Foundation.ceil(hi / step) * step)
}

func niceStep(_ rough: Double) -> Double {
  let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(rough)))
  let fraction = rough / magnitude
  let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
  return nice * magnitude
}

/// Ticks at whole steps of the range's 1-2-5 step, from its lower end to its upper.
func linearTicks(_ range: ClosedRange<Double>) -> [Double] {
  guard range.upperBound > range.lowerBound else { return [range.lowerBound] }
  let step = niceStep((range.upperBound - range.lowerBound) / 6)
  var out: [Double] = []
  var k = Foundation.ceil(range.lowerBound / step - 1e-9)
  while k * step <= range.upperBound + step * 1e-9 {
    let t = k * step
    out.append(abs(t) < step * 1e-9 ? 0 : t)
    k += 1
  }
  return out
}

func tickLabel(_ t: Double) -> String {
  String(format: "%g", t)
}

/// `text` with the characters that SVG and HTML give a meaning to written as entities.
func escaped(_ text: String) -> String {
  text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
