import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// The tests' client for the playground on 127.0.0.1, on POSIX sockets: an
// HTTP/1.1 request with exactly the headers a test gives, and the socket
// under LoopbackWebSocket. No package behind it, so that the tests build
// without an HTTP client and its TLS stack. Every read and write waits at
// most `LoopbackSocket.timeout` seconds: a test can fail, never hang.

/// What went wrong on the client's side, in one line.
struct LoopbackError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Runs `work` on a thread of its own and awaits it: the socket calls block,
/// and blocking one of Swift's few concurrency threads could starve the
/// server under test, which answers on them.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    Thread { continuation.resume(with: Result { try work() }) }.start()
  }
}

/// A TCP connection to 127.0.0.1, read through a buffer. Its calls are made
/// one at a time, each awaited, hence `@unchecked Sendable`.
final class LoopbackSocket: @unchecked Sendable {
  /// How long a read or a write may wait, in seconds.
  static let timeout = 60
  private let descriptor: Int32
  /// Bytes received and not yet consumed.
  private var buffered: [UInt8] = []

  init(port: Int) throws { descriptor = try Self.connected(to: port) }

  deinit { close(descriptor) }

  private static func connected(to port: Int) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw LoopbackError("socket: \(lastError)") }
    var limit = timeval(tv_sec: timeout, tv_usec: 0)
    for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
      setsockopt(descriptor, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian  // 127.0.0.1
    let status = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard status == 0 else {
      let why = lastError
      close(descriptor)
      throw LoopbackError("connect to 127.0.0.1:\(port): \(why)")
    }
    return descriptor
  }

  private static var lastError: String {
    errno == EAGAIN || errno == EWOULDBLOCK ? "nothing within \(timeout) s" : String(cString: strerror(errno))
  }

  /// Sends all of `bytes`. MSG_NOSIGNAL: a server that has closed makes
  /// this throw (EPIPE) instead of killing the test process with SIGPIPE.
  func send(_ bytes: [UInt8]) throws {
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw LoopbackError("send: \(Self.lastError)") }
      sent += n
    }
  }

  /// Adds what has arrived to the buffer; false at the end of the stream.
  private func fill() throws -> Bool {
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = recv(descriptor, &chunk, chunk.count, 0)
      if n > 0 {
        buffered += chunk[..<n]
        return true
      }
      if n == 0 { return false }
      if errno != EINTR { throw LoopbackError("recv: \(Self.lastError)") }
    }
  }

  /// The next `count` bytes.
  func read(count: Int) throws -> [UInt8] {
    while buffered.count < count {
      guard try fill() else { throw LoopbackError("the server closed after \(buffered.count) of \(count) bytes") }
    }
    defer { buffered.removeFirst(count) }
    return Array(buffered[..<count])
  }

  /// The next line, without its CRLF.
  func readLine() throws -> String {
    while true {
      if let end = buffered.firstIndex(of: UInt8(ascii: "\n")) {
        let line = buffered[..<end]
        defer { buffered.removeFirst(end + 1) }
        return String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
      }
      guard try fill() else { throw LoopbackError("the server closed in the middle of a line") }
    }
  }

  /// Everything until the server closes.
  func readToEnd() throws -> [UInt8] {
    while try fill() {}
    defer { buffered = [] }
    return buffered
  }
}

/// An HTTP response: its status, its header fields in order, its body.
struct LoopbackResponse: Sendable {
  var status: Int
  var headers: [(name: String, value: String)]
  var body: [UInt8]

  /// The first field named `name` (names compare without case).
  func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  var text: String { String(decoding: body, as: UTF8.self) }
}

extension LoopbackSocket {
  /// Sends `GET /ws HTTP/1.1` (or whatever `requestLine` is) and the fields.
  func sendHead(_ requestLine: String, _ fields: [(String, String)]) throws {
    let head = fields.reduce("\(requestLine)\r\n") { $0 + "\($1.0): \($1.1)\r\n" } + "\r\n"
    try send(Array(head.utf8))
  }

  /// A response's status line and header fields.
  func readHead() throws -> (status: Int, headers: [(name: String, value: String)]) {
    let statusLine = try readLine()
    let parts = statusLine.split(separator: " ", maxSplits: 2)
    guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
      throw LoopbackError("not an HTTP status line: \(statusLine.prefix(80))")
    }
    var headers: [(name: String, value: String)] = []
    while case let line = try readLine(), !line.isEmpty {
      guard let colon = line.firstIndex(of: ":") else { throw LoopbackError("not a header field: \(line.prefix(80))") }
      headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
    return (status, headers)
  }

  /// A response's body: `Content-Length` bytes, or everything until the
  /// server closes.
  func readBody(_ headers: [(name: String, value: String)]) throws -> [UInt8] {
    let response = LoopbackResponse(status: 0, headers: headers, body: [])
    guard response.header("Transfer-Encoding") == nil else { throw LoopbackError("a chunked body, not read here") }
    if let length = response.header("Content-Length").flatMap({ Int($0) }) { return try read(count: length) }
    return try readToEnd()
  }
}

/// HTTP/1.1 requests, one connection each.
enum LoopbackHTTP {
  /// `method target` to 127.0.0.1:`port` with exactly `headers`, then
  /// `Content-Length` when there is a body, and `Connection: close`.
  static func request(
    port: Int, _ method: String, _ target: String, headers: [(String, String)], body: [UInt8]? = nil
  ) async throws -> LoopbackResponse {
    try await offThePool {
      let socket = try LoopbackSocket(port: port)
      try socket.sendHead(
        "\(method) \(target) HTTP/1.1",
        headers + (body.map { [("Content-Length", "\($0.count)")] } ?? []) + [("Connection", "close")])
      // A server may answer (413) and close before the whole body has been
      // sent: its answer is what the test wants, the failed send is not.
      var sendError: (any Error)?
      if let body {
        do { try socket.send(body) } catch { sendError = error }
      }
      do {
        let (status, fields) = try socket.readHead()
        return LoopbackResponse(status: status, headers: fields, body: try socket.readBody(fields))
      } catch {
        throw sendError ?? error
      }
    }
  }
}
