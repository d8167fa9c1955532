import OctaveCore
import Foundation
internal import CHDF5
import Synchronization

/// How ``MatFile`` reads MATLAB v7.3 files, which are HDF5 files.
///
/// HDF5 1.10 (Debian 12's, under libmatio) is not safe on damaged input: a
/// damaged address can crash it (SIGSEGV), a damaged size can make it
/// allocate gigabytes, and it prints its error stack on standard error. So a
/// library call does not read a v7.3 file in its own process unless asked:
///
/// - ``refuse`` (the default): a v7.3 file is refused with
///   ``MatFileError/Reason/mat73NotEnabled``, whose message says how to
///   enable reading;
/// - ``childProcess(executable:arguments:)``: each v7.3 read runs
///   `executable arguments… FILE` with its standard error discarded, its
///   address space limited to ``childAddressSpace`` bytes and its CPU time to
///   ``childSeconds`` seconds, and a wall-clock limit as long; that program
///   must call ``MatFile/serveMAT73ChildIfAsked()`` first thing. A crash, a
///   runaway allocation or a hang there becomes one ``MatFileError``
///   (`damaged: the HDF5 library failed reading it`). The exercise
///   programs use their own executable (`/proc/self/exe`);
/// - ``inProcess``: read in this process, trusting HDF5 with it (what the
///   child itself does).
///
/// A library can re-execute nothing on its own, so enabling is the
/// caller's: bind ``MatFile/mat73Reading`` (a task-local value) around the
/// code that reads, or around the whole program.
public enum MAT73Reading: Sendable, Equatable {
  case refuse
  case childProcess(executable: String, arguments: [String])
  case inProcess

  /// The child's address-space limit (RLIMIT_AS): 768 MiB, of which the
  /// program itself takes about 250.
  public static let childAddressSpace = 768 << 20
  /// The child's CPU-time limit (RLIMIT_CPU) and wall-clock limit, in seconds.
  public static let childSeconds = 10
}

extension MatFile {
  /// How v7.3 (HDF5) files are read: refused unless bound otherwise; see
  /// ``MAT73Reading``.
  @TaskLocal public static var mat73Reading: MAT73Reading = .refuse

  /// The argument that makes a program a v7.3 reader child:
  /// `program __read-mat73__ FILE`.
  public static let mat73ChildMarker = "__read-mat73__"

