import ArgumentParser
import Foundation
import NeuralNetworkLearning

/// `swift run ex4`: the course's Exercise 4 script, part by part.
@main
struct Ex4Command: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ex4",
    abstract: "Exercise 4 of the Machine Learning course: neural network learning.",
    discussion: """
      Runs the course's ex4 script in order: loads and shows the digits, checks the cost \
      with the course's weights, checks backpropagation against numerical gradients, trains \
      a network with fmincg, shows its hidden units and reports its training accuracy.

      Course files are looked for in $\(DataDirectory.environmentVariable) \
      (default \(DataDirectory.defaultPath)). Without ex4data1.mat it runs on a built-in digit set.
      """)

  @Option(
    name: .long, help: ArgumentHelp("The digits file (default: ex4data1.mat in the data directory).", valueName: "file")
  )
  var data: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The course's trained weights (default: ex4weights.mat in the data directory).", valueName: "file"))
  var weights: String?

  @Option(name: .long, help: ArgumentHelp("Where the pictures are written.", valueName: "directory"))
  var outputDir: String = "ex4-output"

  @Option(name: .long, help: ArgumentHelp("Each pixel of a picture becomes an n×n square in its PNG.", valueName: "n"))
  var scale: Int = 4

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Seed Octave's rand stream: the initial weights equal Octave's after rand('twister', n). Default: from the clock, and printed.",
      valueName: "n"))
  var seed: UInt32?

  @Option(name: .long, help: ArgumentHelp("Line searches fmincg may make while training.", valueName: "n"))
  var maxIter: Int = 50

  @Option(name: .long, help: ArgumentHelp("The regularisation parameter used in training.", valueName: "λ"))
  var lambda: Double = 1

  @Option(name: .long, help: ArgumentHelp("Units in the hidden layer.", valueName: "n"))
  var hiddenLayerSize: Int = 25

  @Option(name: .long, help: ArgumentHelp("Write the trained Theta1 and Theta2 to this .mat file.", valueName: "file"))
  var save: String?

  @Flag(name: .long, help: "Never wait for Enter between parts (it waits only when run in a terminal).")
  var noPause: Bool = false

  mutating func validate() throws {
    guard scale >= 1 && scale <= 64 else { throw ValidationError("--scale must be between 1 and 64, got \(scale)") }
    guard maxIter != 0 else { throw ValidationError("--max-iter must not be 0") }
    guard lambda.isFinite && lambda >= 0 else {
      throw ValidationError("--lambda must be a finite number ≥ 0, got \(lambda)")
    }
    guard hiddenLayerSize >= 1 else {
      throw ValidationError("--hidden-layer-size must be at least 1, got \(hiddenLayerSize)")
    }
  }

  func run() throws {
    var script = try Ex4Script(options: self)
    try script.run()
  }
}
