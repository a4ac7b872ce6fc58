// An app built with plain `swift build` against the distributable OpenIMSDK package (by path or
// by git URL), with the README's quick start (Readme.swift, extracted from README.md) compiled
// in. Run by scripts/test-swift-app.sh against a devserver child process; prints one line per check
// and "swift-app: N passed, M failed" last.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OpenIMSDK

nonisolated(unsafe) var passed = 0
nonisolated(unsafe) var failed = 0

func check(_ name: String, _ ok: Bool, _ detail: @autoclosure () -> String = "") {
    if ok { passed += 1 } else { failed += 1 }
    print(ok ? "ok: \(name)" : "FAILED: \(name) \(detail())")
}

/// The devserver child process and the two admin calls an app server would make.
final class Server {
    let process = Process()
    let api: String
    let ws: String

    init() throws {
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["OPENIM_DEVSERVER"]!)
        process.arguments = ["--api", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--log", "warn"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw NSError(domain: "devserver exited", code: 1) }
            line += chunk
        }
        let fields = String(decoding: line, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        func field(_ key: String) -> String { String(fields.first { $0.hasPrefix(key + "=") }!.dropFirst(key.count + 1)) }
        api = field("api")
        ws = field("ws")
    }

    func post(_ path: String, _ body: String, token: String? = nil) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: api + path)!)
        request.httpMethod = "POST"
        request.setValue("swift-app", forHTTPHeaderField: "operationID")
        if let token { request.setValue(token, forHTTPHeaderField: "token") }
        request.httpBody = Data(body.utf8)
        let (data, _) = try await URLSession.shared.data(for: request)
        let reply = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        guard reply["errCode"] as? Int == 0 else { throw NSError(domain: "\(path): \(reply)", code: 2) }
        return reply["data"] as? [String: Any] ?? [:]
    }

    func userToken(_ user: String, platform: Int) async throws -> String {
        let admin = try await post("/auth/get_admin_token", #"{"secret":"openIM123","userID":"imAdmin"}"#)["token"] as! String
        _ = try? await post("/user/user_register", #"{"users":[{"userID":"\#(user)","nickname":"\#(user)"}]}"#, token: admin)
        return try await post("/auth/get_user_token", #"{"userID":"\#(user)","platformID":\#(platform)}"#, token: admin)["token"] as! String
    }

    deinit { process.terminate() }
}

func tempDir() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-app-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.path
}

func text(_ event: MessageEvent) -> String? {
    if case .newMessage(let m) = event, case .text(let t) = m.content { return t }
    return nil
}

/// The first `n` texts of a stream, or what arrived before `seconds` passed.
func texts(_ stream: AsyncStream<MessageEvent>, _ n: Int, seconds: Double = 15) async -> [String] {
    await withTaskGroup(of: [String].self) { group in
        group.addTask {
            var got: [String] = []
            for await event in stream {
                if let t = text(event) { got.append(t) }
                if got.count == n { break }
            }
            return got
        }
        group.addTask {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))   // a deadline, not a synchronisation
            return []
        }
        let first = await group.next()!
        group.cancelAll()
        return first
    }
}

