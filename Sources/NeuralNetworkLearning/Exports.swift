// The course module re-exports the toolkit (Octave's matrices and the
// course's sigmoid) and `.mat` files, as swift-numerics' `Numerics`
// re-exports its parts: `import NeuralNetworkLearning` is all a program
// using the course's functions needs.
@_exported import CourseToolkit
@_exported import MatFiles
