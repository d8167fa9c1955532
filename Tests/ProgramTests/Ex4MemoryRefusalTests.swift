import Foundation
import Testing

import ExercisePrograms
import TestSupport

/// ex4 refuses, at once and with exit 64, options asking for a network the
/// machine cannot hold (``NetworkMemory``), instead of aborting in an allocation.
struct Ex4MemoryRefusalTests {
  // Four layers of 10000 units: 12 copies of 3 × 10⁸ weights alone take 28.8 GB.
  @Test(.enabled(if: (NetworkMemory.available() ?? .infinity) < 28e9, "this machine has more than 28 GB available"))
  func ex4RefusesFourLayersOf10000UnitsAtOnce() throws {
    let dir = try TemporaryDirectory()
    let start = ContinuousClock.now
    let run = try ProgramRun.run(
      "ex4",
      ["--hidden-layers", "10000,10000,10000,10000", "--max-iter", "1", "--no-pause", "--output-dir", dir.file("out")],
      environment: ["EX4_DATA_DIR": dir.path])
    #expect(ContinuousClock.now - start < .seconds(20))
    expectCleanRefusal(
      run, status: 64,
      mentioning: [
        "--hidden-layers 10000,10000,10000,10000: training a 400–10000–10000–10000–10000–10 network on 5000 examples needs about",
        "available",
      ])
    #expect(!run.standardOutput.contains("Training Neural Network"))
  }
}
