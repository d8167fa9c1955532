import Foundation
import NeuralNetworkLearning
import TrainingRecord
import ExercisePrograms

/// What one training took to first reach the target training accuracy.
struct TimeToAccuracy {
  /// Seconds of minimisation (cost evaluations and the minimiser's own work,
  /// not the accuracy measured after each iteration) up to that iteration.
  var seconds: Double
  /// Cost evaluations up to that iteration, the start's included.
  var evaluations: Int
  /// The iteration (line search) that reached it.
  var iteration: Int
  var accuracy: Double
}

extension Ex4Bench {
  /// fmincg against lbfgs (`--optimizers`): the course's network from
  /// `rand('twister', 1)`, λ as given, trained by each until its training
  /// accuracy first reaches `target` percent. Time and evaluations to get
  /// there; rounds interleaved (the order alternating), the time ratio the
  /// median of each round's ratio.
  func compareOptimizers(_ w: Workload, target: Double, rounds: Int, maxIter: Int) {
    print(
      "== fmincg against lbfgs: training accuracy to \(String(format: "%g", target))%, \(w.name), λ = \(lambda), "
        + "from rand('twister', 1), at most \(maxIter) line searches, \(rounds) interleaved rounds")
    let start = w.initialParameters(seed: 1)
    let shapes = weightShapes([w.n, w.hiddenLayerSize, w.numLabels])
    func train(_ optimizer: Optimizer) -> TimeToAccuracy? {
      let costFunction = w.costFunction(lambda: lambda)
      var evaluations = 0
      var watching = 0.0  // seconds spent measuring the accuracy, left out
      var reached: TimeToAccuracy?
      let began = now()
      _ = optimizer.minimize(
        {
          evaluations += 1
          return costFunction($0)
        }, start, maxIter: maxIter, progress: .silent
      ) { iteration, _, X in
        guard reached == nil else { return }
        let elapsed = now() - began - watching
        let watchStart = now()
        let percent = accuracy(predict(roll(X, into: shapes), w.X), w.y)
        if percent >= target {
          reached = TimeToAccuracy(seconds: elapsed, evaluations: evaluations, iteration: iteration, accuracy: percent)
        }
        watching += now() - watchStart
      }
      return reached
    }
    var results: [Optimizer: [TimeToAccuracy?]] = [.fmincg: [], .lbfgs: []]
    for round in 0..<rounds {
      let order: [Optimizer] = round % 2 == 0 ? [.fmincg, .lbfgs] : [.lbfgs, .fmincg]
      for optimizer in order { results[optimizer]!.append(train(optimizer)) }
    }
    for optimizer in [Optimizer.fmincg, .lbfgs] {
      let runs = results[optimizer]!
      guard let first = runs.compactMap({ $0 }).first, runs.allSatisfy({ $0 != nil }) else {
        print("   \(optimizer.rawValue): did not reach \(target)% within \(maxIter) line searches")
        continue
      }
      let times = Summary(runs.map { $0!.seconds })
      print(
        String(
          format: "   %@: %d evaluations, %d line searches (accuracy %.2f%%); median %.3f s (min %.3f, max %.3f)",
          optimizer.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0), first.evaluations, first.iteration,
          first.accuracy, times.median, times.minimum, times.maximum))
    }
    let pairs = zip(results[.lbfgs]!, results[.fmincg]!).compactMap { l, f in
      l.flatMap { l in f.map { l.seconds / $0.seconds } }
    }
    if pairs.count == rounds {
      let ratio = Summary(pairs)
      print(
        String(
          format: "   lbfgs/fmincg time: median of the rounds' ratios %.3f (min %.3f, max %.3f)\n", ratio.median,
          ratio.minimum, ratio.maximum))
    }
  }
}
