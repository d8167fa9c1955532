import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NeuralNetworkLearning
import PlaygroundServer
import Testing

/// The playground's guard: the token (then its cookie), the Host header, on
/// every route, through Hummingbird's router test client (no socket).
@Suite struct PlaygroundAccessTests {
  static let port = 8123
  static let token = PlaygroundAccess.randomToken()

  /// A playground on a few made-up digits: the access rules do not look at them.
  static func playground() -> Playground {
    let X = Matrix(rows: 4, columns: 400, values: (0..<1600).map { Double($0 % 7) / 7 })
    let y = Matrix(column: [1, 2, 3, 10])
    return Playground(
      access: PlaygroundAccess(token: token, port: port), data: PlaygroundData(X: X, y: y, source: "test digits"))
  }

  static func request(
    _ uri: String, host: String = "127.0.0.1:\(port)", cookie: String? = nil, method: HTTPRequest.Method = .get
  ) async throws -> TestResponse {
    let app = Application(router: playground().router())
    return try await app.test(.router) { client in
      var headers: HTTPFields = [HTTPField.Name("Host")!: host]
      if let cookie { headers[.cookie] = cookie }
      return try await client.execute(uri: uri, method: method, headers: headers)
    }
  }

  @Test func withoutTheTokenThePageIsRefused() async throws {
    #expect(try await Self.request("/").status == .unauthorized)
    #expect(try await Self.request("/page.js").status == .unauthorized)
    #expect(try await Self.request("/save", method: .post).status == .unauthorized)
  }

  @Test func aWrongTokenIsForbidden() async throws {
    let wrong = String(Self.token.reversed())
    #expect(try await Self.request("/?token=\(wrong)").status == .forbidden)
    #expect(try await Self.request("/", cookie: "\(PlaygroundAccess.cookieName)=\(wrong)").status == .forbidden)
    #expect(try await Self.request("/?token=").status == .forbidden)
  }

  @Test func theTokenOpensThePageAndSetsAStrictHttpOnlyCookie() async throws {
    let response = try await Self.request("/?token=\(Self.token)")
    #expect(response.status == .ok)
    #expect(String(buffer: response.body).contains("data-testid=\"draw-canvas\""))
    let cookie = try #require(response.headers[.setCookie])
    #expect(cookie.hasPrefix("\(PlaygroundAccess.cookieName)=\(Self.token);"))
    #expect(cookie.contains("HttpOnly"))
    #expect(cookie.contains("SameSite=Strict"))
    // Then the cookie alone is enough, and sets nothing again.
    let again = try await Self.request("/page.js", cookie: "other=1; \(PlaygroundAccess.cookieName)=\(Self.token)")
    #expect(again.status == .ok)
    #expect(again.headers[.setCookie] == nil)
  }

  @Test(arguments: ["evil.example", "evil.example:8123", "127.0.0.1:8124", "localhost", "127.0.0.1"])
  func aForeignHostIsRefusedEvenWithTheToken(host: String) async throws {
    let response = try await Self.request("/?token=\(Self.token)", host: host)
    #expect(response.status.code == 421)
    #expect(response.headers[.setCookie] == nil)
  }

  @Test func localhostWithThePortIsAllowed() async throws {
    #expect(try await Self.request("/?token=\(Self.token)", host: "localhost:\(Self.port)").status == .ok)
  }

  /// The WebSocket's handshake with the token: only the page's own origin may open it.
  @Test(arguments: [
    ("http://evil.example", 403), ("http://127.0.0.1:8124", 403), ("null", 403), ("https://127.0.0.1:8123", 403),
    ("http://127.0.0.1:8123", 200), ("http://localhost:8123", 200),
  ])
  func theWebSocketHandshakeNeedsThePagesOrigin(origin: String, status: Int) async throws {
    let app = Application(router: Self.playground().router())
    try await app.test(.router) { client in
      let headers: HTTPFields = [
        HTTPField.Name("Host")!: "127.0.0.1:\(Self.port)", .cookie: "\(PlaygroundAccess.cookieName)=\(Self.token)",
        .origin: origin, .connection: "Upgrade", .upgrade: "websocket",
      ]
      let response = try await client.execute(uri: "/ws", method: .get, headers: headers)
      #expect(response.status.code == status)
    }
  }

  @Test func eachStartHasAFreshToken() {
    let tokens = Set((0..<20).map { _ in PlaygroundAccess.randomToken() })
    #expect(tokens.count == 20)
    #expect(tokens.allSatisfy { $0.count == 64 && $0.allSatisfy(\.isHexDigit) })
  }

  @Test func aPhotoBeyondTheLimitIs413() async throws {
    let app = Application(router: Self.playground().router())
    try await app.test(.router) { client in
      let headers: HTTPFields = [
        HTTPField.Name("Host")!: "127.0.0.1:\(Self.port)", .cookie: "\(PlaygroundAccess.cookieName)=\(Self.token)",
      ]
      let big = ByteBuffer(repeating: 0x89, count: 32 * 1024 * 1024 + 1)
      let response = try await client.execute(uri: "/photo", method: .post, headers: headers, body: big)
      #expect(response.status == .contentTooLarge)
    }
  }
}
