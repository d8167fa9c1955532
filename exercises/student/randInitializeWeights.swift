import CourseToolkit

/// RANDINITIALIZEWEIGHTS: small random starting weights for one layer, so
/// that its units do not all learn the same thing.
///
/// What it takes and gives back
/// ----------------------------
///   L_in       units in the layer the weights come from (bias not counted)
///   L_out      units in the layer they go to
///   generator  the stream of random numbers to draw from; `ex4 --seed n`
///              seeds it, so drawing only from it makes a run repeatable
///   returns    W, an L_out × (1 + L_in) matrix: row j holds the weights
///              into unit j of the next layer, column 1 the weight on the
///              bias unit, columns 2…(1 + L_in) those on the L_in inputs
///
/// Why random
/// ----------
/// If every weight started equal (all zeros, say), every hidden unit would
/// compute the same value, get the same error back, and be changed by the
/// same amount: after any number of steps they would still be copies of one
/// another. Different small random values break that symmetry.
///
/// What to do
/// ----------
///   1. Choose how far from zero the weights may go. The lecture notes give
///      a rule that depends on the layer's size:
///
///          epsilon_init = √6 / √(L_in + L_out)
///
///      For the course's first layer (400 inputs, 25 hidden units) that is
///      √6 / √425 ≈ 0.12, the value the course's own script uses for
///      every layer; either choice is accepted.
///
///   2. `generator.rand(rows, columns)` gives a matrix of numbers spread
///      evenly over (0, 1). Stretch and shift them onto
///      (−epsilon_init, epsilon_init): multiply by 2·epsilon_init, then
///      subtract epsilon_init.
///
///   3. Check: the shape is L_out × (1 + L_in); no value lies outside
///      ±epsilon_init; two calls on the same generator give different
///      matrices. `swift run ex4 submit` checks these (they are not graded).
///
/// Draw every random number from `generator` (not from Swift's
/// `Double.random`), or `--seed` cannot repeat a run.
public func randInitializeWeights(_ L_in: Int, _ L_out: Int, using generator: inout OctaveRandom) -> Matrix {
  // ------------------------------------------------------------------
  // Your code: replace these zeros with random weights of the same shape.
  let W = Matrix.zeros(L_out, 1 + L_in)
  // ------------------------------------------------------------------
  return W
}
