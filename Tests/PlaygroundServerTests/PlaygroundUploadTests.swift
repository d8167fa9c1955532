import Foundation
import Pictures
import PlaygroundServer
import TestSupport
import Testing

/// The playground's POST routes on a live server on 127.0.0.1: a photo
/// beyond a limit is refused with 413 and one that is no picture with 400,
/// as `ex4 classify` refuses them; Save never replaces a student's own file.
@Suite struct PlaygroundUploadTests {
  /// The answer's `message`, from its JSON.
  static func message(_ response: LoopbackResponse) -> String? {
    let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
    return object?["message"] as? String
  }

  @Test func aPhotoBeyondTheByteLimitIs413() async throws {
    try await withLivePlayground(PlaygroundSocketTests.playground()) { live in
      let big = [UInt8](repeating: 0x89, count: 32 * 1024 * 1024 + 1)
      let response = try await live.request("/photo", method: "POST", cookie: live.cookie, body: big)
      #expect(response.status == 413)
      #expect(Self.message(response)?.contains("larger than 32 MB") == true, "\(response.text)")
    }
  }

  /// Without the token a photo's bytes are not kept: the answer is the
  /// token's 401, not the size's 413, however large the body.
  @Test func aPhotoWithoutTheTokenIsRefusedBeforeItsSize() async throws {
    try await withLivePlayground(PlaygroundSocketTests.playground()) { live in
      let big = [UInt8](repeating: 0x89, count: 32 * 1024 * 1024 + 1)
      let response = try await live.request("/photo", method: "POST", body: big)
      #expect(response.status == 401)
    }
  }

  /// A PNG of under 100 bytes whose header declares 30000×30000 pixels: small in bytes,
  /// refused for its pixels before anything is allocated for them.
  @Test func aPhotoDeclaringMorePixelsThanTheLimitIs413() async throws {
    let bomb = PNGBytes.bomb(width: 30_000, height: 30_000)
    #expect(bomb.count < 100)
    try await withLivePlayground(PlaygroundSocketTests.playground()) { live in
      let response = try await live.request("/photo", method: "POST", cookie: live.cookie, body: bomb)
      #expect(response.status == 413)
      let message = Self.message(response) ?? response.text
      #expect(
        message.contains("30000×30000 pixels is more than the \(PGMImage.maximumPixels)-pixel limit"), "\(message)")
    }
  }

  /// Photos that are no picture, or a damaged one (a PNG header declaring
  /// more pixels than its file can hold, though fewer than the limit): 400.
  @Test(arguments: [
    (Array("a letter, not a photo".utf8), "not a PNG, JPEG or PGM picture"),
    (PNGBytes.signature + Array("no chunks".utf8), "damaged or truncated PNG"),
    (PNGBytes.bomb(width: 4000, height: 4000), "its header declares 4000×4000 pixels"),
  ])
  func aMalformedPhotoIs400(photo: [UInt8], why: String) async throws {
    try await withLivePlayground(PlaygroundSocketTests.playground()) { live in
      let response = try await live.request("/photo", method: "POST", cookie: live.cookie, body: photo)
      #expect(response.status == 400)
      let message = Self.message(response) ?? response.text
      #expect(message.contains(why), "\(message)")
    }
  }

  /// Save with `--save`'s safe write: a file that ex4 did not write is left
  /// byte for byte as it was, and the answer says why.
  @Test func saveRefusesToReplaceAStudentsFile() async throws {
    let folder = try TemporaryDirectory()
    let path = folder.file("my-notes.mat")
    let notes = Array("a student's own file\n".utf8)
    try Data(notes).write(to: URL(fileURLWithPath: path))
    let playground = Playground(access: PlaygroundAccess(), data: PlaygroundSocketTests.smallData(), savePath: path)
    try await withLivePlayground(playground) { live in
      let socket = try await live.webSocket()
      try await socket.send(text: "{\"type\": \"train\", \"settings\": {\"iterations\": 2, \"heldOutPercent\": 0}}")
      let trained = try await socket.receive { $0["state"] as? String == "finished" || isError($0) }
      #expect(trained.last?["state"] as? String == "finished")
      let response = try await live.request("/save", method: "POST", cookie: live.cookie, body: [])
      #expect(response.status == 409)
      let message = Self.message(response) ?? response.text
      #expect(message.contains("my-notes.mat: already exists and was not written by ex4; not replaced"), "\(message)")
    }
    #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == notes)
  }
}
