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
}
