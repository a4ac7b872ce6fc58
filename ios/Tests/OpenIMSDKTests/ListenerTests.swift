import Foundation
import XCTest

@testable import OpenIMSDK

/// Records new-message texts, after running `before` on each message.
final class TextListener: AdvancedMsgListener, @unchecked Sendable {
    let texts = Recorder<String>()
    private let before: @Sendable (Message) -> Void

    init(before: @escaping @Sendable (Message) -> Void = { _ in }) {
        self.before = before
    }

    func onRecvNewMessage(message: Message) {
        before(message)
        if case let .text(t) = message.content { texts.append(t) }
    }
    func onRecvC2cReadReceipt(receipts: [MessageReceipt]) {}
    func onNewRecvMessageRevoked(revoked: RevokedInfo) {}
    func onRecvOfflineNewMessage(message: Message) {}
    func onMsgDeleted(message: Message) {}
    func onRecvOnlineOnlyMessage(message: Message) {}

    /// Waits (bounded) until `n` messages have arrived.
    func await(_ n: Int, file: StaticString = #filePath, line: UInt = #line) async throws {
        _ = try await texts.wait("\(n) messages", file: file, line: line) { _ in self.texts.events.count >= n ? true : nil }
    }
}

/// Blocks callers until opened.
final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var open = false

    func wait() {
        condition.lock()
        while !open { condition.wait() }
        condition.unlock()
    }

    func release() {
        condition.lock()
        open = true
        condition.broadcast()
        condition.unlock()
    }
}

final class LogRecords: LogSink, @unchecked Sendable {
    let records = Recorder<LogRecord>()
    func log(record: LogRecord) { records.append(record) }
}

