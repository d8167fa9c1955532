import Foundation
import Testing

@testable import ExerciseData
@testable import TrainingRecord
import NeuralNetworkLearning
import Pictures
import TestSupport

/// The examples kept aside, the confusion matrix, the misclassified picture, the training monitor.
@Suite struct ValidationSplitTests {
  @Test("a 20% split of 5000 keeps 1000 aside, the rest to train on, each row once")
  func sizes() {
    var random = ValidationSplit.stream(seed: 1)
    let split = ValidationSplit(examples: 5000, fraction: 0.2, random: &random)
    #expect(split.validationRows.count == 1000 && split.trainingRows.count == 4000)
    #expect(Set(split.validationRows).isDisjoint(with: split.trainingRows))
    #expect((split.validationRows + split.trainingRows).sorted() == Array(1...5000))
    #expect(split.validationRows == split.validationRows.sorted())
    // Spread over the data: the course's labels come in blocks of 500, so each block gets about 100.
    let perBlock = Dictionary(grouping: split.validationRows) { ($0 - 1) / 500 }.mapValues(\.count)
    #expect(perBlock.count == 10 && perBlock.values.allSatisfy { (60...140).contains($0) }, "\(perBlock)")
  }

  @Test("the same seed gives the same split, another seed another")
  func repeatable() {
    var a = ValidationSplit.stream(seed: 7)
    var b = ValidationSplit.stream(seed: 7)
    var c = ValidationSplit.stream(seed: 8)
    let first = ValidationSplit(examples: 300, fraction: 0.3, random: &a)
    #expect(first == ValidationSplit(examples: 300, fraction: 0.3, random: &b))
    #expect(first != ValidationSplit(examples: 300, fraction: 0.3, random: &c))
    // Not the weights' stream: the split's stream starts elsewhere.
    var weights = OctaveRandom(seed: 7)
    var split = ValidationSplit.stream(seed: 7)
    #expect(weights.rand() != split.rand())
  }

  @Test("at least one example on each side")
  func extremes() {
    var random = ValidationSplit.stream(seed: 1)
    let tiny = ValidationSplit(examples: 2, fraction: 0.01, random: &random)
    #expect(tiny.validationRows.count == 1 && tiny.trainingRows.count == 1)
    let most = ValidationSplit(examples: 10, fraction: 0.99, random: &random)
    #expect(most.validationRows.count == 9 && most.trainingRows.count == 1)
  }

  @Test("--validation reads a percentage between 0% and 100% and refuses anything else, naming the option")
  func percentages() throws {
    #expect(try ValidationSplit.parsePercentage("20%") == 0.2)
    #expect(try ValidationSplit.parsePercentage("20") == 0.2)
    #expect(try ValidationSplit.parsePercentage(" 12.5 % ") == 0.125)
    for bad in ["0%", "100%", "-5%", "abc", "nan%", "", "20%%", "1e3"] {
      #expect(throws: InputError.self, "\(bad)") { try ValidationSplit.parsePercentage(bad) }
      do {
        _ = try ValidationSplit.parsePercentage(bad)
      } catch {
        #expect(error.description.hasPrefix("--validation must be a percentage"))
        #expect(error.description.contains("'\(bad)'"))
      }
    }
  }
}

@Suite struct ConfusionMatrixTests {
  /// Labels 10 (the digit 0), 1, 2 with a few mistakes.
  private let matrix = ConfusionMatrix(
    labels: 10, actual: Matrix(column: [10, 10, 10, 1, 1, 2, 2, 2, 2, 7]),
    predicted: Matrix(column: [10, 10, 6, 1, 7, 2, 2, 3, 3, 7]))

  @Test("counts, the digits' order (0 first), per-digit accuracy, the most frequent mistakes")
  func counts() {
    #expect(matrix.total == 10 && matrix.correct == 6)
    #expect(matrix.order == [10, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    #expect(matrix.counts[9][9] == 2 && matrix.counts[9][5] == 1 && matrix.counts[1][2] == 2)
    #expect(abs(matrix.accuracy(of: 10)! - 200.0 / 3) < 1e-12)
    #expect(matrix.accuracy(of: 2) == 50)
    #expect(matrix.accuracy(of: 5) == nil)
    let mistakes = matrix.mostConfused(2)
    #expect(mistakes.count == 2)
    #expect(mistakes[0].actual == 2 && mistakes[0].predicted == 3 && mistakes[0].count == 2)
    #expect(mistakes[1].actual == 10 && mistakes[1].predicted == 6 && mistakes[1].count == 1)
  }

