import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

@testable import OpenIMSDK

/// An `openim-devserver` child process (path from `OPENIM_DEVSERVER`), plus its admin API.
final class DevServer {
    let process: Process
    let apiURL: String
    let wsURL: String
    private var adminToken = ""

    /// Starts the server; `api`/`ws` default to free ports, `data` keeps state in a file.
    init(api: String = "127.0.0.1:0", ws: String = "127.0.0.1:0", data: String? = nil, extraArgs: [String] = []) throws {
        guard let bin = ProcessInfo.processInfo.environment["OPENIM_DEVSERVER"] else {
            throw XCTSkip("OPENIM_DEVSERVER is not set")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        var args = ["--api", api, "--ws", ws, "--log", "warn"]
        if let data { args += ["--data", data] }
        args += extraArgs
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw NSError(domain: "devserver", code: 1, userInfo: [NSLocalizedDescriptionKey: "devserver exited"]) }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        func field(_ key: String) -> String {
            let part = text.split(separator: " ").first { $0.hasPrefix(key + "=") } ?? ""
            return String(part.dropFirst(key.count + 1)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        apiURL = field("api")
        wsURL = field("ws")
    }

    /// "127.0.0.1:PORT" of each listener, to restart on the same ports.
    var apiAddr: String { String(apiURL.dropFirst("http://".count)) }
    var wsAddr: String { String(wsURL.dropFirst("ws://".count)) }

    /// Asks the server to shut down (SIGTERM). `Process.waitUntilExit` spins a run loop that
    /// never turns inside Swift concurrency on Linux, so waiting is a bounded poll instead.
    func stop() {
        if process.isRunning {
            process.terminate()
        }
    }

    /// Stops the server and waits (up to 10 s) until it has exited and released its ports.
    func stopAndWait() async {
        stop()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    deinit { stop() }

    func config(dataDir: String, platform: Int32 = 2) -> OpenIMConfig {
        OpenIMConfig(platform: platform, apiAddr: apiURL, wsAddr: wsURL, dataDir: dataDir, logLevel: .warn)
    }

    private func post(_ path: String, _ body: [String: Any], token: String?) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: apiURL + path)!)
        request.httpMethod = "POST"
        request.setValue("swift-\(UUID().uuidString)", forHTTPHeaderField: "operationID")
        if let token { request.setValue(token, forHTTPHeaderField: "token") }
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, _) = try await URLSession.shared.data(for: request)
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let code = (json["errCode"] as? NSNumber)?.intValue ?? -1
        guard code == 0 else {
            throw NSError(domain: "admin", code: code, userInfo: [NSLocalizedDescriptionKey: "\(path): \(json)"])
        }
        return json["data"] as? [String: Any] ?? [:]
    }

    private func admin() async throws -> String {
        if adminToken.isEmpty {
            let data = try await post("/auth/get_admin_token", ["secret": "openIM123", "userID": "imAdmin"], token: nil)
            adminToken = data["token"] as! String
        }
        return adminToken
    }

    func register(_ userID: String) async throws {
        _ = try await post("/user/user_register", ["users": [["userID": userID, "nickname": userID + " nick"]]], token: try await admin())
    }

    /// A custom business notification (2001) from the app's server.
    func sendBusinessNotification(from sendUserID: String, key: String, data: String, toUser: String = "", toGroup: String = "") async throws {
        let body: [String: Any] = ["sendUserID": sendUserID, "recvUserID": toUser, "recvGroupID": toGroup, "key": key, "data": data]
        _ = try await post("/msg/send_business_notification", body, token: try await admin())
    }

    /// A notification account (`appMangerLevel` 3) made by the app's manager.
    func addNotificationAccount(_ userID: String, nickname: String, faceURL: String) async throws {
        let body: [String: Any] = ["userID": userID, "nickName": nickname, "faceURL": faceURL, "appMangerLevel": 3]
        _ = try await post("/user/add_notification_account", body, token: try await admin())
    }

    /// An OA notification (1400) from the account `accountID` to `userID`, with a picture, as the
    /// app's server sends it (`/msg/send_msg`).
    func sendOANotification(from accountID: String, to userID: String, text: String) async throws {
        let content: [String: Any] = [
            "notificationName": "Ops", "notificationType": 2, "text": text, "url": "http://ops/notes", "mixType": 1,
            "pictureElem": [
                "sourcePicture": ["type": "image/png", "url": "http://ops/p.png", "width": 64, "height": 32],
                "bigPicture": ["type": "image/png", "url": "http://ops/p.png", "width": 64, "height": 32],
                "snapshotPicture": ["type": "image/png", "url": "http://ops/s.png", "width": 16, "height": 8],
            ], "ex": "x",
        ]
        let body: [String: Any] = ["sendID": accountID, "recvID": userID, "senderPlatformID": 1, "contentType": 1400, "sessionType": 4, "content": content]
        _ = try await post("/msg/send_msg", body, token: try await admin())
    }

    /// `userID`'s read mark and max seq of `conversationID`, as the app's manager reads them.
    func hasReadAndMaxSeq(_ userID: String, _ conversationID: String) async throws -> (hasRead: Int, max: Int) {
        let data = try await post("/msg/get_conversations_has_read_and_max_seq", ["userID": userID, "conversationIDs": [conversationID]], token: try await admin())
        let seqs = (data["seqs"] as? [String: Any])?[conversationID] as? [String: Any] ?? [:]
        return ((seqs["hasReadSeq"] as? NSNumber)?.intValue ?? -1, (seqs["maxSeq"] as? NSNumber)?.intValue ?? -1)
    }

    /// Client settings for `userID` (everyone's for ""), as the app's manager sets them.
    func setClientConfig(_ userID: String, _ key: String, _ value: String) async throws {
        _ = try await post("/user/set_user_client_config", ["userID": userID, "configs": [key: value]], token: try await admin())
    }

    /// The uploaded logs of users whose ID contains `keyword`, as the app's manager finds them.
    func searchLogs(_ keyword: String) async throws -> [String: Any] {
        try await post("/third/logs/search", ["keyword": keyword, "pagination": ["pageNumber": 1, "showNumber": 10]], token: try await admin())
    }

    /// Logs `userID` out on `platform` as the app's manager does (`/auth/force_logout`).
    func forceLogout(_ userID: String, platform: Int = 2) async throws {
        _ = try await post("/auth/force_logout", ["userID": userID, "platformID": platform], token: try await admin())
    }

    func token(_ userID: String, platform: Int = 2) async throws -> String {
        let data = try await post("/auth/get_user_token", ["userID": userID, "platformID": platform], token: try await admin())
        return data["token"] as! String
    }
}

