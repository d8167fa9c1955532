import Foundation
import NeuralNetworkLearning
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Pictures

/// What `ex4` shows of its training beyond the course's script, called from
/// small hooks in ``Ex4Script``: which course files it was given (and so
/// whether the course's reference values apply), the examples kept aside with
/// `--validation`, the cost curve, and where the trained network goes wrong.
struct Ex4TrainingView {
  let options: Ex4Course
  let seed: UInt32

  /// The data file's path (or nil for the built-in digits).
  private(set) var dataPath: String?
  /// What the data is, as far as can be told.
  private(set) var digits: CourseFiles.Digits = .builtin
  /// The weights file's path and what it is, once loaded.
  private(set) var weights: (path: String, kind: CourseFiles.Weights)?

  /// The examples kept aside, with `--validation`.
  private(set) var split: ValidationSplit?
  private(set) var training: (X: Matrix, y: Matrix) = (Matrix.zeros(0, 0), Matrix.zeros(0, 0))
  private(set) var validation: (X: Matrix, y: Matrix)?

  /// Training, iteration by iteration.
  private(set) var history: TrainingHistory?
  /// The trained network's confusion matrix, on the kept-aside examples when there are some.
  private(set) var confusion: ConfusionMatrix?

  init(options: Ex4Course, seed: UInt32) {
    self.options = options
    self.seed = seed
  }

  // MARK: - Which data is this?

  /// After Part 1's loading: recognises the data and, with `--validation`, keeps examples aside.
  mutating func dataLoaded(X: Matrix, y: Matrix, isCourseData: Bool, path: String?) throws {
    dataPath = isCourseData ? path : nil
    digits = isCourseData ? CourseFiles.recogniseDigits(X: X, y: y) : .builtin
    training = (X, y)
    guard let fraction = options.validationFraction else { return }
    guard X.rows >= 2 else {
      throw InputError("--validation: the data has \(X.rows) example, too few to keep some aside")
    }
    var random = ValidationSplit.stream(seed: seed)
    let split = ValidationSplit(examples: X.rows, fraction: fraction, random: &random)
    self.split = split
    training = (X[rows: split.trainingRows], y[rows: split.trainingRows])
    validation = (X[rows: split.validationRows], y[rows: split.validationRows])
    print(
      String(
        format: "Keeping %d of the %d examples (%g%%) aside for validation, chosen with seed %u's stream; "
          + "training on the other %d.", split.validationRows.count, X.rows, fraction * 100, seed,
        split.trainingRows.count))
  }

  /// After Part 2's loading: recognises the weights, and says so when they are not the course's.
  mutating func weightsLoaded(_ Thetas: [Matrix], path: String) {
    let kind = CourseFiles.recogniseWeights(Thetas, path: path)
    weights = (path, kind)
    if kind == .other {
      print(
        "Note: \(path) is not the course's ex4weights.mat (neither the file's nor its values' SHA-256 matches), "
          + "so the course's reference values below do not apply to it.")
    }
  }

  /// The course's "(this value should be about …)" line where it applies, or a plain note why not.
  func expectation(courseValue: String, prefix: String) -> String {
    if case .builtin = digits {
      return "(the course's \(courseValue) is for ex4data1.mat; it does not apply to the built-in digits)"
    }
    if let weights, weights.kind == .other {
      return "(the course's \(courseValue) is for its own ex4weights.mat; it does not apply to these weights)"
    }
    if case .other = digits {
      return "(the course's \(courseValue) is for its own ex4data1.mat; it does not apply to this data)"
    }
    return "(\(prefix)this value should be about \(courseValue))"
  }

  /// After Part 3's cost with the loaded weights at λ = 0: confirms the data
  /// by that cost when the weights are the course's, and returns a note when
  /// the data is something other than the course's file.
  mutating func dataNote(courseWeightsCost J: Double) -> String? {
    if let weights, weights.kind != .other { digits = CourseFiles.confirm(digits, courseWeightsCost: J) }
    let name = dataPath.map { ($0 as NSString).lastPathComponent } ?? "the data"
    switch digits {
    case .courseLayoutOtherValues(let cost):
      return "(\(name) is not the course's own ex4data1.mat: the course's weights give \(cost) on it, "
        + "not \(CourseFiles.courseCostAtLambda0); the course's values are only approximate here)"
    case .other(let why):
      return "(\(name) is not the course's ex4data1.mat: \(why))"
    default:
      return nil
    }
  }

  // MARK: - Training

  /// Part 8: fmincg (or `--optimizer`'s) on the training examples, watched iteration by iteration.
  /// Returns what ``NetworkTraining/run(from:maxIter:optimizer:progress:observer:)``
  /// returns, the seconds without those spent watching.
  mutating func train(
    layerSizes: [Int], from initial: Matrix, lambda: Double, console: Console,
    costFunction: (_ X: Matrix, _ y: Matrix) -> (Matrix) -> (J: Double, grad: Matrix)
  ) throws -> (Thetas: [Matrix], costs: [Double], seconds: Double) {
    let network = NetworkTraining(
      layerSizes: layerSizes, lambda: lambda, costFunction: costFunction(training.X, training.y))
    let monitor = TrainingMonitor(
      layerSizes: layerSizes, lambda: lambda, training: training, validation: validation,
      maxIter: options.maxIter, liveCurve: console.isTerminal)
    let result = try network.run(
      from: initial, maxIter: options.maxIter, optimizer: options.training.optimizer,
      progress: console.isTerminal ? .print : .printLines,
      observer: monitor.observer)
    monitor.finish()
    history = monitor.history
    return (result.Thetas, result.costs, result.seconds - monitor.seconds)
  }