  /// If this process was started as a v7.3 reader child
  /// (`CommandLine.arguments` are `[program, mat73ChildMarker, FILE]`):
  /// limits itself, reads FILE in process, writes the result on standard
  /// output and exits. Otherwise returns at once. Call it first thing in a
  /// program that names itself in ``MAT73Reading/childProcess(executable:arguments:)``.
  public static func serveMAT73ChildIfAsked() {
    let arguments = CommandLine.arguments
    guard arguments.count == 3, arguments[1] == mat73ChildMarker else { return }
    var limit = rlimit(
      rlim_cur: rlim_t(MAT73Reading.childAddressSpace), rlim_max: rlim_t(MAT73Reading.childAddressSpace))
    setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
    limit = rlimit(rlim_cur: rlim_t(MAT73Reading.childSeconds), rlim_max: rlim_t(MAT73Reading.childSeconds))
    setrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &limit)
    // HDF5 prints its error stack unless told not to.
    H5Eset_auto2(0, nil, nil)
    mat73ChildLimit.withLock { $0 = MAT73Reading.childAddressSpace / 2 }
    var output = MAT73Message()
    let result = $mat73Reading.withValue(.inProcess) {
      () -> Result<[String: Result<Matrix, MatFileError>], MatFileError> in
      if let (variable, why) = MAT73ChunkIndex.problem(inFile: arguments[2]) {
        return .failure(MatFileError(path: arguments[2], variable: variable, reason: .corrupt(why)))
      }
      do throws(MatFileError) { return .success(try readEach(arguments[2])) } catch { return .failure(error) }
    }
    switch result {
    case .success(let entries): output.append(entries: entries)
    case .failure(let error): output.append(error: error)
    }
    output.bytes.withUnsafeBytes { buffer in
      var written = 0
      while written < buffer.count {
        let count = Foundation.write(STDOUT_FILENO, buffer.baseAddress! + written, buffer.count - written)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { exit(3) }
        written += count
      }
    }
    exit(0)
  }

  /// Every variable of the v7.3 file at `path`, read as ``mat73Reading``
  /// says; nil when the file is not a v7.3 file (or reading is in process,
  /// where the caller reads it as any other file).
  static func mat73Entries(_ path: String, header: [UInt8]) throws(MatFileError) -> [String: Result<
    Matrix, MatFileError
  >]? {
    guard case .mat73 = MAT5Layout.kind(of: header) else { return nil }
    switch mat73Reading {
    case .inProcess: return nil
    case .refuse: throw MatFileError(path: path, reason: .mat73NotEnabled)
    case .childProcess(let executable, let arguments):
      let bytes = try runChild(executable, arguments + [path], reportingAs: path)
      return try MAT73Message.parse(bytes, path: path)
    }
  }

  /// Runs the reader child and returns what it wrote, or throws when it
  /// crashed, failed or ran out of time.
  private static func runChild(_ executable: String, _ arguments: [String], reportingAs path: String)
    throws(MatFileError) -> [UInt8]
  {
    func failed(_ why: String) -> MatFileError {
      MatFileError(path: path, reason: .corrupt("the HDF5 library failed reading it (\(why))"))
    }
    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { throw failed("no pipe: \(String(cString: strerror(errno)))") }
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = "1"  // OpenBLAS's threads would not fit the address-space limit
    let spawned = Result { () throws(ChildProcessSpawn.Failure) in
      try ChildProcessSpawn.spawn(
        executable, arguments: arguments, environment: environment, standardOutput: .descriptor(pipeEnds[1]),
        standardError: .null, closing: pipeEnds)
    }
    close(pipeEnds[1])
    defer { close(pipeEnds[0]) }
    let pid: pid_t
    switch spawned {
    case .success(let child): pid = child
    case .failure(let failure): throw failed("the reader \(executable) could not start: \(failure.reason)")
    }
    // Read to the end, within the time limit and at most what the child's
    // address space could have held.
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    let deadline = ContinuousClock.now + .seconds(MAT73Reading.childSeconds)
    var timedOut = false
    while true {
      let left = deadline - ContinuousClock.now
      if left <= .zero || output.count > MAT73Reading.childAddressSpace {
        timedOut = true
        break
      }
      var poller = pollfd(fd: pipeEnds[0], events: Int16(POLLIN), revents: 0)
      let milliseconds = Int32(min(left.components.seconds * 1000 + 1, 60_000))
      let ready = poll(&poller, 1, milliseconds)
      if ready < 0 && errno == EINTR { continue }
      if ready <= 0 { continue }
      let count = buffer.withUnsafeMutableBytes { Foundation.read(pipeEnds[0], $0.baseAddress!, $0.count) }
      if count < 0 && errno == EINTR { continue }
      if count <= 0 { break }
      output.append(contentsOf: buffer[0..<count])
    }
    if timedOut { kill(pid, SIGKILL) }
    let ending = ChildProcessSpawn.wait(pid).ending
    if timedOut { throw failed("it took more than \(MAT73Reading.childSeconds) s") }
    switch ending {
    case .signalled(let signal):
      throw failed(signal == SIGXCPU ? "out of CPU time" : String(cString: strsignal(signal)))
    case .exited(let exitCode) where exitCode != 0:
      throw failed(exitCode == 127 || exitCode == 126 ? "the reader \(executable) could not run" : "exit \(exitCode)")
    case .exited: return output
    }
  }
}

/// In a v7.3 reader child, the most bytes one variable's values may take:
/// half the child's address space, so that a variable too large to read is
/// refused by name instead of failing an allocation. Nil elsewhere.
let mat73ChildLimit = Mutex<Int?>(nil)

/// The child's answer: every variable's matrix or reason, or the error
/// that stopped the whole read. Little-endian binary, parsed strictly.
struct MAT73Message {
  static let magic = Array("NNLMAT73".utf8)
  var bytes: [UInt8] = magic

  mutating func integer(_ value: Int) { withUnsafeBytes(of: UInt64(value).littleEndian) { bytes += $0 } }
  mutating func text(_ value: String) {
    integer(value.utf8.count)
    bytes += value.utf8
  }

