import ArgumentParser
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Foundation
import NeuralNetworkLearning

/// The digits the playground trains on, split as `ex4 --validation` splits
/// them: the examples trained on and those held out (none at 0%).
package struct PlaygroundData: Sendable {
  package let X: Matrix
  package let y: Matrix
  /// What the digits are, for the page: the file's path or the built-in set.
  package let source: String

  package init(X: Matrix, y: Matrix, source: String) {
    self.X = X
    self.y = y
    self.source = source
  }

  /// `(training, held out)` for `settings`, with ``ValidationSplit``'s
  /// choice for the seed, as ex4 makes it.
  package func split(_ settings: TrainingSettings) -> (
    training: (X: Matrix, y: Matrix), heldOut: (X: Matrix, y: Matrix)?
  ) {
    guard settings.heldOutPercent > 0, X.rows >= 2 else { return ((X, y), nil) }
    var random = ValidationSplit.stream(seed: settings.seed)
    let split = ValidationSplit(examples: X.rows, fraction: settings.heldOutPercent / 100, random: &random)
    return (
      (X[rows: split.trainingRows], y[rows: split.trainingRows]),
      (X[rows: split.validationRows], y[rows: split.validationRows])
    )
  }
}

/// How a run computes `[J, grad]`: the course's evaluator in this process,
/// or anything else that can be stopped (a student's function in a child).
package protocol CostSource: Sendable {
  /// The minimiser's run from `initial` with at most `maxIter` iterations;
  /// `observer` is called after each iteration with its counter, cost and
  /// unrolled weights, and returns false to stop the run.
  func minimise(
    layerSizes: [Int], X: Matrix, y: Matrix, settings: TrainingSettings, initial: Matrix,
    observer: @escaping (Int, Double, Matrix) -> Bool
  ) throws
}

/// The reference implementation, trained in this process exactly as ex4
/// trains it (``NetworkTraining``); a stop makes every later cost NaN at
/// once, which ends the minimiser within a few evaluations.
package struct ReferenceCostSource: CostSource {
  package init() {}

  package func minimise(
    layerSizes: [Int], X: Matrix, y: Matrix, settings: TrainingSettings, initial: Matrix,
    observer: @escaping (Int, Double, Matrix) -> Bool
  ) throws {
    let stopped = Shared(false)
    let costFunction = NNCostFunction(layerSizes: layerSizes, X: X, y: y, lambda: settings.lambda)
    let training = NetworkTraining(layerSizes: layerSizes, lambda: settings.lambda) { p in
      if stopped.withLock({ $0 }) { return (.nan, Matrix.zeros(p.rows, p.columns)) }
      return costFunction(p)
    }
    do {
      _ = try training.run(
        from: initial, maxIter: settings.iterations, optimizer: settings.minimiser ?? .fmincg, progress: .silent
      ) { i, J, p in
        if !observer(i, J, p) { stopped.withLock { $0 = true } }
      }
    } catch  where stopped.withLock({ $0 }) {
      // Stopped on purpose: the NaN that ended it is not the student's.
    }
  }
}

