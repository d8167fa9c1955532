import DigitPhotos
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Foundation
import NIOHTTP1
import NeuralNetworkLearning
import Pictures

/// The playground's server: the page, its WebSocket at `/ws`, a photo to
/// classify at `/photo`, the grader at `/grade` and Save at `/save`, behind
/// ``PlaygroundAccess``'s rules, listening on 127.0.0.1 only.
package final class Playground: Sendable {
  package let access: PlaygroundAccess
  package let data: PlaygroundData
  /// Whose functions train: the reference implementation's or the student's.
  package let costSource: any CostSource
  /// Grades the student's functions (`--student`): `ex4 submit`'s report.
  package let grade: (@Sendable () throws -> (table: String, total: Int))?
  /// Where Save writes the weights.
  package let savePath: String
  /// Where the page's files are.
  private let pageFolder: URL?

  /// The one training this server runs at a time, and the connection that owns it.
  private let current = Shared<(run: TrainingRun, owner: UUID)?>(nil)
  /// The latest trained weights, kept when training ends, for drawings and Save.
  private let trained = Shared<[Matrix]?>(nil)

  package init(
    access: PlaygroundAccess, data: PlaygroundData, costSource: any CostSource = ReferenceCostSource(),
    grade: (@Sendable () throws -> (table: String, total: Int))? = nil, savePath: String = "playground-weights.mat"
  ) {
    self.access = access
    self.data = data
    self.costSource = costSource
    self.grade = grade
    self.savePath = savePath
    pageFolder = Bundle.module.url(forResource: "Page", withExtension: nil)
  }

  /// The network a drawing is read with: the running training's latest
  /// weights, else the last trained.
  package var network: [Matrix]? {
    if let Thetas = current.withLock({ $0?.run })?.Thetas { return Thetas }
    return trained.withLock { $0 }
  }

  // MARK: - The routes

  /// The answer to one HTTP request (the WebSocket's handshake apart, which
  /// ``serve(port:onListening:)`` upgrades when ``mayOpenWebSocket(_:)``):
  /// every route behind the access rules, the token's cookie set when the
  /// token came in the URL.
  package func respond(to head: HTTPRequestHead, body: [UInt8]) async -> PageResponse {
    if let refusal = access.refusal(head) { return refusal }
    var response = await route(head, body: body)
    if access.presentedToken(head)?.fromQuery == true { response.headers.append(("Set-Cookie", access.cookie)) }
    response.headers.append(("Cache-Control", "no-store"))
    return response
  }

  private func route(_ head: HTTPRequestHead, body: [UInt8]) async -> PageResponse {
    let path = head.path
    switch (head.method, path) {
    case (.GET, "/"): return file("index.html", type: "text/html; charset=utf-8")
    case (.GET, "/page.js"): return file("page.js", type: "text/javascript; charset=utf-8")
    case (.GET, "/page.css"): return file("page.css", type: "text/css; charset=utf-8")
    case (.POST, "/photo"): return photo(body)
    case (.POST, "/grade"): return await gradeResponse()
    case (.POST, "/save"): return save()
    case (.GET, "/ws"):
      // A handshake that reached here was not upgraded.
      guard access.originIsAllowed(head) else {
        return PageResponse(status: .forbidden, text: "The WebSocket is for the playground's own page only.")
      }
      return PageResponse(status: .badRequest, text: "/ws is a WebSocket: open it with a WebSocket handshake.")
    case (_, "/"), (_, "/page.js"), (_, "/page.css"), (_, "/photo"), (_, "/grade"), (_, "/save"), (_, "/ws"):
      return PageResponse(status: .methodNotAllowed, text: "\(head.method) is not allowed for \(path).")
    default:
      return PageResponse(status: .notFound, text: "The playground has no \(path).")
    }
  }

  /// Whether a WebSocket handshake may open the page's connection: at
  /// `/ws`, past the access rules, from the page's own origin.
  package func mayOpenWebSocket(_ head: HTTPRequestHead) -> Bool {
    head.path == "/ws" && access.refusal(head) == nil && access.originIsAllowed(head)
  }

  /// Whether the request's body is read for its route: only a photo's, and
  /// only past the access rules, so that no request without the token
  /// makes the server hold its bytes (any other body is read and dropped).
  package func keepsBody(_ head: HTTPRequestHead) -> Bool {
    head.method == .POST && head.path == "/photo" && access.refusal(head) == nil
  }

  /// The largest WebSocket message read: messages beyond
  /// ``DrawingClassifier/largestDrawingMessage`` are answered with an error,
  /// not dropped with the connection; beyond this the connection closes.
  static let largestFrame = 1 << 20

  private func file(_ name: String, type: String) -> PageResponse {
    guard let url = pageFolder?.appendingPathComponent(name), let bytes = try? Data(contentsOf: url) else {
      return PageResponse(status: .internalServerError, text: "The page's file \(name) is missing from the build.")
    }
    return PageResponse(
      status: .ok,
      headers: [
        ("Content-Type", type),
        (
          "Content-Security-Policy",
          "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'"
        ),
      ], body: Array(bytes))
  }

  // MARK: - Photos, grading, saving

  /// A PNG or JPEG photo in the request's body, classified as `ex4 classify`
  /// classifies it: 413 beyond ``DrawingClassifier/largestPhoto`` bytes or
  /// the picture reader's limits (``ImageFileError/isOverLimit``), 400 for
  /// anything else unreadable.
  private func photo(_ bytes: [UInt8]) -> PageResponse {
    do {
      let digit = try DigitImage(grey: DigitImage.decodeGrey(bytes, source: "the photo"), source: "the photo")
      guard let Thetas = network else { return PageResponse(.error("train the network first"), status: .conflict) }
      return PageResponse(Outgoing("guess", DrawingClassifier.answer(digit, Thetas: Thetas)))
    } catch {
      return PageResponse(.error("\(error)"), status: error.isOverLimit ? .payloadTooLarge : .badRequest)
    }
  }

  /// The answer to a photo of more than ``DrawingClassifier/largestPhoto`` bytes.
  static let photoTooLarge = PageResponse(
    .error("the photo is larger than \(DrawingClassifier.largestPhoto / 1024 / 1024) MB"), status: .payloadTooLarge)

  private func gradeResponse() async -> PageResponse {
    guard let grade else {
      return PageResponse(.error("start the playground with --student to grade your own functions"), status: .conflict)
    }
    do {
      let report = try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try grade() }) }.start()
      }
      return PageResponse(Outgoing("grade", ["table": report.table, "total": report.total]))
    } catch {
      return PageResponse(.error("\(error)"), status: .internalServerError)
    }
  }

  /// Writes the trained weights with `ex4 --save`'s safe write.
  private func save() -> PageResponse {
    guard let Thetas = network else { return PageResponse(.error("train the network first"), status: .conflict) }
    do {
      try NetworkWeights.save(Thetas, to: savePath)
    } catch {
      return PageResponse(.error("\(error)"), status: .conflict)
    }
    return PageResponse(
      Outgoing("saved", ["message": "Saved \(NetworkWeights.listing(Thetas)) to \(printable(savePath))"]))
  }

  // MARK: - The WebSocket

  /// The greeting a page's connection opens with: the data, the defaults,
  /// whether the student's functions train and whether a network is trained.
  func hello() -> Outgoing {
    Outgoing(
      "hello",
      [
        "data": data.source, "examples": data.X.rows, "student": grade != nil,
        "defaults": (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingSettings()))) ?? [:],
        "trained": network != nil,
      ])
  }

  /// One message from the page, answered through `send`.
  /// `text` is nil for a binary message.
  package func handle(_ text: String?, from id: UUID, send: @escaping @Sendable (Outgoing) -> Void) {
    guard let text else { return send(.error("messages are JSON text")) }
    guard text.utf8.count <= DrawingClassifier.largestDrawingMessage else {
      return send(.error("a message is at most \(DrawingClassifier.largestDrawingMessage / 1024) KB"))
    }
    let request: PageRequest
    do {
      request = try JSONDecoder().decode(PageRequest.self, from: Data(text.utf8))
    } catch {
      return send(.error("malformed message: \(PageRequest.describe(error))"))
    }
    switch request.type {
    case "train", "step":
      let settings = request.settings ?? TrainingSettings()
      if let running = current.withLock({ $0 }), running.owner == id {
        if request.type == "step" { running.run.step() } else { running.run.resume() }
        return
      }
      if let problem = settings.problem { return send(.error(problem)) }
      startTraining(settings, for: id, paused: request.type == "step", send: send)
    case "pause", "reset":
      guard let running = current.withLock({ $0 }), running.owner == id else {
        if request.type == "reset" { send(Outgoing("state", ["state": "idle"])) }
        return
      }
      if request.type == "pause" { running.run.pause() } else { running.run.stop() }
    case "draw":
      guard let width = request.width, let height = request.height, let grey = request.grey else {
        return send(.error("malformed message: a drawing needs width, height and grey"))
      }
      guard let Thetas = network else { return send(Outgoing("guess-error", ["message": "train the network first"])) }
      do {
        let picture = try DrawingClassifier.grey(width: width, height: height, base64: grey)
        let digit = try DigitImage(grey: picture, source: "the drawing")
        var answer = DrawingClassifier.answer(digit, Thetas: Thetas)
        answer["id"] = request.id ?? 0
        send(Outgoing("guess", answer))
      } catch let error as ImageFileError {
        send(Outgoing("guess-error", ["message": error.problem, "id": request.id ?? 0]))
      } catch {
        send(.error("\(error)"))
      }
    case "examples":
      guard let actual = request.actual, let guess = request.guess, (0...9).contains(actual), (0...9).contains(guess)
      else { return send(.error("malformed message: examples need actual and guess, digits 0…9")) }
      guard let run = current.withLock({ $0?.run }) ?? lastRun.withLock({ $0 }) else {
        return send(.error("train the network first"))
      }
      send(run.examples(actual: actual, guess: guess))
    default:
      send(.error("malformed message: unknown type '\(request.type)'"))
    }
  }

  /// The run that ended last, for its confusion matrix's examples.
  private let lastRun = Shared<TrainingRun?>(nil)

  private func startTraining(
    _ settings: TrainingSettings, for id: UUID, paused: Bool, send: @escaping @Sendable (Outgoing) -> Void
  ) {
    let run = TrainingRun(
      settings: settings, data: data, source: costSource, startPaused: paused, send: send,
      finished: { [weak self] in self?.finished(id) })
    let started = current.withLock { slot -> Bool in
      guard slot == nil else { return false }
      slot = (run, id)
      return true
    }
    guard started else { return send(.error("another page is training already: one training at a time")) }
    run.start()
  }

  private func finished(_ id: UUID) {
    let run = current.withLock { slot -> TrainingRun? in
      guard let running = slot, running.owner == id else { return nil }
      slot = nil
      return running.run
    }
    guard let run else { return }
    if let Thetas = run.Thetas { trained.withLock { $0 = Thetas } }
    lastRun.withLock { $0 = run }
  }

  /// Stops the training that runs, if any, and waits for its thread to end.
  /// A program calls it before it exits: OpenBLAS's shutdown at exit waits
  /// for its worker threads, and one kept busy by a training thread still in
  /// a product can miss the call to end, so that the program never exits.
  package func stopTrainingAndWait() {
    current.withLock { $0?.run }?.stopAndWait()
  }

  /// Stops the training `id`'s connection started, if it runs (the page was closed).
  func stopTraining(of id: UUID) {
    if let running = current.withLock({ $0 }), running.owner == id { running.run.stop() }
  }
}

/// A message from the page.
package struct PageRequest: Decodable, Sendable {
  package var type: String
  package var settings: TrainingSettings?
  package var id: Int?
  package var width: Int?
  package var height: Int?
  package var grey: String?
  package var actual: Int?
  package var guess: Int?

  /// A decoding error in a few words.
  static func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): "'\(key.stringValue)' is missing"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
    case DecodingError.dataCorrupted(let context):
      context.codingPath.isEmpty
        ? "not JSON" : "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' is not valid"
    default: "not a message the playground knows"
    }
  }
}

extension HTTPRequestHead {
  /// The request target's path, without its query.
  var path: String { URLComponents(string: uri)?.path ?? "" }
}
