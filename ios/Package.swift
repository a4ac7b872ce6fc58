// swift-tools-version:5.9
// The Swift package of openim-sdk: module `OpenIMSDK` (generated bindings plus Swift adapters)
// over the FFI module `OpenIMSDKFFI` (the C header and the Rust library).
//
// The development package: the XCTest suite runs from here against the library cargo built
// (`scripts/test-swift.sh` passes its path). The generated sources are symlinks to
// bindings/swift (what `scripts/gen-bindings.sh` writes). Apps depend on the distributable package that
// `scripts/build-swift-package.sh` builds instead (see README, "Add it to your app").
import PackageDescription

let package = Package(
    name: "OpenIMSDK",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "OpenIMSDK", targets: ["OpenIMSDK"]),
    ],
    targets: [
        .systemLibrary(name: "OpenIMSDKFFI", path: "Sources/OpenIMSDKFFI"),
        .target(
            name: "OpenIMSDK",
            dependencies: ["OpenIMSDKFFI"],
            path: "Sources/OpenIMSDK"
        ),
        .testTarget(
            name: "OpenIMSDKTests",
            dependencies: ["OpenIMSDK"],
            path: "Tests/OpenIMSDKTests"
        ),
    ]
)
