import Foundation
import PlaygroundServer

/// A playground's real server, listening on 127.0.0.1 for one test, and
/// requests to it as the page sends them: its own Host, Origin and cookie
/// unless a test gives others.
struct LivePlayground: Sendable {
  let playground: Playground
  /// The port the system gave the server.
  let port: Int

  var host: String { "127.0.0.1:\(port)" }
  /// The page's own origin.
  var origin: String { "http://127.0.0.1:\(port)" }
  /// The cookie that carries the token.
  var cookie: String { "\(PlaygroundAccess.cookieName)=\(playground.access.token)" }

  /// `method target` with `Host: host` and, if given, `Cookie` and the body.
  func request(
    _ target: String, method: String = "GET", host: String? = nil, cookie: String? = nil, body: [UInt8]? = nil
  ) async throws -> LoopbackResponse {
    var headers = [("Host", host ?? self.host)]
    if let cookie { headers.append(("Cookie", cookie)) }
    return try await LoopbackHTTP.request(port: port, method, target, headers: headers, body: body)
  }

  /// The WebSocket at `/ws`, opened with the page's Host, `origin` (the
  /// page's own unless given) and, if `withCookie`, the token's cookie.
  func webSocket(origin: String? = nil, withCookie: Bool = true) async throws -> LoopbackWebSocket {
    var headers = [("Host", host), ("Origin", origin ?? self.origin)]
    if withCookie { headers.append(("Cookie", cookie)) }
    return try await LoopbackWebSocket.open(port: port, headers: headers)
  }
}

/// Runs `body` against `playground`'s server on a free port of 127.0.0.1:
/// the server runs in a child task from the moment it listens until `body`
/// returns or throws, then is cancelled, which closes its connections too.
/// A training still running then is stopped and waited for, as the program
/// does before it exits.
func withLivePlayground<T: Sendable>(
  _ playground: Playground, _ body: (LivePlayground) async throws -> T
) async throws -> T {
  defer { playground.stopTrainingAndWait() }
  let (ports, listening) = AsyncStream.makeStream(of: Int.self)
  return try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask {
      defer { listening.finish() }
      // The server records the port it was bound to before it calls this.
      try await playground.serve(port: 0) {
        if let port = playground.access.port { listening.yield(port) }
        listening.finish()
      }
    }
    defer { group.cancelAll() }
    for await port in ports {
      return try await body(LivePlayground(playground: playground, port: port))
    }
    // The server stopped before it listened: its error, if it threw one.
    try await group.next()
    throw LoopbackError("the playground's server stopped before it listened")
  }
}

extension LoopbackWebSocket {
  /// The server's JSON messages until one satisfies `last` (that one
  /// included), or until the server closes.
  func receive(until last: ([String: Any]) -> Bool) async throws -> [[String: Any]] {
    var received: [[String: Any]] = []
    while let text = try await receiveText() {
      guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
      received.append(object)
      if last(object) { break }
    }
    return received
  }
}

/// Whether a message from the server is an error.
func isError(_ message: [String: Any]) -> Bool { message["type"] as? String == "error" }