  /// After the training line: with validation, the last iteration's numbers;
  /// then the cost curve's picture.
  func showTraining(units: String) throws {
    guard let history else { return }
    if history.hasValidation, let last = history.iterations.last {
      print(
        String(
          format:
            "After iteration %d: training accuracy %.2f%%, cost %f; validation accuracy %.2f%%, cost %f (lambda = %g)",
          last.iteration, last.trainingAccuracy ?? .nan, last.cost, last.validationAccuracy ?? .nan,
          last.validationCost ?? .nan, history.lambda))
    }
    guard !history.iterations.isEmpty else { return }
    let title =
      history.hasValidation
      ? "Cost and accuracy after each iteration (\(units))"
      : "Cost after each iteration of \(options.training.optimizer.rawValue) (\(units))"
    let picture = history.plot(title: title).picture()
    let path = outputPath("cost.png")
    try picture.writePNG(to: path, overwrite: true)
    print("Wrote the cost after each iteration to \(printable(path)) (\(picture.width)×\(picture.height) pixels)")
    OutputTranscript.attachPicture(path: path, caption: title)
  }

  /// Part 10's accuracy: on the examples trained on.
  func trainingAccuracy(_ Thetas: [Matrix]) -> Double {
    accuracy(predict(Thetas, training.X), training.y)
  }

  // MARK: - Where it goes wrong

  /// After Part 10: the accuracy on the kept-aside examples, the confusion
  /// matrix (printed and drawn), each digit's accuracy, and the examples the
  /// network got wrong with the label and the guess under each.
  mutating func showMistakes(_ Thetas: [Matrix], labels: Int, console: Console) throws {
    let (X, y) = validation ?? training
    let setName = validation == nil ? "training set" : "validation set"
    let pred = predict(Thetas, X)
    if validation != nil {
      print(String(format: "Validation Set Accuracy: %f", accuracy(pred, y)))
    }
    OutputTranscript.endPart()
    print("\nWhere the network goes wrong, on the \(setName) (\(X.rows) examples)...")
    let confusion = ConfusionMatrix(labels: labels, actual: y, predicted: pred)
    self.confusion = confusion
    print("Confusion matrix: a row for each true digit, a column for each guess; accuracy per digit on the right.")
    print(confusion.text(), terminator: "")
    let mistakes = confusion.mostConfused(3).map { mistake -> String in
      let times = mistake.count == 1 ? "time" : "times"
      return "\(article(confusion.name(mistake.actual))) taken for \(article(confusion.name(mistake.predicted))) "
        + "(\(mistake.count) \(times))"
    }
    if !mistakes.isEmpty { print("The most frequent mistakes: " + mistakes.joined(separator: ", ")) }

    let scale = options.scale
    let confusionTitle = "Confusion matrix, \(setName)"
    let confusionPicture = confusion.picture(title: confusionTitle)
    let confusionPath = outputPath("confusion.png")
    try confusionPicture.writePNG(to: confusionPath, scale: scale, overwrite: true)
    print(
      "Wrote the confusion matrix to \(confusionPath) "
        + "(\(confusionPicture.width * scale)×\(confusionPicture.height * scale) pixels)")
    OutputTranscript.attachPicture(path: confusionPath, caption: confusionTitle)

    let wrong = (1...max(X.rows, 1)).filter { X.rows > 0 && pred[$0] != y[$0] }
    guard !wrong.isEmpty else {
      print("The network classifies every example of the \(setName) correctly.")
      return
    }
    // At most 100, spread evenly over the mistakes (which come in the data's order).
    let shown =
      wrong.count <= 100 ? wrong : (0..<100).map { wrong[Int((Double($0) * Double(wrong.count - 1) / 99).rounded())] }
    let picture = misclassifiedPicture(
      X: X[rows: shown], actual: shown.map { Int(y[$0]) }, predicted: shown.map { Int(pred[$0]) })
    let path = outputPath("misclassified.png")
    try picture.writePNG(to: path, scale: scale, overwrite: true)
    let what = shown.count == wrong.count ? "the \(wrong.count)" : "\(shown.count) of the \(wrong.count)"
    print(
      "Wrote \(what) misclassified examples to \(path) (\(picture.width * scale)×\(picture.height * scale) pixels)")
    OutputTranscript.attachPicture(
      path: path,
      caption:
        "\(what.prefix(1).uppercased() + what.dropFirst()) misclassified examples of the \(setName): the true digit, then the network's guess"
    )
    console.show(picture.grey, maxColumns: 100)
  }

  /// "a 3", "an 8".
  func article(_ digit: String) -> String { (digit == "8" ? "an " : "a ") + digit }

  func outputPath(_ name: String) -> String {
    (options.outputDir as NSString).appendingPathComponent(name)
  }
}
