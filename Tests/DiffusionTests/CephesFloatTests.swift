import Foundation
import Testing
@testable import Diffusion

@Suite struct CephesFloatTests {
    @Test func logIsCloseToLibm() {
        for k in 1...2000 {
            let x = Float(k) / 2000
            #expect(abs(CephesFloat.log(x) - Foundation.log(x)) <= 4 * Float.ulpOfOne * max(1, abs(Foundation.log(x))))
        }
        #expect(CephesFloat.log(1) == 0)
    }

    @Test func sincosIsCloseToLibm() {
        for k in 0...2000 {
            let x = Float(k) / 2000 * 2 * Float.pi
            let (s, c) = CephesFloat.sincos(x)
            #expect(abs(s - Foundation.sin(x)) <= 1e-6)
            #expect(abs(c - Foundation.cos(x)) <= 1e-6)
        }
    }
}