  mutating func append(entries: [String: Result<Matrix, MatFileError>]) {
    bytes.append(0)
    integer(entries.count)
    for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
      text(name)
      switch entry {
      case .success(let matrix):
        bytes.append(0)
        integer(matrix.rows)
        integer(matrix.columns)
        for value in matrix.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
      case .failure(let error):
        bytes.append(1)
        reason(error.reason)
      }
    }
  }

  mutating func append(error: MatFileError) {
    bytes.append(1)
    text(error.variable ?? "")
    reason(error.reason)
  }

  /// A reason as a tag, a text and a list of numbers.
  mutating func reason(_ reason: MatFileError.Reason) {
    let (tag, words, numbers): (UInt8, String, [Int]) =
      switch reason {
      case .notNumeric(let className): (1, className, [])
      case .complex: (2, "", [])
      case .notTwoDimensional(let dimensions): (3, "", dimensions)
      case .empty(let rows, let columns): (4, "", [rows, columns])
      case .corrupt(let why): (5, why, [])
      case .notAMATFile: (6, "", [])
      case .fileNotFound: (7, "", [])
      case .unreadable(let why): (8, why, [])
      default: (5, "\(reason)", [])
      }
    bytes.append(tag)
    text(words)
    integer(numbers.count)
    numbers.forEach { integer($0) }
  }

  /// What the child wrote, checked field by field: nothing is allocated
  /// beyond what the bytes hold.
  static func parse(_ bytes: [UInt8], path: String) throws(MatFileError) -> [String: Result<Matrix, MatFileError>] {
    var reader = Reader(bytes: bytes)
    func garbled() -> MatFileError {
      MatFileError(path: path, reason: .corrupt("the HDF5 library failed reading it (its reader's answer is garbled)"))
    }
    guard bytes.starts(with: magic) else { throw garbled() }
    reader.position = magic.count
    guard let kind = reader.byte() else { throw garbled() }
    if kind == 1 {
      guard let variable = reader.text(), let reason = reader.reason(), reader.atEnd else { throw garbled() }
      throw MatFileError(path: path, variable: variable.isEmpty ? nil : variable, reason: reason)
    }
    guard kind == 0, let count = reader.integer(), count <= bytes.count else { throw garbled() }
    var entries: [String: Result<Matrix, MatFileError>] = [:]
    for _ in 0..<count {
      guard let name = reader.text(), let tag = reader.byte() else { throw garbled() }
      if tag == 1 {
        guard let reason = reader.reason() else { throw garbled() }
        entries[name] = .failure(MatFileError(path: path, variable: name, reason: reason))
        continue
      }
      guard tag == 0, let rows = reader.integer(), let columns = reader.integer(), rows >= 1, columns >= 1,
        case (let count, false) = rows.multipliedReportingOverflow(by: columns),
        count <= (bytes.count - reader.position) / 8
      else { throw garbled() }
      var values = [Double](repeating: 0, count: count)
      for k in 0..<count { values[k] = Double(bitPattern: UInt64(bitPattern: Int64(reader.integer()!))) }
      entries[name] = .success(Matrix(rows: rows, columns: columns, values: values))
    }
    guard reader.atEnd, entries.count == count else { throw garbled() }
    return entries
  }

  struct Reader {
    let bytes: [UInt8]
    var position = 0
    var atEnd: Bool { position == bytes.count }

    mutating func byte() -> UInt8? {
      guard position < bytes.count else { return nil }
      defer { position += 1 }
      return bytes[position]
    }

    mutating func integer() -> Int? {
      guard bytes.count - position >= 8 else { return nil }
      var value: UInt64 = 0
      for k in 0..<8 { value |= UInt64(bytes[position + k]) << (8 * k) }
      position += 8
      return Int(truncatingIfNeeded: value)
    }

    mutating func text() -> String? {
      guard let count = integer(), count >= 0, count <= bytes.count - position else { return nil }
      defer { position += count }
      return String(decoding: bytes[position..<(position + count)], as: UTF8.self)
    }

    mutating func reason() -> MatFileError.Reason? {
      guard let tag = byte(), let words = text(), let count = integer(), count >= 0,
        count <= (bytes.count - position) / 8
      else { return nil }
      let numbers = (0..<count).map { _ in integer()! }
      switch (tag, numbers.count) {
      case (1, 0): return .notNumeric(className: words)
      case (2, 0): return .complex
      case (3, _): return .notTwoDimensional(dimensions: numbers)
      case (4, 2): return .empty(rows: numbers[0], columns: numbers[1])
      case (5, 0): return .corrupt(words)
      case (6, 0): return .notAMATFile
      case (7, 0): return .fileNotFound
      case (8, 0): return .unreadable(words)
      default: return nil
      }
    }
  }
}

/// What HDF5 itself says about a v7.3 variable libmatio could not classify:
/// its `MATLAB_class` attribute, read with the attribute's own string type
/// (libmatio reads a null-padded one, as Python's hdf5storage writes, one
/// character short: "doubl"), and whether its data are a compound type
/// (complex numbers).
func hdf5ClassOfVariable(_ name: String, inFile path: String) -> (className: String, compound: Bool)? {
  let file = H5Fopen(path, 0 /* H5F_ACC_RDONLY */, 0 /* H5P_DEFAULT */)
  guard file >= 0 else { return nil }
  defer { H5Fclose(file) }
  let attribute = H5Aopen_by_name(file, name, "MATLAB_class", 0, 0)
  guard attribute >= 0 else { return nil }
  defer { H5Aclose(attribute) }
  let type = H5Aget_type(attribute)
  guard type >= 0 else { return nil }
  defer { H5Tclose(type) }
  let size = H5Tget_size(type)
  guard H5Tget_class(type) == H5T_STRING, H5Tis_variable_str(type) == 0, (1...32).contains(size) else { return nil }
  var text = [CChar](repeating: 0, count: size + 1)
  guard H5Aread(attribute, type, &text) >= 0 else { return nil }
  let className = String(decoding: text.prefix(size).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  let dataset = H5Dopen2(file, name, 0)
  guard dataset >= 0 else { return (className, false) }
  defer { H5Dclose(dataset) }
  let dataType = H5Dget_type(dataset)
  guard dataType >= 0 else { return (className, false) }
  defer { H5Tclose(dataType) }
  return (className, H5Tget_class(dataType) == H5T_COMPOUND)
}
