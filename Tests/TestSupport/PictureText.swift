import NeuralNetworkLearning
import Pictures

/// Reads `count` characters of ``BitmapFont`` text from a picture: the text
/// was written with each font pixel a `scale`×`scale` square and its first
/// glyph's top-left corner at pixel (x, y), 0-based from the top-left. A
/// pixel counts as set when it differs from the background, the colour just
/// left of the text. Each character's cell is matched against every glyph;
/// "?" where none matches.
package func readText(_ raster: RGBRaster, x: Int, y: Int, count: Int, scale: Int = 1) -> String {
  let background = raster[max(x - 1, 0), y]
  return readText(x: x, y: y, count: count, scale: scale) { px, py in
    px < raster.width && py < raster.height && raster[px, py] != background
  }
}

/// ``readText(_:x:y:count:scale:)`` for a picture read as grey levels
/// (``PNGImage/readGrey(_:)``: element (i, j) is pixel (j − 1, i − 1)).
package func readText(grey picture: Matrix, x: Int, y: Int, count: Int, scale: Int = 1) -> String {
  let background = picture[y + 1, max(x - 1, 0) + 1]
  return readText(x: x, y: y, count: count, scale: scale) { px, py in
    px < picture.columns && py < picture.rows && picture[py + 1, px + 1] != background
  }
}

private func readText(x: Int, y: Int, count: Int, scale: Int, isSet: (Int, Int) -> Bool) -> String {
  var text = ""
  for k in 0..<count {
    let rows = (0..<BitmapFont.lineHeight).map { r -> UInt8 in
      (0..<BitmapFont.glyphWidth).reduce(0) { bits, c in
        (bits << 1) | (isSet(x + (k * BitmapFont.advance + c) * scale, y + r * scale) ? 1 : 0)
      }
    }
    // "-" and "−" share a glyph; it reads as the ASCII one.
    let matches = BitmapFont.characters.filter { BitmapFont.glyph($0) == rows }
    text.append(matches.contains("-") ? "-" : matches.first ?? "?")
  }
  return text
}
