import Foundation
import Testing

@testable import Pictures
import NeuralNetworkLearning
import TestSupport

/// Text renderings of grey pictures for terminals.
@Suite struct TerminalImageTests {
  let escape = "\u{1B}["

  @Test func colourCellsByHand() {
    // Upper pixels −1 and +1 as foregrounds, lower pixels +1 and −1 as backgrounds.
    let text = terminalRendering(of: Matrix([[-1, 1], [1, -1]]), colour: true)
    let e = escape
    #expect(text == "\(e)38;2;0;0;0m\(e)48;2;255;255;255m▀\(e)38;2;255;255;255m\(e)48;2;0;0;0m▀\(e)0m\n")
  }

  @Test func colourRepeatsNothingAlongALine() {
    let text = terminalRendering(of: Matrix([[0, 0, 0], [0.5, 0.5, -1]]), colour: true)
    let e = escape
    #expect(text == "\(e)38;2;128;128;128m\(e)48;2;191;191;191m▀▀\(e)48;2;0;0;0m▀\(e)0m\n")
  }

  @Test func oddRowCountEndsWithForegroundOnly() {
    let text = terminalRendering(of: Matrix(rows: 5, columns: 3, repeating: 1), colour: true)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.count == 3)
    #expect(lines.allSatisfy { $0.hasSuffix("\(escape)0m") && $0.contains("\(escape)38;2;255;255;255m") })
    #expect(lines[0].contains("\(escape)48;2;") && lines[1].contains("\(escape)48;2;"))
    #expect(!lines[2].contains("\(escape)48;2;"))
    #expect(visibleLines(text) == ["▀▀▀", "▀▀▀", "▀▀▀"])
  }

  @Test func plainCharactersByHand() {
    // Each character averages two rows: −1 is a space, +1 is "@", 0 is "+".
    let text = terminalRendering(of: Matrix([[-1, 0, 1, 1], [-1, 0, 1, -1], [1, 1, -1, -1]]), colour: false)
    #expect(text == " +@+\n@@  \n")
    #expect(!text.contains("\u{1B}"))
  }

  /// A 211×211 `displayData` picture: 100 columns by 50 lines when shrunk to
  /// 100 columns, 40 by 20 when shrunk to 40, in both modes.
  @Test(arguments: [(100, 50), (40, 20), (211, 106)])
  func sizes(columns: Int, lines: Int) {
    let X = Matrix(rows: 100, columns: 400, values: (1...40_000).map { cos(Double($0)) })
    let picture = displayData(X)
    for colour in [true, false] {
      let text = terminalRendering(of: picture, maxColumns: columns, colour: colour)
      let visible = visibleLines(text)
      #expect(visible.count == lines, "colour \(colour)")
      #expect(visible.allSatisfy { $0.count == columns }, "colour \(colour)")
      #expect(text.contains(escape) == colour)
    }
  }

  @Test func areaAveraging() {
    // Halving: each new element is the mean of a 2×2 block.
    let image = Matrix([[1, 3, 5, 7], [1, 3, 5, 7], [2, 2, 0, 0], [4, 4, 0, 0]])
    #expect(TerminalImage.downscaled(image, maxColumns: 2) == Matrix([[2, 6], [3, 0]]))
    // Three columns into two: each new one covers one and a half old ones.
    let shrunk = TerminalImage.downscaled(Matrix([[3, 6, 9]]), maxColumns: 2)
    #expect(shrunk.shape == "1×2")
    #expect(abs(shrunk[1, 1] - (3 + 0.5 * 6) / 1.5) < 1e-12)
    #expect(abs(shrunk[1, 2] - (0.5 * 6 + 9) / 1.5) < 1e-12)
    // Narrow pictures are left alone.
    #expect(TerminalImage.downscaled(image, maxColumns: 4) == image)
  }

  @Test func colourFromTheEnvironment() {
    #expect(TerminalImage.colourEnabled(environment: [:]))
    #expect(TerminalImage.colourEnabled(environment: ["TERM": "xterm-256color", "NO_COLOR": ""]))
    #expect(!TerminalImage.colourEnabled(environment: ["NO_COLOR": "1"]))
    #expect(!TerminalImage.colourEnabled(environment: ["TERM": "dumb"]))
  }
}
