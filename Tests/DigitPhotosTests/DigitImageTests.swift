import Foundation
import Testing

@testable import DigitPhotos
import NeuralNetworkLearning
import Pictures
import TestSupport

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

    let labels = inputs.map { Double(digitGuesses(Thetas, $0)[0][0].label) }
    let agree = zip(labels, expected.values).filter { $0 == $1 }.count
    print("Round trip: classify agrees with predict on \(agree) of 200 digits")
    #expect(agree >= 190, "only \(agree) of 200 round-trip digits agree with predict on the original rows")
  }
}

@Suite("Digit pictures: cropping, scaling, polarity, errors")
struct DigitImagePreparationTests {
  /// The part of pixel [k − 1, k) that lies in [from, to).
  private func cover(_ k: Int, _ from: Double, _ to: Double) -> Double {
    max(0, min(to, Double(k)) - max(from, Double(k - 1)))
  }

  /// A bar 40 rows tall and 20 wide on a 100×120 canvas: its longer side
  /// becomes 14 of 20 pixels, its centre of mass lands at 10.35, and every
  /// output pixel is the part of it the bar covers — on a dark canvas and,
  /// inverted and in other grey levels, on a light one.
  @Test(arguments: [false, true])
  func barIsCroppedScaledAndCentred(light: Bool) throws {
    var grey = Matrix(rows: 100, columns: 120, repeating: light ? 200 : 10)
    for i in 31...70 {
      for j in 61...80 { grey[i, j] = light ? 40 : 250 }
    }
    let digit = try DigitImage(grey: grey)
    #expect(digit.lightBackground == light)
    let side = 40 / 0.7
    #expect(abs(digit.crop.side - side) < 1e-12)
    #expect(abs(digit.crop.top - (50 - 10.35 / 20 * side)) < 1e-12)
    #expect(abs(digit.crop.left - (70 - 10.35 / 20 * side)) < 1e-12)
    // In output pixels the bar spans rows 3.35…17.35 and columns 6.85…13.85.
    var worst = 0.0
    for r in 1...20 {
      for c in 1...20 {
        let expected = cover(r, 3.35, 17.35) * cover(c, 6.85, 13.85)
        worst = max(worst, abs(digit.pixels[r, c] - expected))
      }
    }
    #expect(worst < 1e-9, "largest difference from the covered areas: \(worst)")
    // Column-major unrolling: pixel (r, c) is element r + 20(c − 1).
    #expect(digit.features.shape == "1×400")
    #expect(abs(digit.pixels[5, 8] - 1) < 1e-9 && digit.pixels[8, 5] == 0)
    #expect(abs(digit.features[5 + 20 * 7] - 1) < 1e-9)
  }

  /// A digit larger than 20×20 off-centre on a noisy light page: the noise
  /// floor clears the background, and the strokes still reach 1.
  @Test func noisyPaper() throws {
    var generator = SeededGenerator(seed: 5)
    var grey = Matrix(rows: 150, columns: 90, repeating: 0)
    for j in 1...90 {
      for i in 1...150 { grey[i, j] = 225 + Double(Int.random(in: -6...6, using: &generator)) }
    }
    for i in 20...79 {
      for j in 10...25 { grey[i, j] = 30 }
    }
    let digit = try DigitImage(grey: grey)
    #expect(digit.lightBackground)
    #expect(digit.pixels.values.max() == 1)
    var strayInk = 0.0
    for r in 1...20 {
      for c in 1...20 where r <= 2 || r >= 19 || c <= 5 || c >= 16 { strayInk = max(strayInk, digit.pixels[r, c]) }
    }
    #expect(strayInk < 0.02, "ink left in the background: \(strayInk)")
  }

  @Test func blankAndFaintPicturesHaveNoDigit() {
    for (grey, level) in [(Matrix(rows: 30, columns: 30, repeating: 255), 255), (faint(), 120)] {
      #expect {
        try DigitImage(grey: grey, source: "blank.png")
      } throws: { error in
        (error as? ImageFileError)?.description
          == "blank.png: no digit found: nothing differs from the background (grey level \(level) of 255) by 16 levels or more"
      }
    }
  }

  private func faint() -> Matrix {
    var grey = Matrix(rows: 30, columns: 30, repeating: 120)
    grey[15, 15] = 130
    return grey
  }

  /// Files that are not pictures, or damaged ones, give one line naming the file and what is wrong.
  @Test func unreadableFiles() throws {
    let directory = try TemporaryDirectory()
    let png = directory.file("good.png")
    try PNGImage.writeGrey(Matrix(rows: 30, columns: 30, repeating: 0.5), to: png, scale: 2)
    let whole = try Data(contentsOf: URL(fileURLWithPath: png))
    let cases: [(String, Data?, String)] = [
      ("truncated.png", whole.prefix(60), "truncated.png: damaged or truncated PNG (libpng: "),
      (
        "notes.png", Data("my digit, honest".utf8),
        "notes.png: not a PNG, JPEG or PGM picture (it starts with bytes 6d 79 20"
      ),
      (
        "photo.png", Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
        "photo.png: damaged or truncated JPEG (libjpeg: "
      ),
      (
        "colour.ppm", Data("P6 1 1 255\n".utf8) + Data([0, 0, 0]),
        "colour.ppm: a PPM (colour) file; save it as PNG or PGM"
      ),
      ("empty.pgm", Data(), "empty.pgm: the file is empty"),
      ("missing.png", nil, "missing.png: no such file"),
    ]
    for (name, content, message) in cases {
      let path = directory.file(name)
      if let content { try content.write(to: URL(fileURLWithPath: path)) }
      do {
        _ = try DigitImage(contentsOf: path)
        Issue.record("\(name) was read")
      } catch {
        #expect(error.description.hasPrefix(directory.path + "/" + message), "\(name): \(error.description)")
        #expect(!error.description.contains("\n"))
      }
    }
    do {
      _ = try DigitImage(contentsOf: directory.path)
      Issue.record("a directory was read")
    } catch {
      #expect(error.description == "\(directory.path): is a directory, not a picture")
    }
  }
}
