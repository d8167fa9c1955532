import Foundation
import NeuralNetworkLearning
import ExerciseData
import TrainingRecord
import ExercisePrograms

/// The reports `ex4 --report` and `ex4 sweep --report` write.
enum Ex4Report {
  /// The course's run: the facts of the run, then what it printed part by
  /// part with its pictures, then the cost and accuracy iteration by iteration.
  static func course<Functions>(script: Ex4Script<Functions>, parts: [OutputTranscript.Part]) -> TrainingReport {
    let view = script.view
    let options = script.options
    var facts = [
      ("Command", commandLine()),
      ("Run", runDate()),
      ("Seed", script.options.seed != nil ? "\(script.seed)" : "\(script.seed) (from the clock)"),
      ("Data", dataDescription(view)),
      ("Weights", view.weights.map { CourseFiles.describe($0.kind, path: $0.path) } ?? "not loaded"),
      (
        "Network",
        "layers " + script.layer_sizes.map(String.init).joined(separator: " → ")
          + String(format: ", lambda = %g, MaxIter %d, ", options.lambda, options.maxIter)
          + options.training.optimizer.title
      ),
    ]
    if let split = view.split {
      let m = split.trainingRows.count + split.validationRows.count
      facts.append(
        (
          "Held out",
          "\(split.validationRows.count) of \(m) examples for validation (--validation \(options.validation ?? "")), "
            + "trained on the other \(split.trainingRows.count)"
        ))
    }
    var report = TrainingReport(
      title: "ex4: neural network learning, a run", facts: facts,
      sections: TrainingReport.sections(from: parts))
    if let history = view.history, !history.iterations.isEmpty {
      report.sections.append(iterationSection(history, optimizer: options.training.optimizer))
    }
    return report
  }

  /// The cost (and accuracies) after each iteration, folded away.
  static func iterationSection(_ history: TrainingHistory, optimizer: Optimizer) -> TrainingReport.Section {
    func f(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "" }
    let header =
      history.hasValidation
      ? ["iteration", "training cost J", "training accuracy (%)", "validation cost J", "validation accuracy (%)"]
      : ["iteration", "cost J"]
    let rows = history.iterations.map { entry in
      history.hasValidation
        ? [
          "\(entry.iteration)", f(entry.cost, "%.6f"), f(entry.trainingAccuracy, "%.2f"),
          f(entry.validationCost, "%.6f"), f(entry.validationAccuracy, "%.2f"),
        ]
        : ["\(entry.iteration)", f(entry.cost, "%.6f")]
    }
    let lambda = String(format: "%g", history.lambda)
    return TrainingReport.Section(
      title: "Iteration by iteration",
      blocks: [
        .paragraph(
          "The cost J is the one \(optimizer.rawValue) minimises, with lambda = \(lambda). The validation cost carries the same "
            + "penalty for the weights (lambda/(2m) times the sum of their squares, m the number of training "
            + "examples), so the two differ only by how well the network fits each set."),
        .foldedTable(
          summary: "The \(history.iterations.count) iterations",
          TrainingReport.Table(caption: "After each iteration of \(optimizer.rawValue)", header: header, rows: rows)),
      ])
  }

  static func dataDescription(_ view: Ex4TrainingView) -> String {
    if case .builtin = view.digits { return CourseFiles.describe(view.digits, path: "") }
    return CourseFiles.describe(view.digits, path: view.dataPath ?? "")
  }

  /// The command as typed, each argument quoted when it needs to be.
  static func commandLine() -> String {
    let name = (CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent }) ?? "ex4"
    let arguments = CommandLine.arguments.dropFirst().map { argument in
      argument.isEmpty || argument.contains(where: { " \"'\\$`".contains($0) })
        ? "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'" : argument
    }
    return ([name] + arguments).joined(separator: " ")
  }

  /// Now, in UTC.
  static func runDate() -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
    return formatter.string(from: Date())
  }
}
