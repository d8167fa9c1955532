import Foundation
import Testing

@testable import Pictures
import NeuralNetworkLearning
import TestSupport

/// The plot's scales, ticks and drawings.
@Suite struct PlotTests {
  // MARK: Scales

  @Test("a linear axis spans the data widened to whole 1-2-5 steps, with a tick at each step")
  func linearScale() {
    let scale = Plot.Scale(values: [0.3, 4.7, 2], logarithmic: false, fixed: nil)
    #expect(scale.lower == 0 && scale.upper == 5)
    #expect(scale.ticks == [0, 1, 2, 3, 4, 5])
    #expect(scale.fraction(2.5) == 0.5)
    #expect(scale.label(ofTick: 3) == "3")

    let wide = Plot.Scale(values: [-130, 870], logarithmic: false, fixed: nil)
    #expect(wide.lower == -200 && wide.upper == 1000)
    #expect(wide.ticks == [-200, 0, 200, 400, 600, 800, 1000])

    // One value: a range of ±1 around it.
    let single = Plot.Scale(values: [7], logarithmic: false, fixed: nil)
    #expect(single.lower < 7 && single.upper > 7)
  }

  @Test("a fixed range is used as given; ticks stay on whole steps inside it")
  func fixedRange() {
    let scale = Plot.Scale(values: [40, 60], logarithmic: false, fixed: 0...100)
    #expect(scale.lower == 0 && scale.upper == 100)
    #expect(scale.ticks == [0, 20, 40, 60, 80, 100])
    let odd = Plot.Scale(values: [], logarithmic: false, fixed: 0.5...3.5)
    #expect(odd.ticks == [0.5, 1, 1.5, 2, 2.5, 3, 3.5])
  }

  @Test("a logarithmic axis spans whole decades, ticks each decade and leaves out values ≤ 0")
  func logarithmicScale() {
    let scale = Plot.Scale(values: [0.45, 3.3, -1, .nan], logarithmic: true, fixed: nil)
    #expect(scale.lower == -1 && scale.upper == 1)
    #expect(scale.ticks == [-1, 0, 1])
    #expect(scale.ticks.map(scale.label(ofTick:)) == ["0.1", "1", "10"])
    #expect(scale.position(-1) == nil)
    #expect(scale.position(0) == nil)
    #expect(abs(scale.fraction(1)! - 0.5) < 1e-12)
    #expect(scale.zero == nil && scale.breakPosition == nil)

    // Many decades: every other one is ticked.
    let many = Plot.Scale(values: [1e-9, 1e9], logarithmic: true, fixed: nil)
    #expect(many.ticks.count <= 10)
    #expect(many.ticks.first == -9 && many.ticks.last == 9)
  }

