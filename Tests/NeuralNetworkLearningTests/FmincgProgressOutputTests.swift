import Foundation
import Testing

@testable import NeuralNetworkLearning

/// fmincg's default progress written into a pipe or to a terminal.
@Suite struct FmincgProgressOutputTests {
  /// Off a terminal, the default `.print` becomes one line per iteration;
  /// on a terminal it keeps the course's carriage returns.
  @Test func defaultProgressIsLinesOffATerminal() {
    func written(_ progress: FmincgProgress) -> String {
      var text = ""
      _ = fmincg({ x in (sum(x .* x)[1], 2 * x) }, Matrix(column: [1, 2]), maxIter: 3, progress: progress) {
        text += $0
      }
      return text
    }
    let pipe = written(FmincgProgress.print.forStandardOutput(isTerminal: false))
    #expect(!pipe.contains("\r"), "\(pipe.debugDescription)")
    #expect(pipe.split(separator: "\n").allSatisfy { $0.hasPrefix("Iteration ") })
    #expect(!pipe.isEmpty)
    let terminal = written(FmincgProgress.print.forStandardOutput(isTerminal: true))
    #expect(terminal.contains("\r"))
    if case .silent = FmincgProgress.silent.forStandardOutput(isTerminal: false) {
    } else {
      Issue.record("silent became something else")
    }
  }
}
