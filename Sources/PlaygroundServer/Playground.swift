import DigitPhotos
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
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

  // MARK: - The server

  /// The router: every route behind the access rules.
  package func router() -> Router<BasicWebSocketRequestContext> {
    let router = Router(context: BasicWebSocketRequestContext.self)
    router.middlewares.add(AccessMiddleware(access: access))
    router.get("/") { _, _ in try self.file("index.html", type: "text/html; charset=utf-8") }
    router.get("/page.js") { _, _ in try self.file("page.js", type: "text/javascript; charset=utf-8") }
    router.get("/page.css") { _, _ in try self.file("page.css", type: "text/css; charset=utf-8") }
    router.post("/photo") { request, context in try await self.photo(request, context: context) }
    router.post("/grade") { _, _ in try await self.gradeResponse() }
    router.post("/save") { _, _ in try self.save() }
    router.ws("/ws") { request, _ in
      guard self.access.originIsAllowed(request) else {
        throw HTTPError(.forbidden, message: "The WebSocket is for the playground's own page only.")
      }
      return .upgrade([:])
    } onUpgrade: { inbound, outbound, _ in
      try await self.connection(inbound: inbound, outbound: outbound)
    }
    return router
  }

  /// The application listening on 127.0.0.1:`port` (0: a free port), which
  /// prints ``PlaygroundAccess/urlLine`` once it listens.
  package func application(port: Int, onRunning: @escaping @Sendable () -> Void = {}) -> some ApplicationProtocol {
    var logger = Logger(label: "ex4-playground")
    logger.logLevel = .warning
    let router = router()
    return Application(
      router: router,
      server: .http1WebSocketUpgrade(
        webSocketRouter: router, configuration: .init(ws: .init(maxFrameSize: Self.largestFrame))),
      configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
      onServerRunning: { channel in
        self.access.bound(to: channel.localAddress?.port ?? port)
        onRunning()
      },
      logger: logger)
  }

  /// The largest WebSocket frame read or written: messages beyond
  /// ``DrawingClassifier/largestDrawingMessage`` are answered with an error,
  /// not dropped with the connection.
  static let largestFrame = 1 << 20

  private func file(_ name: String, type: String) throws -> Response {
    guard let url = pageFolder?.appendingPathComponent(name), let bytes = try? Data(contentsOf: url) else {
      throw HTTPError(.internalServerError, message: "the page's file \(name) is missing from the build")
    }
    return Response(
      status: .ok,
      headers: [
        .contentType: type,
        .contentSecurityPolicy:
          "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'",
      ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
  }

  private static func json(_ message: Outgoing, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json"],
      body: .init(byteBuffer: ByteBuffer(string: message.text)))
  }

  // MARK: - Photos, grading, saving

  /// A PNG or JPEG photo in the request's body, classified as `ex4 classify`
  /// classifies it: 413 beyond ``DrawingClassifier/largestPhoto`` bytes or
  /// the picture reader's limits (``ImageFileError/isOverLimit``), 400 for
  /// anything else unreadable.
  private func photo(_ request: Request, context: some RequestContext) async throws -> Response {
    var bytes: [UInt8] = []
    for try await buffer in request.body {
      guard bytes.count + buffer.readableBytes <= DrawingClassifier.largestPhoto else {
        return Self.json(
          .error("the photo is larger than \(DrawingClassifier.largestPhoto / 1024 / 1024) MB"),
          status: .contentTooLarge)
      }
      bytes.append(contentsOf: buffer.readableBytesView)
    }
    do {
      let digit = try DigitImage(grey: DigitImage.decodeGrey(bytes, source: "the photo"), source: "the photo")
      guard let Thetas = network else { return Self.json(.error("train the network first"), status: .conflict) }
      return Self.json(Outgoing("guess", DrawingClassifier.answer(digit, Thetas: Thetas)))
    } catch {
      return Self.json(.error("\(error)"), status: error.isOverLimit ? .contentTooLarge : .badRequest)
    }
  }

  private func gradeResponse() async throws -> Response {
    guard let grade else {
      return Self.json(.error("start the playground with --student to grade your own functions"), status: .conflict)
    }
    let report = try await withCheckedThrowingContinuation { continuation in
      Thread { continuation.resume(with: Result { try grade() }) }.start()
    }
    return Self.json(Outgoing("grade", ["table": report.table, "total": report.total]))
  }

  /// Writes the trained weights with `ex4 --save`'s safe write.
  private func save() throws -> Response {
    guard let Thetas = network else { return Self.json(.error("train the network first"), status: .conflict) }
    do {
      try NetworkWeights.save(Thetas, to: savePath)
    } catch {
      return Self.json(.error("\(error)"), status: .conflict)
    }
    return Self.json(
      Outgoing("saved", ["message": "Saved \(NetworkWeights.listing(Thetas)) to \(printable(savePath))"]))
  }

  // MARK: - The WebSocket

  /// One page's connection: its requests in, and everything for it out
  /// through one writer; its training stops when it closes.
  private func connection(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
    let id = UUID()
    let (messages, continuation) = AsyncStream.makeStream(of: Outgoing.self, bufferingPolicy: .unbounded)
    let send: @Sendable (Outgoing) -> Void = { continuation.yield($0) }
    send(
      Outgoing(
        "hello",
        [
          "data": data.source, "examples": data.X.rows, "student": grade != nil,
          "defaults": (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingSettings()))) ?? [:],
          "trained": network != nil,
        ]))
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        for await message in messages { try await outbound.write(.text(message.text)) }
      }
      defer {
        continuation.finish()
        stopTraining(of: id)
      }
      for try await message in inbound.messages(maxSize: Self.largestFrame) {
        if case .text(let text) = message {
          handle(text, from: id, send: send)
        } else {
          handle(nil, from: id, send: send)
        }
      }
      continuation.finish()
      try await group.waitForAll()
    }
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

  private func stopTraining(of id: UUID) {
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
