import Foundation
import XCTest

@testable import OpenIMSDK

/// A logged-in user whose friend and user events are recorded.
final class FriendUser {
    let client: OpenIMClient
    let friends = Recorder<FriendEvent>()
    let user = Recorder<UserEvent>()
    private var readers: [Task<Void, Never>] = []

    init(_ server: DevServer, _ userId: String, platform: Int32 = 2, register: Bool = true) async throws {
        if register { try await server.register(userId) }
        client = try OpenIMClient(config: server.config(dataDir: tempDir(), platform: platform))
        let (friends, user) = (friends, user)
        let friendStream = client.friendEvents()
        let userStream = client.userEvents()
        readers.append(Task { for await e in friendStream { friends.append(e) } })
        readers.append(Task { for await e in userStream { user.append(e) } })
        let conversations = Recorder<ConversationEvent>()
        let convStream = client.conversationEvents()
        readers.append(Task { for await e in convStream { conversations.append(e) } })
        try await client.login(userId: userId, token: try await server.token(userId, platform: Int(platform)))
        _ = try await conversations.wait("sync finish") { e -> Bool? in
            if case .syncFinish = e { return true }
            return nil
        }
    }

    deinit { readers.forEach { $0.cancel() } }
}

final class FriendTests: XCTestCase {
    func testApplyAcceptRemarkDeleteAndBlock() async throws {
        let server = try DevServer()
        let alice = try await FriendUser(server, "alice")
        let aliceTablet = try await FriendUser(server, "alice", platform: 9, register: false)
        let bob = try await FriendUser(server, "bob")
        // Bob writes before they are friends; alice's laptop stores the chat, then goes away.
        let aliceLaptop = try await FriendUser(server, "alice", platform: 3, register: false)
        _ = try await bob.client.sendMessage(
            message: try bob.client.createTextMessage(text: "before we are friends"), recvId: "alice", groupId: nil, offlinePushInfo: nil,
            isOnlineOnly: false)
        let chatID = singleConversation("alice", "bob")
        let deadline = Date().addingTimeInterval(15)
        while try await !aliceLaptop.client.getAllConversationList().contains(where: { $0.conversationId == chatID }) {
            guard Date() < deadline else { return XCTFail("the laptop never stored bob's chat") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        try await aliceLaptop.client.logout()

        try await bob.client.addFriend(toUserId: "alice", reqMsg: "hi from swift", ex: "")
        for device in [alice, aliceTablet] {
            let app = try await device.friends.wait("the application") { e -> FriendApplication? in
                if case let .applicationAdded(a) = e { return a }
                return nil
            }
            XCTAssertEqual(app.fromUserId, "bob")
            XCTAssertEqual(app.state, .pending)
        }
        try await alice.client.acceptFriendApplication(fromUserId: "bob", handleMsg: "welcome")
        for (device, friend) in [(alice, "bob"), (aliceTablet, "bob"), (bob, "alice")] {
            let added = try await device.friends.wait("on_friend_added") { e -> FriendInfo? in
                if case let .friendAdded(f) = e { return f }
                return nil
            }
            XCTAssertEqual(added.friendUserId, friend)
        }
        let list = try await alice.client.getFriendList(filterBlack: false)
        XCTAssertEqual(list.map(\.friendUserId), ["bob"])

        try await alice.client.setFriendRemark(friendUserId: "bob", remark: "Bobby")
        _ = try await aliceTablet.friends.wait("the remark") { e -> FriendInfo? in
            if case let .friendInfoChanged(f) = e, f.remark == "Bobby" { return f }
            return nil
        }
        // Back, the laptop learns of the friend in one sync; the chat it kept takes the remark.
        try await aliceLaptop.client.login(userId: "alice", token: try await server.token("alice", platform: 3))
        _ = try await aliceLaptop.friends.wait("bob on the laptop") { e -> FriendInfo? in
            if case let .friendAdded(f) = e, f.remark == "Bobby" { return f }
            return nil
        }
        let laptopChat = try await aliceLaptop.client.getOneConversation(sessionType: .single, sourceId: "bob")
        XCTAssertEqual(laptopChat.showName, "Bobby")
        // A new device's first login pulls bob's message: the chat shows the remark, not the
        // sender nickname the pulled message carries.
        _ = try await bob.client.sendMessage(
            message: try bob.client.createTextMessage(text: "hey"), recvId: "alice", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)
        let aliceDesktop = try await FriendUser(server, "alice", platform: 7, register: false)
        let chat = try await aliceDesktop.client.getOneConversation(sessionType: .single, sourceId: "bob")
        XCTAssertEqual(chat.showName, "Bobby")
        XCTAssertEqual(chat.latestMsg?.senderNickname, "bob nick")

        try await alice.client.addBlack(userId: "bob", ex: "")
        _ = try await aliceTablet.friends.wait("on_black_added") { e -> BlackInfo? in
            if case let .blackAdded(b) = e { return b }
            return nil
        }
        do {
            _ = try await bob.client.sendMessage(message: try bob.client.createTextMessage(text: "let me in"), recvId: "alice",
                                                 groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)
            XCTFail("a blocked sender's message went through")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 1302)
        }
        try await alice.client.removeBlack(userId: "bob")
        _ = try await aliceTablet.friends.wait("on_black_deleted") { e -> Bool? in
            if case let .blackDeleted(b) = e, b.blockUserId == "bob" { return true }
            return nil
        }
        _ = try await bob.client.sendMessage(message: try bob.client.createTextMessage(text: "unblocked"), recvId: "alice",
                                             groupId: nil, offlinePushInfo: nil, isOnlineOnly: false)

        try await alice.client.deleteFriend(friendUserId: "bob")
        _ = try await aliceTablet.friends.wait("on_friend_deleted") { e -> FriendInfo? in
            if case let .friendDeleted(f) = e { return f }
            return nil
        }
        let afterDelete = try await alice.client.getFriendList(filterBlack: false)
        XCTAssertTrue(afterDelete.isEmpty)
        let bobsList = try await bob.client.getFriendList(filterBlack: false)
        XCTAssertEqual(bobsList.map(\.friendUserId), ["alice"], "one-way")
        let check = try await bob.client.checkFriend(userIds: ["alice"])
        XCTAssertTrue(check[0].inMyFriends && !check[0].inTheirFriends, "\(check)")

        do {
            try await alice.client.addFriend(toUserId: "alice", reqMsg: "", ex: "")
            XCTFail("adding oneself worked")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 1301)
        }
    }

