import Testing

@testable import NeuralNetworkLearning
import TestSupport

/// `randInitializeWeights` against Octave's doubles for `rand('twister', 1)`:
/// the three values of `octave-rand.md` and the whole matrices in
/// `fixtures/rand/rand_seed1.mat` (made by `make_rand_fixture.m`).
@Suite struct RandInitializeWeightsTests {
  @Test func seedOneGivesOctavesDoubles() {
    var generator = OctaveRandom(seed: 1)
    let Theta1 = randInitializeWeights(400, 25, using: &generator)
    let Theta2 = randInitializeWeights(25, 10, using: &generator)
    #expect(Theta1.rows == 25 && Theta1.columns == 401)
    #expect(Theta2.rows == 10 && Theta2.columns == 26)
    #expect(Theta1[1, 1] == -0.087752581413023695)
    #expect(Theta1[25, 401] == -0.069997585804530582)
    #expect(Theta2[10, 26] == 0.084664246577031477)
  }

  @Test func seedOneMatchesTheOctaveFixtureBitForBit() throws {
    let path = Fixture.path("rand/rand_seed1.mat")
    let octave = try MatFile.read(path, variables: ["Theta1", "Theta2"])
    let expected1 = try #require(octave["Theta1"])
    let expected2 = try #require(octave["Theta2"])
    var generator = OctaveRandom(seed: 1)
    let Theta1 = randInitializeWeights(400, 25, using: &generator)
    let Theta2 = randInitializeWeights(25, 10, using: &generator)
    for (name, ours, theirs) in [("Theta1", Theta1, expected1), ("Theta2", Theta2, expected2)] {
      #expect(ours.rows == theirs.rows && ours.columns == theirs.columns, "\(name): \(ours.shape) vs \(theirs.shape)")
      let difference = firstBitDifference(ours.values, theirs.values)
      #expect(difference == nil, "\(name): element \(difference ?? 0) differs from Octave's")
    }
  }

  @Test func withoutASeedTheWeightsLieInTheInterval() {
    let W = randInitializeWeights(3, 5)
    #expect(W.rows == 5 && W.columns == 4)
    #expect(W.values.allSatisfy { $0 > -0.12 && $0 < 0.12 })
    #expect(Set(W.values).count == W.count)
  }
}