  @Test("the printed matrix: a header of digits 0…9, a row per digit with its counts and accuracy")
  func text() {
    let lines = matrix.text().split(separator: "\n")
    #expect(lines.count == 11)
    #expect(lines[0].split(separator: " ").prefix(11) == ["true", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
    let zeroRow = lines[1].split(separator: " ")
    #expect(zeroRow.first == "0" && zeroRow[1] == "2" && zeroRow[7] == "1" && zeroRow.last == "66.7%")
    #expect(lines[6].split(separator: " ").last == "—")  // no 5s
  }

  @Test("the picture: a cell per pair with its count written in it")
  func picture() {
    let picture = matrix.picture(title: "Confusion")
    #expect(picture.width > 10 * 20 && picture.height > 10 * 10)
    // Some cells are shaded green (right) and some red (wrong).
    let colours = Set((0..<picture.height).flatMap { y in (0..<picture.width).map { x in picture[x, y] } })
    #expect(colours.contains { Int($0.green) > Int($0.red) + 40 })
    #expect(colours.contains { Int($0.red) > Int($0.green) + 40 })
  }
}

@Suite struct MisclassifiedPictureTests {
  @Test("tiles laid out as displayData lays them, the label and the guess written under each")
  func layout() {
    let X = Matrix(rows: 3, columns: 400, values: (1...1200).map { sin(Double($0) * 0.7) })
    let picture = misclassifiedPicture(X: X, actual: [7, 10, 4], predicted: [9, 6, 10])
    let grid = displayData(X)  // 1 row of 3 tiles: 21×64
    #expect(picture.width == grid.columns)
    let key = BitmapFont.lineHeight + 2
    let strip = BitmapFont.ascent + 2
    #expect(picture.height == key + 1 + 20 + strip + 1)
    // The tiles are displayData's pixels, moved down below the key.
    for (r, c) in [(2, 2), (11, 30), (21, 64), (5, 50)] {
      #expect(picture[c - 1, key + r - 1] == RGBColour(grey: PNGImage.greyLevel(of: grid[r, c])), "(\(r), \(c))")
    }
    // The captions read back: 7→9, 0→6, 4→0.
    let captionWidth = BitmapFont.width(of: "7→9")
    let captions = (0..<3).map { k in
      readText(picture, x: 1 + k * 21 + (20 - captionWidth) / 2, y: key + 1 + 20 + 1, count: 3)
    }
    #expect(captions == ["7→9", "0→6", "4→0"])
    #expect(readText(picture, x: 1, y: 2, count: 10) == "true→guess")
  }
}

@Suite struct TrainingMonitorTests {
  /// A small digit problem: 200 built-in digits, 16 hidden units.
  private func problem() -> (X: Matrix, y: Matrix, initial: Matrix, layers: [Int]) {
    let (X, y) = builtinDigits(examplesPerDigit: 20)
    var random = OctaveRandom(seed: 3)
    let layers = [400, 16, 10]
    return (X, y, unroll(randInitializeWeights(layerSizes: layers, using: &random)), layers)
  }

