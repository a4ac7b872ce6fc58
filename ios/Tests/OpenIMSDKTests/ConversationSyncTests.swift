import Foundation
import XCTest

@testable import OpenIMSDK

final class ConversationSyncTests: XCTestCase {
    func testChangesMadeOnAnotherDeviceWhileOfflineArriveAtTheNextLogin() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let phone = try await OnlineUser(server, "bob")
        _ = try await alice.send("hi", to: "bob")
        _ = try await phone.awaitText("hi")
        try await phone.client.logout()
        let conversation = "si_alice_bob"

        // Bob's tablet pins the conversation while the phone is away.
        let tablet = try OpenIMClient(config: server.config(dataDir: tempDir(), platform: 9))
        let tabletEvents = Recorder<ConversationEvent>()
        let tabletStream = tablet.conversationEvents()
        let tabletReader = Task { for await e in tabletStream { tabletEvents.append(e) } }
        try await tablet.login(userId: "bob", token: try await server.token("bob", platform: 9))
        _ = try await tabletEvents.wait("tablet sync") { e -> Bool? in
            if case .syncFinish = e { return true }
            return nil
        }
        _ = try await tablet.setConversation(conversationId: conversation, update: ConversationUpdate(isPinned: true))
        tabletReader.cancel()

        // The phone learns of it at its next login, as a changed conversation.
        let events = Recorder<ConversationEvent>()
        let stream = phone.client.conversationEvents()
        let reader = Task { for await e in stream { events.append(e) } }
        try await phone.client.login(userId: "bob", token: try await server.token("bob"))
        let changed = try await events.wait("the pinned conversation") { e -> Conversation? in
            switch e {
            case let .newConversations(list), let .changed(list):
                return list.first { $0.conversationId == conversation && $0.isPinned }
            default:
                return nil
            }
        }
        XCTAssertTrue(changed.isPinned)
        let stored = try await phone.client.getMultipleConversation(conversationIds: [conversation])
        XCTAssertEqual(stored.first?.isPinned, true)
        reader.cancel()
    }

    /// A change made on one of bob's devices reaches his other device at once; the private mode is
    /// the peer's too (Rust: `a_live_change_on_another_device_is_synced_at_once`).
    func testALiveChangeOnAnotherDeviceIsSyncedAtOnce() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let phone = try await OnlineUser(server, "bob")
        let tablet = try await OnlineUser(server, "bob", platform: 9, register: false)
        _ = try await alice.send("hello", to: "bob")
        _ = try await phone.awaitText("hello")
        _ = try await tablet.awaitText("hello")
        let conversation = "si_alice_bob"
        _ = try await tablet.client.setConversation(conversationId: conversation, update: ConversationUpdate(isPrivateChat: true))
        for (who, device) in [("bob's phone", phone), ("alice", alice)] {
            _ = try await device.conversations.wait("the private flag on \(who)") { e -> Bool? in
                if case let .changed(list) = e, list.contains(where: { $0.conversationId == conversation && $0.isPrivateChat }) { return true }
                return nil
            }
            let stored = try await device.client.getMultipleConversation(conversationIds: [conversation])
            XCTAssertEqual(stored.first?.isPrivateChat, true, who)
        }
        // The server holds the flag for the peer as well: a new device of alice's gets it.
        let aliceTablet = try await OnlineUser(server, "alice", platform: 9, register: false)
        let fresh = try await aliceTablet.client.getMultipleConversation(conversationIds: [conversation])
        XCTAssertEqual(fresh.first?.isPrivateChat, true)
        XCTAssertEqual(tablet.client.loginStatus(), .logged)
    }

    /// Self-destructing messages: bob turns them on for his chat with alice (messages last 1 s;
    /// devserver looks every 100 ms). They leave both of bob's devices — history, lookup by ID,
    /// the unread count and the latest message, each reported deleted — while alice keeps hers. A time of 0 is refused;
    /// turned off, a new message stays.
    func testSelfDestructingMessagesLeaveEveryDeviceOfTheirUser() async throws {
        let server = try DevServer(extraArgs: ["--msg-destruct-interval-ms", "100"])
        let alice = try await OnlineUser(server, "alice")
        let phone = try await OnlineUser(server, "bob")
        let tablet = try await OnlineUser(server, "bob", platform: 9, register: false)
        let conversation = "si_alice_bob"
        func changed(_ user: OnlineUser, _ what: String, _ matches: @escaping (Conversation) -> Bool) async throws {
            _ = try await user.conversations.wait(what) { e -> Conversation? in
                switch e {
                case let .newConversations(list), let .changed(list): return list.first { $0.conversationId == conversation && matches($0) }
                default: return nil
                }
            }
        }
        let ids = [try await alice.send("one", to: "bob"), try await alice.send("two", to: "bob"),
                   try await phone.send("three", to: "alice")].map { $0.clientMsgId }
        _ = try await phone.awaitText("two")
        try await changed(tablet, "the three messages") { $0.maxSeq == 3 }
        let unread = try await phone.client.getTotalUnreadMsgCount()
        XCTAssertEqual(unread, 2)

        do {
            _ = try await phone.client.setConversation(conversationId: conversation,
                                                       update: ConversationUpdate(isMsgDestruct: true, msgDestructTime: 0))
            XCTFail("a destruct time of 0 was taken")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
        // On, for an hour: both devices hear it. The tablet then goes away, and a second is set.
        let set = try await phone.client.setConversation(conversationId: conversation,
                                                         update: ConversationUpdate(isMsgDestruct: true, msgDestructTime: 3600))
        XCTAssertTrue(set.isMsgDestruct)
        XCTAssertEqual(set.msgDestructTime, 3600)
        try await changed(tablet, "destruct on") { $0.isMsgDestruct }
        try await tablet.client.logout()
        _ = try await phone.client.setConversation(conversationId: conversation, update: ConversationUpdate(msgDestructTime: 1))

        func gone(_ device: OnlineUser) async throws -> Conversation {
            let page = try await device.client.getAdvancedHistoryMessageList(conversationId: conversation, count: 20)
            XCTAssertTrue(page.messages.isEmpty && page.isEnd, "\(page.messages)")
            let found = try await device.client.findMessageList(conversationId: conversation, clientMsgIds: ids)
            XCTAssertTrue(found.isEmpty)
            let total = try await device.client.getTotalUnreadMsgCount()
            XCTAssertEqual(total, 0)
            let stored = try await device.client.getMultipleConversation(conversationIds: [conversation])[0]
            XCTAssertEqual(stored.minSeq, 4)
            XCTAssertNil(stored.latestMsg)
            XCTAssertEqual(stored.unreadCount, 0)
            return stored
        }
        try await changed(phone, "the messages destructed") { $0.minSeq == 4 && $0.latestMsg == nil && $0.unreadCount == 0 }
        let onPhone = try await gone(phone)
        XCTAssertEqual([onPhone.isMsgDestruct ? 1 : 0, onPhone.msgDestructTime], [1, 1])
        // Each is reported deleted, so that an open chat drops it.
        for id in ids {
            _ = try await phone.messages.wait("\(id) deleted") { e -> Message? in
                if case let .deleted(m) = e, m.clientMsgId == id { return m }
                return nil
            }
        }
        let hers = try await alice.client.getAdvancedHistoryMessageList(conversationId: conversation, count: 20)
        XCTAssertEqual(hers.messages.count, 3, "the peer keeps the chat")

        // Turned off before the tablet is back: it still drops what the server destructed.
        _ = try await phone.client.setConversation(conversationId: conversation, update: ConversationUpdate(isMsgDestruct: false))
        try await tablet.client.login(userId: "bob", token: try await server.token("bob", platform: 9))
        try await changed(tablet, "the floor synced") { $0.minSeq == 4 }
        let onTablet = try await gone(tablet)
        XCTAssertFalse(onTablet.isMsgDestruct)

        // Off: a new message stays. The clock: bob's chat with carol, destruct on after "after"
        // was sent, loses "tick" — by then "after" was older than a second too.
        _ = try await alice.send("after", to: "bob")
        _ = try await phone.awaitText("after")
        let carol = try await OnlineUser(server, "carol")
        _ = try await carol.send("tick", to: "bob")
        _ = try await phone.awaitText("tick")
        let withCarol = "si_bob_carol"
        _ = try await phone.client.setConversation(conversationId: withCarol,
                                                   update: ConversationUpdate(isMsgDestruct: true, msgDestructTime: 1))
        _ = try await phone.conversations.wait("the clock chat destructed") { e -> Bool? in
            switch e {
            case let .newConversations(list), let .changed(list):
                return list.contains { $0.conversationId == withCarol && $0.minSeq == 2 } ? true : nil
            default: return nil
            }
        }
        let floor = try await phone.client.getMultipleConversation(conversationIds: [conversation])
        XCTAssertEqual(floor.first?.minSeq, 4)
        let page = try await phone.client.getAdvancedHistoryMessageList(conversationId: conversation, count: 20)
        XCTAssertEqual(page.messages.map { m -> String in
            if case let .text(t) = m.content { return t }
            return "\(m.content)"
        }, ["after"])
        let stored = try await phone.client.getMultipleConversation(conversationIds: [conversation])
        XCTAssertEqual(stored.first?.isMsgDestruct, false)
        // A device that logs in later never gets the destructed messages.
        let laptop = try await OnlineUser(server, "bob", platform: 4, register: false)
        let fresh = try await laptop.client.getAdvancedHistoryMessageList(conversationId: conversation, startClientMsgId: nil, count: 20)
        XCTAssertEqual(fresh.messages.map { m -> String in
            if case let .text(t) = m.content { return t }
            return "\(m.content)"
        }, ["after"])
        XCTAssertTrue(fresh.isEnd)
    }

    /// OA notifications from a notification account arrive in its chat with the user (`sn_`,
    /// session type 4): typed, named by the account's profile, read like a group chat on the
    /// server, and synced by a new device. Rust: `oa_notifications_arrive_in_the_notification_chat`.
    func testOaNotificationsArriveInTheNotificationChat() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        try await server.addNotificationAccount("ops", nickname: "Ops", faceURL: "http://ops/face")
        try await server.sendOANotification(from: "ops", to: "alice", text: "Maintenance tonight")
        let sn = try alice.client.getConversationIdBySessionType(sessionType: .notification, sourceId: "ops")
        XCTAssertEqual(sn, "sn_alice_ops")
        let m = try await alice.messages.wait("the OA notification") { e -> Message? in
            if case let .newMessage(m) = e, m.contentType == 1400 { return m }
            return nil
        }
        XCTAssertEqual([String(m.sessionType), m.sendId, m.conversationId], ["4", "ops", sn])
        guard case let .oaNotification(oa) = m.content else { return XCTFail("not typed: \(m.content)") }
        XCTAssertEqual([oa.notificationName, oa.text, oa.url, oa.ex], ["Ops", "Maintenance tonight", "http://ops/notes", "x"])
        XCTAssertEqual([oa.notificationType, oa.mixType], [2, 1])
        guard case let .image(_, source?, _, _) = oa.media else { return XCTFail("no picture: \(String(describing: oa.media))") }
        XCTAssertEqual([source.url, String(source.width), String(source.height)], ["http://ops/p.png", "64", "32"])

        _ = try await alice.conversations.conversation("the named notification chat") {
            $0.conversationId == sn && $0.showName == "Ops" && $0.faceUrl == "http://ops/face"
        }
        let c = try await alice.client.getOneConversation(sessionType: .notification, sourceId: "ops")
        XCTAssertEqual([c.conversationId, String(c.conversationType), c.userId, c.groupId, String(c.unreadCount)], [sn, "4", "ops", "", "1"])

        try await alice.client.markConversationMessageAsRead(conversationId: sn)
        let read = try await alice.client.getOneConversation(sessionType: .notification, sourceId: "ops")
        XCTAssertEqual(read.unreadCount, 0)
        let seqs = try await server.hasReadAndMaxSeq("alice", sn)
        XCTAssertEqual([seqs.hasRead, seqs.max], [1, 1])

        let tablet = try await OnlineUser(server, "alice", platform: 9, register: false)
        let synced = try await tablet.client.getMultipleConversation(conversationIds: [sn])
        XCTAssertEqual(synced.map { [String($0.conversationType), $0.userId, String($0.unreadCount)] }, [["4", "ops", "0"]])
        let history = try await tablet.client.getAdvancedHistoryMessageList(conversationId: sn, startClientMsgId: nil, count: 20)
        XCTAssertEqual(history.messages.map { m -> String in
            if case let .oaNotification(n) = m.content { return n.text }
            return "?"
        }, ["Maintenance tonight"])
    }
}
