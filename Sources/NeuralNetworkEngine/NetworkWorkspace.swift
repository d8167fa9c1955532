import OctaveCore
internal import CBLAS
import Dispatch
import Foundation
import Synchronization
internal import _NeuralNetworkKernels

/// The memory one evaluation of a network on one input matrix works in,
/// kept between calls so that training allocates nothing that grows with the
/// number of examples after its first evaluation.
///
/// Every per-example quantity is stored one example per column (the
/// transpose of the course's one-example-per-row matrices), so that each
/// example's values are contiguous for the elementwise passes and the sparse
/// loops. For layer l of s(l) units and m examples:
///
/// - `z[l]`, zStride(l) × m with zStride(l) = s(l) rounded up to a multiple
///   of 4 (the extra rows stay zero): z(l)ᵀ on the way forward, then
///   overwritten by delta(l)ᵀ on the way back;
/// - `a[l]`, (1 + s(l)) × m for a hidden layer (row 1 the bias units' ones),
///   s(L) × m for the output layer: a(l)ᵀ.
///
/// A workspace belongs to one input matrix X, which it keeps (so X's storage
/// cannot change under it), and with it X's sparse form when the sparse loops
/// pay (``SparseInput``). Its owner, a ``NetworkEvaluator``, keeps it as long
/// as it evaluates on that X; its memory goes with it.
package final class NetworkWorkspace: @unchecked Sendable {
  /// The input matrix, m × n, one example per row.
  package let X: Matrix
  /// X's non-zeros, when the sparse first-layer loops are faster than BLAS.
  let sparse: SparseInput?
  /// The layer sizes s(1) … s(L) the buffers are laid out for (index 0 unused).
  private(set) var sizes: [Int] = []
  private(set) var z: [Buffer] = []
  private(set) var a: [Buffer] = []
  private(set) var zStride: [Int] = []
  /// Each example's target: its label 1…K (classifier) or its y (linear).
  private(set) var targets = Buffer(count: 0)
  /// m ones: summing each row of delta(2)ᵀ through BLAS gives Theta1_grad's bias column.
  private(set) var ones = Buffer(count: 0)
  /// Zeros, as many as the widest layer's stride: the bias added to z(l)
  /// when it is already in the product.
  private(set) var zeroBias = Buffer(count: 0)
  /// Theta1's bias column, added to z(2) when BLAS computed Theta1(:, 2:end) · Xᵀ.
  private(set) var firstLayerBias = Buffer(count: 0)
  /// For the sparse loops: Theta1's columns zStride(2) apart (zero past
  /// s(2)), and Theta1_grad's columns in the same layout.
  private(set) var packedWeights = Buffer(count: 0)
  private(set) var packedGradient = Buffer(count: 0)
  /// z(2) one example per row (m × s(2)), made the first time BLAS computes
  /// it that way round.
  private var rowsOfFirstLayer: Buffer?

  /// The buffer for z(2) one example per row, made on first use.
  func firstLayerRows() -> UnsafeMutablePointer<Double> {
    if rowsOfFirstLayer?.count != m * sizes[2] { rowsOfFirstLayer = Buffer(count: m * sizes[2]) }
    return rowsOfFirstLayer!.pointer
  }

  /// One partial sum of the cost per chunk of examples, added in order.
  private(set) var chunkSums = Buffer(count: 0)
  /// Per chunk of examples, 1 when its rows of delta(2)ᵀ are all finite and
  /// 0 otherwise (checked by the chunk's own core, for the sparse gradient).
  private(set) var chunkFinite = Buffer(count: 0)

  /// Examples per chunk: the elementwise passes and the products between
  /// hidden layers run chunk by chunk, the chunks shared between the cores.
  private(set) var chunkSize = 512
  /// The shares of Theta_grad(l), l ≥ 2, of the chunks of one wave (see
  /// ``wave``), one slot per chunk of the wave.
  private(set) var partialGradients = Buffer(count: 0)
  /// The shares of every chunk so far, added up in chunk order: after the
  /// last wave, Theta_grad(l) for l ≥ 2 before the 1/m.
  private(set) var partialTotal = Buffer(count: 0)
  /// Where Theta_grad(l)'s share starts within one slot of
  /// `partialGradients` (and in `partialTotal`), and the size of a slot.
  private(set) var partialOffset: [Int] = []
  private(set) var partialSize = 0
  /// Chunks per wave: the chunks are run a wave at a time, each wave's
  /// shares then added to `partialTotal` in chunk order. So the memory for
  /// the shares is one wave's, not one copy per chunk (157 copies of the
  /// hidden layers' gradients for 5000 examples of wide layers), while the
  /// additions, and so the results, are exactly those of summing every
  /// chunk's share in chunk order, whatever the wave's size.
  private(set) var wave = 1

  package var m: Int { X.rows }
  var chunks: Int { (m + chunkSize - 1) / chunkSize }

  private init(X: Matrix, sparse: SparseInput?) {
    self.X = X
    self.sparse = sparse
  }

  /// Lays the buffers out for layers of `layerSizes` units (input first),
  /// unless they already are, at the sizes ``Layout`` gives.
  func prepare(layerSizes: [Int]) {
    guard [0] + layerSizes != sizes else { return }
    let layout = Layout(layerSizes: layerSizes, examples: m)
    sizes = layout.sizes
    zStride = layout.zStride
    z = layout.z.map { Buffer(count: $0) }
    a = layout.a.map { Buffer(count: $0) }
    chunkSize = layout.chunkSize
    partialOffset = layout.partialOffset
    partialSize = layout.partialSize
    wave = layout.wave
    partialGradients = Buffer(count: layout.partialGradients)
    partialTotal = Buffer(count: layout.partialTotal)
    targets = Buffer(count: layout.targets)
    ones = Buffer(count: layout.ones, repeating: 1)
    zeroBias = Buffer(count: layout.zeroBias)
    firstLayerBias = Buffer(count: layout.firstLayerBias)
    chunkSums = Buffer(count: layout.chunks)
    chunkFinite = Buffer(count: layout.chunks)
    chunkProgress = ChunkProgress(chunks: layout.chunks)
    if sparse != nil {
      packedWeights = Buffer(count: layout.packedWeights)
      packedGradient = Buffer(count: layout.packedWeights)
    }
  }

  /// The sizes, in doubles, of the buffers ``prepare(layerSizes:)`` makes for
  /// layers of `layerSizes` units (input first) and m examples: worked out
  /// here once, for `prepare` and for ``allocation(layerSizes:examples:)``.
  struct Layout {
    /// s(1) … s(L), index 0 unused.
    let sizes: [Int]
    let zStride: [Int]
    /// z(l) and a(l) for l = 0 … L (empty for l < 2).
    let z: [Int]
    let a: [Int]
    let chunkSize: Int
    let chunks: Int
    let partialOffset: [Int]
    let partialSize: Int
    let wave: Int
    let partialGradients: Int
    let partialTotal: Int
    let targets: Int
    let ones: Int
    let zeroBias: Int
    let firstLayerBias: Int
    /// z(2) one example per row, made on first use, only when BLAS makes the
    /// first layer's product that way round (a wide first hidden layer).
    let firstLayerRows: Int
    /// Each of the sparse loops' Theta1 and Theta1_grad, only with the sparse loops.
    let packedWeights: Int

    init(layerSizes: [Int], examples m: Int) {
      let sizes = [0] + layerSizes
      let L = sizes.count - 1
      self.sizes = sizes
      let zStride = sizes.map { ($0 + 3) / 4 * 4 }
      self.zStride = zStride
      z = sizes.indices.map { l in l < 2 ? 0 : zStride[l] * m }
      a = sizes.indices.map { l in l < 2 ? 0 : (l < L ? 1 + sizes[l] : sizes[l]) * m }
      chunkSize = NetworkWorkspace.chunkSize(layerSizes: layerSizes)
      chunks = (m + chunkSize - 1) / chunkSize
      var offsets = [0, 0]
      var size = 0
      for l in 2..<max(L, 2) {
        offsets.append(size)
        size += sizes[l + 1] * (1 + sizes[l])
      }
      partialOffset = offsets
      partialSize = size
      wave = NetworkWorkspace.wave(partialSize: size, chunks: chunks)
      partialGradients = size * wave
      partialTotal = size
      targets = m
      ones = m
      zeroBias = zStride.max()!
      firstLayerBias = zStride[2]
      firstLayerRows = sizes[2] >= FeedforwardNetwork.widestHiddenLayerForColumnProducts ? m * sizes[2] : 0
      packedWeights = (1 + sizes[1]) * zStride[2]
    }
  }

  /// What a workspace holds, in doubles, for `m` examples and layers of
  /// `layerSizes` units (input first), at most: the memory estimate of the
  /// programs asks here, so that it follows what ``prepare(layerSizes:)`` makes.
  package struct Allocation: Equatable, Sendable {
    /// What grows with the examples: z and a of every layer after the
    /// input, each example's target, m ones, and z(2) one example per row
    /// where BLAS makes it so.
    package var perExample: Int
    /// The shares of Theta_grad(l), l ≥ 2, of one wave of chunks, and their running total.
    package var partialGradients: Int
    /// The rest: the biases, a sum and a flag per chunk, and the sparse loops' packed Theta1 and its gradient.
    package var other: Int

    package var total: Int { perExample + partialGradients + other }
  }

  /// The doubles a workspace for `m` examples holds once laid out for
  /// layers of `layerSizes` units (input first): the first layer's rows and
  /// the sparse loops' packed weights both counted, though a workspace makes
  /// at most one of them.
  package static func allocation(layerSizes: [Int], examples m: Int) -> Allocation {
    let layout = Layout(layerSizes: layerSizes, examples: m)
    return Allocation(
      perExample: layout.z.reduce(0, +) + layout.a.reduce(0, +) + layout.targets + layout.ones + layout.firstLayerRows,
      partialGradients: layout.partialGradients + layout.partialTotal,
      other: layout.zeroBias + layout.firstLayerBias + 2 * layout.chunks + 2 * layout.packedWeights)
  }

  /// At most 64 MB of shares a wave, and at least 2 chunks (one for each
  /// core) when there are that many: the additions are the same for any wave.
  package static func wave(partialSize: Int, chunks: Int) -> Int {
    let budget = (64 << 20) / max(8 * partialSize, 1)
    return max(1, min(chunks, max(2, budget)))
  }

  /// The examples per chunk for layers of `layerSizes` units (input first):
  /// the largest power of 2, 32 to 1024, whose products between hidden
  /// layers stay below OpenBLAS's size for using more than the calling
  /// thread (m·n·k ≤ 262144), so that the cores are shared out here instead.
  package static func chunkSize(layerSizes: [Int]) -> Int {
    let L = layerSizes.count
    var widest = 1
    for l in 1..<max(L - 1, 1) { widest = max(widest, layerSizes[l + 1] * (1 + layerSizes[l])) }
    var size = 32
    while size < 1024 && 2 * size * widest <= 262_144 { size *= 2 }
    return size
  }

  // MARK: - Making one

  /// Inputs smaller than this (m · n) use BLAS's products under `.automatic`:
  /// making their sparse form costs more than it saves.
  static let smallestSparse = 32_768

  /// A new workspace for `X`, with X's sparse form when `firstLayer` calls for it.
  package convenience init(X: Matrix, layerSizes: [Int], firstLayer: FirstLayerProducts) {
    let width = (layerSizes[1] + 3) / 4 * 4
    let sparse: SparseInput?
    switch firstLayer {
    case .automatic: sparse = X.count < Self.smallestSparse ? nil : SparseInput(X, width: width)
    case .dense: sparse = nil
    case .sparse: sparse = SparseInput(X, densityAtMost: 1, width: width)
    case .sparseUpToDensity(let limit): sparse = SparseInput(X, densityAtMost: limit, width: width)
    }
    self.init(X: X, sparse: sparse)
    self.firstLayer = firstLayer
  }

  /// How this workspace's first-layer products were chosen.
  private(set) var firstLayer = FirstLayerProducts.automatic

  // MARK: - Sharing the work between cores

  /// Calls `body(c, range)` for each chunk c of examples, on every core when
  /// there is enough work. The chunks depend only on m and the layer sizes,
  /// not on the number of cores, so neither do sums made chunk by chunk and
  /// then added in chunk order.
  func forEachChunk(unitsPerExample: Int, _ body: (Int, Range<Int>) -> Void) {
    forEachChunk(in: 0..<chunks, unitsPerExample: unitsPerExample, body)
  }

  /// Every chunk c of examples, `body(c, range)`, and then `pieces` pieces
  /// of other work, `piece(k)`, in one pass over the cores: a core that has
  /// no chunk left to take starts on the pieces instead of waiting for the
  /// other cores to finish theirs. A piece that needs the chunks' results
  /// waits for them with ``examplesDone(atLeast:knownChunks:)``. Chunks are
  /// handed out before pieces, and a chunk waits for nothing, so every wait
  /// ends. The chunks are those of ``forEachChunk(unitsPerExample:_:)``;
  /// whoever runs what, each result is made by one body as there.
  func forEachChunk(_ body: (Int, Range<Int>) -> Void, thenPieces pieces: Int, _ piece: (Int) -> Void) {
    let (m, size, chunks) = (m, chunkSize, chunks)
    let progress = chunkProgress
    progress.pass += 1
    let pass = progress.pass
    Self.inParallel(chunks + pieces) { k in
      if k < chunks {
        body(k, (k * size)..<min((k + 1) * size, m))
        progress.done[k].store(pass, ordering: .releasing)
      } else {
        piece(k - chunks)
      }
    }
  }

  /// Inside ``forEachChunk(_:thenPieces:_:)``'s pieces: waits until the
  /// chunks of at least the first `count` examples are done, and returns how
  /// many leading examples are (a multiple of the chunk size, or m).
  /// `knownChunks` carries the leading chunks already seen done from one
  /// call to the next.
  func examplesDone(atLeast count: Int, knownChunks: inout Int) -> Int {
    let progress = chunkProgress
    let pass = progress.pass
    while true {
      while knownChunks < chunks && progress.done[knownChunks].load(ordering: .acquiring) == pass { knownChunks += 1 }
      let done = min(knownChunks * chunkSize, m)
      if done >= count { return done }
      nnl_spin_pause()
    }
  }

  /// Which chunks of examples ``forEachChunk(_:thenPieces:_:)`` has finished:
  /// `done[c]` is the number of the last pass that finished chunk c, so no
  /// flag needs clearing between passes.
  final class ChunkProgress: @unchecked Sendable {
    let done: UnsafeMutablePointer<Atomic<Int>>
    let count: Int
    /// The number of the pass under way or last run (changed only between passes).
    var pass = 0

    init(chunks: Int) {
      count = chunks
      done = .allocate(capacity: max(chunks, 1))
      for c in 0..<max(chunks, 1) { (done + c).initialize(to: Atomic(0)) }
    }

    deinit {
      done.deinitialize(count: max(count, 1))
      done.deallocate()
    }
  }

  private(set) var chunkProgress = ChunkProgress(chunks: 0)

  /// ``forEachChunk(unitsPerExample:_:)`` for the chunks in `range` only.
  func forEachChunk(in range: Range<Int>, unitsPerExample: Int, _ body: (Int, Range<Int>) -> Void) {
    let (m, size) = (m, chunkSize)
    if range.count > 1 && m * unitsPerExample >= 16_384 {
      Self.inParallel(range.count) { k in
        let c = range.lowerBound + k
        body(c, (c * size)..<min((c + 1) * size, m))
      }
    } else {
      for c in range { body(c, (c * size)..<min((c + 1) * size, m)) }
    }
  }

  /// `body(0)` … `body(count − 1)` on every core. The pieces are handed
  /// out one at a time from a shared counter to `workers` runners (one per
  /// core by default), so a core slowed by another process takes fewer of
  /// them and the others more, instead of leaving its fixed share for last.
  /// The callers' bodies write disjoint parts of the workspace's buffers
  /// (their chunk of examples, or their columns), which is what makes
  /// sharing the pointers safe, and each piece's result is made wholly by
  /// one body, so it does not depend on which runner took it. One runner
  /// per core runs on ``Runners/shared`` (this thread and helpers that stay
  /// ready between passes); other counts, and a pass while another is under
  /// way, on Dispatch.
  package static func inParallel(
    _ count: Int, workers: Int = Runners.cores, _ body: (Int) -> Void
  ) {
    let runners = min(max(workers, 1), count)
    guard runners > 1 else {
      for piece in 0..<count { body(piece) }
      return
    }
    let counter = PieceCounter()
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let work = body
      let take: @Sendable (Int) -> Void = { _ in
        while true {
          let piece = counter.next.add(1, ordering: .relaxed).oldValue
          if piece >= count { break }
          work(piece)
        }
      }
      if runners != Runners.shared.helpers + 1 || !Runners.shared.run(take) {
        DispatchQueue.concurrentPerform(iterations: runners, execute: take)
      }
    }
  }

  /// The pieces ``firstLayerGradient`` cuts the columns of [1 X] into
  /// (``SparseInput/columnRanges(_:)``): several per core, so that the
  /// counter of ``inParallel(_:workers:_:)`` can even out the cores' loads.
  /// The gradient is the same whatever the number (each column's sum is
  /// made by one piece); tests set it to compare.
  package var gradientPieces = max(8, 4 * Runners.cores)
}