/// Thread-safe record of connection events with bounded waits.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ConnEvent] = []

    func append(_ e: ConnEvent) {
        lock.lock(); items.append(e); lock.unlock()
    }

    var events: [ConnEvent] {
        lock.lock(); defer { lock.unlock() }
        return items
    }

    func count(_ matches: (ConnEvent) -> Bool) -> Int { events.filter(matches).count }

    /// Waits up to `timeout` seconds until `matches` has been seen `n` times.
    @discardableResult
    func wait(for n: Int = 1, timeout: Double = 15, _ what: String, _ matches: (ConnEvent) -> Bool,
              file: StaticString = #filePath, line: UInt = #line) async -> [ConnEvent] {
        let deadline = Date().addingTimeInterval(timeout)
        while count(matches) < n {
            if Date() > deadline {
                XCTFail("timed out waiting for \(what); events: \(events)", file: file, line: line)
                break
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return events
    }
}

/// Subscribes `log` to `client`'s connection events through the `AsyncStream` adapter.
func record(_ client: OpenIMClient) -> EventLog {
    let stream = ConnEventStream()
    client.setConnListener(listener: stream)
    let log = EventLog()
    Task { for await e in stream.events { log.append(e) } }
    return log
}

extension DevServer {
    /// A client of `userID` (registered already) on `platform`, logged in and connected, with the
    /// log of its connection events.
    func connected(_ userID: String, platform: Int32 = 2) async throws -> (OpenIMClient, EventLog) {
        let client = try OpenIMClient(config: config(dataDir: tempDir(), platform: platform))
        let log = record(client)
        try await client.login(userId: userID, token: try await token(userID, platform: Int(platform)))
        await log.wait("\(userID) connected", isSuccess)
        return (client, log)
    }
}

func tempDir() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("openim-swift-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.path
}

func isConnecting(_ e: ConnEvent) -> Bool { e == .connecting }
func isSuccess(_ e: ConnEvent) -> Bool { e == .connectSuccess }
func isKicked(_ e: ConnEvent) -> Bool { e == .kickedOffline }
func isTokenInvalid(_ e: ConnEvent) -> Bool { if case .userTokenInvalid = e { return true }; return false }

/// The OpenIM error code `body` fails with (nil when it succeeds, -1 for another error).
func code(_ body: () async throws -> Void) async -> Int32? {
    do {
        try await body()
        return nil
    } catch let error as OpenIMError {
        return error.code
    } catch {
        return -1
    }
}
