import Foundation
import Testing

@testable import Pictures
import NeuralNetworkLearning
import TestSupport

/// Pictures across the whole terminal window, and in real pixels (kitty,
/// sixel) where the environment says the terminal shows them. Window sizes
/// are passed in, so the tests' own terminal does not matter.
@Suite struct TerminalGraphicsTests {
  /// ex4's 100 random examples: 10×10 digits of 20×20 pixels, 211×211.
  static let digits = displayData(
    Matrix(rows: 100, columns: 400, values: (1...40_000).map { sin(Double($0) * 0.37) }))
  /// ex4's 25 hidden units: 5×5 of 20×20 pixels, 106×106.
  static let hiddenUnits = displayData(
    Matrix(rows: 25, columns: 400, values: (1...10_000).map { cos(Double($0) * 0.11) }))

  /// At 80×24 and at 160×50 both pictures take all but the last column.
  @Test(arguments: [(80, 24, 79), (160, 50, 159)])
  func textPicturesTakeTheWholeWidth(columns: Int, lines: Int, expected: Int) {
    let window = TerminalWindow(columns: columns, lines: lines)
    #expect(TerminalImage.fullWidth(of: window) == expected)
    for (name, picture) in [("digits", Self.digits), ("hidden units", Self.hiddenUnits)] {
      #expect(picture.rows == picture.columns)
      for mode in [TerminalPictureMode.blocks, .plain] {
        let text = TerminalImage.rendering(
          of: picture, columns: TerminalImage.fullWidth(of: window), mode: mode, window: window)
        let visible = visibleLines(text)
        #expect(visible.allSatisfy { $0.count == expected }, "\(name), \(mode)")
        #expect(visible.count == (expected + 1) / 2, "\(name), \(mode)")
        #expect(text.contains("\u{1B}") == (mode == .blocks), "\(name), \(mode)")
      }
    }
  }

  /// Resampling keeps a flat picture flat and scales up as well as down.
  @Test func resamplingBothWays() {
    let flat = Matrix(rows: 4, columns: 6, repeating: 0.25)
    let larger = TerminalImage.resampled(flat, columns: 15)
    #expect(larger.shape == "10×15")
    #expect(larger.values.allSatisfy { abs($0 - 0.25) < 1e-12 })
    #expect(TerminalImage.resampled(flat, columns: 3).shape == "2×3")
    let bar = Matrix([[-1, 1]])
    #expect(TerminalImage.resampled(bar, columns: 4) == Matrix([[-1, -1, 1, 1], [-1, -1, 1, 1]]))
  }