/// The next piece to hand out in ``NetworkWorkspace/inParallel(_:workers:_:)``.
private final class PieceCounter: Sendable {
  let next = Atomic<Int>(0)
}

/// How the first layer's products, [1 X] · Theta1ᵀ and delta2ᵀ · [1 X], are computed.
package enum FirstLayerProducts: Sendable, Equatable {
  /// By the sparse loops when X is large and at most
  /// ``NetworkTuning/defaultSparseDensityLimit(width:)`` non-zero (whatever
  /// the build); by BLAS otherwise.
  case automatic
  /// By BLAS.
  case dense
  /// By the sparse loops, whatever X and the build (for tests); BLAS still
  /// takes over when Theta1 or delta2 has an infinite or NaN entry.
  case sparse
  /// By the sparse loops when at most this fraction of X is non-zero, by
  /// BLAS otherwise (`ex4-bench --density-sweep` measures where they cross).
  case sparseUpToDensity(Double)
}

/// A zero-filled block of doubles that stays where it is, starting on a
/// 64-byte boundary (a cache line).
///
/// The sparse loops read whole rows of a buffer with 32- and 64-byte vector
/// loads; a load that straddles two cache lines costs two. From malloc a
/// large block starts 16 bytes past a page boundary, which would put every
/// row across lines (the same bits either way, only slower: the Performance
/// article gives the measurement).
package final class Buffer: @unchecked Sendable {
  package let pointer: UnsafeMutablePointer<Double>
  package let count: Int

  /// The alignment of every buffer, in bytes.
  static let alignment = 64

  package init(count: Int, repeating value: Double = 0) {
    self.count = count
    pointer = UnsafeMutableRawPointer.allocate(
      byteCount: max(count, 1) * MemoryLayout<Double>.stride, alignment: Self.alignment
    )
    .bindMemory(to: Double.self, capacity: max(count, 1))
    pointer.initialize(repeating: value, count: max(count, 1))
  }

  deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}
