import ArgumentParser
import Foundation
import Testing

@testable import ExercisePrograms
import TestSupport

/// Options asking for a network the machine cannot hold are refused at once
/// with exit 64 and what the network would need, instead of aborting in an
/// allocation (`--hidden-layers 10000,10000` asked for 125 GB).
struct NetworkMemoryTests {
  @Test func theEstimateFollowsTheEngine() {
    // 400–10000–10000–10 on 5000 examples: chunks of 32 examples (157 of
    // them), run in waves of 2 (one copy of Theta2 and Theta3's gradients is
    // 800 MB, more than a wave's 64 MB budget, so the least, one per core),
    // plus the running total: 3 copies, where one per chunk (157) took 125.7 GB.
    let deep = NetworkMemory(layerSizes: [400, 10000, 10000, 10], examples: 5000)
    #expect(deep.partialGradients == 8 * Double(10000 * 10001 + 10 * 10001) * 3)
    #expect(deep.total > 14e9 && deep.total < 15e9)
    // The course's network: a few MB.
    let course = NetworkMemory(layerSizes: [400, 25, 10], examples: 5000)
    #expect(course.total < 10e6)
    // Chunks of 512 examples (2 · 512 · 260 > 262 144 stops the doubling), all 10 in one
    // wave: 10 copies of Theta2's 10×26 and the running total.
    #expect(course.partialGradients == 8 * 260 * 11)
    // lbfgs keeps about as many vectors of all the weights as fmincg's 12, its
    // 20 pairs and 6 trial vectors more: 38 in all; the rest is the engine's, unchanged.
    let lbfgs = NetworkMemory(layerSizes: [400, 10000, 10000, 10], examples: 5000, optimizer: .lbfgs)
    #expect(abs(lbfgs.weights / deep.weights - 38.0 / 12) < 1e-12)
    #expect(lbfgs.perExample == deep.perExample && lbfgs.partialGradients == deep.partialGradients)
  }

  @Test func aNetworkLargerThanTheMemoryIsAnOptionError() throws {
    let error = try #require(throws: ValidationError.self) {
      try NetworkMemory.check(
        layerSizes: [400, 10000, 10000, 10], examples: 5000, option: "--hidden-layers 10000,10000", available: 8e9)
    }
    #expect(
      error.message
        == "--hidden-layers 10000,10000: training a 400–10000–10000–10 network on 5000 examples needs about 14.4 GB "
        + "of memory (weights and fmincg 10.0 GB, per-example values 2.0 GB, partial gradients 2.4 GB); "
        + "this machine has 8.0 GB available")
    try NetworkMemory.check(
      layerSizes: [400, 25, 10], examples: 5000, option: "--hidden-layer-size 25", available: 8e9)
  }
}
