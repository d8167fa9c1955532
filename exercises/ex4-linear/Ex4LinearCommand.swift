import ArgumentParser
import NeuralNetworkLearning

@main
struct Ex4LinearCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "ex4-linear", abstract: "The linear-output bonus.")
  func run() throws { print("ex4-linear: not yet implemented") }
}
