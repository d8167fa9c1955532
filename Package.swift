// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "NeuralNetworkLearning",
  products: [
    .library(name: "NeuralNetworkLearning", targets: ["NeuralNetworkLearning"]),
    .executable(name: "ex4", targets: ["ex4"]),
    .executable(name: "ex4-linear", targets: ["ex4-linear"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    .systemLibrary(
      name: "MatIO",
      pkgConfig: "matio",
      providers: [.apt(["libmatio-dev"])]
    ),
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .systemLibrary(
      name: "CPNG",
      pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]
    ),
    .target(name: "CNeuralNetworkKernels"),
    .target(
      name: "NeuralNetworkLearning",
      dependencies: ["MatIO", "CBLAS", "CPNG", "CZlib", "CNeuralNetworkKernels"]
    ),
    .executableTarget(
      name: "ex4",
      dependencies: [
        "NeuralNetworkLearning",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "exercises/ex4"
    ),
    .executableTarget(
      name: "ex4-linear",
      dependencies: [
        "NeuralNetworkLearning",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "exercises/ex4-linear"
    ),
    .executableTarget(
      name: "ex4-bench",
      dependencies: [
        "NeuralNetworkLearning", "CBLAS",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Benchmarks/ex4-bench"
    ),
    .testTarget(
      name: "NeuralNetworkLearningTests",
      dependencies: ["NeuralNetworkLearning", "CZlib"]
    ),
  ]
)
