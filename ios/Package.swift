// swift-tools-version:5.9
// The Swift package of openim-sdk: module `OpenIMSDK` (generated bindings plus Swift adapters)
// over the FFI module `OpenIMSDKFFI` (the C header and the Rust library).
//
// This manifest links the library built by cargo (`scripts/test-swift.sh` copies the generated
// sources in and passes the library path); the Apple release packaging replaces
// `OpenIMSDKFFI` with a binary XCFramework target (see README, "Release builds").
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
            path: "Sources/OpenIMSDK",
            swiftSettings: [.unsafeFlags(["-swift-version", "5"])]
        ),
        .testTarget(
            name: "OpenIMSDKTests",
            dependencies: ["OpenIMSDK"],
            path: "Tests/OpenIMSDKTests",
            swiftSettings: [.unsafeFlags(["-swift-version", "5"])]
        ),
    ]
)
