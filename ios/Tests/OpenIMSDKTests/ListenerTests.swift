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
