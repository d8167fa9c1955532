import MatFiles
import OctaveCore
import Foundation

/// A sigmoid network's weights in a `.mat` file: `Theta1`, `Theta2`, … as
/// `ex4 --save` writes them and the course's `ex4weights.mat` has them.
package enum NetworkWeights {
  /// The program name written into the header of the files `ex4 --save` makes.
  package static let program = "ex4"

  /// Writes `[Theta1, …, ThetaN]` to `path` under those names. A file there
  /// is replaced only if ex4 wrote it (its header says so); anything else,
  /// such as a student's own file, is left alone and the save fails.
  package static func save(_ Thetas: [Matrix], to path: String) throws {
    var variables: [String: Matrix] = [:]
    for (k, Theta) in Thetas.enumerated() { variables["Theta\(k + 1)"] = Theta }
    try MatFile.write(variables, to: path, madeBy: program)
  }

  /// The checks of ``save(_:to:)`` without writing, run before training so a
  /// bad `--save` target is refused before the work, not after it.
  package static func checkCanSave(to path: String) throws {
    try MatFile.checkCanWrite(to: path, madeBy: program)
  }

  /// "Theta1 (25×401) and Theta2 (10×26)", "Theta1 (…), Theta2 (…) and Theta3 (…)".
  package static func listing(_ Thetas: [Matrix]) -> String {
    let names = Thetas.enumerated().map { "Theta\($0.offset + 1) (\($0.element.shape))" }
    return names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
  }

  /// `Theta1`, `Theta2`, … (as many as the file has, in order) from `path`,
  /// checked to chain into a network from `inputs` inputs to `labels` outputs
  /// and to hold only finite numbers.
  ///
  /// - Throws: ``InputError`` (or ``MatFileError``) naming the file, the
  ///   variable and what is wrong.
  package static func load(_ path: String, inputs: Int, labels: Int) throws -> [Matrix] {
    // Every variable with its matrix or the reason it is not one, so that a
    // sparse, complex, N-D or empty Theta1 is reported as such, by name.
    let variables = try MatFile.readEach(path)
    var Thetas: [Matrix] = []
    while let Theta = variables["Theta\(Thetas.count + 1)"] {
      Thetas.append(try Theta.get())
    }
    guard Thetas.count >= 2 else {
      let missing = Thetas.isEmpty ? "Theta1" : "Theta2"
      let listing = variables.keys.sorted().map { name in
        guard case .failure(let error) = variables[name]!, case .notNumeric(let kind) = error.reason else {
          return name
        }
        return "\(name) (a \(kind))"
      }
      let wrapped = variables.values.contains {
        guard case .failure(let error) = $0, case .notNumeric(let kind) = error.reason else { return false }
        return kind == "struct" || kind == "cell"
      }
      throw InputError(
        "\(path): variable '\(missing)' is absent (the file has "
          + (listing.isEmpty ? "no variables" : listing.joined(separator: ", ")) + "); "
          + "network weights are Theta1, Theta2, … as ex4 --save writes them"
          + (wrapped ? ", each a variable of its own, not inside a struct or cell" : ""))
    }
    guard Thetas[0].columns == inputs + 1 else {
      throw InputError(
        "\(path): 'Theta1' is \(Thetas[0].shape) but the data has \(inputs) inputs, so it must have \(inputs + 1) columns"
      )
    }
    for l in 1..<Thetas.count {
      let (previous, Theta) = (Thetas[l - 1], Thetas[l])
      let isLast = l == Thetas.count - 1
      guard Theta.columns == previous.rows + 1 && (!isLast || Theta.rows == labels) else {
        let wanted = isLast ? "be \(labels)×\(previous.rows + 1)" : "have \(previous.rows + 1) columns"
        throw InputError(
          "\(path): 'Theta\(l + 1)' is \(Theta.shape) but must \(wanted) to follow 'Theta\(l)' (\(previous.shape))")
      }
    }
    for (k, Theta) in Thetas.enumerated() where Theta.values.contains(where: { !$0.isFinite }) {
      throw InputError("\(path): variable 'Theta\(k + 1)' has NaN or Inf values")
    }
    return Thetas
  }
}