/// One training, on a thread of its own: every iteration's cost and
/// accuracies, and now and then the hidden units, the confusion matrix and
/// the misclassified examples, sent to the page as they come; paused,
/// stepped, resumed and stopped from the page.
package final class TrainingRun: @unchecked Sendable {
  package let settings: TrainingSettings
  private let data: PlaygroundData
  private let source: any CostSource
  private let send: @Sendable (Outgoing) -> Void
  private let finished: @Sendable () -> Void

  /// Guards everything below.
  private let condition = NSCondition()
  /// Iterations still allowed before pausing; nil while running freely.
  private var allowance: Int?
  private var stopped = false
  /// Whether the training thread has ended.
  private var ended = false
  /// The latest weights, the set the confusion matrix is of and its predictions.
  private var latestThetas: [Matrix]?
  private var inspected: (X: Matrix, y: Matrix, predictions: Matrix)?
  private var lastInspection = ContinuousClock.now - .seconds(1)

  /// How often the heavier pictures are sent while training runs.
  static let inspectionInterval = Duration.milliseconds(250)

  package init(
    settings: TrainingSettings, data: PlaygroundData, source: any CostSource, startPaused: Bool,
    send: @escaping @Sendable (Outgoing) -> Void, finished: @escaping @Sendable () -> Void
  ) {
    self.settings = settings
    self.data = data
    self.source = source
    self.send = send
    self.finished = finished
    allowance = startPaused ? 1 : nil
  }

  /// The weights after the latest iteration, or nil before the first.
  package var Thetas: [Matrix]? {
    condition.lock()
    defer { condition.unlock() }
    return latestThetas
  }

  package func start() {
    let thread = Thread { [self] in self.main() }
    thread.name = "ex4-playground training"
    thread.start()
  }

  package func pause() { change { $0.allowance = 0 } }
  package func resume() { change { $0.allowance = nil } }
  /// One more iteration, then pause.
  package func step() { change { $0.allowance = 1 } }
  package func stop() { change { $0.stopped = true } }

  /// Stops the run and waits up to `seconds` for its thread to end; whether it ended.
  @discardableResult
  package func stopAndWait(seconds: TimeInterval = 15) -> Bool {
    stop()
    let deadline = Date().addingTimeInterval(seconds)
    condition.lock()
    defer { condition.unlock() }
    while !ended {
      if !condition.wait(until: deadline) { return ended }
    }
    return true
  }

  private func change(_ body: (TrainingRun) -> Void) {
    condition.lock()
    body(self)
    let paused = allowance == 0 && !stopped
    condition.broadcast()
    condition.unlock()
    send(Outgoing("state", ["state": paused ? "paused" : stopped ? "stopping" : "running"]))
  }

  private func main() {
    defer {
      finished()
      condition.lock()
      ended = true
      condition.broadcast()
      condition.unlock()
    }
    let layerSizes = settings.layerSizes(inputs: data.X.columns, labels: 10)
    let (training, heldOut) = data.split(settings)
    do {
      try NetworkMemory.check(
        layerSizes: layerSizes, examples: training.X.rows,
        option: "--hidden-layers \(settings.hiddenLayers.map(String.init).joined(separator: ","))",
        optimizer: settings.minimiser ?? .fmincg)
    } catch {
      send(.error("\(error)"))
      send(Outgoing("state", ["state": "idle"]))
      return
    }
    var random = OctaveRandom(seed: settings.seed)
    let initial = unroll(randInitializeWeights(layerSizes: layerSizes, using: &random))
    let shapes = weightShapes(layerSizes)
    send(
      Outgoing(
        "started",
        [
          "layerSizes": layerSizes, "training": training.X.rows, "heldOut": heldOut?.X.rows ?? 0,
          "iterations": settings.iterations, "data": data.source,
        ]))
    condition.lock()
    let paused = allowance == 0
    condition.unlock()
    send(Outgoing("state", ["state": paused ? "paused" : "running"]))
    do {
      try source.minimise(
        layerSizes: layerSizes, X: training.X, y: training.y, settings: settings, initial: initial
      ) { [self] i, J, p in
        let Thetas = roll(p, into: shapes)
        observe(i, J, Thetas, training: training, heldOut: heldOut)
        return waitForTurn()
      }
    } catch {
      send(.error("\(error)"))
    }
    condition.lock()
    let wasStopped = stopped
    condition.unlock()
    if !wasStopped { inspect(force: true) }
    send(Outgoing("state", ["state": wasStopped ? "idle" : "finished"]))
  }

  /// After iteration `i`: its numbers for the chart, and the pictures when due.
  private func observe(
    _ i: Int, _ J: Double, _ Thetas: [Matrix], training: (X: Matrix, y: Matrix), heldOut: (X: Matrix, y: Matrix)?
  ) {
    let trainingPredictions = predict(Thetas, training.X)
    let trainingAccuracy = accuracy(trainingPredictions, training.y)
    var fields: [String: Any] = [
      "iteration": i, "cost": jsonNumber(J), "trainingAccuracy": jsonNumber(trainingAccuracy),
    ]
    var inspected = (training.X, training.y, trainingPredictions)
    if let heldOut {
      let predictions = predict(Thetas, heldOut.X)
      fields["heldOutAccuracy"] = jsonNumber(accuracy(predictions, heldOut.y))
      inspected = (heldOut.X, heldOut.y, predictions)
    }
    condition.lock()
    latestThetas = Thetas
    self.inspected = inspected
    condition.unlock()
    send(Outgoing("iteration", fields))
    inspect(force: false)
  }

  /// Waits while paused; false when the run is to stop.
  private func waitForTurn() -> Bool {
    condition.lock()
    defer { condition.unlock() }
    if let left = allowance, left > 0 { allowance = left - 1 }
    if allowance == 0 && !stopped {
      condition.unlock()
      inspect(force: true)
      send(Outgoing("state", ["state": "paused"]))
      condition.lock()
    }
    while allowance == 0 && !stopped { condition.wait() }
    return !stopped
  }

  /// The hidden units, the confusion matrix and the misclassified examples,
  /// at most every ``inspectionInterval`` unless `force`.
  private func inspect(force: Bool) {
    condition.lock()
    let now = ContinuousClock.now
    guard let Thetas = latestThetas, let inspected, force || now - lastInspection >= Self.inspectionInterval else {
      condition.unlock()
      return
    }
    let (X, y, predictions) = inspected
    lastInspection = now
    condition.unlock()
    let confusion = ConfusionMatrix(labels: 10, actual: y, predicted: predictions)
    let wrong = (1...max(X.rows, 1)).filter { X.rows > 0 && predictions[$0] != y[$0] }
    let shown = wrong.prefix(40).map { k in
      ["label": Int(y[k]) % 10, "guess": Int(predictions[k]) % 10, "picture": Outgoing.picture(displayData(X.row(k)))]
    }
    send(
      Outgoing(
        "inspect",
        [
          "hidden": Outgoing.picture(displayData(Thetas[0][columns: 2...])),
          "confusion": confusion.order.map { t in confusion.order.map { p in confusion.counts[t - 1][p - 1] } },
          "misclassified": shown, "wrong": wrong.count, "examples": X.rows,
        ]))
  }

  /// Up to `limit` examples of digit `actual` the network took for digit
  /// `guess` (a cell of the confusion matrix), as pictures.
  package func examples(actual: Int, guess: Int, limit: Int = 60) -> Outgoing {
    condition.lock()
    let inspected = self.inspected
    condition.unlock()
    guard let inspected else { return .error("train the network first") }
    let (X, y, predictions) = inspected
    let label = { (d: Int) in Double(d == 0 ? 10 : d) }
    let rows = (1...max(X.rows, 1)).filter { X.rows > 0 && y[$0] == label(actual) && predictions[$0] == label(guess) }
    return Outgoing(
      "examples",
      [
        "actual": actual, "guess": guess, "count": rows.count,
        "pictures": rows.prefix(limit).map { Outgoing.picture(displayData(X.row($0))) },
      ])
  }
}
