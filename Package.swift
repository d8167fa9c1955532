// swift-tools-version: 6.2
import PackageDescription

// The package, module by module. Dependencies run one way:
//
//   OctaveCore ← { MatFiles, Pictures, NeuralNetworkEngine } ← NeuralNetworkLearning
//              ← DigitPhotos ← ExerciseSupport ← ExerciseGrading ← the programs
//
// A student's own functions (Ex4Student, in exercises/student/) see only the
// course module; ex4 runs the script on them and grades them.
//
// Only the course module (with the core and MatFile it re-exports) and the
// digit-photo pipeline are products; the engine and the programs' support
// are reached with `package` access from inside this package only.
let package = Package(
  name: "NeuralNetworkLearning",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "NeuralNetworkLearning", targets: ["NeuralNetworkLearning"]),
    .library(name: "DigitPhotos", targets: ["DigitPhotos"]),
    .executable(name: "ex4", targets: ["ex4"]),
    .executable(name: "ex4-linear", targets: ["ex4-linear"]),
    .executable(name: "ex4-playground", targets: ["ex4-playground"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // `swift package generate-documentation` for the DocC catalogs.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    // HTML for the programs' reports.
    .package(url: "https://github.com/JohnSundell/Plot", exact: "0.14.0"),
    // The playground's local web server (ex4-playground only; ex4 never builds it).
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0", traits: []),
    .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.0.0"),
  ],
  targets: [
    // Debian's C libraries.
    .systemLibrary(name: "MatIO", pkgConfig: "matio", providers: [.apt(["libmatio-dev"])]),
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
    // HDF5 itself (libmatio reads v7.3 through it): only for what libmatio
    // reads wrongly, in the child process that reads v7.3 files.
    .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),

    // Octave's matrices: Matrix, its subscripts and arithmetic, the one BLAS
    // product, rand('twister'), Octave's number display.
    .target(name: "OctaveCore", dependencies: ["CBLAS", "_ProcessorFeatures"]),
    // CPUID and XGETBV: what the processor runs, for choosing OpenBLAS's kernel.
    .target(name: "_ProcessorFeatures"),
    // .mat files: MatFile, its errors, the v4/v5 layout walkers, libmatio behind them.
    .target(name: "MatFiles", dependencies: ["OctaveCore", "MatIO", "CZlib", "CHDF5"]),
    // libjpeg behind calls that return an error instead of exiting (setjmp
    // stays in C), and the pixel loops a photo needs fast in a debug build.
    .target(name: "_PictureCodecs", dependencies: ["CJPEG"]),
    // Pictures: PNG, JPEG and PGM files, terminal pictures, plots.
    .target(name: "Pictures", dependencies: ["OctaveCore", "CPNG", "_PictureCodecs"]),
    // The speed engine behind the course's functions: no stable API.
    .target(name: "_NeuralNetworkKernels", exclude: ["README.md"]),
    .target(name: "NeuralNetworkEngine", dependencies: ["OctaveCore", "CBLAS", "_NeuralNetworkKernels"]),
    // The course: one function per file, re-exporting OctaveCore and MatFiles.
    .target(
      name: "NeuralNetworkLearning",
      dependencies: ["OctaveCore", "MatFiles", "NeuralNetworkEngine", "CBLAS"]
    ),
    // A student's own photos of digits, read, centred and classified.
    .target(name: "DigitPhotos", dependencies: ["NeuralNetworkLearning", "NeuralNetworkEngine", "Pictures"]),
    // What the programs share: the data folder, output folders, the console,
    // option groups, the built-in digits, loading and saving weights, what
    // training looked like (held-out examples, confusion, costs) and reports.
    .target(
      name: "ExerciseSupport",
      dependencies: [
        "NeuralNetworkLearning", "NeuralNetworkEngine", "Pictures",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Plot", package: "Plot"),
      ]
    ),

    // `ex4 submit`: the course's graded parts, run offline in child processes,
    // with the common mistakes recognised.
    .target(
      name: "ExerciseGrading",
      dependencies: [
        "NeuralNetworkLearning", "ExerciseSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // The functions a student writes: the starters, until they are filled in.
    .target(
      name: "Ex4Student", dependencies: ["NeuralNetworkLearning"], path: "exercises/student", exclude: ["README.md"]),

    // The programs.
    .executableTarget(
      name: "ex4",
      dependencies: [
        "NeuralNetworkLearning", "DigitPhotos", "Pictures", "ExerciseSupport", "ExerciseGrading", "Ex4Student",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "exercises/ex4"
    ),
    .executableTarget(
      name: "ex4-linear",
      dependencies: [
        "NeuralNetworkLearning", "Pictures", "ExerciseSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "exercises/ex4-linear"
    ),
    // The playground: a local page where a student trains the course network,
    // looks inside it, draws digits for it and grades their own code.
    .target(
      name: "PlaygroundServer",
      dependencies: [
        "NeuralNetworkLearning", "NeuralNetworkEngine", "DigitPhotos", "Pictures", "ExerciseSupport",
        "ExerciseGrading",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
      ],
      resources: [.copy("Page")]
    ),
    .executableTarget(
      name: "ex4-playground",
      dependencies: [
        "PlaygroundServer", "ExerciseSupport", "ExerciseGrading", "Ex4Student",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "exercises/ex4-playground"
    ),
    .executableTarget(
      name: "ex4-bench",
      dependencies: [
        "NeuralNetworkLearning", "NeuralNetworkEngine", "ExerciseSupport", "CBLAS",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Benchmarks/ex4-bench"
    ),

    // Tests, a target per module, and the programs' end-to-end tests apart.
    .target(
      name: "TestSupport",
      dependencies: ["NeuralNetworkLearning", "ExerciseSupport", "Pictures"],
      path: "Tests/TestSupport"
    ),
    .testTarget(name: "OctaveCoreTests", dependencies: ["OctaveCore", "MatFiles", "TestSupport"]),
    .testTarget(name: "MatFilesTests", dependencies: ["MatFiles", "CZlib", "ExerciseSupport", "TestSupport"]),
    .testTarget(name: "PicturesTests", dependencies: ["Pictures", "NeuralNetworkLearning", "TestSupport"]),
    .testTarget(
      name: "ExerciseSupportTests",
      dependencies: ["ExerciseSupport", "Pictures", "NeuralNetworkLearning", "TestSupport"]),
    .testTarget(
      name: "NeuralNetworkEngineTests",
      dependencies: ["NeuralNetworkEngine", "_NeuralNetworkKernels", "NeuralNetworkLearning", "TestSupport"]),
    .testTarget(
      name: "NeuralNetworkLearningTests", dependencies: ["NeuralNetworkLearning", "DigitPhotos", "TestSupport"]),
    .testTarget(
      name: "DigitPhotosTests",
      dependencies: ["DigitPhotos", "Pictures", "ExerciseSupport", "NeuralNetworkLearning", "TestSupport"]),
    // The grader's tests: mistakes, traps, endless loops and allocations
    // planted in a test-only program that the grader runs as it runs ex4.
    .executableTarget(
      name: "ex4-planted",
      dependencies: [
        "NeuralNetworkLearning", "ExerciseSupport", "ExerciseGrading",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Tests/PlantedExercise"
    ),
    .testTarget(
      name: "ExerciseGradingTests",
      dependencies: ["ExerciseGrading", "ExerciseSupport", "NeuralNetworkLearning", "TestSupport", "ex4-planted"]
    ),
    // Student functions that trap or never return, trained by the playground's tests.
    .executableTarget(
      name: "playground-planted",
      dependencies: ["PlaygroundServer", "ExerciseSupport", "NeuralNetworkLearning"],
      path: "Tests/PlaygroundPlanted"
    ),
    .testTarget(
      name: "PlaygroundServerTests",
      dependencies: [
        "PlaygroundServer", "ExerciseSupport", "NeuralNetworkLearning", "TestSupport", "ex4", "playground-planted",
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
      ]
    ),
    .testTarget(
      name: "ProgramTests",
      dependencies: [
        "NeuralNetworkLearning", "ExerciseSupport", "ExerciseGrading", "Pictures", "TestSupport", "ex4", "ex4-linear",
        "ex4-planted",
      ]
    ),
  ]
)
