// The toolkit a student's functions are written with: Octave's matrices
// (`Matrix`, `reshape`, `unroll`, `OctaveRandom`, `log`, …) from OctaveCore,
// and the course's `sigmoid`. It holds no solution to the functions the
// exercise asks for (sigmoidGradient, randInitializeWeights,
// nnCostFunction) and nothing that computes them; the course module
// NeuralNetworkLearning re-exports it.
@_exported import OctaveCore
