import ArgumentParser
import NeuralNetworkLearning

/// `--verbose`, for the programs that compute with the network (`ex4`, `ex4
/// sweep`, `ex4 classify`, `ex4-linear`): also say how the program is set up,
/// starting with the BLAS in use.
package struct VerboseOption: ParsableArguments {
  @Flag(
    name: .long,
    help: "Also print how the program runs: the BLAS library, its kernel and whether the program chose the kernel.")
  package var verbose = false

  package init() {}

  /// With `--verbose`, prints the BLAS line (`BLASKernel.summary`): the
  /// OpenBLAS build, its kernel and who chose it.
  package func printSetup() {
    guard verbose else { return }
    print(BLASKernel.summary)
  }
}
