import OctaveCore
/// What went wrong reading or writing a `.mat` file, naming the file, the
/// variable (when there is one) and the problem.
///
/// Its ``description`` is one line meant for a student, e.g.
/// `ex4weights.mat: variable 'Theta3' is absent (the file has Theta1, Theta2)`.
public struct MatFileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The problem, without the file and variable.
  public enum Reason: Equatable, Sendable {
    /// No file at the path.
    case fileNotFound
    /// The file exists but cannot be opened (permissions, a directory, …).
    case unreadable(String)
    /// The file is in none of the formats read here (MATLAB v4, v5/v6/v7,
    /// v7.3, Octave's text format).
    case notAMATFile
    /// The file is in a format recognised but not read here (Octave's
    /// binary or HDF5 format, a file of numbers without names), described.
    case unsupportedFormat(String)
    /// A variable in Octave's text format of a type not read here (a
    /// range, a diagonal matrix…), with Octave's name for the type.
    case octaveTextType(String)
    /// The variable is not in the file; `available` lists what is.
    case variableAbsent(available: [String])
    /// The variable is a cell, struct, char, sparse, object or other
    /// non-numeric class.
    case notNumeric(className: String)
    /// The variable has complex values.
    case complex
    /// The variable has more than two dimensions.
    case notTwoDimensional(dimensions: [Int])
    /// The variable has no elements.
    case empty(rows: Int, columns: Int)
    /// The file is cut short or declares more data than it holds, libmatio
    /// reported an error, or the data it returned does not agree with the
    /// variable's own header.
    case corrupt(String)
    /// The target of a write already exists and replacing it was not asked for.
    case fileExists
    /// The target of a program's write (``MatFile/write(_:to:madeBy:)``)
    /// already exists and its header does not say the program wrote it.
    case notMadeBy(program: String)
    /// A variable name that MATLAB and Octave cannot load.
    case invalidVariableName
    /// Writing failed.
    case writeFailed(String)
    /// A MATLAB v7.3 (HDF5) file, and ``MatFile/mat73Reading`` is
    /// ``MAT73Reading/refuse``.
    case mat73NotEnabled
  }

  /// The file's path, as given.
  public let path: String
  /// The variable concerned, if any.
  public let variable: String?
  /// What was wrong.
  public let reason: Reason

  public init(path: String, variable: String? = nil, reason: Reason) {
    self.path = path
    self.variable = variable
    self.reason = reason
  }

  public var description: String {
    let path = printable(path)
    let variable = variable.map(printable)
    let subject = variable.map { "\(path): variable '\($0)'" } ?? path
    switch reason {
    case .fileNotFound:
      return "\(path): no such file"
    case .unreadable(let why):
      return "\(path): cannot be read (\(why))"
    case .notAMATFile:
      return "\(path): not a MAT file (neither MATLAB v4, v5/v6/v7 or v7.3 nor Octave's text format); "
        + "in Octave, save -v7 f.mat X y writes one that is read here"
    case .unsupportedFormat(let what):
      return "\(path): \(what), which is not read here; in Octave, save -v7 f.mat X y writes a file that is"
    case .octaveTextType(let type):
      return "\(subject) has Octave's type '\(type)', which is not read from Octave's text format; "
        + "save it with save -v7 instead"
    case .variableAbsent(let available):
      let list = available.isEmpty ? "no variables" : available.joined(separator: ", ")
      return "\(subject) is absent (the file has \(list))"
    case .notNumeric("sparse"):
      return "\(subject) is a sparse matrix; only full matrices are supported (save full(\(variable ?? "it")) instead)"
    case .notNumeric(let className) where className == "struct" || className == "cell":
      return "\(subject) is a \(className), not a matrix; save the matrices inside it as variables of their own"
    case .notNumeric(let className):
      return "\(subject) is not numeric (its class is \(className))"
    case .complex:
      return "\(subject) is complex; only real matrices are supported"
    case .notTwoDimensional(let dimensions):
      return "\(subject) has \(dimensions.count) dimensions (\(dimensions.map(String.init).joined(separator: "×"))); "
        + "only 2-D matrices are supported"
    case .empty(let rows, let columns):
      return "\(subject) is empty (\(rows)×\(columns))"
    case .corrupt(let why):
      return "\(subject) is damaged: \(why)"
    case .fileExists:
      return
        "\(path): already exists; not replaced (pass overwrite: true to MatFile.write to replace it, as Octave's save does)"
    case .notMadeBy(let program):
      return "\(path): already exists and was not written by \(program); not replaced "
        + "(move it away or choose another file name)"
    case .invalidVariableName:
      return "\(subject): not a valid MATLAB variable name (a letter, then letters, digits or _, at most 63)"
    case .mat73NotEnabled:
      return "\(path): a MATLAB v7.3 (HDF5) file, not read here: HDF5 can crash on a damaged one, so it is read only "
        + "in a separate process (MatFile.mat73Reading); save it with save -v7 instead"
    case .writeFailed(let why):
      return "\(subject): could not be written (\(why))"
    }
  }

  /// The description with "the file" for the path: what went wrong in a file
  /// whose own name means nothing to the reader (a temporary or memory file).
  package var detail: String { MatFileError(path: "the file", variable: variable, reason: reason).description }
}
