import Testing

@testable import NeuralNetworkEngine
import NeuralNetworkLearning
import TestSupport

/// The doubles in every buffer a workspace holds (a buffer, an array of
/// them, or one made on first use), found by reflection, so that a buffer
/// added to the workspace is counted without being named here.
private func heldValues(_ workspace: NetworkWorkspace) -> Int {
  Mirror(reflecting: workspace).children.reduce(0) { sum, child in
    switch child.value {
    case let buffer as Buffer: sum + buffer.count
    case let buffers as [Buffer]: sum + buffers.reduce(0) { $0 + $1.count }
    case let buffer as Buffer?: sum + (buffer?.count ?? 0)
    default: sum
    }
  }
}

/// What the engine says it allocates (`NetworkWorkspace.allocation`, which
/// the programs' memory estimate asks) is what a workspace holds after an
/// evaluation, buffer for buffer.
@Suite struct NetworkWorkspaceAllocationTests {
  @Test(
    "a workspace holds what allocation(layerSizes:examples:) says",
    arguments: [
      // BLAS's products, the first hidden layer narrow: z(2) made in place.
      ([30, 10, 5], FirstLayerProducts.dense),
      // A wide first hidden layer: BLAS makes z(2) one example per row too.
      ([30, 70, 20, 5], .dense),
      // The sparse loops, with Theta1 and its gradient packed.
      ([30, 10, 6, 5], .sparse),
      ([30, 70, 5], .sparse),
    ])
  func heldIsAllocated(layerSizes: [Int], firstLayer: FirstLayerProducts) {
    let m = 700
    var random = OctaveRandom(seed: 5)
    let X = Matrix(
      rows: m, columns: layerSizes[0],
      values: (0..<(m * layerSizes[0])).map { _ in
        random.rand() < 0.2 ? random.rand() : 0
      })
    let y = Matrix(rows: m, columns: 1, values: (0..<m).map { Double($0 % layerSizes.last! + 1) })
    let Theta = (1..<layerSizes.count).map { l in
      Matrix(
        rows: layerSizes[l], columns: 1 + layerSizes[l - 1],
        values: (0..<(layerSizes[l] * (1 + layerSizes[l - 1]))).map { _ in random.rand() - 0.5 })
    }
    let network = FeedforwardNetwork(Theta: Theta, hiddenActivation: .sigmoid, output: .classifier)
    let workspace = NetworkWorkspace(X: X, layerSizes: layerSizes, firstLayer: firstLayer)
    _ = network.costFunction(y: y, lambda: 1, in: workspace)

    let allocation = NetworkWorkspace.allocation(layerSizes: layerSizes, examples: m)
    let layout = NetworkWorkspace.Layout(layerSizes: layerSizes, examples: m)
    // The allocation counts both ways of making the first layer; a workspace makes one.
    let unmade =
      (workspace.sparse == nil ? 2 * layout.packedWeights : 0)
      + (workspace.sparse == nil && layerSizes[1] >= FeedforwardNetwork.widestHiddenLayerForColumnProducts
        ? 0 : layout.firstLayerRows)
    #expect((firstLayer == .sparse) == (workspace.sparse != nil))
    #expect(heldValues(workspace) == allocation.total - unmade)
    // What grows with the examples is at least z and a of every layer after the input.
    let zAndA = (1..<layerSizes.count).reduce(0) { sum, l in
      sum + ((layerSizes[l] + 3) / 4 * 4 + layerSizes[l] + (l < layerSizes.count - 1 ? 1 : 0)) * m
    }
    #expect(allocation.perExample >= zAndA + 2 * m)
  }
}
