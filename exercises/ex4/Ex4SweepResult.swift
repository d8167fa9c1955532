import Foundation
import NeuralNetworkLearning
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Pictures

/// What a sweep found, printed, plotted and written up.
struct SweepResult {
  let sweep: Ex4Sweep
  let dataName: String
  /// Whether the sweep ran on the built-in digits (no ex4data1.mat): said
  /// again beside the best rows at the end.
  let onBuiltinDigits: Bool
  let settings: [Ex4Sweep.Setting]
  let outcomes: [Ex4Sweep.Outcome]
  let seconds: Double
  let workers: Int
  let cores: Int
  let examples: Int
  let validationCount: Int

  /// For each seed, the index of its best row among the trainings that did
  /// not fail: the highest validation accuracy, then the lowest validation
  /// cost, then the smallest lambda, hidden layer and iteration count, so
  /// that the choice does not depend on the grid's order. A seed whose
  /// every training failed has none.
  var bestRows: [UInt32: Int] {
    func key(_ k: Int) -> (Double, Double, Double, Int, Int) {
      let (s, o) = (settings[k], outcomes[k])
      return (-o.validationAccuracy, o.validationCost, s.lambda, s.hiddenSize, s.iterations)
    }
    var best: [UInt32: Int] = [:]
    for k in settings.indices where outcomes[k].failure == nil {
      let seed = settings[k].seed
      if let current = best[seed], !(key(k) < key(current)) { continue }
      best[seed] = k
    }
    return best
  }

  /// The table's rows as text, in the settings' order.
  var rows: [[String]] {
    zip(settings, outcomes).map { setting, outcome in
      let settingCells = [
        "\(setting.seed)", "\(setting.hiddenSize)", "\(setting.iterations)", String(format: "%g", setting.lambda),
      ]
      guard outcome.failure == nil else { return settingCells + Array(repeating: "failed", count: 4) }
      return settingCells + [
        String(format: "%.2f", outcome.trainingAccuracy), String(format: "%.2f", outcome.validationAccuracy),
        String(format: "%.6f", outcome.trainingCost), String(format: "%.6f", outcome.validationCost),
      ]
    }
  }

  static let header = [
    "seed", "hidden", "iterations", "lambda", "training acc %", "validation acc %", "training J", "validation J",
  ]

  /// One line for each failed training: its setting and why.
  var failures: [String] {
    zip(settings, outcomes).compactMap { s, outcome in
      outcome.failure.map {
        String(
          format: "Failed: seed %u, %d hidden units, %d iterations, lambda %g: %@.", s.seed, s.hiddenSize,
          s.iterations, s.lambda, $0)
      }
    }
  }

  /// One sentence per seed's best, and whether the best lambda is the same for every seed.
  var stability: [String] {
    let best = bestRows
    let seeds = sweep.seedValues.filter { best[$0] != nil }
    var lines = sweep.seedValues.filter { best[$0] == nil }.map { "Seed \($0): every training failed; no best." }
    lines += seeds.map { seed -> String in
      let k = best[seed]!
      let s = settings[k]
      return String(
        format: "Best for seed %u: lambda = %g, %d hidden units, %d iterations (validation accuracy %.2f%%)", seed,
        s.lambda, s.hiddenSize, s.iterations, outcomes[k].validationAccuracy)
    }
    // How far apart two accuracies must be to tell them apart: one standard
    // error of the best accuracy, sqrt(p(1 − p)/n) on n validation examples.
    var indistinct = false
    for seed in seeds {
      let p = outcomes[best[seed]!].validationAccuracy / 100
      let error = 100 * (p * (1 - p) / Double(max(validationCount, 1))).squareRoot()
      let close = settings.indices.filter {
        settings[$0].seed == seed && outcomes[$0].failure == nil && outcomes[$0].validationAccuracy >= 100 * p - error
      }
      indistinct = indistinct || close.count > 1
      let onlyLambda = sweep.hiddenSizeValues.count == 1 && sweep.iterationValues.count == 1
      let names = close.map { k -> String in
        let s = settings[k]
        guard !onlyLambda else { return String(format: "%g", s.lambda) }
        return String(format: "lambda %g with %d hidden units and %d iterations", s.lambda, s.hiddenSize, s.iterations)
      }
      lines.append(
        String(
          format: "Seed %u: within one standard error (%.2f points on %d examples) of the best: %@%@.", seed, error,
          validationCount, onlyLambda ? "lambda " : "", names.joined(separator: onlyLambda ? ", " : "; ")))
    }
    if seeds.count > 1 {
      let lambdas = Set(seeds.map { settings[best[$0]!].lambda })
      let all = seeds.count == 2 ? "both seeds" : "all \(seeds.count) seeds"
      lines.append(
        lambdas.count == 1
          ? String(format: "The best lambda, %g, is the same for %@.", lambdas.first!, all)
          : "The best lambda differs between the seeds ("
            + seeds.map { String(format: "%g for seed %u", settings[best[$0]!].lambda, $0) }.joined(separator: ", ")
            + "): it is not stable across seeds.")
    }
    if indistinct {
      lines.append(
        "Settings within one standard error of the best cannot be told apart on these validation examples; "
          + "only those further below are clearly worse.")
    }
    return lines
  }

