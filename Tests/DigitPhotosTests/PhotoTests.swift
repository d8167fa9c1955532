import Foundation
import Testing

@testable import DigitPhotos
import NeuralNetworkLearning
import OctaveCore
import Pictures
import TestSupport

/// Photos as a student takes them, drawn here: a digit of the course's data
/// (or none) on paper with noise, uneven light, a shadow, a desk around the
/// page, or white on black. Grey levels 0…255, array row = picture row.
enum PhotoScene: String, CaseIterable {
  case noise, gradient, desk, shadow, small, whiteOnBlack

  static let (height, width) = (240, 320)

  /// The picture, with `x` (1 × 400, 0…1) drawn in if given.
  func render(_ x: Matrix?, seed: UInt64, height: Int = PhotoScene.height, width: Int = PhotoScene.width) -> Matrix {
    var generator = SeededGenerator(seed: seed)
    func gauss() -> Double {
      let u = Double.random(in: Double.ulpOfOne..<1, using: &generator)
      let v = Double.random(in: 0..<1, using: &generator)
      return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
    let image = x.map { reshape($0, 20, 20) }
    // The digit: 20 pixels become `scale`, its top-left at (top, left).
    let (scale, top, left): (Double, Double, Double) =
      self == .small
      ? (3, 0.15 * Double(height), 0.2 * Double(width))
      : (Double(height) * 0.8 / 20, Double(height) * 0.1, Double(width) / 2 - Double(height) * 0.4)
    func ink(_ i: Int, _ j: Int) -> Double {
      guard let image else { return 0 }
      let r = (Double(i) + 0.5 - top) / scale - 0.5
      let c = (Double(j) + 0.5 - left) / scale - 0.5
      guard r > -1 && r < 20 && c > -1 && c < 20 else { return 0 }
      let (r0, c0) = (Int(r.rounded(.down)), Int(c.rounded(.down)))
      let (fr, fc) = (r - Double(r0), c - Double(c0))
      func at(_ a: Int, _ b: Int) -> Double {
        (0..<20).contains(a) && (0..<20).contains(b) ? min(max(image[a + 1, b + 1], 0), 1) : 0
      }
      return (1 - fr) * ((1 - fc) * at(r0, c0) + fc * at(r0, c0 + 1)) + fr
        * ((1 - fc) * at(r0 + 1, c0) + fc * at(r0 + 1, c0 + 1))
    }
    var grey = Matrix.zeros(height, width)
    for j in 0..<width {
      for i in 0..<height {
        let (y, x) = (Double(i) / Double(height), Double(j) / Double(width))
        var paper = 230.0
        var inkLevel = 40.0
        var light = 1.0
        var sigma = 4.0
        switch self {
        case .noise: sigma = 5
        case .gradient: paper = 150 + 60 * x + 40 * y
        case .desk:
          let onPage = y > 0.12 && y < 0.9 && x > 0.1 && x < 0.88
          if !onPage { (paper, inkLevel) = (55, 55) }
        case .shadow: light = 1 - 0.45 * min(max((x - 0.55) / 0.03, 0), 1)
        case .small: break
        case .whiteOnBlack: (paper, inkLevel) = (25, 235)
        }
        let t = ink(i, j)
        let level = light * (paper * (1 - t) + inkLevel * t) + sigma * gauss()
        grey[i + 1, j + 1] = min(max(level.rounded(), 0), 255)
      }
    }
    return grey
  }
}

@Suite("Photos: JPEG, EXIF orientation, honest digit finding, speed")
struct PhotoTests {
  static let haveCourse = CourseFile.has("ex4weights.mat") && CourseFile.has("ex4data1-8bit.mat")
  static let courseMissing = CourseFile.missing(
    CourseFile.has("ex4weights.mat") ? "ex4data1-8bit.mat" : "ex4weights.mat")