    func testAProfileChangeReachesTheOtherDevice() async throws {
        let server = try DevServer()
        let alice = try await FriendUser(server, "alice")
        let aliceTablet = try await FriendUser(server, "alice", platform: 9, register: false)
        let bob = try await FriendUser(server, "bob")
        try await bob.client.addFriend(toUserId: "alice", reqMsg: "hi", ex: "")
        _ = try await alice.friends.wait("the application") { e -> Bool? in
            if case .applicationAdded = e { return true }
            return nil
        }
        try await alice.client.acceptFriendApplication(fromUserId: "bob", handleMsg: "ok")
        _ = try await bob.friends.wait("on_friend_added") { e -> Bool? in
            if case .friendAdded = e { return true }
            return nil
        }
        let hi = try await alice.client.sendMessage(message: try alice.client.createTextMessage(text: "hi"), recvId: "bob")
        XCTAssertEqual(hi.senderNickname, "alice nick")
        let chat = singleConversation("alice", "bob")
        // (The chat also holds the friendship notification alice's acceptance sent.)
        func history(_ device: FriendUser) async throws -> [Message] {
            try await device.client.getAdvancedHistoryMessageList(conversationId: chat, startClientMsgId: nil, count: 10).messages
        }
        func names(_ device: FriendUser) async throws -> Set<String> {
            let messages = try await history(device)
            XCTAssertTrue(messages.contains { $0.clientMsgId == hi.clientMsgId }, "\(messages)")
            return Set(messages.map { $0.senderNickname })
        }
        // Bounded waits for the message on bob's side and on alice's tablet.
        for device in [bob, aliceTablet] {
            let deadline = Date().addingTimeInterval(15)
            while try await !history(device).contains(where: { $0.clientMsgId == hi.clientMsgId }) {
                guard Date() < deadline else { return XCTFail("the message never arrived") }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
        }

        _ = try await alice.client.setSelfInfo(update: UserInfoUpdate(nickname: "Alice S."))
        let updated = try await aliceTablet.user.wait("on_self_info_updated") { e -> UserInfo? in
            if case let .selfInfoUpdated(u) = e { return u }
            return nil
        }
        XCTAssertEqual(updated.nickname, "Alice S.")
        // Messages already stored show the new name: on the friend's side (and in the chat's
        // latest message), and the user's own on each of her devices.
        _ = try await bob.friends.wait("the friend's new name") { e -> Bool? in
            if case let .friendInfoChanged(f) = e, f.nickname == "Alice S." { return true }
            return nil
        }
        let onBob = try await names(bob)
        XCTAssertEqual(onBob, Set(["Alice S."]))
        let listed = try await bob.client.getOneConversation(sessionType: .single, sourceId: "alice")
        XCTAssertEqual(listed.latestMsg?.senderNickname, "Alice S.")
        _ = try await alice.user.wait("her own on_self_info_updated") { e -> Bool? in
            if case .selfInfoUpdated = e { return true }
            return nil
        }
        for device in [alice, aliceTablet] {
            let own = try await names(device)
            XCTAssertEqual(own, Set(["Alice S."]))
        }
    }

    /// Presence: alice follows bob, hears him come online (with his platform) and go;
    /// unfollowed, he is gone from her list. getUserStatus (OpenIM's GetUserStatus) answers and
    /// follows, as OpenIM's core does.
    func testPresenceOfFollowedUsers() async throws {
        let server = try DevServer()
        let alice = try await FriendUser(server, "alice")
        try await server.register("bob")
        let before = try await alice.client.subscribeUsersStatus(userIds: ["bob"])
        XCTAssertEqual(before.map { "\($0.userId) \($0.status)" }, ["bob 0"])
        let offlines = { alice.user.events.filter { if case let .statusChanged(s) = $0 { return s.status == 0 }; return false }.count }
        let bob = try await OnlineUser(server, "bob", register: false)
        let online = try await alice.user.wait("bob online") { e -> OnlineStatus? in
            if case let .statusChanged(s) = e, s.status == 1 { return s }
            return nil
        }
        XCTAssertEqual(online.platformIds, [2])
        let followed = try await alice.client.getSubscribeUsersStatus()
        XCTAssertEqual(followed.map { $0.status }, [1])
        try await bob.client.logout()
        _ = try await alice.user.wait("bob offline") { _ in offlines() >= 1 ? true : nil }
        try await alice.client.unsubscribeUsersStatus(userIds: ["bob"])
        let none = try await alice.client.getSubscribeUsersStatus()
        XCTAssertTrue(none.isEmpty)

        let bobPad = try await OnlineUser(server, "bob", platform: 9, register: false)
        let now = try await alice.client.getUserStatus(userIds: ["bob"])
        XCTAssertEqual(now.map { "\($0.userId) \($0.status) \($0.platformIds)" }, ["bob 1 [9]"])
        let again = try await alice.client.getSubscribeUsersStatus()
        XCTAssertEqual(again.count, 1, "followed")
        try await bobPad.client.logout()
        _ = try await alice.user.wait("bob offline again") { _ in offlines() >= 2 ? true : nil }
        do {
            _ = try await alice.client.getUserStatus(userIds: [])
            XCTFail("no user IDs were taken")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10002)
        }
    }

