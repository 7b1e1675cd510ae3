import Testing
@testable import Tensor

@Suite struct BLASRuntimeTests {
    @Test func reportsTheLoadedKernel() {
        #expect(!BLASRuntime.kernelName.isEmpty)
        #expect(BLASRuntime.kernelName != "unknown")
    }

    @Test func picksACoreTypeForThisCPU() {
        // Every machine of this project's kind has AVX2 at least; the value is what ensureFastKernel would set.
        let coreType = BLASRuntime.preferredCoreType()
        #expect(coreType == "SkylakeX" || coreType == "Haswell")
    }
}
