import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

@testable import OpenIMSDK

/// Thread-safe log of message and conversation events with bounded waits.
final class Recorder<E: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [E] = []

    func append(_ e: E) { lock.lock(); items.append(e); lock.unlock() }

    var events: [E] {
        lock.lock(); defer { lock.unlock() }
        return items
    }

    /// Waits up to 15 s until `n` events match.
    func wait(count n: Int, _ what: String, file: StaticString = #filePath, line: UInt = #line, _ matches: (E) -> Bool) async throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if events.filter(matches).count >= n { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("timed out waiting for \(what); events: \(events)", file: file, line: line)
        throw CancellationError()
    }

    /// Waits up to 15 s for an event `pick` accepts, among those after the first `after`.
    func wait<T>(_ what: String, after skipped: Int = 0, file: StaticString = #filePath, line: UInt = #line, _ pick: (E) -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let found = events.dropFirst(skipped).lazy.compactMap(pick).first { return found }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("timed out waiting for \(what); events: \(events)", file: file, line: line)
        throw CancellationError()
    }
}

extension Recorder where E == ConversationEvent {
    /// Waits for a new or changed conversation `matches` accepts, among the events after the
    /// first `after`.
    func conversation(_ what: String, after skipped: Int = 0, file: StaticString = #filePath, line: UInt = #line,
                      _ matches: @escaping (Conversation) -> Bool) async throws -> Conversation {
        try await wait(what, after: skipped, file: file, line: line) { e -> Conversation? in
            switch e {
            case let .newConversations(list), let .changed(list):
                return list.first(where: matches)
            default:
                return nil
            }
        }
    }
}

/// A logged-in user with its event streams recorded.
final class OnlineUser {
    let client: OpenIMClient
    let dataDir = tempDir()
    let messages = Recorder<MessageEvent>()
    let conversations = Recorder<ConversationEvent>()

    init(_ server: DevServer, _ userId: String, platform: Int32 = 2, register: Bool = true) async throws {
        if register { try await server.register(userId) }
        client = try OpenIMClient(config: server.config(dataDir: dataDir, platform: platform))
        let msgStream = MessageEventStream()
        let convStream = ConversationEventStream()
        client.setAdvancedMsgListener(listener: msgStream)
        client.setConversationListener(listener: convStream)
        let (messages, conversations) = (messages, conversations)
        Task { for await e in msgStream.events { messages.append(e) } }
        Task { for await e in convStream.events { conversations.append(e) } }
        try await client.login(userId: userId, token: try await server.token(userId, platform: Int(platform)))
        _ = try await conversations.wait("sync finish") { e -> Bool? in
            if case .syncFinish = e { return true }
            return nil
        }
    }

    func send(_ text: String, to: String) async throws -> Message {
        try await client.sendMessage(message: try client.createTextMessage(text: text), recvId: to, groupId: nil,
                                     offlinePushInfo: nil, isOnlineOnly: false)
    }

    func awaitText(_ text: String) async throws -> Message {
        try await messages.wait("message \(text)") { e -> Message? in
            if case let .newMessage(m) = e, case let .text(t) = m.content, t == text { return m }
            return nil
        }
    }
}

/// Every progress call of an upload, as [uploaded, total].
final class Progress: UploadProgressListener, @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [[Int64]] = []
    var seen: [[Int64]] { lock.lock(); defer { lock.unlock() }; return calls }
    func onProgress(uploaded: Int64, total: Int64) { lock.lock(); calls.append([uploaded, total]); lock.unlock() }
}

func singleConversation(_ a: String, _ b: String) -> String { a < b ? "si_\(a)_\(b)" : "si_\(b)_\(a)" }

/// devserver's upload part size (5 MiB), and the size of a file of three such parts.
let devServerPart: Int64 = 5 * 1024 * 1024
let threePartsSize = 11 * 1024 * 1024

/// Writes `name` in `dir`: three of devserver's parts, the content varied by `salt`.
func writeThreeParts(_ dir: String, _ name: String, _ salt: Int) throws -> (String, Data) {
    let path = dir + "/" + name
    let bytes = Data((0..<threePartsSize).map { UInt8(($0 * 31 + salt) % 251) })
    try bytes.write(to: URL(fileURLWithPath: path))
    return (path, bytes)
}

