import Foundation
import NeuralNetworkLearning

/// Digits of the course's data drawn into picture files the way a student's
/// scans might look, and read back into inputs for the network.
package enum DigitPicture {
  /// Example `x` (1 × 400, 0…1) as a raster of grey bytes, row by row from
  /// the top-left: each of its 20×20 pixels a `scale`×`scale` square, the
  /// digit at (`top`, `left`) on a `height × width` canvas, dark strokes on
  /// white paper when `light`, else bright strokes on black.
  package static func raster(
    _ x: Matrix, scale: Int, light: Bool, height: Int, width: Int, top: Int, left: Int
  ) -> [UInt8] {
    let paper: UInt8 = light ? 255 : 0
    var bytes = [UInt8](repeating: paper, count: height * width)
    let image = reshape(x, 20, 20)
    for r in 0..<(20 * scale) {
      for c in 0..<(20 * scale) {
        let ink = min(max(image[r / scale + 1, c / scale + 1], 0), 1)
        let level = UInt8((255 * ink).rounded())
        bytes[(top + r) * width + left + c] = light ? 255 - level : level
      }
    }
    return bytes
  }

  /// A grey raster as the matrix `PNGImage.writeGrey` draws back into the same bytes.
  package static func matrix(_ bytes: [UInt8], height: Int, width: Int) -> Matrix {
    var m = Matrix.zeros(height, width)
    for y in 0..<height {
      for x in 0..<width { m[y + 1, x + 1] = Double(bytes[y * width + x]) / 127.5 - 1 }
    }
    return m
  }

  /// A binary (P5) PGM file of a grey raster.
  package static func pgm(_ bytes: [UInt8], height: Int, width: Int) -> Data {
    Data("P5\n# drawn by the tests\n\(width) \(height)\n255\n".utf8) + Data(bytes)
  }
}
