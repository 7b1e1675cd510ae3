import CBLAS
import Foundation

/// A real compute workload for operating the service without a model: repeated square
/// `cblas_sgemm` calls with a checkpoint after each one, served at
/// `POST /v1/diagnostics/sgemm`.
///
/// It exercises exactly what model jobs exercise — the pool, BLAS threads, progress,
/// cancellation and deadlines — and reports the achieved GFLOPS, so an operator can
/// check the BLAS kernel and thread setup of a live replica.
struct MatrixMultiplyWorkload {
    var size: Int
    var iterations: Int

    struct Result: Encodable {
        var size: Int
        var iterations: Int
        var seconds: Double
        var gflops: Double
        /// Sum of the final product; C = A·B with A = 1/n and B = 1 gives exactly n² · 1.
        var checksum: Double
    }

    func run(context: any JobContext) throws(JobInterruption) -> Result {
        let count = size * size
        let left = [Float](repeating: 1 / Float(size), count: count)
        let right = [Float](repeating: 1, count: count)
        var product = [Float](repeating: 0, count: count)
        let started = DispatchTime.now().uptimeNanoseconds
        for iteration in 0..<iterations {
            let n = Int32(size)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, left, n, right, n, 0, &product, n)
            try context.checkpoint(step: iteration + 1, total: iterations, stage: "sgemm")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let flops = 2 * Double(size) * Double(size) * Double(size) * Double(iterations)
        let checksum = product.reduce(0) { $0 + Double($1) }
        return Result(size: size, iterations: iterations, seconds: seconds, gflops: flops / max(seconds, 1e-9) / 1e9, checksum: checksum)
    }
}
