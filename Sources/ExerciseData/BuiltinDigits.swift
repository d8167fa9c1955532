import OctaveCore
import Foundation

/// A made-up stand-in for the course's `ex4data1.mat`, used when that file is
/// absent: `examplesPerDigit` 20×20 grey pictures of each handwritten digit,
/// laid out exactly as the course's data.
///
/// Returns `X`, (10·examplesPerDigit)×400, and `y`, (10·examplesPerDigit)×1:
///
/// - each row of `X` is one picture unrolled **column-major**, like Octave's
///   `X(i, :) = img(:)'`: pixel (r, c) of example i is `X(i, r + 20·(c − 1))`,
///   r counted down from the top, c across from the left, so `displayData`
///   shows the digits upright;
/// - values are 0 on the background and up to 1 on the strokes (each
///   picture's brightest pixel is exactly 1), as in the course's data;
/// - labels come in blocks of `examplesPerDigit`: label 10 (the digit 0)
///   first, then 1, 2, …, 9.
///
/// Each picture is drawn from a skeleton of strokes (lines and arcs) for its
/// digit, whose shape parameters and style are varied at random (open or
/// closed 4, 7 with or without a bar, …), then bent by a random affine map
/// (rotation, slant, width and height, position near the centre) and a gentle
/// smooth warp, drawn with a random pen width, anti-aliased, blurred
/// slightly, divided by its brightest value, and cleared below 6% of it. The
/// randomness comes from a SplitMix64 generator seeded with `seed` and the
/// example's index, so the same arguments always give the same data.
///
/// - Precondition: `examplesPerDigit >= 1`.
package func builtinDigits(examplesPerDigit: Int = 500, seed: UInt64 = 2011) -> (X: Matrix, y: Matrix) {
  precondition(examplesPerDigit >= 1, "builtinDigits: examplesPerDigit must be at least 1 (got \(examplesPerDigit))")
  let m = 10 * examplesPerDigit
  let side = DigitPainter.side
  var X = [Double](repeating: 0, count: m * side * side)
  var y = [Double](repeating: 0, count: m)
  var painter = DigitPainter()
  X.withUnsafeMutableBufferPointer { pixels in
    for i in 0..<m {
      let digit = i / examplesPerDigit
      y[i] = digit == 0 ? 10 : Double(digit)
      // Each example's generator starts from a scrambled mix of the seed and
      // its index, so no two examples share a run of numbers.
      var mixer = SplitMix64(seed: seed ^ (UInt64(i) &* 0xD1B5_4A32_D192_ED03))
      var random = SplitMix64(seed: mixer.next())
      // Pixel (r, c) (0-based here) goes to column r + 20·c of row i.
      painter.paint(digit: digit, random: &random, into: pixels, start: i, stride: m)
    }
  }
  return (Matrix(rows: m, columns: side * side, values: X), Matrix(column: y))
}

/// A point of a stroke: x to the right, y downwards.
private struct Point {
  var x: Double
  var y: Double
}

/// Draws one digit at a time into a reused 20×20 buffer.
private struct DigitPainter {
  static let side = 20
  /// Where the strokes' centre of mass goes, in pixel units from the top-left
  /// corner (the course's digits have theirs near pixel 10.86, i.e. 10.36).
  static let centre = 10.36
  /// The least distance, in pixels, from the strokes' middle lines to the edges.
  static let margin = 2.5

  private var canvas = [Double](repeating: 0, count: side * side)
  private var across = [Double](repeating: 0, count: side * side)

