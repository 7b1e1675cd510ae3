import Testing
@testable import Tensor

@Suite struct ConvolutionTests {
    @Test func matchPyTorch() throws {
        let fixture = try OpFixture("conv")
        #expect(fixture.cases.count == 10)
        for name in fixture.cases.keys.sorted() {
            let parameters = Conv2DParameters(stride: fixture.pair(name, "stride")!, padding: fixture.pair(name, "padding")!,
                                              dilation: fixture.pair(name, "dilation")!, groups: fixture.int(name, "groups")!)
            let actual = try Tensor.conv2d(fixture.tensor(name, "input"), weight: fixture.tensor(name, "weight"),
                                           bias: fixture.optionalTensor(name, "bias"), parameters: parameters)
            expectMatches(actual, try fixture.tensor(name, "output"), name)
        }
    }

    @Test func rejectsChannelMismatch() {
        #expect(throws: TensorError.self) {
            try Tensor.conv2d(.zeros([1, 3, 8, 8]), weight: .zeros([4, 2, 3, 3]))
        }
        #expect(throws: TensorError.self) {
            try Tensor.conv2d(.zeros([1, 4, 2, 2]), weight: .zeros([4, 4, 3, 3]))
        }
    }

    @Test func bandsKeepTheUnfoldedInputWithinBudget() {
        // SD UNet level 0 (320 channels at 64×64) fits one band; the VAE's 256 channels at 512×512 do not.
        #expect(Im2Col.rowsPerBand(kDim: 320 * 9, outH: 64, outW: 64) == 64)
        let rows = Im2Col.rowsPerBand(kDim: 256 * 9, outH: 512, outW: 512)
        #expect(rows < 512 && 256 * 9 * rows * 512 <= Im2Col.scratchBudget)
        #expect(Im2Col.rowsPerBand(kDim: 1 << 30, outH: 4, outW: 4) == 1)
    }

    @Test func bandedConvolutionMatchesDirectSums() throws {
        // 64 channels at 181×181, 3×3 stride 1 padding 1: 576 × 32,761 floats unfolded (> 16 Mi) → several bands.
        let (channels, size, outChannels) = (64, 181, 3)
        #expect(Im2Col.rowsPerBand(kDim: channels * 9, outH: size, outW: size) < size)
        let input = Tensor(shape: [1, channels, size, size], values: (0..<(channels * size * size)).map { Float(($0 * 7919) % 23) / 8 - 1.375 })
        let weight = Tensor(shape: [outChannels, channels, 3, 3], values: (0..<(outChannels * channels * 9)).map { Float(($0 * 104_729) % 17) / 16 - 0.5 })
        let bias = Tensor(shape: [outChannels], values: [0.5, -1, 2])
        let output = try Tensor.conv2d(input, weight: weight, bias: bias, parameters: Conv2DParameters(padding: 1))
        let x = input.contiguous().scalars, w = weight.contiguous().scalars, y = output.contiguous().scalars
        let rowsPerBand = Im2Col.rowsPerBand(kDim: channels * 9, outH: size, outW: size)
        // Rows on both sides of every band boundary, and the image edges.
        var rows: Set<Int> = [0, size - 1]
        for boundary in stride(from: rowsPerBand, to: size, by: rowsPerBand) { rows.formUnion([boundary - 1, boundary]) }
        for o in 0..<outChannels {
            for oy in rows.sorted() {
                for ox in [0, 1, size / 2, size - 1] {
                    var sum = Double(bias[o])
                    for c in 0..<channels {
                        for ki in 0..<3 {
                            for kj in 0..<3 {
                                let iy = oy + ki - 1, ix = ox + kj - 1
                                guard iy >= 0, iy < size, ix >= 0, ix < size else { continue }
                                sum += Double(x[(c * size + iy) * size + ix]) * Double(w[((o * channels + c) * 3 + ki) * 3 + kj])
                            }
                        }
                    }
                    let actual = y[(o * size + oy) * size + ox]
                    #expect(abs(Double(actual) - sum) <= 1e-3 * max(1, abs(sum)), "o \(o) y \(oy) x \(ox)")
                }
            }
        }
    }
}
