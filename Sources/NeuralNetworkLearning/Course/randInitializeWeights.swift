/// Randomly initialise the weights of a layer with `L_in` incoming and
/// `L_out` outgoing connections, breaking the symmetry between units.
///
///     W = rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init,  epsilon_init = 0.12
///
/// `W` is `L_out × (1 + L_in)`, uniform in (−0.12, 0.12); its first column
/// multiplies the bias unit. The arithmetic is done in the course's order
/// (times 2, times 0.12, minus 0.12), so the doubles equal Octave's bit for bit
/// when `generator` was made with the seed Octave's `rand('twister', seed)` got.
///
/// - Precondition: `L_in` and `L_out` are not negative; otherwise the
///   program stops naming them.
public func randInitializeWeights(_ L_in: Int, _ L_out: Int, using generator: inout OctaveRandom) -> Matrix {
  precondition(
    L_in >= 0 && L_out >= 0, "randInitializeWeights: L_in and L_out must not be negative (got \(L_in) and \(L_out))")
  let epsilon_init = 0.12
  let W: Matrix = generator.rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init
  return W
}

/// `randInitializeWeights(L_in, L_out)` drawing from a fresh clock-seeded
/// generator, like the course's call without `rand('twister', seed)` first.
/// To repeat a run, seed an `OctaveRandom` and pass it with `using:`.
public func randInitializeWeights(_ L_in: Int, _ L_out: Int) -> Matrix {
  var generator = OctaveRandom.timeSeeded().generator
  return randInitializeWeights(L_in, L_out, using: &generator)
}

/// Random initial weights for every layer of a network with `layerSizes`
/// units per layer, `[s1, s2, …, sL]` (bias units not counted):
/// `randInitializeWeights(s(l), s(l+1), using: &generator)` for l = 1 … L−1,
/// in that order, so the draws follow Octave's for
///
///     rand('twister', seed);
///     Theta1 = randInitializeWeights(s1, s2);
///     Theta2 = randInitializeWeights(s2, s3);
///     …
///
/// The result is `[Theta1, …, Theta(L−1)]`, Theta(l) of size s(l+1) × (1 + s(l)).
/// For `[400, 25, 10]` it is the course's two calls.
///
/// - Precondition: at least two layers.
public func randInitializeWeights(layerSizes: [Int], using generator: inout OctaveRandom) -> [Matrix] {
  precondition(layerSizes.count >= 2, "randInitializeWeights: a network needs at least two layers, got \(layerSizes)")
  return (1..<layerSizes.count).map { randInitializeWeights(layerSizes[$0 - 1], layerSizes[$0], using: &generator) }
}
