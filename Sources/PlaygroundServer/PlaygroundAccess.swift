import Foundation
import NIOHTTP1

/// Who may use the playground: a page on this machine that was given the
/// token printed at start-up, as Jupyter guards its local server.
///
/// - The token arrives once in the URL (`?token=…`) and is kept in an
///   HttpOnly, SameSite=Strict cookie; a request without either is refused
///   with 401, a wrong one with 403.
/// - The `Host` header must name this server, `127.0.0.1:PORT` or
///   `localhost:PORT`, so that a page of another site cannot reach it by
///   pointing its own name at 127.0.0.1 (DNS rebinding): 421 otherwise.
/// - A WebSocket handshake must come from the page itself: its `Origin` is
///   `http://` and one of those hosts (403 otherwise).
package final class PlaygroundAccess: Sendable {
  /// The secret the page is opened with: 32 random bytes in hexadecimal.
  package let token: String
  /// The port the server listens on, known once it is bound.
  private let boundPort = Shared<Int?>(nil)

  /// The name of the cookie that carries the token.
  package static let cookieName = "ex4-playground-token"

  package init(token: String = PlaygroundAccess.randomToken(), port: Int? = nil) {
    self.token = token
    boundPort.withLock { $0 = port }
  }

  /// 32 bytes from the system's random source, as 64 hexadecimal digits.
  package static func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
  }

  package var port: Int? { boundPort.withLock { $0 } }

  /// Records the port the server was bound to (with `--port 0`, the system chooses it).
  package func bound(to port: Int) { boundPort.withLock { $0 = port } }

  /// The line printed at start-up.
  package var urlLine: String { "Playground: http://127.0.0.1:\(port ?? 0)/?token=\(token)" }

  /// The hosts this server answers to.
  package var allowedHosts: Set<String> {
    guard let port else { return [] }
    return ["127.0.0.1:\(port)", "localhost:\(port)"]
  }

  /// Whether the host the request names is one of ``allowedHosts``: it
  /// has exactly one `Host` field, and that names this server.
  package func hostIsAllowed(_ head: HTTPRequestHead) -> Bool {
    let hosts = head.headers["Host"]
    return hosts.count == 1 && allowedHosts.contains(hosts[0].lowercased())
  }

  /// Whether a WebSocket handshake's `Origin` is the page's own.
  package func originIsAllowed(_ head: HTTPRequestHead) -> Bool {
    let origins = head.headers["Origin"]
    guard origins.count == 1 else { return false }
    return origins[0].hasPrefix("http://")
      && allowedHosts.contains(String(origins[0].dropFirst("http://".count)).lowercased())
  }

  /// The token a request carries: in its query, else in its cookie.
  package func presentedToken(_ head: HTTPRequestHead) -> (token: String, fromQuery: Bool)? {
    if let token = URLComponents(string: head.uri)?.queryItems?.first(where: { $0.name == "token" }) {
      return (token.value ?? "", true)
    }
    for header in head.headers["Cookie"] {
      for pair in header.split(separator: ";") {
        let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 2 && parts[0] == Self.cookieName { return (parts[1], false) }
      }
    }
    return nil
  }

  /// Why `head` may not reach the playground, as the answer to send
  /// (421 for another host, 401 without the token, 403 with a wrong one),
  /// or nil when it may.
  package func refusal(_ head: HTTPRequestHead) -> PageResponse? {
    guard hostIsAllowed(head) else {
      return PageResponse(
        status: .misdirectedRequest,
        text: "This server answers only to 127.0.0.1:\(port ?? 0) and localhost:\(port ?? 0).")
    }
    guard let presented = presentedToken(head) else {
      return PageResponse(status: .unauthorized, text: "Open the playground with the URL it printed (…/?token=…).")
    }
    guard matches(presented.token) else {
      return PageResponse(status: .forbidden, text: "Wrong token: open the playground with the URL it printed.")
    }
    return nil
  }

  /// Compares in time independent of where the strings differ.
  package func matches(_ presented: String) -> Bool {
    let a = Array(presented.utf8)
    let b = Array(token.utf8)
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for k in 0..<a.count { difference |= a[k] ^ b[k] }
    return difference == 0
  }

  /// The `Set-Cookie` value that keeps the token for later requests.
  package var cookie: String {
    "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
  }
}
