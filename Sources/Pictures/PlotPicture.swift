import OctaveCore
import Foundation

extension Plot {
  /// The plot as a colour picture of `width × height` pixels, its text in
  /// ``BitmapFont`` with each font pixel a `textScale`×`textScale` square,
  /// for ``RGBRaster/writePNG(to:scale:overwrite:)``.
  ///
  /// - Precondition: the picture is at least 120×90 pixels and `textScale` at least 1.
  package func picture(width: Int = 800, height: Int = 520, textScale s: Int = 2) -> RGBRaster {
    precondition(
      width >= 120 && height >= 90, "Plot.picture: a plot needs at least 120×90 pixels, got \(width)×\(height)")
    precondition(s >= 1, "Plot.picture: textScale must be at least 1 (got \(s))")
    var image = RGBRaster(width: width, height: height)
    let layout = PictureLayout(self, width: width, height: height, textScale: s)
    guard layout.right - layout.left >= 20 && layout.bottom - layout.top >= 20 else { return image }
    let frame = frame(
      left: Double(layout.left), right: Double(layout.right), top: Double(layout.top), bottom: Double(layout.bottom))
    if !title.isEmpty {
      image.text(title, x: (width - layout.textWidth(title)) / 2, y: 5 * s, .black, scale: s)
    }
    drawAxes(frame, layout, into: &image)
    drawAxisLabels(layout, into: &image)
    drawBreaks(frame, layout, into: &image)
    for s1 in series {
      let points = frame.points(of: s1).map { (x: $0.x + 0.5, y: $0.y + 0.5) }
      drawSeries(s1.style, points, RGBColour(hex: s1.colour) ?? .black, into: &image, scale: s)
    }
    drawLegend(frame, layout, into: &image)
    return image
  }

  /// Where the frame goes in a picture: room around it for the title, the
  /// tick labels and the axes' labels, in whole pixels.
  private struct PictureLayout {
    let width: Int
    let height: Int
    /// The text scale.
    let s: Int
    /// The height of a line of text.
    let line: Int
    let yTickLabels: [String]
    let rightTickLabels: [String]
    let left: Int
    let right: Int
    let top: Int
    let bottom: Int

    init(_ plot: Plot, width: Int, height: Int, textScale s: Int) {
      let (xs, ys, rs) = (plot.xScale, plot.yScale(.left), plot.yScale(.right))
      (self.width, self.height, self.s) = (width, height, s)
      let line = BitmapFont.lineHeight * s
      self.line = line
      yTickLabels = ys.ticks.map { ys.label(ofTick: $0) }
      rightTickLabels = plot.hasRightAxis ? rs.ticks.map { rs.label(ofTick: $0) } : []
      func textWidth(_ text: String) -> Int { BitmapFont.width(of: text, scale: s) }
      left = 3 * s + (plot.yLabel.isEmpty ? 0 : line + 2 * s) + (yTickLabels.map(textWidth).max() ?? 0) + 5 * s
      // Without a right axis, room for half the last x tick's label, which is centred on the frame's edge.
      let lastXLabel = xs.ticks.last.map { textWidth(xs.label(ofTick: $0)) / 2 + 2 * s } ?? 0
      right =
        width - 1
        - (plot.hasRightAxis
          ? 3 * s + (plot.rightYLabel.isEmpty ? 0 : line + 2 * s) + (rightTickLabels.map(textWidth).max() ?? 0) + 5
            * s
          : max(6 * s, lastXLabel))
      top = plot.title.isEmpty ? 5 * s : 5 * s + line + 3 * s
      bottom = height - 1 - (3 * s + line + 3 * s + (plot.xLabel.isEmpty ? 0 : line + 2 * s))
    }

    func textWidth(_ text: String) -> Int { BitmapFont.width(of: text, scale: s) }
  }

  /// The grid, the ticks and their labels, and the frame.
  private func drawAxes(_ frame: PlotFrame, _ layout: PictureLayout, into image: inout RGBRaster) {
    let (s, left, right, top, bottom) = (layout.s, layout.left, layout.right, layout.top, layout.bottom)
    let (ink, gridColour) = (RGBColour.black, RGBColour(grey: 225))
    for t in frame.x.ticks {
      let x = Int(frame.horizontal(t).rounded())
      image.fill(x: x, y: top, width: 1, height: bottom - top, gridColour)
      image.fill(x: x, y: bottom, width: 1, height: 2 * s, ink)
      let label = frame.x.label(ofTick: t)
      image.text(label, x: x - layout.textWidth(label) / 2, y: bottom + 3 * s, ink, scale: s)
    }
    for (t, label) in zip(frame.left.ticks, layout.yTickLabels) {
      let y = Int(frame.vertical(t, on: frame.left).rounded())
      image.fill(x: left, y: y, width: right - left, height: 1, gridColour)
      image.fill(x: left - 2 * s, y: y, width: 2 * s, height: 1, ink)
      image.text(label, x: left - 3 * s - layout.textWidth(label), y: y - BitmapFont.ascent * s / 2, ink, scale: s)
    }
    for (t, label) in zip(frame.right.ticks, layout.rightTickLabels) {
      let y = Int(frame.vertical(t, on: frame.right).rounded())
      image.fill(x: right, y: y, width: 2 * s, height: 1, ink)
      image.text(label, x: right + 3 * s, y: y - BitmapFont.ascent * s / 2, ink, scale: s)
    }
    image.outline(x: left, y: top, width: right - left + 1, height: bottom - top + 1, ink)
  }

