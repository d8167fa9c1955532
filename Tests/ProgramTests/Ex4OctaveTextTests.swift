import Foundation
import Testing

import NeuralNetworkLearning
import TestSupport

/// A digits file in Octave's own text format (what `save f.mat X y` writes
/// by default) trains in ex4 exactly as the same data saved with -v7:
/// the same transcript, costs and accuracy, and the same weights bit for bit.
struct Ex4OctaveTextTests {
  @Test func aTextFormatFileTrainsAsItsV7Copy() throws {
    let directory = try TemporaryDirectory()
    var transcripts: [String] = []
    var weights: [[String: Matrix]] = []
    for name in ["digits.txt.mat", "digits-v7.mat"] {
      let output = directory.file("out-\(name)")
      let saved = directory.file("weights-\(name)")
      let run = try ProgramRun.run(
        "ex4",
        [
          "--data", Fixture.path("octave-text/\(name)"), "--seed", "1", "--no-pause", "--max-iter", "5",
          "--output-dir", output, "--save", saved,
        ],
        environment: ["EX4_DATA_DIR": directory.path])
      #expect(run.status == 0, "\(name): \(run.standardError)")
      #expect(run.standardOutput.contains("Iteration     5 | Cost: "), "\(name): \(run.standardOutput)")
      // Everything but the paths and the time training took.
      transcripts.append(
        run.standardOutput.replacingOccurrences(of: output, with: "OUT").replacingOccurrences(of: saved, with: "W")
          .replacingOccurrences(of: "Training took [0-9.]+ s", with: "Training took T s", options: .regularExpression))
      weights.append(try MatFile.read(saved))
    }
    #expect(transcripts[0].contains("Training took T s (5 iterations"))
    #expect(transcripts[0] == transcripts[1])
    #expect(weights[0].keys.sorted() == ["Theta1", "Theta2"])
    for (name, theta) in weights[0] {
      #expect(theta.values.map(\.bitPattern) == weights[1][name]?.values.map(\.bitPattern), "\(name)")
    }
  }
}