  @Test("zeros on a logarithmic axis go one decade below the lowest decade, at a tick labelled 0, after a break")
  func zeroOnLogarithmicAxis() {
    let lambdas = [0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
    let scale = Plot.Scale(values: lambdas, logarithmic: true, fixed: nil)
    #expect(scale.zero == -3)
    #expect(scale.position(0) == -3)
    #expect(scale.position(0.01) == -2)
    #expect(scale.breakPosition == -2.5)
    #expect(scale.ticks == [-3, -2, -1, 0, 1])
    #expect(scale.ticks.map(scale.label(ofTick:)) == ["0", "0.01", "0.1", "1", "10"])
    // Half a decade of margin at both ends, so no point sits on the frame.
    #expect(scale.lower == -3.5 && scale.upper == 1.5)
    // The order of the values is kept: 0 is left of every positive value.
    let fractions = lambdas.map { scale.fraction($0)! }
    #expect(fractions == fractions.sorted() && fractions.first! > 0 && fractions.last! < 1)

    let onlyZero = Plot.Scale(values: [0], logarithmic: true, fixed: nil)
    #expect(onlyZero.fraction(0) == 0.5)
  }

  // MARK: SVG

  @Test("SVG: text is escaped, series follow their axes, the zero break is drawn")
  func svgDocument() {
    let plot = Plot(
      title: "Cost <J> & \"accuracy\"", xLabel: "λ", yLabel: "a < b", rightYLabel: "per cent",
      series: [
        Plot.Series(name: "left & <line>", x: [0, 1, 10], y: [1, 2, 3], style: .line, colour: "#1f77b4"),
        Plot.Series(
          name: "right", x: [0, 1, 10], y: [50, 60, 70], style: .dashedLine, colour: "#e6550d", axis: .right),
        Plot.Series(name: "", x: [0, 1, 10], y: [1, 2, 3], style: .circles, colour: "#1f77b4"),
      ], logarithmicX: true)
    let svg = plot.svg()
    #expect(svg.hasPrefix("<svg "))
    #expect(svg.contains("Cost &lt;J&gt; &amp; &quot;accuracy&quot;"))
    #expect(svg.contains("left &amp; &lt;line&gt;"))
    #expect(!svg.contains("<J>") && !svg.contains("<line>"))
    #expect(svg.contains(">a &lt; b</text>"))
    #expect(svg.components(separatedBy: "<polyline").count == 3)
    #expect(svg.contains("stroke-dasharray"))
    #expect(svg.components(separatedBy: "<circle").count - 1 == 3)  // the unnamed series is not in the legend
    #expect(svg.contains(">per cent</text>"))
    #expect(svg.contains(">0</text>"))  // the zero's tick
    #expect(svg.components(separatedBy: "<text").count == svg.components(separatedBy: "</text>").count)
  }

  @Test("SVG: points map to the frame, the top of the y range to the top of the frame")
  func svgPositions() {
    let plot = Plot(
      title: "", xLabel: "", yLabel: "",
      series: [Plot.Series(name: "p", x: [0, 10], y: [0, 10], style: .line, colour: "#000000")])
    // Frame: x 70…620, y 40…385 for 640×440; x and y ranges 0…10.
    #expect(plot.svg().contains("points=\"70.0,385.0 620.0,40.0\""))
  }

  // MARK: Pictures

  @Test("the colour picture has the size asked for, draws each series in its colour and writes a PNG of that size")
  func colourPicture() throws {
    let plot = Plot(
      title: "Costs", xLabel: "Iteration", yLabel: "J",
      series: [
        Plot.Series(name: "blue", x: [1, 2, 3, 4], y: [3, 2, 1.5, 1.2], style: .line, colour: "#1f77b4"),
        Plot.Series(
          name: "orange", x: [1, 2, 3, 4], y: [80, 85, 90, 92], style: .line, colour: "#e6550d", axis: .right),
      ], logarithmicY: true, legend: .automatic)
    let picture = plot.picture(width: 500, height: 300, textScale: 1)
    #expect(picture.width == 500 && picture.height == 300)
    let colours = Set((0..<picture.height).flatMap { y in (0..<picture.width).map { x in picture[x, y] } })
    #expect(colours.contains(RGBColour(hex: "#1f77b4")!))
    #expect(colours.contains(RGBColour(hex: "#e6550d")!))
    #expect(colours.contains(.black))

    let directory = try TemporaryDirectory()
    try picture.writePNG(to: directory.file("plot.png"), scale: 2)
    let read = try PNGImage.readGrey(directory.file("plot.png"))
    #expect(read.rows == 600 && read.columns == 1000)
  }

  @Test("the legend goes where it covers no points when placed automatically")
  func automaticLegend() {
    // A falling line covers the top left and the bottom right.
    let falling = Plot(
      title: "", xLabel: "", yLabel: "",
      series: [Plot.Series(name: "cost", x: [0, 1], y: [1, 0], style: .line, colour: "#000000")],
      legend: .automatic)
    let points = falling.framePoints(falling.xScale, left: falling.yScale(.left), right: falling.yScale(.right))
    #expect(falling.legendCorner(boxWidth: 0.3, boxHeight: 0.2, points: points) == .topRight)
    let rising = Plot(
      title: "", xLabel: "", yLabel: "",
      series: [Plot.Series(name: "accuracy", x: [0, 1], y: [0, 1], style: .line, colour: "#000000")],
      legend: .automatic)
    let risingPoints = rising.framePoints(rising.xScale, left: rising.yScale(.left), right: rising.yScale(.right))
    #expect(rising.legendCorner(boxWidth: 0.3, boxHeight: 0.2, points: risingPoints) == .topLeft)
  }

  @Test("the grey raster has the size asked for, its axes on the left and bottom, and the line's end points lit")
  func greyRaster() {
    let plot = Plot(
      title: "", xLabel: "", yLabel: "",
      series: [Plot.Series(name: "", x: [0, 10], y: [0, 10], style: .line, colour: "#000000")])
    let raster = plot.raster(width: 30, height: 20)
    #expect(raster.rows == 20 && raster.columns == 30)
    #expect(raster[20, 15] == -0.3 || raster[20, 15] == 0.5)
    #expect(raster[10, 1] == -0.3 || raster[10, 1] == 0.5)
    #expect(raster[1, 30] == 0.5)  // (10, 10): top right
    #expect(raster[10, 20] == -1)  // off the line
  }

  @Test("the text drawing is the asked size in Braille, with the y range at its ends")
  func textRendering() {
    var plot = Plot(
      title: "", xLabel: "", yLabel: "",
      series: [Plot.Series(name: "", x: [1, 50], y: [3, 0.3], style: .line, colour: "#000000")], logarithmicY: true)
    plot.xRange = 1...50
    let text = plot.textRendering(columns: 40, lines: 5)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    #expect(lines.count == 5 + 2)
    let plotLines = lines.prefix(5)
    #expect(plotLines.allSatisfy { $0.unicodeScalars.filter { (0x2800...0x28FF).contains($0.value) }.count == 40 })
    #expect(plotLines.first!.hasPrefix(" 10 ┤"))
    #expect(plotLines.last!.hasPrefix("0.1 ┤"))
    // The line starts high on the left and ends low on the right.
    let firstCell = plotLines.map { line in line.unicodeScalars.first { (0x2800...0x28FF).contains($0.value) }!.value }
    #expect(firstCell.prefix(2).contains { $0 != 0x2800 })
    #expect(firstCell.last == 0x2800)
  }

  // MARK: Font and raster

  @Test("the font has a distinct glyph for every digit, 5 pixels wide, 7 high above the baseline")
  func fontGlyphs() {
    let digits = "0123456789".map { BitmapFont.glyph($0)! }
    #expect(Set(digits.map { $0.map(String.init).joined(separator: ",") }).count == 10)
    for glyph in digits {
      #expect(glyph.count == BitmapFont.lineHeight)
      #expect(glyph.allSatisfy { $0 < 32 })
      #expect(glyph[7] == 0 && glyph[8] == 0)  // no tails on digits
      #expect(glyph[0] != 0 && glyph[6] != 0)  // from the top row to the baseline
    }
    #expect(BitmapFont.glyph("☃") == nil)
    #expect(BitmapFont.rows("☃") == BitmapFont.missing)
    #expect(BitmapFont.width(of: "123", scale: 2) == (3 * 6 - 1) * 2)
  }

  @Test("text written into a raster reads back glyph by glyph")
  func textReadsBack() {
    var raster = RGBRaster(width: 120, height: 20, background: .black)
    let written = "7→9 λ=0.3"
    raster.text(written, x: 3, y: 4, .white)
    #expect(readText(raster, x: 3, y: 4, count: written.count) == written)
    // Scaled text: each font pixel a 3×3 square.
    var big = RGBRaster(width: 60, height: 30, background: .black)
    big.text("42", x: 0, y: 0, .white, scale: 3)
    #expect(big[0, 0] == .black && big[3 * 3, 0] == .white && big[3 * 3 + 2, 2] == .white)
  }

  @Test("colours: hex spellings, mixing, clipping outside the raster")
  func colours() {
    #expect(RGBColour(hex: "#1f77b4") == RGBColour(red: 0x1f, green: 0x77, blue: 0xb4))
    #expect(RGBColour(hex: "#fff") == .white)
    #expect(RGBColour(hex: "red") == nil && RGBColour(hex: "#12345") == nil)
    #expect(RGBColour.black.mixed(with: .white, 0.5) == RGBColour(grey: 128))
    var raster = RGBRaster(width: 4, height: 3)
    raster.fill(x: -2, y: -2, width: 3, height: 3, .black)
    #expect(raster[0, 0] == .black && raster[1, 0] == .white && raster[0, 1] == .white)
    #expect(raster.grey[1, 1] == -1 && raster.grey[3, 4] == 1)
  }
}

@Suite struct PlotPictureMarginTests {
  @Test("the last x tick's label fits inside the picture")
  func lastLabelFits() {
    let plot = Plot(
      title: "", xLabel: "", yLabel: "",
      series: [Plot.Series(name: "", x: [1, 200], y: [130, 0.23], style: .line, colour: "#1f77b4")],
      logarithmicY: true, legend: .hidden)
    let picture = plot.picture(width: 400, height: 260, textScale: 1)
    // The label "200" is drawn under the frame's right edge; the last columns of the picture stay white.
    let columns = (picture.width - 2)..<picture.width
    #expect(columns.allSatisfy { x in (0..<picture.height).allSatisfy { picture[x, $0] == .white } })
    let inked = (0..<picture.width).filter { x in
      (picture.height - 30..<picture.height).contains { picture[x, $0] != .white }
    }
    #expect(inked.last! < picture.width - 2)
  }
}
