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
package struct Plot: Sendable {
  /// How a series is drawn.
  package enum Style: Sendable {
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
  package enum Axis: Sendable {
    case left
    case right
  }

  /// Where the legend goes, inside the plot's frame.
  package enum LegendPlacement: Sendable, CaseIterable {
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
  package struct Series: Sendable {
    package var name: String
    package var x: [Double]
    package var y: [Double]
    package var style: Style
    /// An SVG colour, `#rrggbb`, such as `"#d62728"`.
    package var colour: String
    package var axis: Axis

    package init(name: String, x: [Double], y: [Double], style: Style, colour: String, axis: Axis = .left) {
      precondition(x.count == y.count, "a series needs as many x as y values (\(x.count) vs \(y.count))")
      self.name = name
      self.x = x
      self.y = y
      self.style = style
      self.colour = colour
      self.axis = axis
    }
  }

  package var title: String
  package var xLabel: String
  package var yLabel: String
  /// The right y axis's label (drawn only when a series uses that axis).
  package var rightYLabel: String
  package var series: [Series]
  /// Draw the x axis on a logarithmic scale (Octave's `semilogx`).
  package var logarithmicX: Bool
  /// Draw the left y axis on a logarithmic scale (Octave's `semilogy`).
  package var logarithmicY: Bool
  /// The x axis's extent, in data units, instead of the data's.
  package var xRange: ClosedRange<Double>?
  /// The left y axis's extent, in data units, instead of the data's.
  package var yRange: ClosedRange<Double>?
  /// The right y axis's extent, in data units, instead of the data's.
  package var rightYRange: ClosedRange<Double>?
  package var legend: LegendPlacement

  package init(
    title: String, xLabel: String, yLabel: String, rightYLabel: String = "", series: [Series] = [],
    logarithmicX: Bool = false, logarithmicY: Bool = false, legend: LegendPlacement = .topLeft
  ) {
    (self.title, self.xLabel, self.yLabel, self.rightYLabel) = (title, xLabel, yLabel, rightYLabel)
    (self.series, self.legend) = (series, legend)
    (self.logarithmicX, self.logarithmicY) = (logarithmicX, logarithmicY)
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

  /// The plot's axes on a drawing whose frame has these edges (x to the
  /// right, y down).
  func frame(left: Double, right: Double, top: Double, bottom: Double) -> PlotFrame {
    PlotFrame(
      x: xScale, left: yScale(.left), right: yScale(.right), edges: (left: left, right: right, top: top, bottom: bottom)
    )
  }

  /// Each series' drawable points as fractions of the frame (x from the left, y from the bottom).
  func framePoints(_ xs: Scale, left: Scale, right: Scale) -> [[(x: Double, y: Double)]] {
    let unit = PlotFrame(x: xs, left: left, right: right, edges: (left: 0, right: 1, top: 1, bottom: 0))
    return series.map(unit.points(of:))
  }

  /// The series named in the legend, in order.
  var listedSeries: [Series] { series.filter { !$0.name.isEmpty } }

  /// The corner the legend goes in: ``legend`` itself, or for `.automatic`
  /// the corner where a box of `boxWidth × boxHeight` (fractions of the frame)
  /// covers the fewest drawn points, lines followed along their length.
  func legendCorner(boxWidth: Double, boxHeight: Double, points: [[(x: Double, y: Double)]]) -> LegendPlacement {
    guard legend == .automatic else { return legend }
    var samples: [(x: Double, y: Double)] = []
    for (s, framed) in zip(series, points) {
      samples += framed
      guard s.style.isLine else { continue }
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
      let xs = corner.isLeft ? 0...(boxWidth + margin) : (1 - boxWidth - margin)...1
      let ys = corner.isBottom ? 0...(boxHeight + margin) : (1 - boxHeight - margin)...1
      return samples.filter { xs.contains($0.x) && ys.contains($0.y) }.count
    }
    return order.min { covered($0) < covered($1) } ?? .topLeft
  }

  /// Where a legend box of `width × height` goes inside `frame` (in its
  /// drawing's units), `inset` from the frame's sides and `insetY` from its
  /// top or bottom: the box's top-left corner.
  func legendBox(
    width: Double, height: Double, in frame: PlotFrame, inset: Double, insetY: Double
  ) -> (left: Double, top: Double) {
    let e = frame.edges
    let corner = legendCorner(
      boxWidth: width / (e.right - e.left), boxHeight: height / (e.bottom - e.top),
      points: framePoints(frame.x, left: frame.left, right: frame.right))
    let boxLeft = corner.isLeft ? e.left + inset : e.right - inset - width
    let boxTop = corner.isBottom ? e.bottom - insetY - height : e.top + insetY
    return (boxLeft, boxTop)
  }
}

extension Plot.Style {
  /// Whether the style draws a line through the points (solid or dashed).
  var isLine: Bool { self == .line || self == .dashedLine }
}

extension Plot.LegendPlacement {
  /// Whether the corner is on the frame's left side.
  var isLeft: Bool { self == .topLeft || self == .bottomLeft }
  /// Whether the corner is at the frame's bottom.
  var isBottom: Bool { self == .bottomLeft || self == .bottomRight }
}

/// A plot's axes placed on a drawing: its scales, and the frame's edges in
/// the drawing's coordinates (x to the right, y down). Every renderer maps
/// values to its drawing through this one frame.
struct PlotFrame {
  let x: Plot.Scale
  let left: Plot.Scale
  let right: Plot.Scale
  let edges: (left: Double, right: Double, top: Double, bottom: Double)

  /// The scale a series on `axis` is measured against.
  func scale(_ axis: Plot.Axis) -> Plot.Scale { axis == .left ? left : right }

  /// Where x position `position` (in the x scale's drawn units) is drawn.
  func horizontal(_ position: Double) -> Double {
    edges.left + x.fraction(ofPosition: position) * (edges.right - edges.left)
  }

  /// Where y position `position` (in `scale`'s drawn units) is drawn.
  func vertical(_ position: Double, on scale: Plot.Scale) -> Double {
    edges.bottom - scale.fraction(ofPosition: position) * (edges.bottom - edges.top)
  }

  /// The series' drawable points on the drawing, in order.
  func points(of series: Plot.Series) -> [(x: Double, y: Double)] {
    let scale = scale(series.axis)
    return zip(series.x, series.y).compactMap { x, y in
      guard let a = self.x.position(x), let b = scale.position(y) else { return nil }
      return (horizontal(a), vertical(b, on: scale))
    }
  }
}
