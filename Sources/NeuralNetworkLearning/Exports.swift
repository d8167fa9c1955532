// The course module re-exports Octave's matrices and `.mat` files, as
// swift-numerics' `Numerics` re-exports its parts: `import NeuralNetworkLearning`
// is all a student's program needs.
@_exported import MatFiles
@_exported import OctaveCore
