import Testing
@testable import Tensor

@Suite struct BoxesTests {
    @Test func iouAndGIoUMatchTorchvision() throws {
        let fixture = try OpFixture("boxes")
        expectMatches(try Tensor.boxIoU(fixture.tensor("iou", "a"), fixture.tensor("iou", "b")), try fixture.tensor("iou", "output"), relative: 1e-6, "iou")
        expectMatches(try Tensor.generalizedBoxIoU(fixture.tensor("giou", "a"), fixture.tensor("giou", "b")), try fixture.tensor("giou", "output"), relative: 1e-6, "giou")
    }

    @Test func nmsKeepsTheSameIndices() throws {
        let fixture = try OpFixture("boxes")
        let names = fixture.cases(op: "nms")
        #expect(names.count == 3)
        for name in names {
            let kept = try Tensor.nonMaximumSuppression(boxes: fixture.tensor(name, "boxes"), scores: fixture.tensor(name, "scores"),
                                                        iouThreshold: fixture.float(name, "iou_threshold")!)
            #expect(kept == (try fixture.integers(name, "output")), "\(name)")
        }
        let kept = try Tensor.batchedNonMaximumSuppression(
            boxes: fixture.tensor("batched_nms", "boxes"), scores: fixture.tensor("batched_nms", "scores"),
            classes: fixture.integers("batched_nms", "classes"), iouThreshold: fixture.float("batched_nms", "iou_threshold")!)
        #expect(kept == (try fixture.integers("batched_nms", "output")))
    }
}
