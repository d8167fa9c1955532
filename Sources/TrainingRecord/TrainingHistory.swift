import NeuralNetworkLearning
import OctaveCore
import Pictures
import Foundation

/// What training looked like, iteration by iteration: fmincg's cost after
/// each iteration and, when examples were kept aside, the accuracy on the
/// training examples and the cost and accuracy on the kept-aside ones.
package struct TrainingHistory: Sendable {
  /// One iteration of fmincg.
  package struct Iteration: Sendable, Equatable {
    /// fmincg's counter (its progress line's number).
    package var iteration: Int
    /// fmincg's cost J on the training examples, regularised with the training's λ.
    package var cost: Double
    /// Per cent of the training examples classified correctly.
    package var trainingAccuracy: Double?
    /// J on the kept-aside examples with the same penalty for the weights as
    /// ``cost`` has (λ/(2m)·Σθ² with the training set's m), so that the two
    /// differ only by how well the network fits each set of examples.
    package var validationCost: Double?
    /// Per cent of the kept-aside examples classified correctly.
    package var validationAccuracy: Double?
  }

  package var iterations: [Iteration] = []
  /// The λ trained with.
  package var lambda: Double
  /// Whether examples were kept aside (the validation numbers are filled in).
  package var hasValidation: Bool

  package init(lambda: Double, hasValidation: Bool) {
    self.lambda = lambda
    self.hasValidation = hasValidation
  }

  /// The plot of the costs (left, logarithmic) and, with validation, the
  /// accuracies (right, per cent), after each iteration.
  package func plot(title: String) -> Plot {
    let x = iterations.map { Double($0.iteration) }
    let lambdaText = String(format: "%g", lambda)
    var series = [
      Plot.Series(
        name: hasValidation ? "training cost" : "cost J", x: x, y: iterations.map(\.cost), style: .line,
        colour: Colours.training)
    ]
    if hasValidation {
      series.append(
        Plot.Series(
          name: "validation cost", x: x, y: iterations.map { $0.validationCost ?? .nan }, style: .line,
          colour: Colours.validation))
      series.append(
        Plot.Series(
          name: "training accuracy", x: x, y: iterations.map { $0.trainingAccuracy ?? .nan }, style: .dashedLine,
          colour: Colours.training, axis: .right))
      series.append(
        Plot.Series(
          name: "validation accuracy", x: x, y: iterations.map { $0.validationAccuracy ?? .nan },
          style: .dashedLine, colour: Colours.validation, axis: .right))
    }
    var plot = Plot(
      title: title, xLabel: "Iteration", yLabel: "Cost J (λ = \(lambdaText))",
      rightYLabel: hasValidation ? "Accuracy (%)" : "", series: series, logarithmicY: true,
      legend: .automatic)
    if hasValidation { plot.rightYRange = 0...100 }
    return plot
  }

  /// The colours of the training and validation curves.
  package enum Colours {
    package static let training = "#1f77b4"
    package static let validation = "#e6550d"
  }
}

/// Per cent of `predictions` equal to `labels` (both m×1).
package func accuracy(_ predictions: Matrix, _ labels: Matrix) -> Double {
  guard labels.count > 0 else { return .nan }
  let correct = zip(predictions.values, labels.values).filter { $0 == $1 }.count
  return Double(correct) / Double(labels.count) * 100
}

