import OctaveCore
import Foundation

/// A colour: red, green and blue, 0…255 each.
package struct RGBColour: Sendable, Equatable, Hashable {
  package var red: UInt8
  package var green: UInt8
  package var blue: UInt8

  package init(red: UInt8, green: UInt8, blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// The grey of `level`, 0 black … 255 white.
  package init(grey level: UInt8) { self.init(red: level, green: level, blue: level) }

  /// The colour an SVG or HTML `#rrggbb` (or `#rgb`) spells; nil for anything else.
  package init?(hex: String) {
    var digits = Substring(hex)
    guard digits.first == "#" else { return nil }
    digits = digits.dropFirst()
    if digits.count == 3 { digits = Substring(digits.flatMap { [$0, $0] }) }
    guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
    self.init(red: UInt8(value >> 16), green: UInt8((value >> 8) & 0xff), blue: UInt8(value & 0xff))
  }

  /// `#rrggbb`.
  package var hex: String { String(format: "#%02x%02x%02x", red, green, blue) }

  /// This colour moved towards `other` by `fraction` (0 keeps it, 1 gives `other`).
  package func mixed(with other: RGBColour, _ fraction: Double) -> RGBColour {
    let t: Double = min(max(fraction, 0), 1)
    func mix(_ a: UInt8, _ b: UInt8) -> UInt8 {
      let from = Double(a)
      let to = Double(b)
      return UInt8((from + (to - from) * t).rounded())
    }
    return RGBColour(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
  }

  package static let black = RGBColour(grey: 0)
  package static let white = RGBColour(grey: 255)
}

/// A colour picture to draw into: `width × height` pixels, (0, 0) the top-left
/// corner, x to the right and y downwards. Drawing outside it is clipped.
/// ``writePNG(to:scale:overwrite:)`` writes it through ``PNGImage``.
package struct RGBRaster: Sendable, Equatable {
  package let width: Int
  package let height: Int
  /// Red, green and blue of each pixel, row by row from the top-left: pixel
  /// (x, y) starts at `3·(y·width + x)`, as ``PNGImage/writeRGB(_:width:height:to:scale:overwrite:)`` reads it.
  package private(set) var pixels: [UInt8]

  /// A picture filled with `background`.
  ///
  /// - Precondition: `width` and `height` are not negative.
  package init(width: Int, height: Int, background: RGBColour = .white) {
    precondition(width >= 0 && height >= 0, "RGBRaster: a picture cannot be \(width)×\(height)")
    self.width = width
    self.height = height
    pixels = [UInt8](repeating: 0, count: 3 * width * height)
    for k in 0..<(width * height) {
      pixels[3 * k] = background.red
      pixels[3 * k + 1] = background.green
      pixels[3 * k + 2] = background.blue
    }
  }

  /// The colour of pixel (x, y), 0-based from the top-left.
  ///
  /// - Precondition: the pixel is inside the picture.
  package subscript(x: Int, y: Int) -> RGBColour {
    get {
      precondition(x >= 0 && x < width && y >= 0 && y < height, "RGBRaster: (\(x), \(y)) is outside \(width)×\(height)")
      let k = 3 * (y * width + x)
      return RGBColour(red: pixels[k], green: pixels[k + 1], blue: pixels[k + 2])
    }
    set { set(x, y, newValue) }
  }

  /// Colours pixel (x, y); nothing happens outside the picture.
  package mutating func set(_ x: Int, _ y: Int, _ colour: RGBColour) {
    guard x >= 0 && x < width && y >= 0 && y < height else { return }
    let k = 3 * (y * width + x)
    pixels[k] = colour.red
    pixels[k + 1] = colour.green
    pixels[k + 2] = colour.blue
  }

  /// Fills the rectangle whose top-left pixel is (x, y).
  package mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ colour: RGBColour) {
    for row in max(y, 0)..<max(min(y + h, height), max(y, 0)) {
      for column in max(x, 0)..<max(min(x + w, width), max(x, 0)) { set(column, row, colour) }
    }
  }

  /// The outline, one pixel wide, of the rectangle whose top-left pixel is (x, y).
  package mutating func outline(x: Int, y: Int, width w: Int, height h: Int, _ colour: RGBColour) {
    guard w > 0 && h > 0 else { return }
    fill(x: x, y: y, width: w, height: 1, colour)
    fill(x: x, y: y + h - 1, width: w, height: 1, colour)
    fill(x: x, y: y, width: 1, height: h, colour)
    fill(x: x + w - 1, y: y, width: 1, height: h, colour)
  }

  /// A straight line from (x0, y0) to (x1, y1), in pixel coordinates (pixel
  /// (x, y) covers x…x+1, y…y+1), `thickness` pixels wide; with `dash`, it is
  /// drawn `dash.on` pixels and left `dash.off` pixels in turn, the pattern
  /// continuing from `dashPhase` (which the call advances, so that a
  /// polyline's segments keep one pattern).
  package mutating func line(
    from start: (x: Double, y: Double), to end: (x: Double, y: Double), _ colour: RGBColour, thickness: Int = 1,
    dash: (on: Double, off: Double)? = nil, dashPhase: inout Double
  ) {
    let (dx, dy) = (end.x - start.x, end.y - start.y)
    let length = (dx * dx + dy * dy).squareRoot()
    let steps = max(1, Int((length * 2).rounded(.up)))
    let before = (thickness - 1) / 2
    for step in 0...steps {
      let t = Double(step) / Double(steps)
      if let dash {
        let along = (dashPhase + t * length).truncatingRemainder(dividingBy: dash.on + dash.off)
        if along >= dash.on { continue }
      }
      let x = Int((start.x + t * dx).rounded(.down)) - before
      let y = Int((start.y + t * dy).rounded(.down)) - before
      fill(x: x, y: y, width: thickness, height: thickness, colour)
    }
    dashPhase += length
  }

  /// ``line(from:to:_:thickness:dash:dashPhase:)`` without a dash pattern.
  package mutating func line(
    from start: (x: Double, y: Double), to end: (x: Double, y: Double), _ colour: RGBColour, thickness: Int = 1
  ) {
    var phase = 0.0
    line(from: start, to: end, colour, thickness: thickness, dash: nil, dashPhase: &phase)
  }

  /// A circle's outline of `radius` pixels around (x, y).
  package mutating func circle(x: Double, y: Double, radius: Double, _ colour: RGBColour, thickness: Int = 1) {
    let steps = max(12, Int(radius * 8))
    for k in 0..<steps {
      let a = 2 * Double.pi * Double(k) / Double(steps)
      let b = 2 * Double.pi * Double(k + 1) / Double(steps)
      line(
        from: (x + radius * cos(a), y + radius * sin(a)), to: (x + radius * cos(b), y + radius * sin(b)), colour,
        thickness: thickness)
    }
  }

  /// Writes `text` in ``BitmapFont`` with the top of its capitals at row `y`
  /// and its first glyph's left edge at column `x`, each font pixel a
  /// `scale`×`scale` square. With `vertical`, the text runs upwards from
  /// (x, y), the bottom-left of its first glyph, turned a quarter to the left
  /// (as a y-axis label). Returns the width it took along its direction.
  @discardableResult
  package mutating func text(
    _ text: String, x: Int, y: Int, _ colour: RGBColour, scale: Int = 1, vertical: Bool = false
  ) -> Int {
    precondition(scale >= 1, "RGBRaster.text: scale must be at least 1 (got \(scale))")
    var offset = 0
    for character in text {
      let rows = BitmapFont.rows(character)
      for (r, bits) in rows.enumerated() {
        for c in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - c)) != 0 {
          if vertical {
            // Glyph pixel (c, r) goes up the picture as c grows and right as r grows.
            fill(x: x + r * scale, y: y - (offset + c + 1) * scale, width: scale, height: scale, colour)
          } else {
            fill(x: x + (offset + c) * scale, y: y + r * scale, width: scale, height: scale, colour)
          }
        }
      }
      offset += BitmapFont.advance
    }
    return BitmapFont.width(of: text, scale: scale)
  }

  /// Pastes a grey picture (−1 black … +1 white, as ``PNGImage/writeGrey(_:to:scale:overwrite:)``
  /// draws it; array row = picture row) with its top-left element at pixel (x, y).
  package mutating func paste(grey image: Matrix, x: Int, y: Int) {
    for j in 0..<image.columns {
      for i in 0..<image.rows {
        set(x + j, y + i, RGBColour(grey: PNGImage.greyLevel(of: image.values[i + j * image.rows])))
      }
    }
  }

  /// Pastes another raster with its top-left pixel at (x, y).
  package mutating func paste(_ other: RGBRaster, x: Int, y: Int) {
    for row in 0..<other.height {
      for column in 0..<other.width { set(x + column, y + row, other[column, row]) }
    }
  }

  /// Writes the picture as a colour PNG, each pixel a `scale`×`scale` square.
  ///
  /// - Throws: ``PNGImageError`` as ``PNGImage/writeRGB(_:width:height:to:scale:overwrite:)``.
  package func writePNG(to path: String, scale: Int = 1, overwrite: Bool = false) throws(PNGImageError) {
    try PNGImage.writeRGB(pixels, width: width, height: height, to: path, scale: scale, overwrite: overwrite)
  }

  /// The picture in grey for ``terminalRendering(of:maxColumns:colour:)``: −1
  /// black … +1 white, from each pixel's luminance (Rec. 601 weights).
  package var grey: Matrix {
    var image = Matrix(rows: height, columns: width, repeating: -1)
    for y in 0..<height {
      for x in 0..<width {
        let k = 3 * (y * width + x)
        let luminance = 0.299 * Double(pixels[k]) + 0.587 * Double(pixels[k + 1]) + 0.114 * Double(pixels[k + 2])
        image[y + 1, x + 1] = luminance / 127.5 - 1
      }
    }
    return image
  }
}
