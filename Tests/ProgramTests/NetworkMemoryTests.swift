import ArgumentParser
import Foundation
import Testing

@testable import ExerciseSupport
import TestSupport

/// Options asking for a network the machine cannot hold are refused at once
/// with exit 64 and what the network would need, instead of aborting in an
/// allocation (`--hidden-layers 10000,10000` asked for 125 GB).
struct NetworkMemoryTests {
  @Test func theEstimateFollowsTheEngine() {
    // 400–10000–10000–10 on 5000 examples: chunks of 32 examples (157 of
    // them), each with a copy of Theta2 and Theta3's gradients.
    let deep = NetworkMemory(layerSizes: [400, 10000, 10000, 10], examples: 5000)
    #expect(deep.partialGradients == 8 * Double(10000 * 10001 + 10 * 10001) * 157)
    #expect(deep.total > 125e9)
    // The course's network: a few MB.
    let course = NetworkMemory(layerSizes: [400, 25, 10], examples: 5000)
    #expect(course.total < 10e6)
    // Chunks of 512 examples (2 · 512 · 260 > 262 144 stops the doubling): 10 copies of Theta2's 10×26.
    #expect(course.partialGradients == 8 * 260 * 10)
  }

  @Test func aNetworkLargerThanTheMemoryIsAnOptionError() throws {
    let error = try #require(throws: ValidationError.self) {
      try NetworkMemory.check(
        layerSizes: [400, 10000, 10000, 10], examples: 5000, option: "--hidden-layers 10000,10000", available: 8e9)
    }
    #expect(
      error.message
        == "--hidden-layers 10000,10000: training a 400–10000–10000–10 network on 5000 examples needs about 137.7 GB "
        + "of memory (weights and fmincg 10.0 GB, per-example values 2.0 GB, per-chunk partial gradients 125.7 GB); "
        + "this machine has 8.0 GB available")
    try NetworkMemory.check(
      layerSizes: [400, 25, 10], examples: 5000, option: "--hidden-layer-size 25", available: 8e9)
  }

  @Test(.enabled(if: (NetworkMemory.available() ?? .infinity) < 100e9, "this machine has more than 100 GB available"))
  func ex4RefusesTwoLayersOf10000UnitsAtOnce() throws {
    let dir = try TemporaryDirectory()
    let start = ContinuousClock.now
    let run = try ProgramRun.run(
      "ex4", ["--hidden-layers", "10000,10000", "--max-iter", "1", "--no-pause", "--output-dir", dir.file("out")],
      environment: ["EX4_DATA_DIR": dir.path])
    #expect(ContinuousClock.now - start < .seconds(20))
    expectCleanRefusal(
      run, status: 64,
      mentioning: [
        "--hidden-layers 10000,10000: training a 400–10000–10000–10 network on 5000 examples needs about 137.7 GB",
        "available",
      ])
    #expect(!run.standardOutput.contains("Training Neural Network"))
  }
}