  /// Paints `digit` and stores pixel k of the picture (column-major: k =
  /// r + 20·c for row r, column c) at `output[start + k·stride]`.
  mutating func paint(
    digit: Int, random: inout SplitMix64, into output: UnsafeMutableBufferPointer<Double>, start: Int, stride: Int
  ) {
    let strokes = Self.skeleton(of: digit, random: &random)
    let (placed, left, right, top, bottom) = Self.place(strokes, random: &random)
    let halfWidth = random.uniform(0.55, 1.4)
    let side = Self.side
    // The pixels the pen can reach, with one more all round for the blur;
    // everything outside stays 0 (`output` is expected to hold zeros).
    let reach = halfWidth + 0.5
    let rows = max(0, Int((top - reach).rounded(.down)) - 1)...min(side - 1, Int(bottom + reach) + 1)
    let columns = max(0, Int((left - reach).rounded(.down)) - 1)...min(side - 1, Int(right + reach) + 1)
    canvas.withUnsafeMutableBufferPointer { canvas in
      across.withUnsafeMutableBufferPointer { across in
        let pixels = canvas.baseAddress!
        pixels.update(repeating: 0, count: side * side)
        for stroke in placed {
          for s in 1..<stroke.count {
            Self.draw(from: stroke[s - 1], to: stroke[s], halfWidth: halfWidth, on: pixels)
          }
        }
        Self.blur(pixels, rows: rows, columns: columns, using: across.baseAddress!)
        var brightest = 0.0
        for column in columns {
          for row in rows where pixels[row + column * side] > brightest { brightest = pixels[row + column * side] }
        }
        guard brightest > 0 else { return }
        let floor = 0.06 * brightest
        for column in columns {
          for row in rows {
            let value = pixels[row + column * side]
            output[start + (row + column * side) * stride] = value < floor ? 0 : value / brightest
          }
        }
      }
    }
  }

  // MARK: Skeletons

  /// Points on the ellipse arc around (cx, cy) with radii (rx, ry) from angle
  /// `from` to `to`, in degrees, 0 to the right and 90 straight down.
  private static func arc(
    _ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, from: Double, to: Double
  ) -> [Point] {
    let steps = max(2, Int((abs(to - from) / 20).rounded(.up)))
    return (0...steps).map { k in
      let angle = (from + (to - from) * Double(k) / Double(steps)) * .pi / 180
      return Point(x: cx + rx * cos(angle), y: cy + ry * sin(angle))
    }
  }