  @Test("it records fmincg's costs exactly and, with validation, both sets' accuracy and cost")
  func records() throws {
    let (X, y, initial, layers) = problem()
    var random = ValidationSplit.stream(seed: 3)
    let split = ValidationSplit(examples: X.rows, fraction: 0.25, random: &random)
    let training = (X: X[rows: split.trainingRows], y: y[rows: split.trainingRows])
    let validation = (X: X[rows: split.validationRows], y: y[rows: split.validationRows])
    let monitor = TrainingMonitor(
      layerSizes: layers, lambda: 1, training: training, validation: validation, maxIter: 12, liveCurve: false)
    let cost = NNCostFunction(layerSizes: layers, X: training.X, y: training.y, lambda: 1)
    let (nnParams, costs, _) = fmincg(
      cost.callAsFunction, initial, maxIter: 12, progress: .silent, observer: monitor.observer)
    let Thetas = roll(nnParams, into: weightShapes(layers))
    let history = monitor.history
    #expect(history.iterations.map(\.cost) == costs && costs.count == 12)
    #expect(history.iterations.map(\.iteration) == Array(1...12))
    let last = history.iterations.last!
    #expect(last.trainingAccuracy == accuracy(predict(Thetas, training.X), training.y))
    #expect(last.validationAccuracy == accuracy(predict(Thetas, validation.X), validation.y))
    // The validation cost carries the training cost's penalty: λ/(2·m_train)·Σθ² (bias columns left out).
    let unregularised = NNCostFunction(layerSizes: layers, X: validation.X, y: validation.y, lambda: 0)(unroll(Thetas))
      .J
    let squares = Thetas.map { $0[columns: 2...].values.map { $0 * $0 }.reduce(0, +) }.reduce(0, +)
    let penalty = 1.0 / (2 * Double(training.X.rows)) * squares
    #expect(relativeDifference(last.validationCost!, unregularised + penalty) < 1e-12)
    let trainingUnregularised = NNCostFunction(layerSizes: layers, X: training.X, y: training.y, lambda: 0)(
      unroll(Thetas)
    ).J
    #expect(relativeDifference(last.cost, trainingUnregularised + penalty) < 1e-12)
    #expect(monitor.seconds > 0)

    let plot = history.plot(title: "t")
    #expect(plot.series.count == 4 && plot.rightYRange == 0...100 && plot.logarithmicY)
    #expect(plot.series.filter { $0.axis == .right }.map(\.name) == ["training accuracy", "validation accuracy"])
  }

  @Test("without validation only the cost is kept; the text curve is 5 lines of Braille and its axis")
  func costOnly() throws {
    let (X, y, initial, layers) = problem()
    let monitor = TrainingMonitor(
      layerSizes: layers, lambda: 1, training: (X, y), validation: nil, maxIter: 8, liveCurve: false)
    _ = fmincg(
      NNCostFunction(layerSizes: layers, X: X, y: y, lambda: 1).callAsFunction, initial, maxIter: 8,
      progress: .silent, observer: monitor.observer)
    #expect(monitor.history.iterations.count == 8)
    #expect(monitor.history.iterations.allSatisfy { $0.trainingAccuracy == nil && $0.validationCost == nil })
    #expect(monitor.history.plot(title: "t").series.count == 1)
    let curve = monitor.curveText(columns: 30).split(separator: "\n")
    #expect(curve.count == TrainingMonitor.curveHeight + 2)
    #expect(curve.last!.hasSuffix("8"))  // the x axis runs to the last iteration allowed
  }
}

@Suite struct SmallExamplesPictureTests {
  @Test("examples narrower than a caption are enlarged by a whole factor, so each caption fits under its own")
  func smallExamples() {
    // 4×4 examples: enlarged 5 times (a 17-pixel caption over 20 pixels).
    let X = Matrix(rows: 4, columns: 16, values: (1...64).map { cos(Double($0)) })
    let picture = misclassifiedPicture(X: X, actual: [1, 2, 3, 10], predicted: [2, 3, 10, 1])
    let grid = displayData(X)  // 2×2 tiles of 4×4: 11×11
    #expect(picture.width == max(grid.columns * 5, BitmapFont.width(of: "true→guess") + 2))
    let key = BitmapFont.lineHeight + 2
    let rowHeight = 20 + BitmapFont.ascent + 2 + 5
    #expect(picture.height == key + 5 + 2 * rowHeight)
    // Example 1's top-left pixel fills a 5×5 block.
    let level = RGBColour(grey: PNGImage.greyLevel(of: grid[2, 2]))
    #expect(picture[5, key + 5] == level && picture[9, key + 9] == level)
    let captions = (0..<4).map { k in
      readText(
        picture, x: 5 + (k % 2) * 25 + (20 - 17) / 2, y: key + 5 + (k / 2) * rowHeight + 20 + 1, count: 3)
    }
    #expect(captions == ["1→2", "2→3", "3→0", "0→1"])
  }
}