  /// The kitty sequences: `ESC _G keys;base64 ESC \`, chunks of at most 4096
  /// bytes, `m=1` on every chunk but the last, and the base64 text decodes
  /// to a PNG of every pixel of the picture.
  @Test func kittySequencesCarryThePictureInChunks() throws {
    let window = TerminalWindow(columns: 160, lines: 50, pixelWidth: 1600, pixelHeight: 1000)
    let text = TerminalImage.rendering(of: Self.digits, columns: 159, mode: .kitty, window: window)
    #expect(text.hasSuffix("\u{1B}\\\n"))
    let pattern = try Regex("\u{1B}_G([A-Za-z=0-9,]*);([A-Za-z0-9+/=]*)\u{1B}\\\\")
    let matches = text.matches(of: pattern)
    #expect(matches.count > 2, "a 1.5 MB-pixel PNG needs several chunks")
    #expect(text.replacing(pattern, with: "") == "\n", "nothing but the sequences and the newline")
    var base64 = ""
    for (k, match) in matches.enumerated() {
      let keys = String(match.output[1].substring ?? "")
      let chunk = String(match.output[2].substring ?? "")
      #expect(chunk.utf8.count <= 4096 && !chunk.isEmpty)
      let more = k < matches.count - 1 ? "m=1" : "m=0"
      #expect(keys == (k == 0 ? "a=T,f=100,c=159,q=2,\(more)" : "q=2,\(more)"), "chunk \(k): \(keys)")
      if k < matches.count - 1 { #expect(chunk.utf8.count == 4096) }
      base64 += chunk
    }
    let png = try #require(Data(base64Encoded: base64))
    let decoded = try PNGImage.decodeGrey(Array(png), path: "kitty")
    // 1590 pixels across at 10 pixels a cell: 7 screen pixels a picture pixel.
    #expect(decoded.shape == "1477×1477")
    for (i, j) in [(1, 1), (100, 37), (211, 211), (150, 5)] {
      let level = Double(PNGImage.greyLevel(of: Self.digits[i, j]))
      #expect(decoded[(i - 1) * 7 + 1, (j - 1) * 7 + 1] == level && decoded[i * 7, j * 7] == level)
    }
  }

  /// A small PNG fits one chunk, marked `m=0`.
  @Test func oneKittyChunk() {
    let text = TerminalImage.kittySequence(png: [1, 2, 3], columns: 20)
    #expect(text == "\u{1B}_Ga=T,f=100,c=20,q=2,m=0;AQID\u{1B}\\")
  }

  /// The sixel picture: a valid header with its size, the grey registers,
  /// and bands that decode back to the picture's grey levels.
  @Test func sixelDecodesToThePicture() throws {
    let picture = Self.hiddenUnits
    let text = TerminalImage.rendering(
      of: picture, columns: 79, mode: .sixel, window: TerminalWindow(columns: 80, lines: 24))
    #expect(picture.columns == 106)
    #expect(text.hasPrefix("\u{1B}P9;1;0q\"1;1;742;742#0;2;0;0;0#1;2;2;2;2"))
    #expect(text.hasSuffix("\u{1B}\\\n"))
    let decoded = try decodeSixel(text)
    #expect(decoded.width == 742 && decoded.height == 742)
    // 790 pixels across at 10 a cell: 7 screen pixels a picture pixel.
    for y in stride(from: 0, to: 742, by: 3) {
      for x in stride(from: 0, to: 742, by: 5) {
        let level = Int(PNGImage.greyLevel(of: picture[y / 7 + 1, x / 7 + 1]))
        let register = (level * 63 + 127) / 255
        #expect(decoded.pixels[y * 742 + x] == register, "(\(x), \(y))")
      }
    }
  }

  /// A tiny sixel decoder: the registers each pixel was drawn with.
  func decodeSixel(_ text: String) throws -> (width: Int, height: Int, pixels: [Int]) {
    let bytes = Array(text.utf8)
    let header = Array("\u{1B}P9;1;0q\"1;1;".utf8)
    guard bytes.starts(with: header), bytes.suffix(3) == Array("\u{1B}\\\n".utf8) else {
      throw SixelError.malformed("header or end")
    }
    var k = header.count
    func number() -> Int {
      var value = 0
      while k < bytes.count, (48...57).contains(bytes[k]) {
        value = value * 10 + Int(bytes[k] - 48)
        k += 1
      }
      return value
    }
    let width = number()
    guard bytes[k] == UInt8(ascii: ";") else { throw SixelError.malformed("size") }
    k += 1
    let height = number()
    var pixels = [Int](repeating: -1, count: width * height)
    var defined = Set<Int>()
    var colour = -1
    var (x, top) = (0, 0)
    while k < bytes.count - 3 {
      let byte = bytes[k]
      k += 1
      switch byte {
      case UInt8(ascii: "#"):
        colour = number()
        if k < bytes.count, bytes[k] == UInt8(ascii: ";") {
          for _ in 0..<4 {
            k += 1
            _ = number()
          }
          defined.insert(colour)
        } else if !defined.contains(colour) {
          throw SixelError.malformed("register \(colour) used before it is defined")
        }
      case UInt8(ascii: "$"): x = 0
      case UInt8(ascii: "-"): (x, top) = (0, top + 6)
      case UInt8(ascii: "!"), 63...126:
        var run = 1
        var character = byte
        if byte == UInt8(ascii: "!") {
          run = number()
          character = bytes[k]
          k += 1
        }
        guard (63...126).contains(character), x + run <= width else { throw SixelError.malformed("data") }
        for _ in 0..<run {
          for dy in 0..<6 where (character - 63) & (1 << dy) != 0 {
            guard top + dy < height else { throw SixelError.malformed("below the picture") }
            pixels[(top + dy) * width + x] = colour
          }
          x += 1
        }
      default: throw SixelError.malformed("byte \(byte)")
      }
    }
    #expect(!pixels.contains(-1), "every pixel drawn")
    return (width, height, pixels)
  }

  enum SixelError: Error { case malformed(String) }

  @Test func modeFromTheEnvironmentOnly() {
    func mode(_ environment: [String: String]) -> TerminalPictureMode {
      TerminalImage.pictureMode(environment: environment)
    }
    #expect(mode([:]) == .blocks)
    #expect(mode(["TERM": "xterm-256color"]) == .blocks)
    #expect(mode(["TERM": "xterm-kitty"]) == .kitty)
    #expect(mode(["TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"]) == .kitty)
    #expect(mode(["TERM_PROGRAM": "WezTerm"]) == .kitty)
    #expect(mode(["TERM": "xterm-ghostty"]) == .kitty)
    #expect(mode(["TERM": "foot"]) == .sixel)
    #expect(mode(["TERM": "mlterm"]) == .sixel)
    // tmux and screen do not pass pictures through.
    #expect(mode(["TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"]) == .blocks)
    #expect(mode(["TERM": "screen-256color", "KITTY_WINDOW_ID": "1"]) == .blocks)
    // NO_COLOR and TERM=dumb stay plain whatever else is set.
    #expect(mode(["TERM": "xterm-kitty", "NO_COLOR": "1"]) == .plain)
    #expect(mode(["TERM": "dumb", "KITTY_WINDOW_ID": "1"]) == .plain)
    #expect(mode(["TERM": "foot", "NO_COLOR": "1", "EX4_TERMINAL_PICTURES": "sixel"]) == .plain)
    #expect(mode(["TERM": "xterm", "EX4_TERMINAL_PICTURES": "sixel"]) == .sixel)
    #expect(mode(["TERM": "xterm", "EX4_TERMINAL_PICTURES": "nonsense"]) == .blocks)
  }

  /// Plain mode has no escape sequence at any size.
  @Test func plainHasNoEscapes() {
    for columns in [8, 79, 159] {
      let text = TerminalImage.rendering(of: Self.digits, columns: columns, mode: .plain)
      #expect(!text.contains("\u{1B}"))
      #expect(visibleLines(text).allSatisfy { $0.count == columns })
    }
  }
}