  /// The strokes of `digit` in a box about 1 high (y from −0.5 at the top to
  /// 0.5 at the bottom) and 0.6 wide, centred on 0, with its shape varied.
  private static func skeleton(of digit: Int, random r: inout SplitMix64) -> [[Point]] {
    func p(_ x: Double, _ y: Double, _ wobble: Double = 0.04) -> Point {
      Point(x: x + r.jitter(wobble), y: y + r.jitter(wobble))
    }
    switch digit {
    case 0:
      let start = -100 + r.jitter(25)
      return [
        arc(
          r.jitter(0.02), 0, 0.31 + r.jitter(0.07), 0.48 + r.jitter(0.03), from: start, to: start + 350 + r.jitter(25))
      ]
    case 1:
      var strokes = [[p(0.03, -0.5), p(-0.03, 0.5)]]
      if r.chance(0.25) { strokes[0].insert(p(-0.16, -0.3), at: 0) }
      if r.chance(0.1) { strokes.append([p(-0.16, 0.5, 0.02), p(0.16, 0.5, 0.02)]) }
      return strokes
    case 2:
      var stroke = arc(
        0, -0.22 + r.jitter(0.03), 0.26 + r.jitter(0.04), 0.26 + r.jitter(0.04), from: -165 + r.jitter(15),
        to: 15 + r.jitter(25))
      stroke.append(p(-0.02, 0.14, 0.06))
      let corner = p(-0.28, 0.48, 0.03)
      if r.chance(0.25) {
        stroke += arc(corner.x + 0.06, corner.y - 0.06, 0.07, 0.06, from: 135, to: -60)
      } else {
        stroke.append(corner)
      }
      stroke.append(p(0.3, 0.5, 0.04))
      return [stroke]
    case 3:
      let middle = r.jitter(0.04)
      let upper = arc(
        0, -0.25 + middle / 2, 0.24 + r.jitter(0.04), 0.25 + middle / 2, from: -160 + r.jitter(20), to: 90)
      let lower = arc(0, 0.25 + middle / 2, 0.28 + r.jitter(0.05), 0.25 - middle / 2, from: -95, to: 150 + r.jitter(25))
      return [upper + lower]
    case 4:
      let bar = 0.12 + r.jitter(0.08)
      let right = 0.14 + r.jitter(0.05)
      if r.chance(0.55) {
        // Closed: a diagonal from the top of the upright down to the bar.
        return [[Point(x: right, y: -0.5), p(-0.3, bar), p(0.33, bar, 0.03)], [p(right, -0.5, 0.02), p(right, 0.5)]]
      }
      return [[p(-0.24, -0.5), p(-0.28, bar, 0.03), p(0.32, bar - 0.02, 0.03)], [p(right, -0.42), p(right, 0.5)]]
    case 5:
      let corner = p(-0.22, -0.06, 0.04)
      var body = [p(-0.18, -0.5, 0.03), corner]
      body += arc(0.01, 0.19, 0.27 + r.jitter(0.04), 0.27 + r.jitter(0.03), from: -125, to: 150 + r.jitter(20))
      return [body, [p(-0.18, -0.5, 0.02), p(0.28, -0.52, 0.03)]]
    case 6:
      var stroke = [p(0.22, -0.5), p(0.0, -0.36, 0.03), p(-0.2, -0.12, 0.03), p(-0.27, 0.18, 0.02)]
      let radius = 0.25 + r.jitter(0.04)
      stroke += arc(-0.27 + radius, 0.24, radius, 0.25 + r.jitter(0.03), from: 180, to: -170 + r.jitter(20))
      return [stroke]
    case 7:
      let foot = p(-0.06, 0.5, 0.1)
      let bend = Point(x: 0.12 + r.jitter(0.06), y: r.jitter(0.05))
      var strokes = [[p(-0.28, -0.47), p(0.3, -0.5, 0.03), bend, foot]]
      if r.chance(0.2) { strokes.append([Point(x: bend.x - 0.16, y: bend.y), Point(x: bend.x + 0.14, y: bend.y)]) }
      return strokes
    case 8:
      let waist = r.jitter(0.05)
      let upper = arc(r.jitter(0.03), -0.26 + waist / 2, 0.2 + r.jitter(0.04), 0.24 + waist / 2, from: 90, to: 450)
      let lower = arc(r.jitter(0.03), 0.24 + waist / 2, 0.26 + r.jitter(0.04), 0.26 - waist / 2, from: -90, to: 270)
      return [upper, lower]
    default:
      let radius = 0.25 + r.jitter(0.04)
      let loopY = -0.24 + r.jitter(0.03)
      let loop = arc(0, loopY, radius, 0.25 + r.jitter(0.03), from: 0, to: -360 + r.jitter(20))
      var stem = [Point(x: radius, y: loopY), p(0.2, 0.1, 0.03), p(0.12, 0.5, 0.05)]
      if r.chance(0.2) { stem.append(p(-0.08, 0.42)) }
      return [loop, stem]
    }
  }