  /// Grey bytes, rows from the top, of a matrix of grey levels.
  static func bytes(_ grey: Matrix) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: grey.count)
    for i in 0..<grey.rows {
      for j in 0..<grey.columns { out[i * grey.columns + j] = UInt8(min(max(grey[i + 1, j + 1].rounded(), 0), 255)) }
    }
    return out
  }

  /// A JPEG with an APP1 Exif segment right after SOI holding IFD0 with one
  /// entry, Orientation = `orientation`, in little- or big-endian TIFF.
  static func withOrientation(_ jpeg: [UInt8], _ orientation: Int, littleEndian: Bool) -> [UInt8] {
    func u16(_ v: Int) -> [UInt8] {
      littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)]
    }
    func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
    // A first entry (ImageWidth) before Orientation, so the walk over entries is tested.
    let tiff =
      (littleEndian ? Array("II".utf8) : Array("MM".utf8)) + u16(42) + u32(8) + u16(2)
      + u16(0x0100) + u16(3) + u32(1) + u16(64) + u16(0)
      + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0) + u32(0)
    let body = Array("Exif\0\0".utf8) + tiff
    let length = body.count + 2
    return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + body + jpeg.dropFirst(2)
  }

  /// A picture no turn or mirror leaves unchanged: levels rise along rows
  /// and, faster, along columns.
  static let asymmetric: Matrix = {
    var m = Matrix.zeros(24, 40)
    for i in 1...24 {
      for j in 1...40 { m[i, j] = Double(5 * i + 2 * (j - 1)) }
    }
    return m
  }()

  @Test func aJPEGReadsBackCloseToWhatWasWritten() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("photo.jpg")
    try Data(JPEGImage.encodeGrey(Self.bytes(Self.asymmetric), width: 40, height: 24, quality: 95))
      .write(to: URL(fileURLWithPath: path))
    let read = try JPEGImage.readGrey(path)
    #expect(read.shape == "24×40")
    let worst = zip(read.values, Self.asymmetric.values).map { abs($0 - $1) }.max()!
    #expect(worst <= 4, "largest difference after a quality-95 JPEG: \(worst)")
    #expect(try DigitImage.readGrey(path).shape == "24×40")
  }

  /// Each EXIF orientation, in both byte orders, is turned upright: the
  /// picture as shown equals the original turned as the EXIF standard says.
  @Test(arguments: Array(1...8))
  func exifOrientationIsHonoured(orientation: Int) throws {
    let (h, w) = (24, 40)
    let m = Self.asymmetric
    // What a camera stores for a scene `m` shown upright.
    let storedShape = orientation >= 5 ? (w, h) : (h, w)
    var stored = Matrix.zeros(storedShape.0, storedShape.1)
    for i in 0..<h {
      for j in 0..<w {
        // Shown (i, j) comes from stored (r, c), as in EXIF's definition.
        let (r, c): (Int, Int) =
          switch orientation {
          case 1: (i, j)
          case 2: (i, w - 1 - j)
          case 3: (h - 1 - i, w - 1 - j)
          case 4: (h - 1 - i, j)
          case 5: (j, i)
          case 6: (w - 1 - j, i)
          case 7: (w - 1 - j, h - 1 - i)
          default: (j, h - 1 - i)
          }
        stored[r + 1, c + 1] = m[i + 1, j + 1]
      }
    }
    let dir = try TemporaryDirectory()
    for little in [true, false] {
      let jpeg = JPEGImage.encodeGrey(Self.bytes(stored), width: stored.columns, height: stored.rows, quality: 98)
      let file = Self.withOrientation(jpeg, orientation, littleEndian: little)
      #expect(JPEGImage.exifOrientation(file) == orientation)
      let path = dir.file("turned-\(orientation)-\(little).jpg")
      try Data(file).write(to: URL(fileURLWithPath: path))
      for read in [try JPEGImage.readGrey(path), try DigitImage.readGrey(path)] {
        #expect(read.shape == "24×40", "orientation \(orientation)")
        let worst = read.shape == "24×40" ? zip(read.values, m.values).map { abs($0 - $1) }.max()! : .infinity
        #expect(worst <= 4, "orientation \(orientation), little-endian \(little): off by \(worst)")
      }
    }
  }

  @Test func damagedAndOversizedJPEGsGetOneLine() throws {
    let dir = try TemporaryDirectory()
    let noise = PhotoScene.noise.render(nil, seed: 3, height: 64, width: 64)
    let whole = JPEGImage.encodeGrey(Self.bytes(noise), width: 64, height: 64)
    let truncated = dir.file("truncated.jpg")
    try Data(whole.prefix(whole.count / 2)).write(to: URL(fileURLWithPath: truncated))
    #expect(
      throws: ImageFileError(
        path: truncated, problem: "damaged or truncated JPEG (libjpeg: Premature end of JPEG file)")
    ) {
      try DigitImage(contentsOf: truncated)
    }
    let garbled = dir.file("garbled.jpg")
    try Data(whole.prefix(200) + [UInt8](repeating: 0x5A, count: 40)).write(to: URL(fileURLWithPath: garbled))
    do {
      _ = try DigitImage(contentsOf: garbled)
      Issue.record("a garbled JPEG was read")
    } catch {
      #expect(error.description.hasPrefix("\(garbled): damaged or truncated JPEG (libjpeg: "))
      #expect(!error.description.contains("\n"))
    }
    // A CMYK JPEG, which libjpeg cannot make grey, is named as such.
    let cmyk = dir.file("print.jpg")
    try Data(JPEGImage.encodeCMYK([UInt8](repeating: 40, count: 4 * 16 * 16), width: 16, height: 16))
      .write(to: URL(fileURLWithPath: cmyk))
    #expect(
      throws: ImageFileError(
        path: cmyk, problem: "a CMYK JPEG (a printer's colours), which is not read; save it as an ordinary JPEG or PNG")
    ) { try DigitImage(contentsOf: cmyk) }
    // The header says 5001×5001: refused before decoding.
    var bomb = JPEGImage.encodeGrey([UInt8](repeating: 200, count: 64), width: 8, height: 8)
    let sof = try #require((0..<(bomb.count - 1)).first { bomb[$0] == 0xFF && bomb[$0 + 1] == 0xC0 })
    bomb[sof + 5...sof + 8] = [0x13, 0x89, 0x13, 0x89]
    let bombPath = dir.file("bomb.jpg")
    try Data(bomb).write(to: URL(fileURLWithPath: bombPath))
    #expect(
      throws: ImageFileError(
        path: bombPath, problem: "not read: 5001×5001 pixels is more than the 25000000-pixel limit")
    ) { try DigitImage(contentsOf: bombPath) }
  }

  /// A thick white bar filling the middle of a small black picture is the
  /// digit, not a page on a desk.
  @Test func aThickStrokeInATightPictureIsNoPage() throws {
    var grey = Matrix.zeros(12, 12)
    for i in 1...12 {
      for j in 5...8 { grey[i, j] = 255 }
    }
    let digit = try DigitImage(grey: grey)
    #expect(!digit.lightBackground)
    #expect(digit.pixels.values.max() == 1)
  }

  /// The blank pages of the report (640×480, level 230, σ = 5; and with a
  /// lighting gradient) and every scene without a digit are refused.
  @Test func blankPagesAreRefused() throws {
    var pages: [(String, Matrix)] = PhotoScene.allCases.map { ($0.rawValue, $0.render(nil, seed: 11)) }
    var generator = SeededGenerator(seed: 14)
    var reported = Matrix.zeros(480, 640)
    var graded = Matrix.zeros(480, 640)
    for j in 0..<640 {
      for i in 0..<480 {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &generator)
        let v = Double.random(in: 0..<1, using: &generator)
        let noise = 5 * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        reported[i + 1, j + 1] = min(max((230 + noise).rounded(), 0), 255)
        graded[i + 1, j + 1] = min(max((180 + 60 * Double(j) / 640 + 20 * Double(i) / 480 + noise).rounded(), 0), 255)
      }
    }
    pages += [("reported", reported), ("reported-gradient", graded)]
    for (name, page) in pages {
      do {
        let found = try DigitImage(grey: page, source: name)
        Issue.record("\(name): a blank page was taken for a digit (crop \(found.crop))")
      } catch {
        #expect(error.description.hasPrefix("\(name): no digit found"), "\(error.description)")
      }
    }
  }

  /// Each scene with 20 of the course's digits (2 of each label): how many
  /// the course's network reads right, printed; none refused, none said to
  /// touch the edge; a digit cut by the picture's edge is.
  @Test(.enabled(if: haveCourse, courseMissing))
  func photoSetAccuracy() throws {
    let weights = try CourseFile.read("ex4weights.mat")
    let data = try CourseFile.read("ex4data1-8bit.mat")
    let Thetas = [try #require(weights["Theta1"]), try #require(weights["Theta2"])]
    let X = try #require(data["X"])
    let y = try #require(data["y"])
    let rows = (0..<10).flatMap { label in [label * 500 + 137, label * 500 + 388] }
    var total = 0
    var right = 0
    var lines: [String] = []
    for scene in PhotoScene.allCases {
      var sceneRight = 0
      for (k, row) in rows.enumerated() {
        let picture = scene.render(X.row(row), seed: UInt64(1000 * k + row))
        let digit = try DigitImage(grey: picture, source: "\(scene)-\(row)")
        #expect(!digit.touchesEdge, "\(scene) row \(row): said to touch the edge")
        #expect(digit.lightBackground == (scene != .whiteOnBlack), "\(scene) row \(row): polarity")
        let guess = digitGuesses(Thetas, digit.features)[0][0]
        if Double(guess.label) == y[row] { sceneRight += 1 }
      }
      lines.append("\(scene.rawValue): \(sceneRight)/\(rows.count)")
      right += sceneRight
      total += rows.count
    }
    let accuracy = 100 * Double(right) / Double(total)
    let original = zip(predict(Thetas, X[rows: rows]).values, rows.map { y[$0] }).filter { $0 == $1 }.count
    lines.append("the original rows: \(original)/\(rows.count)")
    print(
      "Photo set: \(right) of \(total) read right (\(String(format: "%.1f", accuracy))%): "
        + lines.joined(separator: ", "))
    #expect(accuracy >= 85, "photo set accuracy \(accuracy)%: \(lines.joined(separator: ", "))")

    // A digit cut by the right edge is warned about.
    var cut = PhotoScene.noise.render(X.row(rows[4]), seed: 9)
    cut = cut[columns: 1...200]
    let edge = try DigitImage(grey: cut, source: "cut")
    #expect(edge.touchesEdge)
    let guesses = digitGuesses(Thetas, edge.features)[0]
    #expect(photoWarnings(edge, guesses).first?.hasPrefix("the digit touches the edge of the picture") == true)
  }

  /// A 5 drawn over a 9 twice as dark is no digit the network knows well:
  /// its best guess (a 3, at 49%) is weak, and the warning says so.
  @Test(.enabled(if: haveCourse, courseMissing))
  func aWeakGuessIsWarnedAbout() throws {
    let weights = try CourseFile.read("ex4weights.mat")
    let data = try CourseFile.read("ex4data1-8bit.mat")
    let Thetas = [try #require(weights["Theta1"]), try #require(weights["Theta2"])]
    let X = try #require(data["X"])
    let picture = PhotoScene.noise.render((X.row(2637) + 2 * X.row(4637)) / 3, seed: 5)
    let digit = try DigitImage(grey: picture)
    let guesses = digitGuesses(Thetas, digit.features)[0]
    print("A 5 over a 9: best guess \(guesses[0].digit) at \(guesses[0].confidence)")
    #expect(guesses[0].confidence < weakGuessConfidence)
    #expect(
      photoWarnings(digit, guesses) == [
        "the network is unsure (its best guess, \(guesses[0].digit), has only "
          + String(format: "%.0f", 100 * guesses[0].confidence) + "%); look at the 20×20 input it saw"
      ])
    // A confident guess says nothing; one just under 50% is weak.
    #expect(photoWarnings(digit, [DigitGuess(label: 7, confidence: 0.93)]).isEmpty)
    #expect(photoWarnings(digit, [DigitGuess(label: 7, confidence: 0.499)]).count == 1)
  }

  /// A 4032×3024 photo (a 12-megapixel phone's) is reduced as it is read, to
  /// at most DigitImage.workingSide pixels a side, as a PNG, a JPEG (libjpeg
  /// halves it as it decodes, area averaging divides by 3) and a binary PGM
  /// alike, and its digit is found away from the edges. (How long that
  /// takes is not a test's business; the shapes show the reduction.)
  @Test func aTwelveMegapixelPhotoIsReducedAsItIsRead() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("big.png")
    var small = Matrix(rows: 63, columns: 84, repeating: 0.8)
    for i in 15...50 {
      for j in 38...44 { small[i, j] = -0.7 }
    }
    try PNGImage.writeGrey(small, to: path, scale: 48)
    #expect(try DigitImage(contentsOf: path).touchesEdge == false)
    #expect(try DigitImage.readGrey(path).shape == "504×672")

    let raster = try PNGImage.decodeGreyRaster([UInt8](Data(contentsOf: URL(fileURLWithPath: path))), path: path)
    #expect(raster.width == 4032 && raster.height == 3024)
    let jpeg = dir.file("big.jpg")
    try Data(JPEGImage.encodeGrey(raster.pixels, width: raster.width, height: raster.height))
      .write(to: URL(fileURLWithPath: jpeg))
    #expect(try DigitImage(contentsOf: jpeg).touchesEdge == false)
    #expect(try DigitImage.readGrey(jpeg).shape == "504×672")

    let pgm = dir.file("big.pgm")
    try DigitPicture.pgm(raster.pixels, height: raster.height, width: raster.width).write(to: URL(fileURLWithPath: pgm))
    #expect(try DigitImage.readGrey(pgm) == DigitImage.readGrey(path))
  }
}
