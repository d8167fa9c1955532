// swift-tools-version: 6.2
import PackageDescription

// The package, module by module: each line is a module and what it imports
// (A → B, C: A's sources import B and C; a C module includes their headers).
// A module imports only modules on lines above its own, so dependencies run
// one way. ImportGraphTests (Tests/PackageLayoutTests) holds every import
// to this diagram and fails on a module it leaves out.
//
//   Debian's C libraries, as system-library modules:
//     MatIO  CBLAS  CZlib  CPNG  CJPEG  CHDF5
//   Other packages' products (swift-argument-parser; SwiftNIO,
//   for the playground's server):
//     ArgumentParser  NIOCore  NIOPosix  NIOHTTP1  NIOWebSocket
//   This package's C, underscored (no stable API):
//     _ProcessorFeatures
//     _ProcessControl
//     _NeuralNetworkKernels
//     _PictureCodecs         → CJPEG
//   Octave's matrices, .mat files, pictures, the speed engine:
//     OctaveCore             → CBLAS, _ProcessorFeatures
//     MatFiles               → OctaveCore, MatIO, CZlib, CHDF5
//     Pictures               → OctaveCore, CPNG, _PictureCodecs
//     NeuralNetworkEngine    → OctaveCore, CBLAS, _NeuralNetworkKernels
//   What a student's functions are written with (OctaveCore and sigmoid, no solutions):
//     CourseToolkit          → OctaveCore
//   The course, and a student's photos of digits (the two library products):
//     NeuralNetworkLearning  → CourseToolkit, MatFiles, NeuralNetworkEngine, CBLAS
//     DigitPhotos            → NeuralNetworkLearning, NeuralNetworkEngine, OctaveCore, Pictures
//   What the programs share, and the grader:
//     ExerciseData           → OctaveCore, MatFiles
//     TrainingRecord         → ExerciseData, NeuralNetworkLearning, OctaveCore, Pictures
//     ExercisePrograms       → ExerciseData, TrainingRecord, NeuralNetworkLearning, NeuralNetworkEngine,
//                              Pictures, ArgumentParser
//     ExerciseGrading        → ExerciseData, TrainingRecord, ExercisePrograms, NeuralNetworkLearning, OctaveCore,
//                              _ProcessControl, ArgumentParser
//   A student's functions (exercises/student), which see only the toolkit, and the programs:
//     Ex4Student             → CourseToolkit
//     Ex4StudentFunctions    → Ex4Student, ExercisePrograms, NeuralNetworkLearning
//     ex4                    → ExerciseData, TrainingRecord, ExercisePrograms, ExerciseGrading, Ex4StudentFunctions,
//                              DigitPhotos, NeuralNetworkLearning, Pictures, ArgumentParser
//     ex4-linear             → ExerciseData, TrainingRecord, ExercisePrograms, NeuralNetworkLearning, Pictures,
//                              ArgumentParser
//     ex4-bench              → ExerciseData, TrainingRecord, ExercisePrograms, NeuralNetworkLearning,
//                              NeuralNetworkEngine, _NeuralNetworkKernels, CBLAS, ArgumentParser
//   The playground: its server, and its program (neither is in ex4's build):
//     PlaygroundServer       → ExerciseData, TrainingRecord, ExercisePrograms, ExerciseGrading, NeuralNetworkLearning,
//                              DigitPhotos, Pictures, NIOCore, NIOPosix, NIOHTTP1, NIOWebSocket, ArgumentParser
//     ex4-playground         → PlaygroundServer, ExerciseData, TrainingRecord, ExercisePrograms, ExerciseGrading,
//                              Ex4StudentFunctions, NeuralNetworkLearning, ArgumentParser
//   The tests' support: shared code, the program the grader's tests plant mistakes in, a child's peak memory:
//     TestSupport            → ExerciseData, NeuralNetworkLearning, OctaveCore, Pictures
//     ex4-planted            → ExercisePrograms, ExerciseGrading, NeuralNetworkLearning, ArgumentParser
//     playground-planted     → PlaygroundServer, ExerciseData, TrainingRecord, ExercisePrograms, NeuralNetworkLearning
//     peak-resident
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
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
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
    // What a student's functions are written with: OctaveCore re-exported and
    // the course's sigmoid, without the solutions the exercise asks for.
    .target(name: "CourseToolkit", dependencies: ["OctaveCore"]),
    // The course: one function per file, re-exporting CourseToolkit and MatFiles.
    .target(
      name: "NeuralNetworkLearning",
      dependencies: ["CourseToolkit", "MatFiles", "NeuralNetworkEngine", "CBLAS"]
    ),
    // A student's own photos of digits, read, centred and classified.
    .target(
      name: "DigitPhotos", dependencies: ["NeuralNetworkLearning", "NeuralNetworkEngine", "OctaveCore", "Pictures"]),
    // The course's data files: the data folder (`EX4_DATA_DIR`), which files
    // are the course's (SHA-256), the digits and the built-in stand-in,
    // network weights in .mat files, and the input error they all throw.
    .target(name: "ExerciseData", dependencies: ["OctaveCore", "MatFiles"]),
    // What training looked like and its write-ups: the cost history and its
    // plot, the confusion matrix, held-out examples, the transcript of what a
    // program printed, and the HTML report.
    .target(
      name: "TrainingRecord",
      dependencies: [
        "ExerciseData", "NeuralNetworkLearning", "OctaveCore", "Pictures",
      ]
    ),
    // The programs' command lines and start: option groups, training as the
    // options ask (minimiser, memory check), the student's functions as one
    // value, the console, the v7.3 child and the OpenBLAS kernel at start.
    .target(
      name: "ExercisePrograms",
      dependencies: [
        "ExerciseData", "TrainingRecord", "NeuralNetworkLearning", "NeuralNetworkEngine", "Pictures",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // prctl for the grader: a child subreaper, a dumpable child after a change of user.
    .target(name: "_ProcessControl"),
    // `ex4 submit`: the course's graded parts, run offline in child processes,
    // with the common mistakes recognised.
    .target(
      name: "ExerciseGrading",
      dependencies: [
        "NeuralNetworkLearning", "OctaveCore", "ExerciseData", "TrainingRecord", "ExercisePrograms", "_ProcessControl",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // The functions a student writes: the starters, until they are filled in.
    // They see the toolkit only, not the course module's solutions.
    .target(name: "Ex4Student", dependencies: ["CourseToolkit"], path: "exercises/student", exclude: ["README.md"]),
    // The student's functions as the programs that run them call them.
    .target(name: "Ex4StudentFunctions", dependencies: ["Ex4Student", "ExercisePrograms", "NeuralNetworkLearning"]),

    // The programs.
    .executableTarget(
      name: "ex4",
      dependencies: [
        "NeuralNetworkLearning", "DigitPhotos", "Pictures", "ExerciseData", "TrainingRecord", "ExercisePrograms",
        "ExerciseGrading", "Ex4StudentFunctions",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "exercises/ex4"
    ),
    .executableTarget(
      name: "ex4-linear",
      dependencies: [
        "NeuralNetworkLearning", "Pictures", "ExerciseData", "TrainingRecord", "ExercisePrograms",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "exercises/ex4-linear"
    ),
    .executableTarget(
      name: "ex4-bench",
      dependencies: [
        "NeuralNetworkLearning", "NeuralNetworkEngine", "_NeuralNetworkKernels", "ExerciseData", "TrainingRecord",
        "ExercisePrograms", "CBLAS", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Benchmarks/ex4-bench"
    ),

    // Tests, a target per module, and the programs' end-to-end tests apart.
    .target(
      name: "TestSupport",
      dependencies: ["NeuralNetworkLearning", "OctaveCore", "ExerciseData", "Pictures"],
      path: "Tests/TestSupport"
    ),
    // Package.swift's module diagram against the sources' imports.
    .testTarget(name: "PackageLayoutTests"),
    .testTarget(name: "OctaveCoreTests", dependencies: ["OctaveCore", "MatFiles", "TestSupport"]),
    .testTarget(name: "MatFilesTests", dependencies: ["MatFiles", "OctaveCore", "CZlib", "TestSupport"]),
    .testTarget(
      name: "PicturesTests", dependencies: ["Pictures", "OctaveCore", "NeuralNetworkLearning", "TestSupport"]),
    .testTarget(
      name: "NeuralNetworkEngineTests",
      dependencies: ["NeuralNetworkEngine", "_NeuralNetworkKernels", "NeuralNetworkLearning", "TestSupport"]),
    .testTarget(
      name: "NeuralNetworkLearningTests", dependencies: ["NeuralNetworkLearning", "DigitPhotos", "TestSupport"]),
    .testTarget(
      name: "DigitPhotosTests",
      dependencies: ["DigitPhotos", "Pictures", "OctaveCore", "NeuralNetworkLearning", "TestSupport"]),
    .testTarget(
      name: "ExerciseDataTests", dependencies: ["ExerciseData", "NeuralNetworkLearning", "Pictures", "TestSupport"]),
    .testTarget(
      name: "TrainingRecordTests",
      dependencies: ["TrainingRecord", "ExerciseData", "Pictures", "NeuralNetworkLearning", "TestSupport"]),
    .testTarget(
      name: "ExerciseProgramsTests",
      dependencies: [
        "ExercisePrograms", "TestSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // The grader's tests: mistakes, traps, endless loops and allocations
    // planted in a test-only program that the grader runs as it runs ex4.
    .executableTarget(
      name: "ex4-planted",
      dependencies: [
        "NeuralNetworkLearning", "ExercisePrograms", "ExerciseGrading",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Tests/PlantedExercise"
    ),
    .testTarget(
      name: "ExerciseGradingTests",
      dependencies: ["ExerciseGrading", "ExercisePrograms", "NeuralNetworkLearning", "TestSupport", "ex4-planted"]
    ),
    // A child's own peak resident size, which a child of the test runner
    // cannot report (Tests/PeakResident/main.c says why).
    .executableTarget(name: "peak-resident", path: "Tests/PeakResident"),
    .testTarget(
      name: "ProgramTests",
      dependencies: [
        "NeuralNetworkLearning", "OctaveCore", "ExerciseData", "ExercisePrograms", "ExerciseGrading", "Pictures",
        "TestSupport", "ex4", "ex4-linear", "ex4-planted", "peak-resident",
      ]
    ),
  ]
)

// The playground (ex4-playground): its web server library builds only here,
// never for ex4. EX4_WITHOUT_PLAYGROUND=1 leaves it out, for a build that
// does not need it (.ci/run's AddressSanitizer build of the MAT-file tests).
if Context.environment["EX4_WITHOUT_PLAYGROUND"] == nil {
  package.products.append(.executable(name: "ex4-playground", targets: ["ex4-playground"]))
  package.dependencies += [
    // SwiftNIO alone, not a framework on it: Hummingbird 2 with its WebSocket
    // package brought 31 packages to resolve, and SwiftPM resolves every
    // package of the manifest even for `swift run ex4`, which needs none of
    // them (10.7 s of a fresh clone's first run, against 3.0 s for SwiftNIO's
    // four, measured with SwiftPM's cache warm).
    .package(url: "https://github.com/apple/swift-nio", from: "2.81.0")
  ]
  package.targets += [
    // The playground: a local page where a student trains the course network,
    // looks inside it, draws digits for it and grades their own code.
    .target(
      name: "PlaygroundServer",
      dependencies: [
        "NeuralNetworkLearning", "DigitPhotos", "Pictures", "ExerciseData", "TrainingRecord",
        "ExercisePrograms",
        "ExerciseGrading",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      resources: [.copy("Page")]
    ),
    .executableTarget(
      name: "ex4-playground",
      dependencies: [
        "PlaygroundServer", "ExerciseData", "TrainingRecord", "ExercisePrograms", "ExerciseGrading",
        "Ex4StudentFunctions", "NeuralNetworkLearning",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "exercises/ex4-playground"
    ),
    // Student functions that trap or never return, trained by the playground's tests.
    .executableTarget(
      name: "playground-planted",
      dependencies: [
        "PlaygroundServer", "ExerciseData", "TrainingRecord", "ExercisePrograms", "NeuralNetworkLearning",
      ],
      path: "Tests/PlaygroundPlanted"
    ),
    .testTarget(
      name: "PlaygroundServerTests",
      dependencies: [
        "PlaygroundServer", "ExerciseData", "TrainingRecord", "ExercisePrograms", "NeuralNetworkLearning", "Pictures",
        "TestSupport", "ex4", "playground-planted",
      ]
    ),
  ]
}

// EX4_TEST_TARGETS=A,B: only those test targets and the targets they need,
// for a build that runs nothing else (.ci/run's AddressSanitizer build of the
// MAT-file tests, which need neither the programs nor the other suites).
if let wanted = Context.environment["EX4_TEST_TARGETS"] {
  var needed = Set<String>()
  var waiting = wanted.split(separator: ",").map(String.init)
  while let name = waiting.popLast() {
    guard needed.insert(name).inserted, let target = package.targets.first(where: { $0.name == name }) else {
      continue
    }
    for dependency in target.dependencies {
      switch dependency {
      case .targetItem(let name, _), .byNameItem(let name, _): waiting.append(name)
      default: break
      }
    }
  }
  package.targets.removeAll { !needed.contains($0.name) }
  package.products = []
}