final class ListenerTests: XCTestCase {
    func testTwoListenersBothReceiveAndACancelledOneNothingMore() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let first = TextListener()
        let second = TextListener()
        let firstHandle = bob.client.addAdvancedMsgListener(listener: first)
        let secondHandle = bob.client.addAdvancedMsgListener(listener: second)
        _ = try await alice.send("one", to: "bob")
        try await first.await(1)
        try await second.await(1)
        firstHandle.cancel()
        XCTAssertTrue(firstHandle.isCancelled())
        _ = try await alice.send("two", to: "bob")
        _ = try await alice.send("three", to: "bob")
        try await second.await(3)
        _ = try await bob.awaitText("three")
        XCTAssertEqual(first.texts.events, ["one"])
        XCTAssertEqual(second.texts.events, ["one", "two", "three"])
        withExtendedLifetime(secondHandle) {}
    }

    func testTwoStreamReadersEachSeeEveryMessage() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        // Each call registers its listener at once.
        let streams = [bob.client.messageEvents(), bob.client.messageEvents()]
        for i in 1...3 { _ = try await alice.send("s\(i)", to: "bob") }
        for stream in streams {
            var texts: [String] = []
            for await event in stream {
                if case let .newMessage(m) = event, case let .text(t) = m.content { texts.append(t) }
                if texts.count == 3 { break }
            }
            XCTAssertEqual(texts, ["s1", "s2", "s3"])
        }
    }

    func testAConnectionListenerAddedLaterHearsTheCurrentStateFirst() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        var first: ConnEvent?
        for await event in alice.client.connEvents() {
            first = event
            break
        }
        XCTAssertEqual(first, .connectSuccess)
        try await alice.client.logout()
        let late = TextListener()
        let handle = alice.client.addAdvancedMsgListener(listener: late)
        let conn = EventLog()
        let stream = ConnEventStream()
        let connHandle = alice.client.addConnListener(listener: stream)
        // Logged out: there is no state to tell, so nothing is queued.
        let reader = Task { for await e in stream.events { conn.append(e) } }
        _ = try await OnlineUser(server, "bob").send("ping", to: "alice")
        XCTAssertEqual(conn.events, [])
        reader.cancel()
        withExtendedLifetime((handle, connHandle)) {}
    }

    /// A listener too slow for its queue (1 024 events) makes the engine wait for it: more
    /// messages arrive while it is blocked than its queue holds, and once it goes on it gets every
    /// one, each sender's in order (Rust:
    /// `a_listener_too_slow_for_its_queue_slows_delivery_but_loses_nothing`).
    func testAListenerTooSlowForItsQueueSlowsDeliveryButLosesNothing() async throws {
        let server = try DevServer()
        let s1 = try await OnlineUser(server, "s1")
        let s2 = try await OnlineUser(server, "s2")
        let bob = try await OnlineUser(server, "bob")
        let gate = Gate()
        defer { gate.release() }
        let slow = TextListener(before: { _ in gate.wait() })
        let handle = bob.client.addAdvancedMsgListener(listener: slow)
        let perSender = 600
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (name, sender) in [("s1", s1), ("s2", s2)] {
                group.addTask {
                    for i in 0..<perSender { _ = try await sender.send("\(name)-\(i)", to: "bob") }
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(slow.texts.events, [])
        gate.release()
        try await slow.await(2 * perSender)
        for name in ["s1", "s2"] {
            XCTAssertEqual(slow.texts.events.filter { $0.hasPrefix("\(name)-") }, (0..<perSender).map { "\(name)-\($0)" }, "lost or reordered")
        }
        XCTAssertEqual(slow.texts.events.count, 2 * perSender)
        withExtendedLifetime(handle) {}
    }

    /// `addUserListener`, `addFriendListener` and `addGroupListener` hear their events while their
    /// handles live and nothing once they are cancelled, while the listeners set with
    /// `set…Listener` go on hearing (Rust: `added_user_and_group_listeners_hear_until_their_handles_drop`).
    func testAddedUserFriendAndGroupListenersHearUntilTheirHandlesAreCancelled() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        func recorded<E: Sendable>(_ stream: AsyncStream<E>) -> (Recorder<E>, Task<Void, Never>) {
            let recorder = Recorder<E>()
            return (recorder, Task { for await e in stream { recorder.append(e) } })
        }
        let (addedUser, addedFriend, addedGroup) = (UserEventStream(), FriendEventStream(), GroupEventStream())
        let handles = [alice.client.addUserListener(listener: addedUser), alice.client.addFriendListener(listener: addedFriend),
                       alice.client.addGroupListener(listener: addedGroup)]
        let (setUser, setFriend, setGroup) = (UserEventStream(), FriendEventStream(), GroupEventStream())
        alice.client.setUserListener(listener: setUser)
        alice.client.setFriendListener(listener: setFriend)
        alice.client.setGroupListener(listener: setGroup)
        let (users, r1) = recorded(addedUser.events)
        let (friends, r2) = recorded(addedFriend.events)
        let (groups, r3) = recorded(addedGroup.events)
        let (setUsers, r4) = recorded(setUser.events)
        let (setFriends, r5) = recorded(setFriend.events)
        let (setGroups, r6) = recorded(setGroup.events)
        defer { [r1, r2, r3, r4, r5, r6].forEach { $0.cancel() } }
        func renamed(_ name: String) -> (UserEvent) -> Bool? {
            { if case let .selfInfoUpdated(u) = $0, u.nickname == name { return true }; return nil }
        }
        func groupNamed(_ name: String) -> (GroupEvent) -> Bool? {
            { if case let .groupInfoChanged(g) = $0, g.groupName == name { return true }; return nil }
        }
        let rejected: (FriendEvent) -> Bool? = { if case .applicationRejected = $0 { return true }; return nil }

        _ = try await alice.client.setSelfInfo(update: UserInfoUpdate(nickname: "A2"))
        _ = try await users.wait("the added user listener", renamed("A2"))
        try await bob.client.addFriend(toUserId: "alice", reqMsg: "hi", ex: "")
        _ = try await friends.wait("the added friend listener") { e -> Bool? in
            if case let .applicationAdded(a) = e, a.fromUserId == "bob" { return true }
            return nil
        }
        let g = try await alice.client.createGroup(params: CreateGroupParams(groupName: "G", memberUserIds: ["bob"]))
        _ = try await groups.wait("the added group listener") { e -> Bool? in
            if case let .joinedGroupAdded(x) = e, x.groupId == g.groupId { return true }
            return nil
        }

        handles.forEach { $0.cancel() }
        _ = try await alice.client.setSelfInfo(update: UserInfoUpdate(nickname: "A3"))
        try await alice.client.setGroupInfo(groupId: g.groupId, update: GroupInfoUpdate(groupName: "G2"))
        try await alice.client.refuseFriendApplication(fromUserId: "bob", handleMsg: "no")
        _ = try await setUsers.wait("the set user listener", renamed("A3"))
        _ = try await setGroups.wait("the set group listener", groupNamed("G2"))
        _ = try await setFriends.wait("the set friend listener", rejected)
        // The set listeners heard all three: the added ones would have been called by now.
        XCTAssertTrue(users.events.compactMap(renamed("A3")).isEmpty, "\(users.events)")
        XCTAssertTrue(groups.events.compactMap(groupNamed("G2")).isEmpty, "\(groups.events)")
        XCTAssertTrue(friends.events.compactMap(rejected).isEmpty, "\(friends.events)")
    }

    func testABlockingListenerDoesNotStallTheOthers() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let gate = Gate()
        let blocker = TextListener(before: { _ in gate.wait() })
        let handle = bob.client.addAdvancedMsgListener(listener: blocker)
        for i in 1...5 { _ = try await alice.send("m\(i)", to: "bob") }
        _ = try await bob.awaitText("m5")
        XCTAssertEqual(blocker.texts.events, [])
        gate.release()
        try await blocker.await(5)
        XCTAssertEqual(blocker.texts.events, ["m1", "m2", "m3", "m4", "m5"])
        let unread = try await bob.client.getAllConversationList()[0].unreadCount
        XCTAssertEqual(unread, 5)
        withExtendedLifetime(handle) {}
    }

    func testTheLogGoesToTheHostSink() async throws {
        let server = try DevServer()
        try await server.register("alice")
        let client = try OpenIMClient(config: server.config(dataDir: tempDir()))
        let sink = LogRecords()
        OpenIMLog.useSink(sink, level: .info)
        try await client.login(userId: "alice", token: try await server.token("alice"))
        let login = try await sink.records.wait("the login record") { r in r.message.hasPrefix("logged in") ? r : nil }
        XCTAssertEqual(login.level, .info)
        XCTAssertEqual(login.target, "openim_sdk::engine")
        XCTAssertTrue(login.message.contains("user=alice"), login.message)
        OpenIMLog.useDefaultSink(level: .warn)
        try await client.logout()
        OpenIMLog.useSink(nil)
    }
}