  /// The strokes mapped into the 20×20 picture: a gentle smooth warp, then
  /// a random affine map, shrunk if needed to fit around their centre of
  /// mass, then shifted to put the centre of mass (of the stroke lengths)
  /// near ``centre`` while keeping ``margin`` from every edge. Also returns the
  /// strokes' bounding box in the picture.
  private static func place(
    _ strokes: [[Point]], random r: inout SplitMix64
  ) -> (strokes: [[Point]], left: Double, right: Double, top: Double, bottom: Double) {
    let height = r.uniform(10.3, 13.3)
    let width = height * r.uniform(0.85, 1.5)
    let angle = r.jitter(0.25)
    let slant = r.uniform(-0.2, 0.45)
    let (sine, cosine) = (sin(angle), cos(angle))
    let wave = (r.jitter(0.08), r.jitter(0.08), r.uniform(0, 2 * .pi), r.uniform(0, 2 * .pi))
    var mapped = strokes.map { stroke in
      stroke.map { point -> Point in
        let x = point.x + wave.0 * sin(3 * point.y + wave.2)
        let y = point.y + wave.1 * sin(3 * point.x + wave.3)
        let slanted = Point(x: (x - slant * y) * width, y: y * height)
        return Point(
          x: cosine * slanted.x - sine * slanted.y,
          y: sine * slanted.x + cosine * slanted.y)
      }
    }
    var (total, sumX, sumY) = (0.0, 0.0, 0.0)
    var (left, right, top, bottom) = (Double.infinity, -Double.infinity, Double.infinity, -Double.infinity)
    for stroke in mapped {
      for s in stroke.indices {
        let b = stroke[s]
        (left, right) = (min(left, b.x), max(right, b.x))
        (top, bottom) = (min(top, b.y), max(bottom, b.y))
        guard s > 0 else { continue }
        let a = stroke[s - 1]
        let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
        total += length
        sumX += length * (a.x + b.x) / 2
        sumY += length * (a.y + b.y) / 2
      }
    }
    // Shrink if needed so that, centred, the strokes keep the margin.
    let (massX, massY) = (sumX / total, sumY / total)
    let (low, high) = (margin, Double(side) - margin)
    let (before, after) = (centre - low, high - centre)
    let fit = min(1, before / (massX - left), after / (right - massX), before / (massY - top), after / (bottom - massY))
    let shiftX = min(max(centre + r.jitter(1) - fit * massX, low - fit * left), high - fit * right)
    let shiftY = min(max(centre + r.jitter(1) - fit * massY, low - fit * top), high - fit * bottom)
    for s in mapped.indices {
      for k in mapped[s].indices {
        mapped[s][k].x = fit * mapped[s][k].x + shiftX
        mapped[s][k].y = fit * mapped[s][k].y + shiftY
      }
    }
    return (
      mapped, fit * left + shiftX, fit * right + shiftX, fit * top + shiftY, fit * bottom + shiftY
    )
  }

  // MARK: Drawing

  /// Draws the segment a–b with a round pen of radius `halfWidth` pixels,
  /// each pixel taking the larger of its value and how much the pen covers
  /// its centre (1 inside, fading to 0 over one pixel at the edge).
  private static func draw(from a: Point, to b: Point, halfWidth: Double, on pixels: UnsafeMutablePointer<Double>) {
    let reach = halfWidth + 0.5
    let (dx, dy) = (b.x - a.x, b.y - a.y)
    let lengthSquared = max(dx * dx + dy * dy, 1e-12)
    let firstRow = max(0, Int((min(a.y, b.y) - reach).rounded(.down)))
    let lastRow = min(side - 1, Int(max(a.y, b.y) + reach))
    let firstColumn = max(0, Int((min(a.x, b.x) - reach).rounded(.down)))
    let lastColumn = min(side - 1, Int(max(a.x, b.x) + reach))
    guard firstRow <= lastRow, firstColumn <= lastColumn else { return }
    for column in firstColumn...lastColumn {
      let px = Double(column) + 0.5
      for row in firstRow...lastRow {
        let py = Double(row) + 0.5
        var t = ((px - a.x) * dx + (py - a.y) * dy) / lengthSquared
        t = t < 0 ? 0 : (t > 1 ? 1 : t)
        let (ex, ey) = (px - a.x - t * dx, py - a.y - t * dy)
        var coverage = reach - (ex * ex + ey * ey).squareRoot()
        if coverage > 1 { coverage = 1 }
        if coverage > pixels[row + column * side] { pixels[row + column * side] = coverage }
      }
    }
  }

  /// Smooths `pixels` in place by the separable kernel [0.2 0.6 0.2] within
  /// `rows` × `columns`, the part that may differ from 0 after smoothing
  /// (`across` is scratch space for 20×20 values).
  private static func blur(
    _ pixels: UnsafeMutablePointer<Double>, rows: ClosedRange<Int>, columns: ClosedRange<Int>,
    using across: UnsafeMutablePointer<Double>
  ) {
    for column in columns {
      for row in rows {
        let k = row + column * side
        var value = 0.6 * pixels[k]
        if column > 0 { value += 0.2 * pixels[k - side] }
        if column < side - 1 { value += 0.2 * pixels[k + side] }
        across[k] = value
      }
    }
    for column in columns {
      for row in rows {
        let k = row + column * side
        var value = 0.6 * across[k]
        if row > rows.lowerBound { value += 0.2 * across[k - 1] }
        if row < rows.upperBound { value += 0.2 * across[k + 1] }
        pixels[k] = value
      }
    }
  }
}
