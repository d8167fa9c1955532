import ArgumentParser
import NeuralNetworkLearning

@main
struct Ex4Command: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "ex4", abstract: "Exercise 4: neural network learning.")
  func run() throws { print("ex4: not yet implemented") }
}
