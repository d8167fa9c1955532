import ArgumentParser
import Foundation
import NeuralNetworkLearning
import ExerciseData
import ExercisePrograms
import Pictures
import DigitPhotos

/// `ex4 classify IMAGE…`: the lecture notes' bonus, "How to classify your own
/// images of digits", with a network trained in ex4.
struct Ex4Classify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "classify",
    abstract: "Classify your own pictures of handwritten digits (PNG, JPEG or PGM) with a trained network.",
    discussion: """
      Each picture should show one digit, on light or dark paper, without other marks: a scan, \
      or a photo (a JPEG is turned upright as its EXIF orientation says). Colour is made grey, \
      and a large photo is reduced to 800 pixels a side as it is read. The program estimates \
      the paper's level everywhere (so uneven light and broad shadows do not count as ink), \
      keeps what stands out from the paper's own noise, cuts a square around the digit sized \
      and centred like the course's digits, scales it to 20×20 by area averaging, and makes \
      the background 0 and the strongest stroke 1, as in the course's training images. A blank \
      page is refused ("no digit found"); a digit touching the picture's edge, or a best guess \
      below 50%, gets a warning on stderr.

      For each picture it prints one line: the path, the digit it sees, then its three best \
      guesses with their confidence, e.g. `scan.png: 7 (93%), 1 (4%), 9 (1%)`. The confidence \
      is the network's output for that digit divided by the sum of its ten outputs (each a \
      sigmoid between 0 and 1), so the ten add up to 100%. On a terminal, the 20×20 input the \
      network saw is drawn below the line.

      Without --weights, a 400–25–10 network is trained first, as ex4 trains it (50 iterations \
      of fmincg, lambda = 1, seed 1), on ex4data1.mat in $\(DataDirectory.environmentVariable) \
      (default \(DataDirectory.defaultPath)) or --data, or on the built-in digits when that is \
      absent. Pass --weights with the course's ex4weights.mat, or with a file written by \
      `ex4 --save` (any number of hidden layers), to skip the training.
      """)

  /// The picture files.
  @Argument(help: ArgumentHelp("PNG, JPEG or PGM (P5 or P2) pictures, one digit in each.", valueName: "image"))
  var images: [String]

  @Option(
    name: .long,
    help: ArgumentHelp(
      "A .mat file with the network's Theta1, Theta2, … (the course's ex4weights.mat, or one from ex4 --save). Default: train one first.",
      valueName: "file"))
  var weights: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Also save each 20×20 input the network saw as a PNG (8× larger) in this directory, as <name>-input.png; existing files are never replaced.",
      valueName: "directory"))
  var saveInput: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Without --weights: the digits to train on (default: ex4data1.mat in the data directory, else the built-in digits).",
      valueName: "file"))
  var data: String?

  @OptionGroup var verbose: VerboseOption

  /// Pixels of a saved input picture per pixel of the 20×20 input.
  static let savedScale = 8

  func run() throws {
    verbose.printSetup()
    if let saveInput { try OutputDirectory.prepare(saveInput, option: "--save-input") }

    // Every picture is read first, so that none good means no training;
    // each one's result or error is then printed in the order given.
    var digits: [(path: String, digit: Result<DigitImage, any Error>)] = []
    for path in images {
      digits.append((path, Result { try DigitImage(contentsOf: path) }))
    }
    let failures = digits.filter { if case .failure = $0.digit { true } else { false } }.count
    guard failures < digits.count else {
      for case (_, .failure(let error)) in digits { Self.printError(error) }
      throw ExitCode.failure
    }

    let Thetas: [Matrix]
    if let weights {
      try DataDirectory.checkNamedFile(weights, option: "--weights")
      Thetas = try NetworkWeights.load(weights, inputs: DigitImage.side * DigitImage.side, labels: 10)
    } else {
      Thetas = try trainNetwork()
    }

    let console = Console(noPause: true)
    for (path, result) in digits {
      let digit: DigitImage
      switch result {
      case .success(let image): digit = image
      case .failure(let error):
        Self.printError(error)
        continue
      }
      let guesses = digitGuesses(Thetas, digit.features)[0]
      let best = guesses.prefix(3).map { "\($0.digit) (\(String(format: "%.0f", 100 * $0.confidence))%)" }
      print("\(printable(path)): " + best.joined(separator: ", "))
      for warning in photoWarnings(digit, guesses) {
        FileHandle.standardError.write(Data("Warning: \(printable(path)): \(warning)\n".utf8))
      }
      console.show(digit.pixels * 2 - 1, maxColumns: DigitImage.side)
      if let saveInput { try save(digit, of: path, in: saveInput) }
    }
    if failures > 0 { throw ExitCode.failure }
  }

  /// `Error: …` on standard error, after everything printed before it.
  static func printError(_ error: any Error) {
    fflush(nil)
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
  }

  /// The network trained when no `--weights` are given, saying on what.
  func trainNetwork() throws -> [Matrix] {
    let data = try DigitData.load(named: self.data)
    if data.isBuiltin { print(DataDirectory.builtinDigitsBanner) }
    let (X, y) = (data.X, data.y)
    let source = data.isBuiltin ? "the built-in digits (\(DataDirectory.file("ex4data1.mat")) not found)" : data.source
    guard X.columns == DigitImage.side * DigitImage.side else {
      throw InputError("\(data.source): 'X' has \(X.columns) columns; pictures of 20×20 digits need 400")
    }
    let maxIter = 50
    let seed: UInt32 = 1
    print(
      "--weights not given: training a 400–25–10 network on \(printable(source)) first "
        + "(\(maxIter) iterations of fmincg, lambda = 1, seed \(seed))...")
    var random = OctaveRandom(seed: seed)
    let layerSizes = [X.columns, 25, 10]
    let initial = unroll(randInitializeWeights(layerSizes: layerSizes, using: &random))
    let (Thetas, _, elapsed) = try NetworkTraining(layerSizes: layerSizes, X: X, y: y, lambda: 1)
      .run(from: initial, maxIter: maxIter, progress: OutputDirectory.standardOutputIsTerminal ? .print : .silent)
    print(
      String(
        format: "Trained in %.1f s; training set accuracy %.2f%%. (--weights FILE skips this.)", elapsed,
        mean(predict(Thetas, X) .== y) * 100))
    if data.isBuiltin {
      print(DataDirectory.builtinDigitsReminder("NOT the course's data"))
    }
    return Thetas
  }

  /// Writes the 20×20 input as `<name>-input.png` in `directory`, or
  /// `<name>-input-2.png`, … when that exists: nothing is replaced.
  func save(_ digit: DigitImage, of path: String, in directory: String) throws {
    let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    for attempt in 1...1000 {
      let file = (directory as NSString).appendingPathComponent(
        attempt == 1 ? "\(name)-input.png" : "\(name)-input-\(attempt).png")
      if WriteTarget(file) != .free { continue }
      try PNGImage.writeGrey(digit.pixels * 2 - 1, to: file, scale: Ex4Classify.savedScale)
      print("Saved the 20×20 input to \(printable(file))")
      return
    }
    throw InputError("--save-input \(directory): \(name)-input.png and 999 numbered versions exist already")
  }
}
