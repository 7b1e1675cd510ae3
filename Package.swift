// swift-tools-version: 6.0
//
// DiffusionService: seven diffusion-model applications served on CPU behind a
// hand-written HTTP/1.1 server. The module graph follows the dependency
// direction: system shims → Tensor → Weights → Layers → (task modules) →
// Service → executables. `HTTP` is independent of everything numeric.

import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "DiffusionService",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "diffusion-server", targets: ["diffusion-server"]),
        .executable(name: "diffusion-cli", targets: ["diffusion-cli"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System-library shims: module maps only.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG"),

        // Numeric core.
        // Vectorised element-wise kernels (C, run-time dispatch on AVX-512/AVX2/baseline) used by Tensor.
        .target(name: "CTensorKernels", path: "Sources/CTensorKernels"),
        .target(name: "Tensor", dependencies: ["CBLAS", "CTensorKernels"], swiftSettings: strictSettings),
        .target(name: "Weights", dependencies: ["CCrypto"], swiftSettings: strictSettings),
        .target(name: "Layers", dependencies: ["Tensor", "Weights"], swiftSettings: strictSettings),
        // Tokenizers and text encoders.
        .target(name: "Text", dependencies: ["Tensor", "Weights", "Layers"], swiftSettings: strictSettings),
        // The Stable-Diffusion-family engine: schedulers, noise, UNet, VAE, pipelines.
        .target(name: "Diffusion", dependencies: ["Tensor", "Weights", "Layers", "Text"], swiftSettings: strictSettings),
        // AR-LDM story generation: multimodal history encoder, context assembly, autoregressive guided DDIM.
        .target(name: "Story", dependencies: ["Tensor", "Weights", "Layers", "Text", "Diffusion"],
                swiftSettings: strictSettings),

        // DiffusionDet object detection: ResNet-FPN backbone, dynamic head, DDIM box sampler.
        .target(
            name: "Detection",
            dependencies: ["Tensor", "CTensorKernels", "Weights", "Layers", "Diffusion", "ImageIO"],
            swiftSettings: strictSettings
        ),

        // PNG/JPEG codec for untrusted uploads and generated images. Knows nothing of tensors.
        .target(name: "ImageIO", dependencies: ["CPNG", "CTurboJPEG"], swiftSettings: strictSettings),

        // HTTP/1.1 server: sockets, parser, writer, router. Knows nothing of diffusion.
        .target(name: "HTTP", swiftSettings: strictSettings),

        // Service runtime: configuration, routes, compute pool, registry, metrics.
        .target(
            name: "Service",
            dependencies: [
                "HTTP", "Tensor", "Weights", "CBLAS", "Text", "Diffusion", "Detection", "Story", "ImageIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "diffusion-server",
            dependencies: [
                "Service", "Tensor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "diffusion-cli",
            dependencies: [
                "Service", "Tensor", "Weights", "Layers", "Text", "Diffusion", "Story", "Detection", "ImageIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        .testTarget(name: "TensorTests", dependencies: ["Tensor", "Weights"], swiftSettings: strictSettings),
        .testTarget(name: "WeightsTests", dependencies: ["Weights"], swiftSettings: strictSettings),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "Weights", "Tensor"], swiftSettings: strictSettings),
        .testTarget(name: "TextTests", dependencies: ["Text", "Tensor", "Weights"], swiftSettings: strictSettings),
        .testTarget(name: "DiffusionTests", dependencies: ["Diffusion", "Tensor", "Weights"], swiftSettings: strictSettings),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "Tensor", "Weights", "ImageIO", "Diffusion"],
                    swiftSettings: strictSettings),
        .testTarget(name: "StoryTests", dependencies: ["Story", "Diffusion", "Tensor", "Weights"],
                    swiftSettings: strictSettings),
        .testTarget(name: "ImageIOTests", dependencies: ["ImageIO"], swiftSettings: strictSettings),
        // Loopback-client helpers shared by the socket-level test suites.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strictSettings),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Service", "HTTP", "Weights", "TestSupport", "ImageIO", "Detection", "Story", "Tensor",
                // Built before the tests run: DiffusionServerTests spawn the real binary.
                "diffusion-server",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
