// Follows `torch.nn.Embedding` (PyTorch 2.13): state-dict key `weight` (num_embeddings, embedding_dim).

import Tensor
import Weights

/// `torch.nn.Embedding`: a lookup table of `count` rows of width `dimension`.
public struct Embedding: Sendable {
    /// (count, dimension).
    public let weight: Tensor

    /// Number of rows (vocabulary size, positions, …).
    public var count: Int { weight.shape[0] }
    /// Width of one row.
    public var dimension: Int { weight.shape[1] }

    /// Loads `weight` (count, dimension) from `scope`.
    public init(_ scope: ParameterScope, count: Int, dimension: Int) throws(WeightsError) {
        weight = try scope.tensor("weight", shape: [count, dimension])
    }

    /// The rows picked by `indices` laid out as `shape` → (shape…, dimension). Throws for an index out of range.
    public func callAsFunction(_ indices: [Int], shape: [Int]) throws(TensorError) -> Tensor {
        try Tensor.embedding(indices: indices, shape: shape, table: weight)
    }

    /// The rows picked by a batch of equal-length index rows → (rows, length, dimension).
    public func callAsFunction(_ rows: [[Int]]) throws(TensorError) -> Tensor {
        let length = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == length }) else {
            throw .invalidArgument(op: "embedding", reason: "index rows have different lengths")
        }
        return try self(rows.flatMap { $0 }, shape: [rows.count, length])
    }
}
