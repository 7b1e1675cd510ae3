import Foundation
import Tensor
import Testing
import Text

@Suite("CLIPMLP")
struct CLIPMLPTests {
    @Test("activations follow transformers' ACT2FN formulas")
    func activations() {
        let x = Tensor(shape: [3], values: [-1, 0.5, 2])
        let quick = CLIPTextModel.Activation.quickGELU(x).scalars
        for (value, input) in zip(quick, [Float(-1), 0.5, 2]) {
            #expect(abs(value - input / (1 + Foundation.exp(-1.702 * input))) < 1e-6)
        }
        let gelu = CLIPTextModel.Activation.gelu(x).scalars
        #expect(abs(gelu[0] - (-0.15865525)) < 1e-6)
        let tanh = CLIPTextModel.Activation.geluPytorchTanh(x).scalars
        #expect(abs(tanh[0] - (-0.15880801)) < 1e-6)
        #expect(CLIPTextModel.Activation.geluNew(x).scalars == tanh)
    }

    @Test("fc1 → act → fc2 shapes")
    func shapes() throws {
        let mlp = try CLIPTextModelFixture("B").loadModel().textModel.encoder.layers[0].mlp
        #expect(mlp.fc1.outFeatures == 61 && mlp.fc2.outFeatures == 48)
        #expect(mlp.activation == .gelu)
        #expect(try mlp(Tensor.zeros([1, 2, 48])).shape == [1, 2, 48])
    }
}
