import ImageIO
import Tensor
import Testing
@testable import Detection

/// detectron2's ResizeShortestEdge sizes, normalisation and padding.
@Suite struct PreprocessedImageTests {
    @Test(arguments: [
        // (h, w, short, max) → (h', w'): detectron2 get_output_shape.
        ((480, 640, 800, 1333), (800, 1067)),
        ((640, 480, 800, 1333), (1067, 800)),
        ((100, 1000, 800, 1333), (133, 1333)),
        ((128, 128, 128, 1333), (128, 128)),
        ((333, 500, 800, 1333), (800, 1201)),
    ])
    func resizedSizeFollowsResizeShortestEdge(input: (Int, Int, Int, Int), expected: (Int, Int)) {
        let size = PreprocessedImage.resizedSize(height: input.0, width: input.1, shortEdge: input.2, maxSize: input.3)
        #expect(size.height == expected.0 && size.width == expected.1)
    }

    @Test func normalisesAndPadsWithZeros() throws {
        var configuration = DiffusionDetConfiguration.Input(minSizeTest: 40, maxSizeTest: 100, sizeDivisibility: 32)
        configuration.pixelMean = [10, 20, 30]
        configuration.pixelStd = [2, 4, 5]
        let image = Image(width: 50, height: 40, fill: RGBColor(red: 12, green: 40, blue: 30))
        let prepared = try PreprocessedImage(image, configuration: configuration)
        #expect(prepared.tensor.shape == [3, 64, 64])
        #expect(prepared.resizedWidth == 50 && prepared.resizedHeight == 40)
        #expect(prepared.tensor[0, 0, 0] == 1 && prepared.tensor[1, 39, 49] == 5 && prepared.tensor[2, 10, 10] == 0)
        #expect(prepared.tensor[0, 40, 0] == 0 && prepared.tensor[0, 0, 50] == 0 && prepared.tensor[1, 63, 63] == 0)
    }

    @Test func wrappedTensorsMustBePaddedToTheResNetStride() throws {
        #expect(throws: DetectionError.self) {
            _ = try PreprocessedImage(tensor: Tensor.zeros([3, 40, 64]), originalWidth: 64, originalHeight: 40,
                                      resizedWidth: 64, resizedHeight: 40)
        }
        #expect(throws: DetectionError.self) {
            _ = try PreprocessedImage(tensor: Tensor.zeros([3, 64, 64]), originalWidth: 64, originalHeight: 64,
                                      resizedWidth: 65, resizedHeight: 64)
        }
        let wrapped = try PreprocessedImage(tensor: Tensor.zeros([3, 64, 96]), originalWidth: 180, originalHeight: 120,
                                            resizedWidth: 90, resizedHeight: 60)
        #expect(wrapped.paddedWidth == 96 && wrapped.paddedHeight == 64)
    }
}