final class MessagingTests: XCTestCase {
    func testSendAndReceiveThroughTheListener() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let sent = try await alice.send("hello from swift", to: "bob")
        XCTAssertEqual(sent.status, .sendSuccess)
        XCTAssertEqual(sent.seq, 1)
        let got = try await bob.awaitText("hello from swift")
        XCTAssertEqual(got.clientMsgId, sent.clientMsgId)
        XCTAssertEqual(got.sendId, "alice")
        let reply = try await bob.send("hi swift", to: "alice")
        XCTAssertEqual(reply.seq, 2)
        _ = try await alice.awaitText("hi swift")
    }

    /// A send made right after `login`, before `onConnectSuccess`, waits for the connection
    /// (as OpenIM's core queues it) instead of failing with 10000.
    func testASendRightAfterLoginWaitsForTheConnection() async throws {
        let server = try DevServer()
        let bob = try await OnlineUser(server, "bob")
        try await server.register("alice")
        let alice = try OpenIMClient(config: server.config(dataDir: tempDir()))
        try await alice.login(userId: "alice", token: try await server.token("alice"))
        let sent = try await alice.sendMessage(message: try alice.createTextMessage(text: "straight after login"), recvId: "bob")
        XCTAssertEqual(sent.status, .sendSuccess)
        XCTAssertEqual(sent.seq, 1)
        _ = try await bob.awaitText("straight after login")
        try await alice.logout()
    }

    func testHistoryConversationListAndUnread() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        for i in 1...3 { _ = try await alice.send("m\(i)", to: "bob") }
        _ = try await bob.awaitText("m3")
        let list = try await bob.client.getAllConversationList()
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual(list[0].conversationId, singleConversation("alice", "bob"))
        XCTAssertEqual(list[0].unreadCount, 3)
        XCTAssertEqual(list[0].showName, "alice nick")
        let total = try await bob.client.getTotalUnreadMsgCount()
        XCTAssertEqual(total, 3)
        let page = try await bob.client.getAdvancedHistoryMessageList(conversationId: list[0].conversationId,
                                                                      startClientMsgId: nil, count: 10)
        XCTAssertEqual(page.messages.map { m -> String in
            if case let .text(t) = m.content { return t }
            return "?"
        }, ["m1", "m2", "m3"])
        XCTAssertTrue(page.isEnd)
        // A conversation not stored here (a group chat before its first message): nothing, at its end.
        let unknown = try await bob.client.getAdvancedHistoryMessageList(conversationId: "sg_nothing_yet", startClientMsgId: nil, count: 20)
        XCTAssertTrue(unknown.messages.isEmpty && unknown.isEnd)
        // Alice's second device, first login: her own messages are pulled, sent, never unread.
        let tablet = try await OnlineUser(server, "alice", platform: 1, register: false)
        let own = try await tablet.client.getAdvancedHistoryMessageList(conversationId: list[0].conversationId,
                                                                         startClientMsgId: nil, count: 10).messages
        XCTAssertEqual(own.map { m -> String in
            if case let .text(t) = m.content { return t }
            return "?"
        }, ["m1", "m2", "m3"])
        XCTAssertTrue(own.allSatisfy { $0.status == .sendSuccess && $0.sendId == "alice" }, "\(own)")
        let chats = try await tablet.client.getAllConversationList()
        XCTAssertEqual(chats.map { $0.unreadCount }, [0])
        XCTAssertEqual(chats[0].latestMsg?.clientMsgId, own.last?.clientMsgId)
    }

    /// The recipient's receive options, as OpenIM's server applies them: "receive nothing" in the
    /// chat (1) or globally refuses the message with 1001 and nothing arrives; "receive without
    /// notification" (2) delivers it (Rust:
    /// `the_recipients_receive_options_decide_whether_a_message_is_sent`).
    func testTheRecipientsReceiveOptionsDecideWhetherAMessageIsSent() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        _ = try await alice.send("hello", to: "bob")
        _ = try await bob.awaitText("hello")
        let chat = "si_alice_bob"
        _ = try await bob.client.setConversation(conversationId: chat, update: ConversationUpdate(recvMsgOpt: 1))
        var refused = await code { _ = try await alice.send("muted chat", to: "bob") }
        XCTAssertEqual(refused, 1001)
        _ = try await bob.client.setConversation(conversationId: chat, update: ConversationUpdate(recvMsgOpt: 2))
        _ = try await alice.send("quiet chat", to: "bob")
        _ = try await bob.client.setConversation(conversationId: chat, update: ConversationUpdate(recvMsgOpt: 0))
        try await bob.client.setGlobalRecvMessageOpt(opt: 1)
        refused = await code { _ = try await alice.send("nothing at all", to: "bob") }
        XCTAssertEqual(refused, 1001)
        try await bob.client.setGlobalRecvMessageOpt(opt: 0)
        _ = try await alice.send("back", to: "bob")
        _ = try await bob.awaitText("back")
        let page = try await bob.client.getAdvancedHistoryMessageList(conversationId: chat, startClientMsgId: nil, count: 10)
        XCTAssertEqual(page.messages.map { m -> String in
            if case let .text(t) = m.content { return t }
            return "?"
        }, ["hello", "quiet chat", "back"])
    }

    /// History pages backwards across messages missed while logged out (the server fills the
    /// hole), then forwards from the oldest; a start message in a conversation not stored here is
    /// refused (Rust: `history_pages_across_a_hole`).
    func testHistoryPagesAcrossAHole() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        for i in 1...10 { _ = try await alice.send("h\(i)", to: "bob") }
        _ = try await bob.awaitText("h10")
        let unknown = await code {
            _ = try await bob.client.getAdvancedHistoryMessageList(conversationId: "sg_nothing_yet", startClientMsgId: "x", count: 20)
        }
        XCTAssertEqual(unknown, 10002)
        try await bob.client.logout()
        for i in 11...50 { _ = try await alice.send("h\(i)", to: "bob") }
        try await bob.client.login(userId: "bob", token: try await server.token("bob"))
        try await bob.conversations.wait(count: 2, "the second sync") { e in
            if case .syncFinish = e { return true }
            return false
        }
        let chat = "si_alice_bob"
        var pages: [[Int64]] = []
        var start: String? = nil
        while true {
            let page = try await bob.client.getAdvancedHistoryMessageList(conversationId: chat, startClientMsgId: start, count: 20)
            pages.append(page.messages.map(\.seq))
            if page.isEnd { break }
            start = page.messages.first?.clientMsgId
        }
        XCTAssertEqual(pages, [Array(31...50), Array(11...30), Array(1...10)])
        let oldest = try await bob.client.getAdvancedHistoryMessageList(conversationId: chat, startClientMsgId: nil, count: 50).messages[0]
        let newer = try await bob.client.getAdvancedHistoryMessageListReverse(conversationId: chat, startClientMsgId: oldest.clientMsgId, count: 20)
        XCTAssertEqual(newer.messages.map(\.seq), Array(2...21))
        XCTAssertFalse(newer.isEnd)
    }

    /// Online-only messages (`isOnlineOnly`) reach an online recipient through
    /// `onRecvOnlineOnlyMessage` and are stored nowhere: no seq, no conversation on either side
    /// (Rust: `typing_and_online_only_messages_are_not_stored`).
    func testOnlineOnlyMessagesAreNotStored() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let sent = try await alice.client.sendMessage(message: try alice.client.createTextMessage(text: "ephemeral"), recvId: "bob",
                                                      groupId: nil, offlinePushInfo: nil, isOnlineOnly: true)
        XCTAssertEqual(sent.seq, 0)
        XCTAssertEqual(sent.status, .sendSuccess)
        let got = try await bob.messages.wait("the online-only message") { e -> String? in
            if case let .onlineOnlyMessage(m) = e, case let .text(t) = m.content { return t }
            return nil
        }
        XCTAssertEqual(got, "ephemeral")
        let bobs = try await bob.client.getAllConversationList()
        XCTAssertTrue(bobs.isEmpty, "nothing stored, no conversation")
        let alices = try await alice.client.getAllConversationList()
        XCTAssertTrue(alices.isEmpty)
    }

    /// Messages sent while the recipient was never logged in arrive with its first sync: the chat
    /// with its unread count and latest message at once, the rest of the history from the server
    /// when asked (Rust: `an_offline_recipient_gets_everything_at_next_login`).
    func testAnOfflineRecipientGetsEverythingAtNextLogin() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        try await server.register("bob")
        let texts = (1...5).map { "while you were away \($0)" }
        for text in texts { _ = try await alice.send(text, to: "bob") }
        let bob = try await OnlineUser(server, "bob", register: false)
        let list = try await bob.client.getAllConversationList()
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual(list.first?.unreadCount, 5)
        guard case let .text(latest)? = list.first?.latestMsg?.content else { return XCTFail("\(list)") }
        XCTAssertEqual(latest, texts.last)
        let total = try await bob.client.getTotalUnreadMsgCount()
        XCTAssertEqual(total, 5)
        let page = try await bob.client.getAdvancedHistoryMessageList(conversationId: list[0].conversationId, startClientMsgId: nil, count: 20)
        XCTAssertEqual(page.messages.map { m -> String in
            if case let .text(t) = m.content { return t }
            return "?"
        }, texts)
        XCTAssertTrue(page.isEnd)
    }

    /// Custom business notifications from the app's server reach the listener, to a user and to
    /// a group, in order; they are not messages; a cancelled handle hears nothing more.
    func testCustomBusinessNotificationsReachTheListener() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let heard = Recorder<BusinessNotification>()
        let stream = BusinessNotificationStream()
        let handle = bob.client.addCustomBusinessListener(listener: stream)
        let reader = Task { for await n in stream.events { heard.append(n) } }
        defer { reader.cancel() }
        let g = try await alice.client.createGroup(params: CreateGroupParams(groupName: "Biz", memberUserIds: ["bob"]))
        try await server.sendBusinessNotification(from: "alice", key: "order.paid", data: "{\"id\":7}", toUser: "bob")
        try await server.sendBusinessNotification(from: "alice", key: "group.event", data: "8", toGroup: g.groupId)
        _ = try await heard.wait("two notifications") { _ in heard.events.count >= 2 ? true : nil }
        XCTAssertEqual(heard.events, [BusinessNotification(key: "order.paid", data: "{\"id\":7}"),
                                      BusinessNotification(key: "group.event", data: "8")])
        let chats = try await bob.client.getAllConversationList()
        XCTAssertFalse(chats.contains { $0.conversationId == singleConversation("alice", "bob") })
        handle.cancel()
        try await server.sendBusinessNotification(from: "alice", key: "after", data: "9", toUser: "bob")
        _ = try await alice.send("after the notification", to: "bob")
        _ = try await bob.awaitText("after the notification")
        XCTAssertEqual(heard.events.count, 2)
    }

    /// Marking every conversation read at once (receipts to the senders), deleting a conversation
    /// with its messages (off the list until its next message), conversation IDs without the
    /// network, and the push settings with their argument checks.
    func testMarkEverythingReadDeleteAConversationAndPushSettings() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let carol = try await OnlineUser(server, "carol")
        let bob = try await OnlineUser(server, "bob")
        let withAlice = try bob.client.getConversationIdBySessionType(sessionType: .single, sourceId: "alice")
        XCTAssertEqual(withAlice, singleConversation("alice", "bob"))
        XCTAssertEqual(try bob.client.getConversationIdBySessionType(sessionType: .group, sourceId: "g1"), "sg_g1")
        let a1 = try await alice.send("a1", to: "bob")
        let c1 = try await carol.send("c1", to: "bob")
        let a1b = try await alice.send("a1b", to: "bob")
        _ = try await bob.awaitText("a1b")
        _ = try await bob.awaitText("c1")
        let unread = try await bob.client.getTotalUnreadMsgCount()
        XCTAssertEqual(unread, 3)
        let withCarol = singleConversation("bob", "carol")
        let found = try await bob.client.searchConversation(keyword: "carol").map { $0.conversationId }
        XCTAssertEqual(found, [withCarol])
        let upper = try await bob.client.searchConversation(keyword: "CAROL")
        XCTAssertEqual(upper.count, 1, "letters in either case")
        let wildcard = try await bob.client.searchConversation(keyword: "%")
        XCTAssertTrue(wildcard.isEmpty, "LIKE's wildcards are plain characters")
        let emptyKeyword = await code { _ = try await bob.client.searchConversation(keyword: "") }
        XCTAssertEqual(emptyKeyword, 10002)
        XCTAssertThrowsError(try bob.client.getConversationIdBySessionType(sessionType: .single, sourceId: "")) { error in
            XCTAssertEqual((error as? OpenIMError)?.code, 10002)
        }
        let nothing = try await bob.client.findMessageListInConversations(conversations: [])
        XCTAssertTrue(nothing.items.isEmpty)
        let byId = try await bob.client.findMessageList(conversationId: withAlice, clientMsgIds: ["unknown", a1.clientMsgId])
        XCTAssertEqual(byId.map { $0.clientMsgId }, [a1.clientMsgId])
        // Across conversations (OpenIM's shape): an item per stored conversation in the order
        // asked, newest first, a conversation named twice looked up once, unknown ones left out.
        let across = try await bob.client.findMessageListInConversations(conversations: [
            ConversationArgs(conversationId: withCarol, clientMsgIds: [c1.clientMsgId, "unknown"]),
            ConversationArgs(conversationId: "si_bob_nobody", clientMsgIds: ["x"]),
            ConversationArgs(conversationId: withAlice, clientMsgIds: [a1.clientMsgId]),
            ConversationArgs(conversationId: withAlice, clientMsgIds: [a1b.clientMsgId]),
        ])
        XCTAssertEqual(across.totalCount, 3)
        XCTAssertEqual(across.items.map { $0.conversationId }, [withCarol, withAlice])
        XCTAssertEqual(across.items.map { $0.messageCount }, [1, 2])
        XCTAssertEqual(across.items[1].messages.map { $0.clientMsgId }, [a1b.clientMsgId, a1.clientMsgId])
        let carolChat = try await bob.client.getOneConversation(sessionType: .single, sourceId: "carol")
        XCTAssertEqual(across.items[0].showName, carolChat.showName)
        do {
            _ = try await bob.client.findMessageListInConversations(conversations: [ConversationArgs(conversationId: "", clientMsgIds: ["x"])])
            XCTFail("an empty conversation ID was taken")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }

        try await bob.client.markAllConversationMessageAsRead()
        let unreadAfter = try await bob.client.getTotalUnreadMsgCount()
        XCTAssertEqual(unreadAfter, 0)
        for sender in [alice, carol] {
            _ = try await sender.messages.wait("the receipt") { e -> Bool? in
                if case .readReceipts = e { return true }
                return nil
            }
        }

        try await bob.client.deleteConversationAndDeleteAllMsg(conversationId: withAlice)
        let listedIds = try await bob.client.getAllConversationList().map { $0.conversationId }
        XCTAssertEqual(listedIds, [singleConversation("bob", "carol")])
        let emptied = try await bob.client.getAdvancedHistoryMessageList(conversationId: withAlice, startClientMsgId: nil, count: 10)
        XCTAssertTrue(emptied.messages.isEmpty)
        _ = try await alice.send("a2", to: "bob")
        _ = try await bob.awaitText("a2")
        let again = try await bob.client.getAdvancedHistoryMessageList(conversationId: withAlice, startClientMsgId: nil, count: 10)
        XCTAssertEqual(again.messages.map { m -> String in
            if case let .text(t) = m.content { return t }
            return "?"
        }, ["a2"])

        try await bob.client.updateFcmToken(token: "fcm-token", expireTimeSecs: 3600)
        let emptyToken = await code { try await bob.client.updateFcmToken(token: "", expireTimeSecs: 3600) }
        XCTAssertEqual(emptyToken, 10002)
        try await bob.client.setAppBadge(appUnreadCount: 4)
        do {
            try await bob.client.setAppBadge(appUnreadCount: -1)
            XCTFail("a negative badge was accepted")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
    }

    /// OpenIM's `UploadLogs` for log files the app kept: each is uploaded (progress over all of
    /// them) and recorded for the app's managers with the caller's `ex`; a missing file records
    /// nothing; with `line`, only the newest file's last lines go.
    func testLogsUploadForTheAppsManagers() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let dir = tempDir()
        let (first, second) = (dir + "/app.log", dir + "/app.1.log")
        let firstText = String(repeating: "login failed: 1501\n", count: 100), secondText = "older lines\n"
        try firstText.write(toFile: first, atomically: true, encoding: .utf8)
        try secondText.write(toFile: second, atomically: true, encoding: .utf8)
        do {
            try await alice.client.uploadLogs(filePaths: [first, dir + "/nope"], ex: "", progress: nil)
            XCTFail("a missing file was uploaded")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
        let none = try await server.searchLogs("alice")
        XCTAssertEqual((none["total"] as? NSNumber)?.intValue, 0, "a refused upload records nothing")

        let progress = Progress()
        try await alice.client.uploadLogs(filePaths: [first, second], ex: "crash at login", progress: progress)
        let (a, b) = (Int64(firstText.utf8.count), Int64(secondText.utf8.count))
        XCTAssertEqual(progress.seen, [[a, a + b], [a + b, a + b]])
        let found = try await server.searchLogs("ali")
        XCTAssertEqual((found["total"] as? NSNumber)?.intValue, 2)
        let logs = found["logsInfos"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(logs.compactMap { $0["filename"] as? String }), [first, second])
        var served = Set<String>()
        for log in logs {
            XCTAssertEqual(log["userID"] as? String, "alice")
            XCTAssertEqual(log["platform"] as? String, "Android")
            XCTAssertEqual(log["ex"] as? String, "crash at login")
            XCTAssertEqual(log["systemType"] as? String, "openim-sdk-rs")
            let url = log["url"] as? String ?? ""
            XCTAssertTrue(url.contains("/object/alice/sdk_log_alice_openim-sdk-rs_Android_\(sdkVersion())_"), url)
            let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
            served.insert(String(decoding: data, as: UTF8.self))
        }
        XCTAssertEqual(served, [firstText, secondText])

        // With `line`: only the last lines of the last file named (the newest).
        let newest = dir + "/today.log"
        try (1...50).map { "line \($0)\n" }.joined().write(toFile: newest, atomically: true, encoding: .utf8)
        try await alice.client.uploadLogs(filePaths: [second, newest], line: 3, ex: "tail")
        let withTail = try await server.searchLogs("alice")
        XCTAssertEqual((withTail["total"] as? NSNumber)?.intValue, 3)
        let tailLogs = (withTail["logsInfos"] as? [[String: Any]] ?? []).compactMap { $0["url"] as? String }.filter { $0.hasSuffix("today.log") }
        XCTAssertEqual(tailLogs.count, 1, "\(withTail)")
        let (tail, _) = try await URLSession.shared.data(from: try XCTUnwrap(URL(string: tailLogs.first ?? "")))
        XCTAssertEqual(String(decoding: tail, as: UTF8.self), "line 48\nline 49\nline 50\n")

        // The same file again, changed: a new object; the first record still serves what it was
        // (Rust: `logs_upload_for_the_apps_managers`).
        func appLogURLs(_ json: [String: Any]) -> Set<String> {
            Set((json["logsInfos"] as? [[String: Any]] ?? []).compactMap { $0["url"] as? String }.filter { $0.hasSuffix("_app.log") })
        }
        let firstURLs = appLogURLs(withTail)
        XCTAssertEqual(firstURLs.count, 1, "\(withTail)")
        try "a new day\n".write(toFile: first, atomically: true, encoding: .utf8)
        try await alice.client.uploadLogs(filePaths: [first])
        let again = try await server.searchLogs("alice")
        XCTAssertEqual((again["total"] as? NSNumber)?.intValue, 4)
        let newURLs = appLogURLs(again).subtracting(firstURLs)
        XCTAssertEqual(newURLs.count, 1, "\(again)")
        func text(_ url: String) async throws -> String {
            let (data, _) = try await URLSession.shared.data(from: try XCTUnwrap(URL(string: url)))
            return String(decoding: data, as: UTF8.self)
        }
        let (old, new) = (try await text(firstURLs.first ?? ""), try await text(newURLs.first ?? ""))
        XCTAssertEqual(old, firstText)
        XCTAssertEqual(new, "a new day\n")
    }

    /// A file uploads to devserver's object storage with progress, its URL serves the same bytes,
    /// and a missing file is refused before the network.
    func testAFileUploadsAndComesBackByUrl() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let path = tempDir() + "/photo.png"
        let bytes = Data((0..<300_000).map { UInt8(($0 * 31) % 251) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let progress = Progress()
        let url = try await alice.client.uploadFile(filePath: path, name: nil, contentType: nil, progress: progress)
        XCTAssertTrue(url.hasSuffix("/object/alice/photo.png"), url)
        XCTAssertEqual(progress.seen, [[Int64(bytes.count), Int64(bytes.count)]])
        let (served, response) = try await URLSession.shared.data(from: URL(string: url)!)
        XCTAssertEqual((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type"), "image/png")
        XCTAssertEqual(served, bytes)
        do {
            _ = try await alice.client.uploadFile(filePath: path + ".nope", name: nil, contentType: nil, progress: nil)
            XCTFail("a missing file was uploaded")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
    }

    /// An upload cut off goes on from its last part: the app's file changes while the upload
    /// reads its third part (the upload fails), then is back as it was; the next upload sends
    /// only that part, its progress starting after the two on the server, and the object is the
    /// file; also after the app restarted (a new client on the same database). devserver
    /// restarted (it forgets uploads under way), a cut-off upload starts over. Rust:
    /// `an_upload_cut_off_goes_on_from_its_last_part`.
    func testACutOffUploadGoesOnFromItsLastPart() async throws {
        let dir = tempDir()
        let data = dir + "/server.db"
        let (size, part) = (threePartsSize, devServerPart)
        func write(_ name: String, _ salt: Int) throws -> (String, Data) { try writeThreeParts(dir, name, salt) }
        /// Records progress; at its first call the file's last part changes.
        final class ChangesTheFile: UploadProgressListener, @unchecked Sendable {
            let path: String
            var bytes: Data
            let progress = Progress()
            init(_ path: String, _ bytes: Data) { self.path = path; self.bytes = bytes }
            func onProgress(uploaded: Int64, total: Int64) {
                if progress.seen.isEmpty {
                    bytes[bytes.count - 1] &+= 1
                    try? bytes.write(to: URL(fileURLWithPath: path))
                }
                progress.onProgress(uploaded: uploaded, total: total)
            }
        }
        func cutOff(_ client: OpenIMClient, _ path: String, _ bytes: Data) async throws {
            do {
                _ = try await client.uploadFile(filePath: path, name: nil, contentType: nil, progress: ChangesTheFile(path, bytes))
                XCTFail("the upload of a changing file went through")
            } catch let error as OpenIMError {
                XCTAssertEqual(error.code, 10002)
            }
            try bytes.write(to: URL(fileURLWithPath: path))
        }

        var server: DevServer? = try DevServer(data: data)
        let alice = try await OnlineUser(server!, "alice")
        let (movie, movieBytes) = try write("movie.mp4", 1)
        try await cutOff(alice.client, movie, movieBytes)
        let progress = Progress()
        let url = try await alice.client.uploadFile(filePath: movie, name: nil, contentType: nil, progress: progress)
        XCTAssertEqual(progress.seen.map { $0[0] }, [2 * part, Int64(size)], "resumed after the two parts on the server")
        let (served, _) = try await URLSession.shared.data(from: URL(string: url)!)
        XCTAssertEqual(served, movieBytes, "the object is the file")

        // Cut off, then the app restarts (a new client on the same database): it goes on.
        let (clip, clipBytes) = try write("clip.mp4", 3)
        try await cutOff(alice.client, clip, clipBytes)
        try await alice.client.logout()
        let restartedApp = try OpenIMClient(config: server!.config(dataDir: alice.dataDir))
        try await restartedApp.login(userId: "alice", token: try await server!.token("alice"))
        let resumed = Progress()
        let clipUrl = try await restartedApp.uploadFile(filePath: clip, name: nil, contentType: nil, progress: resumed)
        XCTAssertEqual(resumed.seen.map { $0[0] }, [2 * part, Int64(size)], "resumed after the app's restart")
        let (clipServed, _) = try await URLSession.shared.data(from: URL(string: clipUrl)!)
        XCTAssertEqual(clipServed, clipBytes, "the object is the file")
        try await restartedApp.logout()
        try await alice.client.login(userId: "alice", token: try await server!.token("alice"))

        // Cut off again, with another file, before devserver restarts.
        let (song, songBytes) = try write("song.m4a", 2)
        try await cutOff(alice.client, song, songBytes)
        let (api, ws) = (server!.apiAddr, server!.wsAddr)
        await server!.stopAndWait()
        server = nil
        let restarted = try DevServer(api: api, ws: ws, data: data)
        let again = Progress()
        let songUrl = try await alice.client.uploadFile(filePath: song, name: nil, contentType: nil, progress: again)
        XCTAssertEqual(again.seen.map { $0[0] }, [part, 2 * part, Int64(size)], "started over")
        let (songServed, _) = try await URLSession.shared.data(from: URL(string: songUrl)!)
        XCTAssertEqual(songServed, songBytes, "the object is the file")
        try await alice.client.logout()
        await restarted.stopAndWait()
    }

    /// An upload is stopped by the app: uploadFile with its CancellationToken (also from a
    /// task's cancellation, through withTaskCancellationHandler), or a message's upload with
    /// cancelSendingMessage. The call fails with Cancelled (10003) and no part goes after the
    /// cancel: the next upload of the same content goes on from the part on the server. The
    /// message stays failed until sent again.
    func testAnUploadCancelledStopsAtOnceAndGoesOnLater() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let dir = tempDir()
        let (size, part) = (threePartsSize, devServerPart)
        let resumed = [part, 2 * part, Int64(size)]
        func write(_ name: String, _ salt: Int) throws -> (String, Data) { try writeThreeParts(dir, name, salt) }
        func served(_ url: String) async throws -> Data {
            try await URLSession.shared.data(from: URL(string: url)!).0
        }
        /// Records progress; at its first call, `atFirst` runs.
        final class Seen: UploadProgressListener, @unchecked Sendable {
            let progress = Progress()
            let atFirst: () -> Void
            init(_ atFirst: @escaping () -> Void = {}) { self.atFirst = atFirst }
            var uploaded: [Int64] { progress.seen.map { $0[0] } }
            func onProgress(uploaded: Int64, total: Int64) {
                if progress.seen.isEmpty { atFirst() }
                progress.onProgress(uploaded: uploaded, total: total)
            }
        }
        func expectCancelled(_ what: String, _ call: () async throws -> Void) async {
            do {
                try await call()
                XCTFail("\(what) went through")
            } catch OpenIMError.Cancelled(let code, _) {
                XCTAssertEqual(code, 10003)
            } catch {
                XCTFail("\(what): \(error)")
            }
        }

        // With its token, after the first part.
        let (movie, movieBytes) = try write("movie.mp4", 1)
        let token = CancellationToken()
        let stopper = Seen { token.cancel() }
        await expectCancelled("an upload cancelled") {
            _ = try await alice.client.uploadFile(filePath: movie, progress: stopper, cancel: token)
        }
        XCTAssertEqual(stopper.uploaded, [part], "nothing after the cancel")
        XCTAssertTrue(token.isCancelled())
        await expectCancelled("an upload given a cancelled token") {
            _ = try await alice.client.uploadFile(filePath: movie, cancel: token)
        }
        let again = Seen()
        let url = try await alice.client.uploadFile(filePath: movie, progress: again)
        XCTAssertEqual(again.uploaded, resumed, "on from the part on the server")
        let movieServed = try await served(url)
        XCTAssertEqual(movieServed, movieBytes, "the object is the file")

        // A Swift task cancelled while the first part is reported (the listener holds the upload
        // until then): withTaskCancellationHandler cancels the token.
        let (song, songBytes) = try write("song.m4a", 2)
        let reported = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let holding = Seen { reported.signal(); _ = release.wait(timeout: .now() + 10) }
        let songToken = CancellationToken()
        let client = alice.client
        let task = Task {
            try await withTaskCancellationHandler {
                try await client.uploadFile(filePath: song, progress: holding, cancel: songToken)
            } onCancel: {
                songToken.cancel()
            }
        }
        await Task.detached { _ = reported.wait(timeout: .now() + 15) }.value
        task.cancel()
        release.signal()
        await expectCancelled("an upload whose task was cancelled") { _ = try await task.value }
        XCTAssertEqual(holding.uploaded, [part])
        let after = Seen()
        let songUrl = try await alice.client.uploadFile(filePath: song, progress: after)
        XCTAssertEqual(after.uploaded, resumed, "the cancelled upload stopped after its first part")
        let songServed = try await served(songUrl)
        XCTAssertEqual(songServed, songBytes, "the object is the file")

        // A message's upload, by its client ID.
        let (clip, clipBytes) = try write("clip.mp4", 3)
        let m = try await alice.client.createVideoMessageFromFullPath(videoPath: clip, videoType: "mp4", duration: 30)
        XCTAssertFalse(try alice.client.cancelSendingMessage(clientMsgId: m.clientMsgId), "not being sent yet")
        let cancelled = Progress()
        let messageStopper = Seen {
            let was = (try? client.cancelSendingMessage(clientMsgId: m.clientMsgId)) ?? false
            cancelled.onProgress(uploaded: was ? 1 : 0, total: 0)
        }
        await expectCancelled("a message's upload cancelled") {
            _ = try await alice.client.sendMessage(message: m, recvId: "bob", groupId: nil, offlinePushInfo: nil,
                                                   isOnlineOnly: false, progress: messageStopper)
        }
        XCTAssertEqual(cancelled.seen, [[1, 0]], "an upload was under way")
        XCTAssertEqual(messageStopper.uploaded, [part])
        let stored = try await alice.client.findMessageList(conversationId: singleConversation("alice", "bob"), clientMsgIds: [m.clientMsgId])
        XCTAssertEqual(stored.map { $0.status }, [.sendFailed])
        XCTAssertFalse(try alice.client.cancelSendingMessage(clientMsgId: m.clientMsgId), "its send has ended")
        let sendAgain = Seen()
        let sent = try await alice.client.sendMessage(message: m, recvId: "bob", groupId: nil, offlinePushInfo: nil,
                                                      isOnlineOnly: false, progress: sendAgain)
        XCTAssertEqual(sent.status, .sendSuccess)
        XCTAssertEqual(sendAgain.uploaded, resumed)
        let got = try await bob.messages.wait("the video") { e -> Message? in
            if case let .newMessage(g) = e, g.clientMsgId == m.clientMsgId { return g }
            return nil
        }
        guard case let .video(_, _, videoUrl, _, _, _, _, _, _, _, _, _, _) = got.content else { return XCTFail("\(got.content)") }
        let clipServed = try await served(videoUrl)
        XCTAssertEqual(clipServed, clipBytes, "the object is the file")
    }

    /// A picture made from a local file uploads when sent (progress heard): its URLs fill the
    /// content, the snapshot asks for 640 x 640, and the recipient gets no local path. A file gone
    /// at send time leaves the message failed; back again, the same message goes.
    func testMessagesMadeFromFilesUploadThemWhenSent() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let photo = tempDir() + "/photo.jpg"
        try Data((0..<3000).map { UInt8(($0 * 7) % 253) }).write(to: URL(fileURLWithPath: photo))
        let m = try await alice.client.createImageMessageFromFullPath(imagePath: photo, width: 800, height: 600)
        let progress = Progress()
        let sent = try await alice.client.sendMessage(message: m, recvId: "bob", groupId: nil, offlinePushInfo: nil,
                                                      isOnlineOnly: false, progress: progress)
        XCTAssertEqual(sent.status, .sendSuccess)
        XCTAssertEqual(progress.seen, [[3000, 3000]])
        guard case let .image(sourcePath, source?, big, snapshot?) = sent.content else { return XCTFail("\(sent.content)") }
        XCTAssertEqual(sourcePath, photo)
        XCTAssertTrue(source.url.hasSuffix("/object/alice/msg_picture_\(m.clientMsgId).jpg"), source.url)
        XCTAssertEqual([source.width, source.height], [800, 600])
        XCTAssertEqual(big, source)
        XCTAssertEqual(snapshot.url, source.url + "?height=640&type=image&width=640")
        let got = try await bob.messages.wait("the picture") { e -> Message? in
            if case let .newMessage(g) = e, g.clientMsgId == m.clientMsgId { return g }
            return nil
        }
        guard case let .image(receivedPath, receivedSource?, _, _) = got.content else { return XCTFail("\(got.content)") }
        XCTAssertEqual(receivedPath, "", "the local path stays on the sender's device")
        XCTAssertEqual(receivedSource.url, source.url)

        // A voice message: its file uploaded, its size and type read here, its duration the app's.
        let voice = tempDir() + "/voice.m4a"
        try Data((0..<1500).map { UInt8($0 % 61) }).write(to: URL(fileURLWithPath: voice))
        let sound = try await alice.client.createSoundMessageFromFullPath(soundPath: voice, duration: 7)
        let soundSent = try await alice.client.sendMessage(message: sound, recvId: "bob", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)
        guard case let .sound(_, _, soundUrl, dataSize, duration, soundType) = soundSent.content else { return XCTFail("\(soundSent.content)") }
        XCTAssertTrue(soundUrl.hasSuffix("/object/alice/msg_voice_\(sound.clientMsgId).m4a"), soundUrl)
        XCTAssertEqual([dataSize, duration], [1500, 7])
        XCTAssertEqual(soundType, "m4a")
        let badDuration = await code { _ = try await alice.client.createSoundMessageFromFullPath(soundPath: voice, duration: -3) }
        XCTAssertEqual(badDuration, 10002)

        let report = tempDir() + "/report.pdf"
        let reportBytes = Data((0..<2500).map { UInt8($0 % 97) })
        try reportBytes.write(to: URL(fileURLWithPath: report))
        // Made from a file, a message keeps a copy beside the database until it is sent.
        let filesDir = alice.dataDir + "/OpenIM_v3_alice_files"
        func copies(_ id: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: filesDir).filter { $0.hasPrefix(id) }.map { filesDir + "/" + $0 }
        }
        let file = try await alice.client.createFileMessageFromFullPath(filePath: report, fileName: nil)
        XCTAssertEqual(try copies(file.clientMsgId).count, 1)
        try FileManager.default.removeItem(atPath: report)
        for copy in try copies(file.clientMsgId) { try FileManager.default.removeItem(atPath: copy) }
        do {
            _ = try await alice.client.sendMessage(message: file, recvId: "bob", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)
            XCTFail("a file gone at send time was sent")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
        let stored = try await alice.client.findMessageList(conversationId: singleConversation("alice", "bob"), clientMsgIds: [file.clientMsgId])
        XCTAssertEqual(stored.map { $0.status }, [.sendFailed])
        try reportBytes.write(to: URL(fileURLWithPath: report))
        let resent = try await alice.client.sendMessage(message: file, recvId: "bob", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)
        guard case let .file(_, _, sourceUrl, fileName, _, _) = resent.content else { return XCTFail("\(resent.content)") }
        XCTAssertEqual(fileName, "report.pdf")
        XCTAssertTrue(sourceUrl.hasSuffix("/object/alice/msg_file_\(file.clientMsgId)/report.pdf"), sourceUrl)

        // Uploaded, then refused (a user the server does not know yet): sent again once the user
        // exists, it keeps the stored URL and needs the file no more.
        let retried = tempDir() + "/retried.jpg"
        try Data((0..<800).map { UInt8($0 % 89) }).write(to: URL(fileURLWithPath: retried))
        let toDave = try await alice.client.createImageMessageFromFullPath(imagePath: retried, width: 5, height: 5)
        do {
            _ = try await alice.client.sendMessage(message: toDave, recvId: "dave", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)
            XCTFail("a message to an unknown user was sent")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 1101)
        }
        let failedCopy = try await alice.client.findMessageList(conversationId: singleConversation("alice", "dave"), clientMsgIds: [toDave.clientMsgId])
        guard case let .image(_, firstSource?, _, _) = failedCopy.first?.content else { return XCTFail("\(failedCopy)") }
        XCTAssertFalse(firstSource.url.isEmpty, "uploaded before the send failed")
        try FileManager.default.removeItem(atPath: retried)
        for copy in try copies(toDave.clientMsgId) { try FileManager.default.removeItem(atPath: copy) }
        try await server.register("dave")
        let toDaveAgain = try await alice.client.sendMessage(message: toDave, recvId: "dave", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)
        guard case let .image(_, againSource?, _, _) = toDaveAgain.content else { return XCTFail("\(toDaveAgain.content)") }
        XCTAssertEqual(againSource.url, firstSource.url)

        // The app's file gone when the message is sent: its copy goes, then the copy is removed.
        let temp = tempDir() + "/temp.jpg"
        try Data((0..<1300).map { UInt8($0 % 83) }).write(to: URL(fileURLWithPath: temp))
        let fromTemp = try await alice.client.createImageMessageFromFullPath(imagePath: temp, width: 10, height: 10)
        try FileManager.default.removeItem(atPath: temp)
        let sentFromTemp = try await alice.client.sendMessage(message: fromTemp, recvId: "bob", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)
        XCTAssertEqual(sentFromTemp.status, .sendSuccess)
        XCTAssertEqual(try copies(fromTemp.clientMsgId), [], "the copy goes once the message is sent")

        do {
            _ = try await alice.client.createImageMessageFromFullPath(imagePath: photo + ".nope", width: 1, height: 1)
            XCTFail("a missing file made a message")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
    }

    /// Deleting every message on this device keeps the conversations listed and read while the
    /// server keeps the messages; deleting them on the server too leaves a new device nothing. A
    /// message of this device only is stored as sent and never sent.
    func testDeleteAllMessagesAndMessagesOfThisDeviceOnly() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        _ = try await bob.send("b1", to: "alice")
        _ = try await bob.send("b2", to: "alice")
        _ = try await alice.awaitText("b2")
        let withBob = singleConversation("alice", "bob")
        try await alice.client.deleteAllMsgFromLocal()
        let emptied = try await alice.client.getAdvancedHistoryMessageList(conversationId: withBob, startClientMsgId: nil, count: 10)
        XCTAssertTrue(emptied.messages.isEmpty)
        let listed = try await alice.client.getAllConversationList()
        XCTAssertEqual(listed.map { $0.conversationId }, [withBob])
        let unread = try await alice.client.getTotalUnreadMsgCount()
        XCTAssertEqual(unread, 0)
        let tablet = try await OnlineUser(server, "alice", platform: 1, register: false)
        let kept = try await tablet.client.getAdvancedHistoryMessageList(conversationId: withBob, startClientMsgId: nil, count: 10)
        XCTAssertEqual(kept.messages.count, 2)
        let tabletUnread = try await tablet.client.getTotalUnreadMsgCount()
        XCTAssertEqual(tabletUnread, 0)
        // A new device holds only the newest message; cleared there, history brings back nothing
        // from the hole below it.
        let desk = try await OnlineUser(server, "alice", platform: 3, register: false)
        try await desk.client.deleteAllMsgFromLocal()
        let deskPage = try await desk.client.getAdvancedHistoryMessageList(conversationId: withBob, startClientMsgId: nil, count: 10)
        XCTAssertTrue(deskPage.messages.isEmpty)

        try await alice.client.deleteAllMsgFromLocalAndSvr()
        let web = try await OnlineUser(server, "alice", platform: 5, register: false)
        let none = try await web.client.getAdvancedHistoryMessageList(conversationId: withBob, startClientMsgId: nil, count: 10)
        XCTAssertTrue(none.messages.isEmpty)

        let tip = try alice.client.createTextMessage(text: "you muted bob")
        let stored = try await alice.client.insertSingleMessageToLocalStorage(message: tip, recvId: "bob", sendId: "alice")
        XCTAssertEqual(stored.status, .sendSuccess)
        XCTAssertEqual(stored.seq, 0)
        let page = try await alice.client.getAdvancedHistoryMessageList(conversationId: withBob, startClientMsgId: nil, count: 10)
        XCTAssertEqual(page.messages.map { $0.clientMsgId }, [stored.clientMsgId])
        _ = try await alice.send("real", to: "bob")
        let next = try await bob.messages.wait("alice's message") { e -> Message? in
            if case let .newMessage(g) = e, g.sendId == "alice" { return g }
            return nil
        }
        XCTAssertEqual(next.content, .text(text: "real"))
        do {
            _ = try await alice.client.insertSingleMessageToLocalStorage(message: tip, recvId: "bob", sendId: "carol")
            XCTFail("a message between two other users was stored")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
    }

    /// Copies of files kept for messages go at login once a day old, unless their message is still
    /// unsent (failed, to be sent again); a young file stays.
    func testOldCopiesGoAtLoginUnlessTheirMessageIsUnsent() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        func file(_ name: String) throws -> String {
            let path = tempDir() + "/" + name
            try Data(name.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let abandoned = try await alice.client.createFileMessageFromFullPath(filePath: try file("abandoned.txt"), fileName: nil)
        let failed = try await alice.client.createFileMessageFromFullPath(filePath: try file("failed.txt"), fileName: nil)
        do {
            _ = try await alice.client.sendMessage(message: failed, recvId: "erin", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)
            XCTFail("a message to an unknown user was sent")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 1101)
        }
        let filesDir = alice.dataDir + "/OpenIM_v3_alice_files"
        let twoDaysAgo = Date().addingTimeInterval(-2 * 24 * 3600)
        for name in try FileManager.default.contentsOfDirectory(atPath: filesDir) {
            try FileManager.default.setAttributes([.modificationDate: twoDaysAgo], ofItemAtPath: filesDir + "/" + name)
        }
        try Data("young".utf8).write(to: URL(fileURLWithPath: filesDir + "/young.jpg"))
        try await alice.client.logout()
        try await alice.client.login(userId: "alice", token: try await server.token("alice"))
        let expected = ["\(failed.clientMsgId).txt", "young.jpg"].sorted()
        let deadline = Date().addingTimeInterval(15)
        while try FileManager.default.contentsOfDirectory(atPath: filesDir).sorted() != expected {
            if Date() > deadline { return XCTFail("copies left: \(try FileManager.default.contentsOfDirectory(atPath: filesDir))") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: filesDir).contains { $0.hasPrefix(abandoned.clientMsgId) })
    }

    /// Who is typing: a "yes" starts a state the other side hears and can ask for, a "no" ends it,
    /// a state not renewed ends by itself after about 10 s, every member of a group hears it; a
    /// conversation this device does not have is refused (Rust:
    /// `who_is_typing_starts_ends_and_expires`).
    func testWhoIsTypingStartsEndsAndExpires() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let carol = try await OnlineUser(server, "carol")
        _ = try await alice.send("hi", to: "bob")
        _ = try await bob.awaitText("hi")
        let withBob = singleConversation("alice", "bob")
        try await alice.client.changeInputStates(conversationId: withBob, focus: true)
        let started = try await bob.conversations.wait("typing") { e -> InputStatusChange? in
            if case let .inputStatus(c) = e, !c.platformIds.isEmpty { return c }
            return nil
        }
        XCTAssertEqual([started.conversationId, started.userId], [withBob, "alice"])
        XCTAssertEqual(started.platformIds, [2])
        XCTAssertEqual(try bob.client.getInputStates(conversationId: withBob, userId: "alice"), [2])
        try await alice.client.changeInputStates(conversationId: withBob, focus: false)
        _ = try await bob.conversations.wait("stopped typing") { e -> Bool? in
            if case let .inputStatus(c) = e, c.platformIds.isEmpty { return true }
            return nil
        }
        XCTAssertEqual(try bob.client.getInputStates(conversationId: withBob, userId: "alice"), [])
        do {
            try await alice.client.changeInputStates(conversationId: "si_nobody_x", focus: true)
            XCTFail("an unknown conversation was told")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }

        // Not renewed, a state ends by itself.
        try await alice.client.changeInputStates(conversationId: withBob, focus: true)
        func typing(_ e: ConversationEvent) -> Bool { if case let .inputStatus(c) = e { return !c.platformIds.isEmpty }; return false }
        func stopped(_ e: ConversationEvent) -> Bool { if case let .inputStatus(c) = e { return c.platformIds.isEmpty }; return false }
        try await bob.conversations.wait(count: 2, "typing again", typing)
        let since = Date()
        try await bob.conversations.wait(count: 2, "expired", stopped)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(since), 9, "ended too early")
        XCTAssertEqual(try bob.client.getInputStates(conversationId: withBob, userId: "alice"), [])

        // In a group, every member hears it.
        let g = try await alice.client.createGroup(params: CreateGroupParams(groupName: "Typists", memberUserIds: ["bob", "carol"]))
        _ = try await bob.messages.wait("the group's notice") { e -> Bool? in
            if case let .newMessage(m) = e, m.groupId == g.groupId { return true }
            return nil
        }
        let inGroup = "sg_\(g.groupId)"
        try await bob.client.changeInputStates(conversationId: inGroup, focus: true)
        for who in [alice, carol] {
            let change = try await who.conversations.wait("bob typing in the group") { e -> InputStatusChange? in
                if case let .inputStatus(c) = e, c.conversationId == inGroup { return c }
                return nil
            }
            XCTAssertEqual(change.userId, "bob")
        }
    }

    /// Deleted unread messages leave the unread count: here (deleted locally or on the server)
    /// and, for the one deleted on the server, on the user's other device.
    func testDeletingUnreadMessagesLowersTheUnreadCount() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        var sent: [Message] = []
        for i in 1...3 { sent.append(try await alice.send("m\(i)", to: "bob")) }
        _ = try await bob.awaitText("m3")
        let conversation = singleConversation("alice", "bob")
        let tablet = try await OnlineUser(server, "bob", platform: 1, register: false)
        let held = try await tablet.client.getAdvancedHistoryMessageList(conversationId: conversation, startClientMsgId: nil, count: 10)
        XCTAssertEqual(held.messages.count, 3)
        let tabletUnread = try await tablet.client.getTotalUnreadMsgCount()
        XCTAssertEqual(tabletUnread, 3)
        try await bob.client.deleteMessageFromLocalStorage(conversationId: conversation, clientMsgId: sent[0].clientMsgId)
        try await bob.client.deleteMessage(conversationId: conversation, clientMsgId: sent[2].clientMsgId)
        let bobUnread = try await bob.client.getTotalUnreadMsgCount()
        XCTAssertEqual(bobUnread, 1)
        let chat = try await bob.client.getOneConversation(sessionType: .single, sourceId: "alice")
        XCTAssertEqual(chat.unreadCount, 1)
        let gone = try await tablet.messages.wait("the deletion") { e -> Message? in
            if case let .deleted(m) = e { return m }
            return nil
        }
        XCTAssertEqual(gone.clientMsgId, sent[2].clientMsgId)
        let tabletAfter = try await tablet.client.getTotalUnreadMsgCount()
        XCTAssertEqual(tabletAfter, 2)
        let left = try await tablet.client.getAdvancedHistoryMessageList(conversationId: conversation, startClientMsgId: nil, count: 10)
        XCTAssertEqual(left.messages.map { m -> String in
            if case let .text(t) = m.content { return t }
            return "?"
        }, ["m1", "m2"])
        // The deleting device reports both, in order; its chat falls back to the message left.
        try await bob.messages.wait(count: 2, "both deletions on bob's device") { e in
            if case .deleted = e { return true }
            return false
        }
        let reported = bob.messages.events.compactMap { e -> String? in
            if case let .deleted(m) = e { return m.clientMsgId }
            return nil
        }
        XCTAssertEqual(reported, [sent[0].clientMsgId, sent[2].clientMsgId])
        let after = try await bob.client.getOneConversation(sessionType: .single, sourceId: "alice")
        XCTAssertEqual(after.latestMsg?.clientMsgId, sent[1].clientMsgId)
        // The sender keeps all three; a new device of bob's misses only the one deleted on the server.
        let alices = try await alice.client.getAdvancedHistoryMessageList(conversationId: conversation, startClientMsgId: nil, count: 10)
        XCTAssertEqual(alices.messages.count, 3)
        let fresh = try await OnlineUser(server, "bob", platform: 3, register: false)
        let paged = try await fresh.client.getAdvancedHistoryMessageList(conversationId: conversation, startClientMsgId: nil, count: 10)
        XCTAssertEqual(paged.messages.map { m -> String in
            if case let .text(t) = m.content { return t }
            return "?"
        }, ["m1", "m2"])
    }

    func testTheConversationListOrdersPinsThenLatestActivity() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let carol = try await OnlineUser(server, "carol")
        let bob = try await OnlineUser(server, "bob")
        let first = try await alice.send("first", to: "bob")
        _ = try await bob.awaitText("first")
        // Carol's message must be later on the server's clock (send times are milliseconds).
        var n = 0
        var later = try await carol.send("later 0", to: "bob")
        while later.sendTime <= first.sendTime {
            n += 1
            later = try await carol.send("later \(n)", to: "bob")
        }
        _ = try await bob.awaitText("later \(n)")
        let withAlice = singleConversation("alice", "bob")
        let withCarol = singleConversation("bob", "carol")
        func order(_ offset: Int32, _ count: Int32) async throws -> [String] {
            try await bob.client.getConversationListSplit(offset: offset, count: count).map { $0.conversationId }
        }
        var got = try await order(0, 10)
        XCTAssertEqual(got, [withCarol, withAlice])
        // A draft is newer than carol's message.
        try await bob.client.setConversationDraft(conversationId: withAlice, draftText: "typing…")
        got = try await order(0, 10)
        XCTAssertEqual(got, [withAlice, withCarol])
        // A pin beats it.
        _ = try await bob.client.setConversation(conversationId: withCarol, update: ConversationUpdate(isPinned: true))
        got = try await order(0, 10)
        XCTAssertEqual(got, [withCarol, withAlice])
        got = try await order(0, 1)
        XCTAssertEqual(got, [withCarol])
        got = try await order(1, 1)
        XCTAssertEqual(got, [withAlice])
        got = try await order(2, 1)
        XCTAssertEqual(got, [])
        // The draft is stored with its time.
        let drafted = try await bob.client.getMultipleConversation(conversationIds: [withAlice])
        XCTAssertEqual(drafted.first?.draftText, "typing…")
        XCTAssertGreaterThan(drafted.first?.draftTextTime ?? 0, 0)
        // Muting carol's chat ("receive without notification") takes it out of the total unread count.
        var total = try await bob.client.getTotalUnreadMsgCount()
        XCTAssertEqual(Int(total), 1 + (n + 1))
        _ = try await bob.client.setConversation(conversationId: withCarol, update: ConversationUpdate(recvMsgOpt: 2))
        total = try await bob.client.getTotalUnreadMsgCount()
        XCTAssertEqual(total, 1)
        // All hidden at once, until their next message.
        try await bob.client.hideAllConversations()
        got = try await order(0, 10)
        XCTAssertEqual(got, [])
        _ = try await alice.send("still there?", to: "bob")
        _ = try await bob.awaitText("still there?")
        got = try await order(0, 10)
        XCTAssertEqual(got, [withAlice])
    }

    func testReadReceiptReachesTheSender() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let sent = try await alice.send("read me", to: "bob")
        _ = try await bob.awaitText("read me")
        // Bob's tablet stores it unread, then goes offline.
        let tablet = try await OnlineUser(server, "bob", platform: 1, register: false)
        var tabletUnread = try await tablet.client.getTotalUnreadMsgCount()
        XCTAssertEqual(tabletUnread, 1)
        try await tablet.client.logout()
        let chat = singleConversation("alice", "bob")
        try await bob.client.markConversationMessageAsRead(conversationId: chat)
        let unread = try await bob.client.getTotalUnreadMsgCount()
        XCTAssertEqual(unread, 0)
        let receipts = try await alice.messages.wait("read receipt") { e -> [MessageReceipt]? in
            if case let .readReceipts(r) = e { return r }
            return nil
        }
        XCTAssertEqual(receipts[0].userId, "bob")
        XCTAssertEqual(receipts[0].msgIdList, [sent.clientMsgId])
        let alices = try await alice.client.getAdvancedHistoryMessageList(conversationId: chat, startClientMsgId: nil, count: 10)
        XCTAssertTrue(alices.messages.allSatisfy(\.isRead), "the sender's copy is read")
        // Back, the tablet learns it was read.
        try await tablet.client.login(userId: "bob", token: try await server.token("bob", platform: 1))
        try await tablet.conversations.wait(count: 2, "the second sync") { e in
            if case .syncFinish = e { return true }
            return false
        }
        tabletUnread = try await tablet.client.getTotalUnreadMsgCount()
        XCTAssertEqual(tabletUnread, 0)
        let tablets = try await tablet.client.getAdvancedHistoryMessageList(conversationId: chat, startClientMsgId: nil, count: 10)
        XCTAssertTrue(tablets.messages.allSatisfy(\.isRead))
    }

    /// OpenIM's `MarkMessagesAsReadByMsgID`: bob marks the second of alice's three messages read;
    /// alice's receipt names it alone; bob's read mark rises to it (the first is read too, the
    /// third is left unread).
    func testMessagesMarkedReadById() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        var sent: [Message] = []
        for text in ["one", "two", "three"] { sent.append(try await alice.send(text, to: "bob")) }
        _ = try await bob.awaitText("three")
        let conversation = singleConversation("alice", "bob")
        try await bob.client.markMessagesAsReadByMsgId(conversationId: conversation, clientMsgIds: [sent[1].clientMsgId])
        let receipts = try await alice.messages.wait("read receipt") { e -> [MessageReceipt]? in
            if case let .readReceipts(r) = e { return r }
            return nil
        }
        XCTAssertEqual(receipts.map { $0.msgIdList }, [[sent[1].clientMsgId]])
        let unread = try await bob.client.getTotalUnreadMsgCount()
        XCTAssertEqual(unread, 1)
        let page = try await bob.client.getAdvancedHistoryMessageList(conversationId: conversation, startClientMsgId: nil, count: 10)
        XCTAssertEqual(page.messages.map { $0.isRead }, [true, true, false])
        do {
            try await bob.client.markMessagesAsReadByMsgId(conversationId: conversation, clientMsgIds: [])
            XCTFail("no IDs were accepted")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
    }

    func testRevokeReachesTheRecipient() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let keep = try await alice.send("keep me", to: "bob")
        let sent = try await alice.send("oops", to: "bob")
        let received = try await bob.awaitText("oops")
        let reply = try await bob.client.sendMessage(message: try bob.client.createQuoteMessage(text: "what?", quoted: received),
                                                     recvId: "alice", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)
        let conversation = singleConversation("alice", "bob")
        try await alice.client.revokeMessage(conversationId: conversation, clientMsgId: sent.clientMsgId)
        // Both sides hear it, with who revoked it, and page it as revoked (2101).
        for side in [bob, alice] {
            let revoked = try await side.messages.wait("revoke") { e -> RevokedInfo? in
                if case let .revoked(r) = e { return r }
                return nil
            }
            XCTAssertEqual([revoked.clientMsgId, revoked.revokerId, revoked.revokerNickname, revoked.sourceMessageSendId],
                           [sent.clientMsgId, "alice", "alice nick", "alice"])
            XCTAssertEqual(revoked.seq, 2)
            let page = try await side.client.getAdvancedHistoryMessageList(conversationId: conversation, startClientMsgId: nil, count: 10)
            guard case .text("keep me") = page.messages[0].content else { return XCTFail("\(page.messages[0].content)") }
            guard case .revoked = page.messages[1].content else { return XCTFail("\(page.messages[1].content)") }
            XCTAssertEqual(page.messages[1].contentType, 2101)
        }
        // The reply that quoted it now quotes a revoked message.
        let page = try await bob.client.getAdvancedHistoryMessageList(conversationId: conversation, startClientMsgId: nil, count: 10)
        guard case let .quote(_, quoted?, _)? = page.messages.first(where: { $0.clientMsgId == reply.clientMsgId })?.content,
              case .revoked = quoted.content else { return XCTFail("\(page.messages)") }
        // A second revoke, and a revoke of the peer's message, are refused.
        let again = await code { try await alice.client.revokeMessage(conversationId: conversation, clientMsgId: sent.clientMsgId) }
        XCTAssertEqual(again, 1404)
        let notMine = await code { try await bob.client.revokeMessage(conversationId: conversation, clientMsgId: keep.clientMsgId) }
        XCTAssertEqual(notMine, 1002)
        // A new device pages it as revoked, from the server.
        let tablet = try await OnlineUser(server, "bob", platform: 1, register: false)
        let fresh = try await tablet.client.getAdvancedHistoryMessageList(conversationId: conversation, startClientMsgId: nil, count: 10)
        XCTAssertEqual(fresh.messages.count, 3)
        guard case .revoked = fresh.messages[1].content else { return XCTFail("\(fresh.messages[1].content)") }
    }

    /// A send the server refuses, or made while the gateway is down (after waiting 3 s for it),
    /// fails with its code and leaves the message failed; back online the same message goes out,
    /// once.
    func testAFailedMessageCanBeSentAgain() async throws {
        let dir = tempDir()
        let data = dir + "/server.db"
        var server: DevServer? = try DevServer(data: data)
        let (api, ws) = (server!.apiAddr, server!.wsAddr)
        let alice = try await OnlineUser(server!, "alice")
        let bob = try await OnlineUser(server!, "bob")
        let conversation = singleConversation("alice", "bob")
        let client = alice.client
        @Sendable func attempt(_ m: Message, to: String = "bob") async -> Result<Message, Error> {
            do { return .success(try await client.sendMessage(message: m, recvId: to, groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)) }
            catch { return .failure(error) }
        }

        // A recipient the server does not know: refused (1101).
        guard case let .failure(unknown) = await attempt(try client.createTextMessage(text: "to nobody"), to: "nobody") else {
            return XCTFail("a send to an unknown user must fail")
        }
        XCTAssertEqual((unknown as? OpenIMError)?.code, 1101, "\(unknown)")

        // While the gateway is down a send fails (10000, once it waited 3 s for a connection) and
        // the message stays, failed.
        let log = record(client)
        await server!.stopAndWait()
        server = nil
        await log.wait("reconnecting", isConnecting)
        let m = try client.createTextMessage(text: "retry me")
        guard case let .failure(down) = await attempt(m) else { return XCTFail("a send while down must fail") }
        XCTAssertEqual((down as? OpenIMError)?.code, 10000, "\(down)")
        let failed = try await client.getAllConversationList().first { $0.conversationId == conversation }?.latestMsg
        XCTAssertEqual(failed?.clientMsgId, m.clientMsgId)
        XCTAssertEqual(failed?.status, .sendFailed)

        // Back online, the same message goes out; only a failed message may go again (10204).
        let restarted = try DevServer(api: api, ws: ws, data: data)
        await log.wait(for: 2, "connected again", isSuccess)
        let sent = try await attempt(m).get()
        XCTAssertEqual(sent.clientMsgId, m.clientMsgId)
        XCTAssertEqual(sent.status, .sendSuccess)
        XCTAssertEqual(sent.seq, 1)
        let got = try await bob.awaitText("retry me")
        XCTAssertEqual(got.clientMsgId, m.clientMsgId)
        guard case let .failure(again) = await attempt(m) else { return XCTFail("a repeat must be refused") }
        XCTAssertEqual((again as? OpenIMError)?.code, 10204, "\(again)")
        try await client.logout()
        try await bob.client.logout()
        await restarted.stopAndWait()
    }

    /// A message sent twice at once goes out once; a message the app built itself is sent once
    /// too, and its repeat refused (10204).
    func testAMessageSentTwiceAtOnceGoesOutOnce() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let m = try alice.client.createTextMessage(text: "twice")
        let client = alice.client
        @Sendable func attempt(_ m: Message) async -> Result<Message, Error> {
            do { return .success(try await client.sendMessage(message: m, recvId: "bob", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)) }
            catch { return .failure(error) }
        }
        async let first = attempt(m)
        async let second = attempt(m)
        let attempts = await [first, second]
        let sent = attempts.compactMap { try? $0.get() }
        XCTAssertEqual(sent.count, 1, "one send must win: \(attempts)")
        XCTAssertEqual(sent.first?.seq, 1)
        for case let .failure(error) in attempts {
            XCTAssertEqual((error as? OpenIMError)?.code, 10204, "\(error)")
        }

        let made = try alice.client.createTextMessage(text: "built by the app")
        let built = { (m: Message) in Message(clientMsgId: "app-built-id", conversationId: m.conversationId, serverMsgId: m.serverMsgId, createTime: m.createTime, sendTime: m.sendTime, sessionType: m.sessionType, sendId: m.sendId, recvId: m.recvId, groupId: m.groupId, msgFrom: m.msgFrom, contentType: m.contentType, senderPlatformId: m.senderPlatformId, senderNickname: m.senderNickname, senderFaceUrl: m.senderFaceUrl, seq: m.seq, isRead: m.isRead, status: m.status, attachedInfo: m.attachedInfo, ex: m.ex, localEx: m.localEx, content: m.content) }(made)
        let builtSent = try await attempt(built).get()
        XCTAssertEqual(builtSent.seq, 2)
        guard case let .failure(again) = await attempt(built) else { return XCTFail("a repeat must be refused") }
        XCTAssertEqual((again as? OpenIMError)?.code, 10204, "\(again)")
        // Had the server stored "twice" twice, the next message would have seq 3.
        let (once, next) = (try await bob.awaitText("twice"), try await bob.awaitText("built by the app"))
        XCTAssertEqual([once.seq, next.seq], [1, 2])
    }

    func testWrongSendArgumentsAreTypedErrors() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        XCTAssertThrowsError(try alice.client.createTextMessage(text: "")) { error in
            guard case .InvalidArgument(code: 10002, _)? = error as? OpenIMError else { return XCTFail("\(error)") }
        }
        let m = try alice.client.createTextMessage(text: "x")
        for (recv, group) in [("bob", "g1"), (nil, nil), ("", nil)] as [(String?, String?)] {
            let refused = await code {
                _ = try await alice.client.sendMessage(message: m, recvId: recv, groupId: group, offlinePushInfo: nil, isOnlineOnly: false)
            }
            XCTAssertEqual(refused, 10002, "\(String(describing: recv)) \(String(describing: group))")
        }
        XCTAssertThrowsError(try alice.client.createLocationMessage(description: "", longitude: 200, latitude: 0)) { error in
            guard case .InvalidArgument(code: 10002, _)? = error as? OpenIMError else { return XCTFail("\(error)") }
        }
        // Nothing was stored by the refused sends.
        let stored = try await alice.client.getAllConversationList()
        XCTAssertTrue(stored.isEmpty)
    }

    /// Every kind of message the SDK makes reaches the peer as it was made (quotes, mentions,
    /// location, card, face, media by URL, a merge, a forward, rich text, custom), and a forward
    /// is a new message with the original's content
    /// (Rust: `rich_content_round_trips_between_clients`).
    func testRichContentRoundTripsBetweenClients() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let original = try await alice.send("original", to: "bob")
        _ = try await bob.awaitText("original")
        let c = alice.client
        let picture = PictureInfo(uuid: "u1", kind: "png", size: 1234, width: 640, height: 480, url: "https://cdn.example/p.png")
        let made = [
            try c.createQuoteMessage(text: "quoting", quoted: original),
            try c.createTextAtMessage(text: "@bob look", atUserIds: ["bob"], atUsersInfo: [], quote: nil),
            try c.createLocationMessage(description: "here", longitude: 13.4, latitude: 52.5),
            try c.createCardMessage(card: CardInfo(userId: "carol", nickname: "Carol", faceUrl: "", ex: "")),
            try c.createFaceMessage(index: 7, data: "smile"),
            try c.createImageMessageByUrl(sourcePath: "", sourcePicture: picture, bigPicture: picture, snapshotPicture: picture),
            try c.createSoundMessageByUrl(sourceUrl: "https://cdn.example/s.m4a", soundPath: "", uuid: "", dataSize: 10, duration: 3),
            try c.createVideoMessageByUrl(
                videoUrl: "https://cdn.example/v.mp4", videoType: "mp4", videoSize: 99, duration: 5, snapshotUrl: "https://cdn.example/v.jpg",
                snapshotWidth: 1, snapshotHeight: 2),
            try c.createFileMessageByUrl(sourceUrl: "https://cdn.example/f.pdf", fileName: "f.pdf", fileSize: 77, fileType: "pdf"),
            try c.createMergerMessage(messages: [original], title: "chat history", summaryList: ["alice: original"]),
            try c.createForwardMessage(message: original),
            try c.createAdvancedTextMessage(text: "bold", entities: []),
            try c.createAdvancedQuoteMessage(
                text: "see https://openim.io", quoted: original,
                entities: [MessageEntity(kind: "url", offset: 4, length: 17, url: "https://openim.io", ex: "")]),
            try c.createCustomMessage(data: #"{"k":1}"#, extension: "ext", description: "desc"),
        ]
        for m in made {
            _ = try await c.sendMessage(message: m, recvId: "bob", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false, progress: nil)
        }
        var got: [Message] = []
        for sent in made {
            got.append(try await bob.messages.wait("message \(sent.clientMsgId)") { e -> Message? in
                if case let .newMessage(m) = e, m.clientMsgId == sent.clientMsgId { return m }
                return nil
            })
        }
        for (sent, received) in zip(made, got) {
            XCTAssertEqual(sent.contentType, received.contentType)
            switch (sent.content, received.content) {
            case let (.quote(t1, q1, e1), .quote(t2, q2, e2)):
                XCTAssertEqual(t1, t2)
                XCTAssertEqual(e1, e2)
                XCTAssertEqual(q1?.clientMsgId, q2?.clientMsgId)
                XCTAssertEqual(q1?.content, q2?.content)
            case let (.merger(t1, _, m1, _), .merger(t2, _, m2, _)):
                XCTAssertEqual(t1, t2)
                XCTAssertEqual(m1.first?.content, m2.first?.content)
            default:
                XCTAssertEqual(sent.content, received.content)
            }
        }
        let forwarded = got[10]
        XCTAssertNotEqual(forwarded.clientMsgId, original.clientMsgId)
        XCTAssertEqual(forwarded.content, original.content)
    }

    /// Local search: keywords in any case across conversations (one item each), by sender and
    /// type, wildcards literal, all keywords, a time window (one beyond what milliseconds hold is
    /// refused), pages (Rust: `searching_local_messages`).
    func testSearchingLocalMessages() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let carol = try await OnlineUser(server, "carol")
        _ = try await alice.send("lunch at noon?", to: "bob")
        _ = try await carol.send("LUNCH tomorrow", to: "bob")
        _ = try await alice.send("the 50% discount_code", to: "bob")
        let custom = try await alice.client.sendMessage(
            message: try alice.client.createCustomMessage(data: #"{"k":1}"#, extension: "", description: "a custom lunch"), recvId: "bob",
            groupId: nil, offlinePushInfo: nil, isOnlineOnly: false, progress: nil)
        _ = try await bob.messages.wait("the custom message") { e -> Bool? in
            if case let .newMessage(m) = e, m.clientMsgId == custom.clientMsgId { return true }
            return nil
        }
        _ = try await bob.awaitText("LUNCH tomorrow")
        func search(
            _ keywords: [String], senders: [String] = [], types: [Int32] = [], all: Bool = false, position: Int64 = 0, period: Int64 = 0,
            page: Int32 = 1, count: Int32 = 10
        ) -> SearchParams {
            SearchParams(
                keywords: keywords, matchAllKeywords: all, senderIds: senders, contentTypes: types, searchTimePosition: position,
                searchTimePeriod: period, pageIndex: page, count: count)
        }
        let lunch = try await bob.client.searchLocalMessages(params: search(["lunch"]))
        XCTAssertEqual(lunch.totalCount, 3)
        XCTAssertEqual(lunch.items.count, 2, "grouped by conversation")
        let fromAlice = try await bob.client.searchLocalMessages(params: search(["lunch"], senders: ["alice"], types: [101]))
        XCTAssertEqual(fromAlice.totalCount, 1)
        XCTAssertEqual(fromAlice.items.first?.showName, "alice nick")
        if case let .text(t)? = fromAlice.items.first?.messages.first?.content { XCTAssertEqual(t, "lunch at noon?") } else { XCTFail("\(fromAlice)") }
        let percent = try await bob.client.searchLocalMessages(params: search(["50%"]))
        XCTAssertEqual(percent.totalCount, 1)
        let underscore = try await bob.client.searchLocalMessages(params: search(["0_d"]))
        XCTAssertEqual(underscore.totalCount, 0, "wildcards are literal")
        let both = try await bob.client.searchLocalMessages(params: search(["lunch", "noon"], all: true))
        XCTAssertEqual(both.totalCount, 1)
        let before1970 = try await bob.client.searchLocalMessages(params: search([], types: [101], position: 1))
        XCTAssertEqual(before1970.totalCount, 0, "nothing before 1970")
        do {
            _ = try await bob.client.searchLocalMessages(params: search([], types: [101], period: Int64.max))
            XCTFail("a window past milliseconds was taken")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
        let page = try await bob.client.searchLocalMessages(params: search([], senders: ["alice", "carol"], page: 2, count: 2))
        XCTAssertEqual(page.totalCount, 4)
        XCTAssertEqual(page.items.map { $0.messages.count }.reduce(0, +), 2)
        do {
            _ = try await bob.client.searchLocalMessages(params: search([]))
            XCTFail("a search without criteria was taken")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
        // Keywords SQLite could not match (over 10 000 bytes, or more than 100) are wrong arguments.
        let long = String(repeating: "a", count: 10_001)
        let tooLong = await code { _ = try await bob.client.searchLocalMessages(params: search([long])) }
        XCTAssertEqual(tooLong, 10002)
        let tooLongName = await code { _ = try await bob.client.searchConversation(keyword: long) }
        XCTAssertEqual(tooLongName, 10002)
    }

    /// Housekeeping of a chat: history forwards from a message, a message's local ex (this
    /// device's own), typing heard, messages in the background arrive as offline ones, a hidden
    /// chat comes back with its next message, clearing empties it (the sender keeps hers), a note
    /// stored in a group chat without sending, then custom business notifications through
    /// `setCustomBusinessListener` (Rust: `chat_housekeeping`).
    func testChatHousekeeping() async throws {
        final class Heard: CustomBusinessListener, @unchecked Sendable {
            let notifications = Recorder<BusinessNotification>()
            func onRecvCustomBusinessMessage(notification: BusinessNotification) { notifications.append(notification) }
        }
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let heard = Heard()
        bob.client.setCustomBusinessListener(listener: heard)
        let conv = singleConversation("alice", "bob")
        for t in ["m1", "m2", "m3"] { _ = try await alice.send(t, to: "bob") }
        _ = try await bob.awaitText("m3")
        func texts(_ page: HistoryPage) -> [String] {
            page.messages.map { if case let .text(t) = $0.content { return t }; return "?" }
        }
        let all = try await bob.client.getAdvancedHistoryMessageList(conversationId: conv, startClientMsgId: nil, count: 20)
        XCTAssertEqual(texts(all), ["m1", "m2", "m3"])
        let forwards = try await bob.client.getAdvancedHistoryMessageListReverse(conversationId: conv, startClientMsgId: all.messages[0].clientMsgId, count: 20)
        XCTAssertEqual(texts(forwards), ["m2", "m3"])
        try await bob.client.setMessageLocalEx(conversationId: conv, clientMsgId: all.messages[0].clientMsgId, localEx: "pinned here")
        let mine = try await bob.client.getAdvancedHistoryMessageList(conversationId: conv, startClientMsgId: nil, count: 20)
        XCTAssertEqual(mine.messages.first?.localEx, "pinned here")
        let hers = try await alice.client.getAdvancedHistoryMessageList(conversationId: conv, startClientMsgId: nil, count: 20)
        XCTAssertEqual(hers.messages.first?.localEx, "", "this device's own")

        try await alice.client.typingStatusUpdate(recvId: "bob", msgTip: "typing...")
        let typing = try await bob.conversations.wait("typing") { e -> InputStatusChange? in
            if case let .inputStatus(c) = e { return c }
            return nil
        }
        XCTAssertEqual([typing.conversationId, typing.userId], [conv, "alice"])

        try await bob.client.setAppBackgroundStatus(isBackground: true)
        _ = try await alice.send("while backgrounded", to: "bob")
        _ = try await bob.messages.wait("an offline message") { e -> Bool? in
            if case let .offlineNewMessage(m) = e, case let .text(t) = m.content, t == "while backgrounded" { return true }
            return nil
        }
        try await bob.client.setAppBackgroundStatus(isBackground: false)
        _ = try await alice.send("in front", to: "bob")
        _ = try await bob.awaitText("in front")

        try await bob.client.hideConversation(conversationId: conv)
        let hidden = try await bob.client.getAllConversationList()
        XCTAssertFalse(hidden.contains { $0.conversationId == conv })
        _ = try await alice.send("back", to: "bob")
        _ = try await bob.awaitText("back")
        let listed = try await bob.client.getAllConversationList()
        XCTAssertTrue(listed.contains { $0.conversationId == conv }, "listed again")
        try await bob.client.clearConversationAndDeleteAllMsg(conversationId: conv)
        let cleared = try await bob.client.getAdvancedHistoryMessageList(conversationId: conv, startClientMsgId: nil, count: 20)
        XCTAssertTrue(cleared.messages.isEmpty)
        let kept = try await alice.client.getAdvancedHistoryMessageList(conversationId: conv, startClientMsgId: nil, count: 20)
        XCTAssertEqual(kept.messages.count, 6, "the sender keeps hers (typing is not stored)")

        let group = try await alice.client.createGroup(params: CreateGroupParams(groupName: "Team", memberUserIds: ["bob"]))
        try await server.sendBusinessNotification(from: "alice", key: "order.paid", data: "id 1", toUser: "bob")
        let paid = try await heard.notifications.wait("the business notification") { $0 }
        XCTAssertEqual([paid.key, paid.data], ["order.paid", "id 1"])
        let note = try await alice.client.insertGroupMessageToLocalStorage(
            message: try alice.client.createTextMessage(text: "group rules updated"), groupId: group.groupId, sendId: "alice")
        XCTAssertEqual(note.groupId, group.groupId)
        let page = try await alice.client.getAdvancedHistoryMessageList(conversationId: "sg_\(group.groupId)", startClientMsgId: nil, count: 20)
        XCTAssertEqual(page.messages.last?.clientMsgId, note.clientMsgId)
        do {
            _ = try await alice.client.insertGroupMessageToLocalStorage(
                message: try alice.client.createTextMessage(text: "x"), groupId: "no-such-group", sendId: "alice")
            XCTFail("an unknown group was taken")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
        // bob's client is used to the end: a client the app no longer holds is closed when it is
        // released (its session ends), which would cut it off mid-test.
        XCTAssertEqual(bob.client.loginStatus(), .logged)
    }

    /// A message over the gateway's 51 200-byte frame limit is refused (10002) before anything
    /// is stored, on the same connection; then 30 messages take seqs 1..30 in order, live and in
    /// history (Rust: `an_oversize_message_is_refused…`, `many_messages_keep_seq_order`).
    func testAnOversizeMessageIsRefusedAndManyKeepSeqOrder() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        // Random letters: frames are gzip-compressed, so the text must not compress.
        var rng = SystemRandomNumberGenerator()
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let big = String((0..<120_000).map { _ in letters[Int(rng.next() % 26)] })
        do {
            _ = try await alice.send(big, to: "bob")
            XCTFail("an oversize message was sent")
        } catch let OpenIMError.InvalidArgument(code, msg) {
            XCTAssertEqual(code, 10002)
            XCTAssertTrue(msg.contains("51200"), msg)
        }
        let none = try await alice.client.getAllConversationList()
        XCTAssertTrue(none.isEmpty, "nothing stored")
        for i in 1...30 {
            let sent = try await alice.send("m\(i)", to: "bob")
            XCTAssertEqual(sent.seq, Int64(i))
        }
        for i in 1...30 {
            let got = try await bob.awaitText("m\(i)")
            XCTAssertEqual(got.seq, Int64(i))
        }
        let page = try await bob.client.getAdvancedHistoryMessageList(conversationId: singleConversation("alice", "bob"), startClientMsgId: nil, count: 30)
        XCTAssertEqual(page.messages.map { $0.seq }, (1...30).map { Int64($0) })
        XCTAssertTrue(page.isEnd)
    }
}
