import Foundation
import NeuralNetworkLearning
import PlaygroundServer
import Testing

/// The playground's guard: the token (then its cookie), the Host header, on
/// every route, and the Origin of the WebSocket's handshake. The requests go
/// over a socket to the real server on 127.0.0.1, with exactly the headers
/// each test gives.
@Suite struct PlaygroundAccessTests {
  static let token = PlaygroundAccess.randomToken()

  /// A playground on a few made-up digits: the access rules do not look at them.
  static func playground() -> Playground {
    let X = Matrix(rows: 4, columns: 400, values: (0..<1600).map { Double($0 % 7) / 7 })
    let y = Matrix(column: [1, 2, 3, 10])
    return Playground(access: PlaygroundAccess(token: token), data: PlaygroundData(X: X, y: y, source: "test digits"))
  }

  /// `text` with `{port}` and `{port+1}` replaced: the server's port is known only once it listens.
  static func resolving(_ text: String, port: Int) -> String {
    text.replacingOccurrences(of: "{port+1}", with: "\(port + 1)").replacingOccurrences(of: "{port}", with: "\(port)")
  }

  @Test func withoutTheTokenThePageIsRefused() async throws {
    try await withLivePlayground(Self.playground()) { (live) async throws in  // the only `try`s are inside #expect
      #expect(try await live.request("/").status == 401)
      #expect(try await live.request("/page.js").status == 401)
      #expect(try await live.request("/save", method: "POST", body: []).status == 401)
    }
  }

  @Test func aWrongTokenIsForbidden() async throws {
    let wrong = String(Self.token.reversed())
    try await withLivePlayground(Self.playground()) { (live) async throws in  // the only `try`s are inside #expect
      #expect(try await live.request("/?token=\(wrong)").status == 403)
      #expect(try await live.request("/", cookie: "\(PlaygroundAccess.cookieName)=\(wrong)").status == 403)
      #expect(try await live.request("/?token=").status == 403)
    }
  }

  @Test func theTokenOpensThePageAndSetsAStrictHttpOnlyCookie() async throws {
    try await withLivePlayground(Self.playground()) { live in
      let response = try await live.request("/?token=\(Self.token)")
      #expect(response.status == 200)
      #expect(response.text.contains("data-testid=\"draw-canvas\""))
      let cookie = try #require(response.header("Set-Cookie"))
      #expect(cookie.hasPrefix("\(PlaygroundAccess.cookieName)=\(Self.token);"))
      #expect(cookie.contains("HttpOnly"))
      #expect(cookie.contains("SameSite=Strict"))
      // Then the cookie alone is enough, and sets nothing again.
      let again = try await live.request("/page.js", cookie: "other=1; \(PlaygroundAccess.cookieName)=\(Self.token)")
      #expect(again.status == 200)
      #expect(again.header("Set-Cookie") == nil)
    }
  }

  @Test(arguments: ["evil.example", "evil.example:{port}", "127.0.0.1:{port+1}", "localhost", "127.0.0.1"])
  func aForeignHostIsRefusedEvenWithTheToken(host: String) async throws {
    try await withLivePlayground(Self.playground()) { live in
      let response = try await live.request("/?token=\(Self.token)", host: Self.resolving(host, port: live.port))
      #expect(response.status == 421)
      #expect(response.header("Set-Cookie") == nil)
    }
  }

  @Test func localhostWithThePortIsAllowed() async throws {
    try await withLivePlayground(Self.playground()) { (live) async throws in  // the only `try`s are inside #expect
      #expect(try await live.request("/?token=\(Self.token)", host: "localhost:\(live.port)").status == 200)
    }
  }

  /// The WebSocket's handshake with the token: only the page's own origin
  /// may open it (101, Switching Protocols); any other is refused with 403.
  @Test(arguments: [
    ("http://evil.example", 403), ("http://127.0.0.1:{port+1}", 403), ("null", 403), ("https://127.0.0.1:{port}", 403),
    ("http://127.0.0.1:{port}", 101), ("http://localhost:{port}", 101),
  ])
  func theWebSocketHandshakeNeedsThePagesOrigin(origin: String, status: Int) async throws {
    try await withLivePlayground(Self.playground()) { live in
      let answered: Int
      do {
        _ = try await live.webSocket(origin: Self.resolving(origin, port: live.port))
        answered = 101
      } catch let refused as WebSocketRefused {
        answered = refused.status
      }
      #expect(answered == status)
    }
  }

  @Test func eachStartHasAFreshToken() {
    let tokens = Set((0..<20).map { _ in PlaygroundAccess.randomToken() })
    #expect(tokens.count == 20)
    #expect(tokens.allSatisfy { $0.count == 64 && $0.allSatisfy(\.isHexDigit) })
  }
}