/// Watches fmincg (as its observer) and fills a ``TrainingHistory``; on a
/// terminal it also draws the cost so far as a small text curve under
/// fmincg's progress line, redrawn after every iteration.
package final class TrainingMonitor: @unchecked Sendable {
  package private(set) var history: TrainingHistory
  private let layerSizes: [Int]
  private let training: (X: Matrix, y: Matrix)
  private let validation: (X: Matrix, y: Matrix)?
  private let validationCost: NNCostFunction?
  private let maxIter: Int
  private let liveCurve: Bool
  private var curveLines = 0

  /// Lines of the live curve's plot area.
  static let curveHeight = 5

  /// - Parameters:
  ///   - training: the examples trained on (for the training accuracy, computed only with `validation`).
  ///   - validation: the kept-aside examples, or nil.
  ///   - liveCurve: draw the text curve under fmincg's line (only on a terminal, with fmincg's `.print`).
  package init(
    layerSizes: [Int], lambda: Double, training: (X: Matrix, y: Matrix), validation: (X: Matrix, y: Matrix)?,
    maxIter: Int, liveCurve: Bool
  ) {
    self.layerSizes = layerSizes
    self.training = training
    self.validation = validation
    self.maxIter = maxIter
    self.liveCurve = liveCurve
    history = TrainingHistory(lambda: lambda, hasValidation: validation != nil)
    // nnCostFunction's penalty is λ/(2m)·Σθ² with its own m; λ·m_val/m_train gives the training set's penalty.
    validationCost = validation.map {
      NNCostFunction(
        layerSizes: layerSizes, X: $0.X, y: $0.y, lambda: lambda * Double($0.X.rows) / Double(max(training.X.rows, 1)))
    }
  }

  /// Seconds spent in ``observe(iteration:cost:nnParams:)``: measuring and drawing, not training.
  package private(set) var seconds = 0.0

  /// fmincg's observer: records the iteration, measures the weights on both sets when there are two.
  package func observe(iteration: Int, cost: Double, nnParams: Matrix) {
    let clock = ContinuousClock()
    let start = clock.now
    defer { seconds += OctaveCore.seconds(clock.now - start) }
    var entry = TrainingHistory.Iteration(iteration: iteration, cost: cost)
    if let validation, let validationCost {
      let Thetas = roll(nnParams, into: weightShapes(layerSizes))
      entry.trainingAccuracy = accuracy(predict(Thetas, training.X), training.y)
      entry.validationAccuracy = accuracy(predict(Thetas, validation.X), validation.y)
      entry.validationCost = validationCost(nnParams).J
    }
    history.iterations.append(entry)
    if liveCurve { drawCurve() }
  }

  /// The observer to hand fmincg.
  package var observer: FmincgObserver {
    { [self] iteration, cost, X in observe(iteration: iteration, cost: cost, nnParams: X) }
  }

  /// The small text curve of the costs so far, with the x axis running to the last iteration allowed.
  package func curveText(columns: Int = 56) -> String {
    var plot = Plot(
      title: "", xLabel: "", yLabel: "",
      series: [
        Plot.Series(
          name: "", x: history.iterations.map { Double($0.iteration) }, y: history.iterations.map(\.cost),
          style: .line, colour: TrainingHistory.Colours.training)
      ], logarithmicY: true)
    let last = max(maxIter > 0 ? maxIter : history.iterations.last?.iteration ?? 1, 2)
    plot.xRange = 1...Double(last)
    // The costs so far fill the height (a logarithmic scale between the lowest and the highest).
    let costs = history.iterations.map(\.cost).filter { $0.isFinite && $0 > 0 }
    if let low = costs.min(), let high = costs.max(), high > low { plot.yRange = low...high }
    return plot.textRendering(columns: columns, lines: TrainingMonitor.curveHeight)
  }

  /// Draws the curve under fmincg's progress line and puts the cursor back
  /// at the start of that line, which fmincg rewrites next.
  private func drawCurve() {
    let text = curveText()
    curveLines = text.filter { $0 == "\n" }.count
    OutputTranscript.terminalOnly {
      print("\n\u{1B}[J" + text + "\u{1B}[\(curveLines + 1)A", terminator: "")
      StandardOutput.flush()
    }
  }

  /// After fmincg's last line: moves the cursor below the curve.
  package func finish() {
    guard liveCurve && curveLines > 0 else { return }
    OutputTranscript.terminalOnly {
      print("\u{1B}[\(curveLines)B", terminator: "")
      StandardOutput.flush()
    }
  }
}
