// The single-precision Cephes approximations (S. L. Moshier, "Cephes Math Library") in the form
// PyTorch vectorises them in `aten/src/ATen/native/cpu/avx_mathfun.h` (after J. Pommier's
// sse_mathfun), one lane at a time, with the fused multiply-adds the shipped x86-64 build contracts.
// Own implementation; only the published constants and the operation order are shared.

/// Single-precision `log` and `sincos` that round exactly like PyTorch's AVX2 `log256_ps` and
/// `sincos256_ps`. Only `TorchGenerator` needs them: libm's `logf`/`sinf`/`cosf` differ in the last bit.
enum CephesFloat {
    /// Natural logarithm for positive normal inputs (the Box–Muller radius only sees (0, 1]).
    @inline(__always)
    static func log(_ input: Float) -> Float {
        let minimumNormal = Float(bitPattern: 0x0080_0000)
        var x = max(input, minimumNormal)
        let exponentBits = Int32(bitPattern: x.bitPattern >> 23) - 0x7F
        x = Float(bitPattern: (x.bitPattern & ~UInt32(0x7F80_0000)) | Float(0.5).bitPattern)
        var e = Float(exponentBits) + 1
        let belowHalfRoot2 = x < 0.707106781186547524
        let extra: Float = belowHalfRoot2 ? x : 0
        x -= 1
        if belowHalfRoot2 { e -= 1 }
        x += extra

        let z = x * x
        var y: Float = 7.0376836292e-2
        y = (-1.1514610310e-1 as Float).addingProduct(y, x)
        y = (1.1676998740e-1 as Float).addingProduct(y, x)
        y = (-1.2420140846e-1 as Float).addingProduct(y, x)
        y = (1.4249322787e-1 as Float).addingProduct(y, x)
        y = (-1.6668057665e-1 as Float).addingProduct(y, x)
        y = (2.0000714765e-1 as Float).addingProduct(y, x)
        y = (-2.4999993993e-1 as Float).addingProduct(y, x)
        y = (3.3333331174e-1 as Float).addingProduct(y, x)
        y *= x
        y = (e * -2.12194440e-4).addingProduct(y, z)
        y = y.addingProduct(z, -0.5)
        x += y
        return x.addingProduct(e, 0.693359375)
    }

    /// Sine and cosine of one argument, with Cody–Waite reduction by π/4 in three parts.
    @inline(__always)
    static func sincos(_ input: Float) -> (sin: Float, cos: Float) {
        var signSine = input.bitPattern & 0x8000_0000
        var x = Float(bitPattern: input.bitPattern & 0x7FFF_FFFF)
        var octant = Int32(x * 1.27323954473516)  // truncation toward zero, like cvttps
        octant = (octant &+ 1) & ~1
        let y = Float(octant)
        let swapSign = UInt32(bitPattern: octant & 4) << 29
        let usesSinePolynomial = (octant & 2) == 0
        signSine ^= swapSign
        let signCosine = UInt32(bitPattern: ~(octant &- 2) & 4) << 29

        x = x.addingProduct(y, -0.78515625)
        x = x.addingProduct(y, -2.4187564849853515625e-4)
        x = x.addingProduct(y, -3.77489497744594108e-8)

        let z = x * x
        var cosine: Float = (-1.388731625493765e-3 as Float).addingProduct(2.443315711809948e-5, z)
        cosine = (4.166664568298827e-2 as Float).addingProduct(cosine, z)
        cosine *= z
        cosine = (-(z * 0.5)).addingProduct(cosine, z)
        cosine += 1

        var sine: Float = (8.3321608736e-3 as Float).addingProduct(-1.9515295891e-4, z)
        sine = (-1.6666654611e-1 as Float).addingProduct(sine, z)
        sine *= z
        sine = x.addingProduct(sine, x)

        let sinValue = usesSinePolynomial ? sine : cosine
        let cosValue = usesSinePolynomial ? cosine : sine
        return (Float(bitPattern: sinValue.bitPattern ^ signSine),
                Float(bitPattern: cosValue.bitPattern ^ signCosine))
    }
}