    /// Makes `a` and `b` friends (`a` applies, `b` accepts) and waits until both know.
    private func befriend(_ a: FriendUser, _ aId: String, _ b: FriendUser, _ bId: String) async throws {
        try await a.client.addFriend(toUserId: bId, reqMsg: "", ex: "")
        _ = try await b.friends.wait("\(aId)'s application") { e -> Bool? in
            if case let .applicationAdded(x) = e, x.fromUserId == aId { return true }
            return nil
        }
        try await b.client.acceptFriendApplication(fromUserId: aId, handleMsg: "")
        for (device, friend) in [(a, bId), (b, aId)] {
            _ = try await device.friends.wait("\(friend) added") { e -> Bool? in
                if case let .friendAdded(f) = e, f.friendUserId == friend { return true }
                return nil
            }
        }
    }

    /// The application lists and count, friendship checks, pins, ex, pages, search and the
    /// friends named; profiles by ID; a refusal and OpenIM's codes for wrong requests; the
    /// blacklist; the global receive option (Rust: `an_application_accepted…`,
    /// `remarks_pins_and_search`, `wrong_requests_carry_openims_codes`, `a_blocked_sender…`).
    func testFriendListsApplicationsAndRefusals() async throws {
        let server = try DevServer()
        let alice = try await FriendUser(server, "alice")
        let bob = try await FriendUser(server, "bob")
        let carol = try await FriendUser(server, "carol")

        let noApplication = await code { try await alice.client.acceptFriendApplication(fromUserId: "bob", handleMsg: "") }
        XCTAssertEqual(noApplication, 1004, "no application")
        try await bob.client.addFriend(toUserId: "alice", reqMsg: "let's talk", ex: "")
        _ = try await alice.friends.wait("the application") { e -> Bool? in
            if case .applicationAdded = e { return true }
            return nil
        }
        let received = try await alice.client.getFriendApplicationListAsRecipient(states: [.pending], offset: 0, count: 20)
        XCTAssertEqual(received.map { $0.fromUserId }, ["bob"])
        let unhandled = try await alice.client.getFriendApplicationUnhandledCount(sinceMs: 0)
        XCTAssertEqual(unhandled, 1)
        let sent = try await bob.client.getFriendApplicationListAsApplicant(offset: 0, count: 20)
        XCTAssertEqual(sent.map { $0.toUserId }, ["alice"])
        try await alice.client.refuseFriendApplication(fromUserId: "bob", handleMsg: "no")
        let refused = try await bob.friends.wait("the refusal") { e -> FriendApplication? in
            if case let .applicationRejected(a) = e { return a }
            return nil
        }
        XCTAssertEqual(refused.handleMsg, "no")
        XCTAssertEqual(refused.state, .refused)
        let none = try await alice.client.getFriendApplicationUnhandledCount(sinceMs: 0)
        XCTAssertEqual(none, 0)
        let c1 = await code { try await alice.client.refuseFriendApplication(fromUserId: "bob", handleMsg: "") }
        XCTAssertEqual(c1, 1305, "refused already")
        let c2 = await code { try await alice.client.acceptFriendApplication(fromUserId: "bob", handleMsg: "") }
        XCTAssertEqual(c2, 1001, "handled already")
        let c3 = await code { try await alice.client.addFriend(toUserId: "nobody", reqMsg: "", ex: "") }
        XCTAssertEqual(c3, 1004)
        let c4 = await code { try await alice.client.addFriend(toUserId: "", reqMsg: "", ex: "") }
        XCTAssertEqual(c4, 10002)
        let c5 = await code { try await alice.client.setFriendRemark(friendUserId: "bob", remark: "x") }
        XCTAssertEqual(c5, 1004, "not a friend")
        let c6 = await code { _ = try await alice.client.checkFriend(userIds: []) }
        XCTAssertEqual(c6, 10002)
        let c7 = await code { _ = try await alice.client.getFriendApplicationListAsRecipient(states: [], offset: -1, count: 10) }
        XCTAssertEqual(c7, 10002)

        try await befriend(bob, "bob", alice, "alice")
        try await befriend(carol, "carol", alice, "alice")
        let c8 = await code { try await bob.client.addFriend(toUserId: "alice", reqMsg: "", ex: "") }
        XCTAssertEqual(c8, 1304, "friends already")
        let check = try await alice.client.checkFriend(userIds: ["bob", "nobody"])
        XCTAssertEqual(check.map { $0.isFriend && $0.inMyFriends && $0.inTheirFriends }, [true, false])
        // A list with one who is no friend is refused whole, before anything is sent (Rust:
        // `wrong_requests_carry_openims_codes`).
        let mixed = await code { try await alice.client.pinFriends(friendUserIds: ["bob", "nobody"], isPinned: true) }
        XCTAssertEqual(mixed, 1004)
        let bobs = try await alice.client.getSpecifiedFriendsInfo(userIds: ["bob"], filterBlack: false)
        XCTAssertEqual(bobs.map(\.isPinned), [false], "nothing was sent")
        try await alice.client.setFriendRemark(friendUserId: "bob", remark: "Bobby")
        try await alice.client.pinFriends(friendUserIds: ["carol"], isPinned: true)
        try await alice.client.setFriendsEx(friendUserIds: ["bob", "carol"], ex: "x")
        let list = try await alice.client.getFriendList(filterBlack: false)
        XCTAssertEqual(list.map { $0.friendUserId }, ["carol", "bob"], "pinned first")
        XCTAssertTrue(list.allSatisfy { $0.ex == "x" })
        let page = try await alice.client.getFriendListPage(offset: 1, count: 1, filterBlack: false)
        XCTAssertEqual(page.map { $0.friendUserId }, ["bob"])
        let found = try await alice.client.searchFriends(params: SearchFriendsParams(keywords: ["bby"], searchUserId: false, searchNickname: false, searchRemark: true))
        XCTAssertEqual(found.map { "\($0.friend.friendUserId) \($0.relationship)" }, ["bob 1"])
        let specified = try await alice.client.getSpecifiedFriendsInfo(userIds: ["carol", "bob"], filterBlack: false)
        XCTAssertEqual(specified.map { $0.friendUserId }, ["carol", "bob"], "in the order asked")
        let c9 = await code { try await alice.client.pinFriends(friendUserIds: ["bob", "bob"], isPinned: true) }
        XCTAssertEqual(c9, 10002)

        let users = try await alice.client.getUsersInfo(userIds: ["carol", "nobody", "bob"])
        XCTAssertEqual(users.map { "\($0.userId) \($0.nickname)" }, ["carol carol nick", "bob bob nick"], "in the order asked, unknown left out")
        let c10 = await code { _ = try await alice.client.getUsersInfo(userIds: []) }
        XCTAssertEqual(c10, 10002)

        try await alice.client.addBlack(userId: "carol", ex: "spam")
        let blacks = try await alice.client.getBlackList()
        XCTAssertEqual(blacks.map { "\($0.blockUserId) \($0.ex)" }, ["carol spam"])
        let blocked = try await alice.client.checkFriend(userIds: ["carol"])
        XCTAssertEqual(blocked.map { $0.isFriend }, [false], "blocked")
        let filtered = try await alice.client.getSpecifiedFriendsInfo(userIds: ["carol", "bob"], filterBlack: true)
        XCTAssertEqual(filtered.map { $0.friendUserId }, ["bob"], "blocked filtered")
        try await alice.client.removeBlack(userId: "carol")
        let noBlacks = try await alice.client.getBlackList()
        XCTAssertTrue(noBlacks.isEmpty)

        try await alice.client.setGlobalRecvMessageOpt(opt: 2)
        let me = try await alice.client.getSelfUserInfo()
        XCTAssertEqual(me.globalRecvMsgOpt, 2)
    }

    /// With devserver's `--friend-verify` (OpenIM's friend verification), a stranger's message
    /// is refused with 1303, and goes through once they are friends
    /// (Rust: `friendship_can_be_required_to_send`).
    func testFriendshipCanBeRequiredToSend() async throws {
        let server = try DevServer(extraArgs: ["--friend-verify"])
        let alice = try await FriendUser(server, "alice")
        let bob = try await FriendUser(server, "bob")
        let send = { (text: String) in
            _ = try await bob.client.sendMessage(
                message: try bob.client.createTextMessage(text: text), recvId: "alice", groupId: nil, offlinePushInfo: nil, isOnlineOnly: false,
                progress: nil)
        }
        let stranger = await code { try await send("stranger") }
        XCTAssertEqual(stranger, 1303)
        try await befriend(bob, "bob", alice, "alice")
        try await send("friend")
    }
}