  /// Prints the table and the best rows, writes the plot.
  func finish(outputDir: String) throws {
    let best = Set(bestRows.values)
    let widths = SweepResult.header.indices.map { c in
      max(SweepResult.header[c].count, rows.map { $0[c].count }.max() ?? 0)
    }
    func line(_ cells: [String]) -> String {
      zip(cells, widths).map { String(repeating: " ", count: $1 - $0.count) + $0 }.joined(separator: "  ")
    }
    print("")
    print(line(SweepResult.header))
    for (k, row) in rows.enumerated() {
      print(line(row) + (best.contains(k) ? "  ← best for seed \(settings[k].seed)" : ""))
    }
    print("(The costs J are unregularised, lambda = 0, so that rows with different lambdas compare.)")
    for failure in failures { print(failure) }
    print("")
    for sentence in stability { print(sentence) }
    if onBuiltinDigits { print(DataDirectory.builtinDigitsReminder("NOT the course's data")) }
    print(
      String(
        format: "Took %.1f s (%d trainings, %d at a time on %d core%@).", seconds, settings.count, workers, cores,
        cores == 1 ? "" : "s"))
    let plot = self.plot()
    let png = (outputDir as NSString).appendingPathComponent("sweep.png")
    let svg = (outputDir as NSString).appendingPathComponent("sweep.svg")
    let picture = plot.picture()
    try picture.writePNG(to: png, overwrite: true)
    do {
      try plot.svg().write(toFile: svg, atomically: true, encoding: .utf8)
    } catch {
      throw InputError("\(svg): cannot be written (\(error.localizedDescription))")
    }
    print(
      "Wrote the validation accuracy against lambda to \(printable(png)) (\(picture.width)×\(picture.height) pixels) and "
        + printable(svg))
  }

  /// Validation accuracy (solid, circles) and training accuracy (dashed)
  /// against λ, a pair of lines for each seed, hidden size and iteration count.
  func plot() -> Plot {
    let palette = ["#1f77b4", "#e6550d", "#2ca02c", "#9467bd", "#8c564b", "#d62728", "#17becf", "#7f7f7f"]
    var groups: [(key: String, indices: [Int])] = []
    for (k, s) in settings.enumerated() {
      var parts: [String] = []
      if sweep.seedValues.count > 1 { parts.append("seed \(s.seed)") }
      if sweep.hiddenSizeValues.count > 1 { parts.append("\(s.hiddenSize) hidden") }
      if sweep.iterationValues.count > 1 { parts.append("\(s.iterations) iterations") }
      let key = parts.joined(separator: ", ")
      if let g = groups.firstIndex(where: { $0.key == key }) {
        groups[g].indices.append(k)
      } else {
        groups.append((key, [k]))
      }
    }
    var series: [Plot.Series] = []
    for (g, group) in groups.enumerated() {
      let colour = palette[g % palette.count]
      let x = group.indices.map { settings[$0].lambda }
      let name = group.key.isEmpty ? "" : ", " + group.key
      series.append(
        Plot.Series(
          name: "validation" + name, x: x, y: group.indices.map { outcomes[$0].validationAccuracy }, style: .line,
          colour: colour))
      series.append(
        Plot.Series(
          name: "", x: x, y: group.indices.map { outcomes[$0].validationAccuracy }, style: .circles, colour: colour))
      series.append(
        Plot.Series(
          name: "training" + name, x: x, y: group.indices.map { outcomes[$0].trainingAccuracy }, style: .dashedLine,
          colour: colour))
    }
    var fixed: [String] = []
    if sweep.hiddenSizeValues.count == 1 { fixed.append("\(sweep.hiddenSizeValues[0]) hidden units") }
    if sweep.iterationValues.count == 1 { fixed.append("\(sweep.iterationValues[0]) iterations") }
    if sweep.seedValues.count == 1 { fixed.append("seed \(sweep.seedValues[0])") }
    let title = "Accuracy against lambda" + (fixed.isEmpty ? "" : " (" + fixed.joined(separator: ", ") + ")")
    return Plot(
      title: title, xLabel: "lambda (0 drawn left of the axis break)", yLabel: "Accuracy (%)", series: series,
      logarithmicX: true, legend: .automatic)
  }

  /// The sweep written up: the results table and plot, then what it printed.
  func report(parts: [OutputTranscript.Part]) -> TrainingReport {
    let facts = [
      ("Command", Ex4Report.commandLine()),
      ("Run", Ex4Report.runDate()),
      ("Data", dataName),
      (
        "Validation",
        "\(validationCount) of \(examples) examples (\(sweep.validation)), chosen with each seed's stream, as ex4 --validation chooses them"
      ),
      ("Grid", "\(settings.count) trainings, \(workers) at a time on \(cores) cores"),
      ("Minimiser", sweep.minimiser.optimizer.title),
    ]
    let png = (sweep.outputDir as NSString).appendingPathComponent("sweep.png")
    let results = TrainingReport.Section(
      title: "Results",
      blocks: [
        .table(
          TrainingReport.Table(
            caption: "Accuracy and unregularised cost J after training (each seed's best row marked)",
            header: SweepResult.header, rows: rows, highlighted: Set(bestRows.values))),
        .paragraph((failures + stability).joined(separator: " ")),
        .picture(TrainingReport.Picture(path: png, caption: plot().title)),
      ])
    return TrainingReport(
      title: "ex4 sweep: lambda and hidden units", facts: facts,
      sections: [results]
        + TrainingReport.sections(from: parts).map { section in
          var s = section
          s.title = "What the sweep printed: " + s.title
          return s
        })
  }
}
