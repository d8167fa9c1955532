import Foundation
import Testing

@testable import NeuralNetworkLearning

/// Digits of the course's data drawn into picture files the way a student's
/// scans might look, and read back into inputs for the network.
enum DigitPicture {
  /// Example `x` (1 × 400, 0…1) as a raster of grey bytes, row by row from
  /// the top-left: each of its 20×20 pixels a `scale`×`scale` square, the
  /// digit at (`top`, `left`) on a `height × width` canvas, dark strokes on
  /// white paper when `light`, else bright strokes on black.
  static func raster(
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
  static func matrix(_ bytes: [UInt8], height: Int, width: Int) -> Matrix {
    var m = Matrix.zeros(height, width)
    for y in 0..<height {
      for x in 0..<width { m[y + 1, x + 1] = Double(bytes[y * width + x]) / 127.5 - 1 }
    }
    return m
  }

  /// A binary (P5) PGM file of a grey raster.
  static func pgm(_ bytes: [UInt8], height: Int, width: Int) -> Data {
    Data("P5\n# drawn by the tests\n\(width) \(height)\n255\n".utf8) + Data(bytes)
  }
}

@Suite("Digit pictures into course inputs")
struct DigitImageTests {
  static let haveCourse = CourseFile.has("ex4weights.mat") && CourseFile.has("ex4data1-8bit.mat")
  static let courseMissing = CourseFile.missing(
    CourseFile.has("ex4weights.mat") ? "ex4data1-8bit.mat" : "ex4weights.mat")

  /// 200 digits of the 8-bit data (every 25th, 20 of each label) drawn three
  /// ways — dark on white 3× in a grey PNG, white on navy 2× in an RGB PNG on
  /// a larger canvas off-centre, dark on white 3× in a PGM — and read back:
  /// the course's network must label at least 95% of them as it labels the
  /// original rows.
  @Test(
    "Round trip: 200 digits drawn into PNG and PGM files are classified as predict classifies the rows",
    .enabled(if: haveCourse, courseMissing))
  func roundTrip() throws {
    let weights = try CourseFile.read("ex4weights.mat")
    let data = try CourseFile.read("ex4data1-8bit.mat")
    let Thetas = [try #require(weights["Theta1"]), try #require(weights["Theta2"])]
    let X = try #require(data["X"])
    let rows = Array(stride(from: 1, through: 5000, by: 25))
    let expected = predict(Thetas, X[rows: rows])

    let directory = try TemporaryDirectory()
    var inputs: [Matrix] = []
    var wrongPolarity: [String] = []
    for (k, row) in rows.enumerated() {
      let x = X.row(row)
      let path: String
      switch k % 3 {
      case 0:
        path = directory.file("digit\(k).png")
        let bytes = DigitPicture.raster(x, scale: 3, light: true, height: 60, width: 60, top: 0, left: 0)
        try PNGImage.writeGrey(DigitPicture.matrix(bytes, height: 60, width: 60), to: path, scale: 1)
      case 1:
        path = directory.file("digit\(k)-rgb.png")
        let grey = DigitPicture.raster(x, scale: 2, light: false, height: 50, width: 70, top: 7, left: 23)
        // Navy paper (0, 0, 90) and white strokes, mixed by the grey's ink.
        let rgb = grey.flatMap { g -> [UInt8] in
          let t = Double(g) / 255
          return [UInt8((255 * t).rounded()), UInt8((255 * t).rounded()), UInt8((90 + 165 * t).rounded())]
        }
        try PNGImage.writeRGB(rgb, width: 70, height: 50, to: path)
      default:
        path = directory.file("digit\(k).pgm")
        let bytes = DigitPicture.raster(x, scale: 3, light: true, height: 60, width: 60, top: 0, left: 0)
        try DigitPicture.pgm(bytes, height: 60, width: 60).write(to: URL(fileURLWithPath: path))
      }
      let digit = try DigitImage(contentsOf: path)
      if digit.lightBackground != (k % 3 != 1) { wrongPolarity.append(path) }
      inputs.append(digit.features)
    }
    #expect(wrongPolarity.isEmpty, "background taken for the wrong polarity in \(wrongPolarity)")

    let guesses = digitGuesses(Thetas, stack(inputs))
    let agree = zip(guesses, expected.values).filter { Double($0.0[0].label) == $0.1 }.count
    print("round trip: \(agree) of \(rows.count) agree with predict")
    #expect(agree >= 190, "only \(agree) of 200 round-trip digits agree with predict on the original rows")
  }
}

/// The rows (each 1 × n) one above the other.
func stack(_ rows: [Matrix]) -> Matrix {
  let n = rows.first?.columns ?? 0
  var values = [Double](repeating: 0, count: rows.count * n)
  for (i, row) in rows.enumerated() {
    for j in 0..<n { values[i + j * rows.count] = row.values[j] }
  }
  return Matrix(rows: rows.count, columns: n, values: values)
}