func scenario() async throws {
    let server = try Server()
    let bob = try OpenIMClient(config: OpenIMConfig(platform: 2, apiAddr: server.api, wsAddr: server.ws, dataDir: tempDir(), logLevel: .warn))
    try await bob.login(userId: "bob", token: try await server.userToken("bob", platform: 2))
    for await event in bob.connEvents() where event == .connectSuccess { break }
    check("login", bob.loginStatus() == .logged && bob.loginStatus().rawValue == 3)

    // Two streams, each with its own registration, both made before anything is sent.
    let first = bob.messageEvents()
    let second = bob.messageEvents()
    async let seenFirst = texts(first, 3)
    async let seenSecond = texts(second, 3)

    let aliceDir = tempDir()
    let aliceToken = try await server.userToken("alice", platform: 1)
    let history = try await quickStart(apiAddr: server.api, wsAddr: server.ws, dataDir: aliceDir, userId: "alice", token: aliceToken, peer: "bob")
    check("the README's quick start sends and reads back", history.compactMap { if case .text(let t) = $0.content { t } else { nil } } == ["hi"], "\(history)")

    let alice = try OpenIMClient(config: OpenIMConfig(platform: 1, apiAddr: server.api, wsAddr: server.ws, dataDir: aliceDir, logLevel: .warn))
    try await alice.login(userId: "alice", token: aliceToken)
    for t in ["two", "three"] { _ = try await alice.sendMessage(message: try alice.createTextMessage(text: t), recvId: "bob") }
    let (a, b) = await (seenFirst, seenSecond)
    check("stream 1 receives every message", a == ["hi", "two", "three"], "\(a)")
    check("stream 2 receives every message", b == ["hi", "two", "three"], "\(b)")
    let chat = try await bob.getOneConversation(sessionType: .single, sourceId: "alice")
    let page = try await bob.getAdvancedHistoryMessageList(conversationId: chat.conversationId, count: 2)
    check("default arguments and paging", page.messages.count == 2 && !page.isEnd)
    do {
        _ = try await alice.sendMessage(message: try alice.createTextMessage(text: "x"), recvId: "nobody-here")
        check("typed error", false, "sent to nobody")
    } catch let error as OpenIMError {
        check("typed error", error.code > 0, "\(error)")
    }
    // The README's photo send: made from a file, uploaded when sent.
    let photoPath = tempDir() + "/photo.jpg"
    try Data((0..<2048).map { UInt8($0 % 256) }).write(to: URL(fileURLWithPath: photoPath))
    // Bounded: a stuck upload fails the check instead of hanging the app.
    let sentPhoto = try await withThrowingTaskGroup(of: Message?.self) { group in
        group.addTask { try await sendPhoto(client: alice, path: photoPath, width: 64, height: 48, peer: "bob") }
        group.addTask {
            try await Task.sleep(nanoseconds: 15_000_000_000)   // a deadline, not a synchronisation
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        guard let first else { throw CancellationError() }
        return first
    }
    if case let .image(_, source?, _, _) = sentPhoto.content {
        check("the README's photo send uploads and sends", sentPhoto.status == .sendSuccess && !source.url.isEmpty, "\(sentPhoto)")
    } else {
        check("the README's photo send uploads and sends", false, "\(sentPhoto.content)")
    }
    // The README's cancellable upload: the task cancelled while it uploads (a file of three
    // parts), the call fails with Cancelled; uploaded again, it goes.
    let moviePath = tempDir() + "/movie.mp4"
    try Data((0..<(11 * 1024 * 1024)).map { UInt8(($0 * 31) % 251) }).write(to: URL(fileURLWithPath: moviePath))
    let cancelled: Error? = await withTaskGroup(of: Error?.self) { group in
        group.addTask {
            do { _ = try await upload(client: alice, path: moviePath); return nil } catch { return error }
        }
        group.cancelAll()
        return await group.next() ?? nil
    }
    if case .Cancelled(let code, _)? = cancelled as? OpenIMError {
        check("the README's upload stops when its task is cancelled", code == 10003)
    } else {
        check("the README's upload stops when its task is cancelled", false, "\(String(describing: cancelled))")
    }
    let movieUrl = try await upload(client: alice, path: moviePath)
    check("uploaded again, it goes", movieUrl.hasSuffix("/movie.mp4"), movieUrl)
    // Search results opened by ID across chats, and a support flow: the app's log file sent to
    // its managers (ex and progress left to their defaults).
    let withBob = try await alice.getOneConversation(sessionType: .single, sourceId: "bob").conversationId
    let found = try await alice.findMessageListInConversations(conversations: [ConversationArgs(conversationId: withBob, clientMsgIds: [sentPhoto.clientMsgId])])
    check("messages found by ID across chats", found.totalCount == 1 && found.items.first?.messages.first?.clientMsgId == sentPhoto.clientMsgId, "\(found)")
    let logPath = tempDir() + "/app.log"
    try Data("login ok\n".utf8).write(to: URL(fileURLWithPath: logPath))
    try await alice.uploadLogs(filePaths: [logPath])
    let admin = try await server.post("/auth/get_admin_token", #"{"secret":"openIM123","userID":"imAdmin"}"#)["token"] as! String
    let logs = try await server.post("/third/logs/search", #"{"keyword":"alice","pagination":{"pageNumber":1,"showNumber":10}}"#, token: admin)
    let files = (logs["logsInfos"] as? [[String: Any]] ?? []).compactMap { $0["filename"] as? String }
    check("the app's log reaches its managers", files == [logPath], "\(logs)")
    try await alice.logout()
    try await bob.logout()
}

do {
    try await scenario()
} catch {
    print("error: \(error)")
    failed += 1
}
print("app: \(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