  /// The axes' labels.
  private func drawAxisLabels(_ layout: PictureLayout, into image: inout RGBRaster) {
    let (s, line, left, right, top, bottom) = (
      layout.s, layout.line, layout.left, layout.right, layout.top, layout.bottom
    )
    let ink = RGBColour.black
    let textWidth = layout.textWidth
    if !xLabel.isEmpty {
      image.text(xLabel, x: (left + right - textWidth(xLabel)) / 2, y: bottom + 3 * s + line + 2 * s, ink, scale: s)
    }
    if !yLabel.isEmpty {
      image.text(yLabel, x: 3 * s, y: (top + bottom + textWidth(yLabel)) / 2, ink, scale: s, vertical: true)
    }
    if hasRightAxis && !rightYLabel.isEmpty {
      image.text(
        rightYLabel, x: layout.width - 3 * s - line, y: (top + bottom + textWidth(rightYLabel)) / 2, ink, scale: s,
        vertical: true)
    }
  }

  /// The breaks between a logarithmic axis's zero and its decades.
  private func drawBreaks(_ frame: PlotFrame, _ layout: PictureLayout, into image: inout RGBRaster) {
    let (s, left, bottom) = (layout.s, layout.left, layout.bottom)
    let ink = RGBColour.black
    if let b = frame.x.breakPosition {
      let x = frame.horizontal(b)
      image.fill(x: Int(x) - 2 * s, y: bottom - s, width: 4 * s, height: 2 * s + 1, .white)
      for dx in [-2.5, 1.5] {
        image.line(
          from: (x + dx * Double(s) - Double(s), Double(bottom + 3 * s)),
          to: (x + dx * Double(s) + Double(s), Double(bottom - 3 * s)), ink)
      }
    }
    if let b = frame.left.breakPosition {
      let y = frame.vertical(b, on: frame.left)
      image.fill(x: left - s, y: Int(y) - 2 * s, width: 2 * s + 1, height: 4 * s, .white)
      for dy in [-2.5, 1.5] {
        image.line(
          from: (Double(left - 3 * s), y + dy * Double(s) + Double(s)),
          to: (Double(left + 3 * s), y + dy * Double(s) - Double(s)), ink)
      }
    }
  }

  /// The legend: a box in its corner, a sample of each named series' style and its name.
  private func drawLegend(_ frame: PlotFrame, _ layout: PictureLayout, into image: inout RGBRaster) {
    let listed = listedSeries
    guard legend != .hidden && !listed.isEmpty else { return }
    let (s, line) = (layout.s, layout.line)
    let sample = 12 * s
    let boxWidth = 3 * s + sample + 5 * s + (listed.map { layout.textWidth($0.name) }.max() ?? 0) + 3 * s
    let rowHeight = line + s
    let boxHeight = 2 * s + rowHeight * listed.count + s
    let corner = legendBox(
      width: Double(boxWidth), height: Double(boxHeight), in: frame, inset: Double(3 * s), insetY: Double(3 * s))
    let (boxLeft, boxTop) = (Int(corner.left), Int(corner.top))
    image.fill(x: boxLeft, y: boxTop, width: boxWidth, height: boxHeight, .white)
    image.outline(x: boxLeft, y: boxTop, width: boxWidth, height: boxHeight, RGBColour(grey: 190))
    for (k, s1) in listed.enumerated() {
      let rowTop = boxTop + 2 * s + k * rowHeight
      let middle = Double(rowTop + BitmapFont.ascent * s / 2) + 0.5
      let x0 = Double(boxLeft + 3 * s)
      let samplePoints: [(x: Double, y: Double)] =
        s1.style.isLine ? [(x0, middle), (x0 + Double(sample), middle)] : [(x0 + Double(sample) / 2, middle)]
      drawSeries(s1.style, samplePoints, RGBColour(hex: s1.colour) ?? .black, into: &image, scale: s)
      image.text(s1.name, x: boxLeft + 3 * s + sample + 5 * s, y: rowTop, .black, scale: s)
    }
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
}
