import OctaveCore
import Foundation
internal import MatIO

// Writing through libmatio: the file made in memory, read back and checked.

/// Why no file can be created at `path` because of its folder (missing, not
/// a folder, not writable), or nil.
func folderProblem(for path: String) -> String? {
  let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
  var isDirectory: ObjCBool = false
  if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
    return "the folder \(directory) does not exist"
  } else if !isDirectory.boolValue {
    return "\(directory) is not a folder"
  } else if access(directory, W_OK) != 0 {
    return "the folder \(directory) is not writable: " + String(cString: strerror(errno))
  }
  return nil
}

/// The bytes of a compressed MATLAB 5 file holding `variables`, made by
/// libmatio in an anonymous memory file and read back there by the strict
/// reader. Runs holding the libmatio lock.
func encode(_ variables: [String: Matrix], header: String?, reportingAs path: String) throws(MatFileError)
  -> [UInt8]
{
  func failed(_ why: String) -> MatFileError { MatFileError(path: path, reason: .writeFailed(why)) }
  let descriptor = memoryFileCreate.map { $0("matfile", 1 /* MFD_CLOEXEC */) } ?? -1
  if descriptor < 0 { throw failed("no memory file for the write: " + String(cString: strerror(errno))) }
  defer { close(descriptor) }
  let memoryPath = "/proc/self/fd/\(descriptor)"
  // Why libmatio's writes stopped, when they did: a memory file can still
  // refuse to grow (RLIMIT_FSIZE, a memory limit), and one more byte at its
  // end meets the same refusal with its errno.
  func cause() -> String? {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    var byte: UInt8 = 0
    return pwrite(descriptor, &byte, 1, status.st_size) < 0 ? String(cString: strerror(errno)) : nil
  }
  do throws(MatFileError) {
    try writeFile(variables, to: memoryPath, reportingAs: path, header: header)
  } catch {
    if let why = cause() { throw failed(why) }
    throw error
  }
  do throws(MatFileError) {
    try verifyWritten(variables, at: memoryPath)
  } catch {
    throw failed(cause() ?? "libmatio wrote a file that does not read back: \(error.detail)")
  }
  do throws(FileReadError) {
    return try WholeFile.read(memoryPath).bytes
  } catch {
    throw failed("the memory file could not be read: \(error)")
  }
}

/// glibc's `memfd_create(2)` (Linux 3.17, glibc 2.27), which Swift's Glibc
/// module does not declare.
private let memoryFileCreate: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32)? = {
  guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create") else { return nil }
  return unsafeBitCast(symbol, to: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32).self)
}()

/// Reads the file at `path` back with the strict reader and throws unless it
/// holds exactly `variables` (names, sizes and every value's bits). Runs
/// holding the libmatio lock.
func verifyWritten(_ variables: [String: Matrix], at path: String) throws(MatFileError) {
  let file = try OpenFile(path: path)
  let infos = try file.variableInfos()
  func differs(_ why: String) -> MatFileError { MatFileError(path: path, reason: .corrupt(why)) }
  guard infos.map(\.name).sorted() == variables.keys.sorted() else {
    throw differs("it holds \(infos.map(\.name).sorted()) where \(variables.keys.sorted()) were written")
  }
  for info in infos {
    let matrix = variables[info.name]!
    guard info.dimensions == [matrix.rows, matrix.columns] else {
      throw differs("variable '\(info.name)' reads back as \(info.dimensions) where \(matrix.shape) was written")
    }
    if matrix.isEmpty { continue }
    if let problem = info.problem { throw MatFileError(path: path, variable: info.name, reason: problem) }
    let read = try file.readMatrix(info)
    guard read.values.map(\.bitPattern) == matrix.values.map(\.bitPattern) else {
      throw differs("variable '\(info.name)' reads back with other values than were written")
    }
  }
  try file.checkUnchanged()
}

func writeFile(
  _ variables: [String: Matrix], to temporary: String, reportingAs path: String, header: String?
) throws(MatFileError) {
  guard let handle = Mat_CreateVer(temporary, header, MAT_FT_MAT5) else {
    let errors = takeLoggedErrors()
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let why =
      folderProblem(for: path)
      ?? (errors.isEmpty ? "cannot create a file in \(directory)" : errors.joined(separator: "; "))
    throw MatFileError(path: path, reason: .writeFailed(why))
  }
  var closed = false
  defer { if !closed { Mat_Close(handle) } }
  for name in variables.keys.sorted() {
    let matrix = variables[name]!
    var dims: [Int] = [matrix.rows, matrix.columns]
    var values = matrix.values
    let status: Int32 = values.withUnsafeMutableBufferPointer { buffer in
      dims.withUnsafeMutableBufferPointer { dimsBuffer in
        guard
          let variable = Mat_VarCreate(
            name, MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dimsBuffer.baseAddress, buffer.baseAddress,
            Int32(MAT_F_DONT_COPY_DATA.rawValue))
        else { return -1 }
        defer { Mat_VarFree(variable) }
        return Mat_VarWrite(handle, variable, MAT_COMPRESSION_ZLIB)
      }
    }
    let errors = takeLoggedErrors()
    if status != 0 || !errors.isEmpty {
      let why = errors.isEmpty ? "libmatio could not write it" : errors.joined(separator: "; ")
      throw MatFileError(path: path, variable: name, reason: .writeFailed(why))
    }
  }
  closed = true
  if Mat_Close(handle) != 0 {
    throw MatFileError(path: path, reason: .writeFailed("closing the file failed (disk full?)"))
  }
}
