import Foundation
import XCTest

@testable import OpenIMSDK

/// A logged-in user whose group and message events are recorded.
final class GroupUser {
    let client: OpenIMClient
    let groups = Recorder<GroupEvent>()
    let messages = Recorder<MessageEvent>()
    private var readers: [Task<Void, Never>] = []

    init(_ server: DevServer, _ userId: String, platform: Int32 = 2, register: Bool = true) async throws {
        if register { try await server.register(userId) }
        client = try OpenIMClient(config: server.config(dataDir: tempDir(), platform: platform))
        let (groups, messages) = (groups, messages)
        let groupStream = client.groupEvents()
        let messageStream = client.messageEvents()
        readers.append(Task { for await e in groupStream { groups.append(e) } })
        readers.append(Task { for await e in messageStream { messages.append(e) } })
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

final class GroupTests: XCTestCase {
    /// Mention marks on devices that were away: a mark cleared on the phone while the tablet was
    /// logged out stays cleared there when it comes back, and a new device takes the server's
    /// mark, the chat unread on both. Rust: `mention_marks_reach_devices_that_were_away`.
    func testMentionMarksReachDevicesThatWereAway() async throws {
        let server = try DevServer()
        let alice = try await OnlineUser(server, "alice")
        let bob = try await OnlineUser(server, "bob")
        let tablet = try await OnlineUser(server, "alice", platform: 9, register: false)
        let g = try await bob.client.createGroup(params: CreateGroupParams(groupName: "Away", memberUserIds: ["alice"]))
        let sg = "sg_\(g.groupId)"
        _ = try await tablet.conversations.conversation("the group chat on the tablet") { $0.conversationId == sg }
        try await tablet.client.logout()

        // bob mentions everyone; alice's phone clears the mark without reading.
        let all = try bob.client.createTextAtMessage(text: "all", atUserIds: [bob.client.getAtAllTag()], atUsersInfo: [], quote: nil)
        _ = try await bob.client.sendMessage(message: all, recvId: nil, groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        _ = try await alice.messages.wait("@all") { e -> Message? in
            if case let .newMessage(m) = e, m.contentType == 106 { return m }
            return nil
        }
        let phone = try await alice.client.getOneConversation(sessionType: .group, sourceId: g.groupId)
        XCTAssertEqual(phone.groupAtType, 2)
        XCTAssertGreaterThan(phone.unreadCount, 0)
        _ = try await alice.client.setConversation(conversationId: sg, update: ConversationUpdate(groupAtType: 0))

        // The tablet comes back: no mark, the message unread.
        try await tablet.client.login(userId: "alice", token: try await server.token("alice", platform: 9))
        try await tablet.conversations.wait(count: 2, "the tablet's second sync") { e in
            if case .syncFinish = e { return true }
            return false
        }
        let back = try await tablet.client.getOneConversation(sessionType: .group, sourceId: g.groupId)
        XCTAssertEqual([back.groupAtType, back.unreadCount], [0, phone.unreadCount])

        // bob mentions alice; a new device of hers takes the server's mark.
        let at = try bob.client.createTextAtMessage(text: "you", atUserIds: ["alice"], atUsersInfo: [], quote: nil)
        _ = try await bob.client.sendMessage(message: at, recvId: nil, groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        let fresh = try await OnlineUser(server, "alice", platform: 4, register: false)
        let newDevice = try await fresh.client.getOneConversation(sessionType: .group, sourceId: g.groupId)
        XCTAssertEqual([newDevice.groupAtType, newDevice.unreadCount], [1, phone.unreadCount + 1])
    }

    func testCreateApplyKickMuteAndDismiss() async throws {
        let server = try DevServer()
        let alice = try await GroupUser(server, "alice")
        let aliceTablet = try await GroupUser(server, "alice", platform: 9, register: false)
        let bob = try await GroupUser(server, "bob")
        let carol = try await GroupUser(server, "carol")
        let dave = try await GroupUser(server, "dave")

        let group = try await alice.client.createGroup(params: CreateGroupParams(
            groupName: "Swift club", memberUserIds: ["bob", "carol"], adminUserIds: ["bob"]))
        XCTAssertEqual(group.memberCount, 3)
        for device in [alice, aliceTablet, bob, carol] {
            let added = try await device.groups.wait("on_joined_group_added") { e -> GroupInfo? in
                if case let .joinedGroupAdded(g) = e { return g }
                return nil
            }
            XCTAssertEqual(added.groupId, group.groupId)
        }
        let members = try await carol.client.getGroupMemberList(groupId: group.groupId, filter: .all, offset: 0, count: 50)
        XCTAssertEqual(members.map(\.userId), ["alice", "bob", "carol"])
        XCTAssertEqual(members.map(\.role), [.owner, .admin, .member])
        // Pages of the list, whole and filtered.
        func page(_ filter: GroupMemberFilter, _ offset: Int32, _ count: Int32) async throws -> [String] {
            try await carol.client.getGroupMemberList(groupId: group.groupId, filter: filter, offset: offset, count: count).map(\.userId)
        }
        var paged = try await page(.all, 1, 1)
        XCTAssertEqual(paged, ["bob"])
        paged = try await page(.all, 3, 5)
        XCTAssertEqual(paged, [])
        paged = try await page(.adminsAndMembers, 0, 5)
        XCTAssertEqual(paged, ["bob", "carol"])
        paged = try await page(.ownerAndAdmins, 1, 5)
        XCTAssertEqual(paged, ["bob"])

        // A group message reaches the members; the chat is named after the group.
        _ = try await alice.client.sendMessage(message: try alice.client.createTextMessage(text: "hi group"), recvId: nil,
                                               groupId: group.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        let got = try await bob.messages.wait("the group message") { e -> Message? in
            if case let .newMessage(m) = e, m.contentType == 101 { return m }
            return nil
        }
        XCTAssertEqual(got.groupId, group.groupId)
        let chat = try await bob.client.getOneConversation(sessionType: .group, sourceId: group.groupId)
        XCTAssertEqual(chat.showName, "Swift club")

        // dave applies, bob (admin) hears of it, alice accepts.
        try await dave.client.joinGroup(groupId: group.groupId, reqMsg: "let me in", joinSource: 3, ex: "")
        let app = try await bob.groups.wait("dave's application") { e -> GroupApplication? in
            if case let .applicationAdded(a) = e { return a }
            return nil
        }
        XCTAssertEqual(app.userId, "dave")
        try await alice.client.acceptGroupApplication(groupId: group.groupId, fromUserId: "dave", handleMsg: "welcome")
        _ = try await dave.groups.wait("dave in") { e -> GroupInfo? in
            if case let .joinedGroupAdded(g) = e { return g }
            return nil
        }
        _ = try await carol.groups.wait("dave joined") { e -> GroupMember? in
            if case let .memberAdded(m) = e, m.userId == "dave" { return m }
            return nil
        }
        let handled = await code { try await alice.client.acceptGroupApplication(groupId: group.groupId, fromUserId: "dave", handleMsg: "") }
        XCTAssertEqual(handled, 1206)

        // Who joined when (OpenIM's GetGroupMemberListByJoinTimeFilter): newest first, an end of 0
        // is now, carol left out; from dave's join time on, dave alone.
        let byJoin = try await carol.client.getGroupMemberListByJoinTimeFilter(
            groupId: group.groupId, offset: 0, count: 10, joinTimeBegin: 0, joinTimeEnd: 0, excludeUserIds: ["carol"])
        XCTAssertEqual(Set(byJoin.map { $0.userId }), ["alice", "bob", "dave"])
        XCTAssertEqual(byJoin.map { $0.joinTime }, byJoin.map { $0.joinTime }.sorted(by: >), "newest first")
        let daveJoined = byJoin.first { $0.userId == "dave" }!.joinTime
        let fromDave = try await carol.client.getGroupMemberListByJoinTimeFilter(
            groupId: group.groupId, offset: 0, count: 10, joinTimeBegin: daveJoined, joinTimeEnd: 0, excludeUserIds: [])
        XCTAssertEqual(fromDave.map { $0.userId }, ["dave"])

        // Muted carol can not talk.
        try await alice.client.changeGroupMemberMute(groupId: group.groupId, userId: "carol", mutedSeconds: 600)
        _ = try await carol.groups.wait("muted") { e -> GroupMember? in
            if case let .memberInfoChanged(m) = e, m.muteEndTime > 0 { return m }
            return nil
        }
        let muted = await code {
            _ = try await carol.client.sendMessage(message: try carol.client.createTextMessage(text: "?"), recvId: nil,
                                                   groupId: group.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        }
        XCTAssertEqual(muted, 1402)

        // dave is kicked.
        try await alice.client.kickGroupMember(groupId: group.groupId, reason: "bye", userIds: ["dave"])
        _ = try await dave.groups.wait("kicked") { e -> GroupInfo? in
            if case let .joinedGroupDeleted(g) = e { return g }
            return nil
        }
        let stillIn = try await dave.client.isJoinGroup(groupId: group.groupId)
        XCTAssertFalse(stillIn)

        try await alice.client.dismissGroup(groupId: group.groupId)
        let dismissed = try await carol.groups.wait("dismissed") { e -> GroupInfo? in
            if case let .groupDismissed(g) = e { return g }
            return nil
        }
        XCTAssertEqual(dismissed.status, 2)
        let listed = try await carol.client.getJoinedGroupList()
        XCTAssertFalse(listed.isEmpty, "a dismissed group stays listed")

        let bad = await code { try await dave.client.joinGroup(groupId: group.groupId, reqMsg: "", joinSource: 9, ex: "") }
        XCTAssertEqual(bad, 10002)
    }

    func testInviteMentionRolesMuteTransferAndCatchUp() async throws {
        let server = try DevServer()
        let alice = try await GroupUser(server, "alice")
        let bob = try await GroupUser(server, "bob")
        let carol = try await GroupUser(server, "carol")
        let g = try await alice.client.createGroup(params: CreateGroupParams(groupName: "S2", memberUserIds: ["bob"]))
        _ = try await bob.groups.wait("in the group") { e -> GroupInfo? in
            if case let .joinedGroupAdded(x) = e { return x }
            return nil
        }

        try await alice.client.inviteUserToGroup(groupId: g.groupId, reason: "join us", userIds: ["carol"])
        _ = try await carol.groups.wait("invited in") { e -> GroupInfo? in
            if case let .joinedGroupAdded(x) = e { return x }
            return nil
        }
        _ = try await bob.groups.wait("carol joined") { e -> GroupMember? in
            if case let .memberAdded(m) = e, m.userId == "carol" { return m }
            return nil
        }
        let existing = await code { try await alice.client.inviteUserToGroup(groupId: g.groupId, reason: "", userIds: ["bob"]) }
        XCTAssertEqual(existing, 1001)
        let notAdmin = await code { try await bob.client.kickGroupMember(groupId: g.groupId, reason: "", userIds: ["carol"]) }
        XCTAssertEqual(notAdmin, 1002)

        // alice's tablet, to see her clear below.
        let aliceTablet = try await OnlineUser(server, "alice", platform: 9, register: false)
        let sg = "sg_\(g.groupId)"
        func tabletChat(_ what: String, after skipped: Int = 0, _ matches: @escaping (Conversation) -> Bool) async throws -> Conversation {
            try await aliceTablet.conversations.conversation(what, after: skipped) { $0.conversationId == sg && matches($0) }
        }

        // carol mentions bob: only bob's chat says @me.
        let at = try carol.client.createTextAtMessage(text: "hey", atUserIds: ["bob"], atUsersInfo: [], quote: nil)
        _ = try await carol.client.sendMessage(message: at, recvId: nil, groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        for user in [bob, alice] {
            _ = try await user.messages.wait("the mention") { e -> Message? in
                if case let .newMessage(m) = e, m.contentType == 106 { return m }
                return nil
            }
        }
        let bobsChat = try await bob.client.getOneConversation(sessionType: .group, sourceId: g.groupId)
        let alicesChat = try await alice.client.getOneConversation(sessionType: .group, sourceId: g.groupId)
        XCTAssertEqual(bobsChat.groupAtType, 1)
        XCTAssertEqual(alicesChat.groupAtType, 0)
        // carol mentions everyone (the tag from getAtAllTag): alice's chat says @all.
        XCTAssertEqual(carol.client.getAtAllTag(), "AtAllTag")
        let all = try carol.client.createTextAtMessage(text: "all", atUserIds: [carol.client.getAtAllTag()], atUsersInfo: [], quote: nil)
        _ = try await carol.client.sendMessage(message: all, recvId: nil, groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        _ = try await alice.messages.wait("the mention of all") { e -> Message? in
            if case let .newMessage(m) = e, case let .atText(text, _, _, _, _) = m.content, text == "all" { return m }
            return nil
        }
        let alicesChatAfter = try await alice.client.getOneConversation(sessionType: .group, sourceId: g.groupId)
        XCTAssertEqual(alicesChatAfter.groupAtType, 2)
        // alice clears it without reading the chat (here and on the server, which marks
        // mentioned records for OpenIM's official clients) (Rust:
        // `a_new_group_reaches_every_member_device_and_chat`).
        _ = try await tabletChat("@all on the tablet") { $0.groupAtType == 2 }
        let tabletSeen = aliceTablet.conversations.events.count
        let badMark = await code { _ = try await alice.client.setConversation(conversationId: "sg_\(g.groupId)", update: ConversationUpdate(groupAtType: 5)) }
        XCTAssertEqual(badMark, 10002)
        let cleared = try await alice.client.setConversation(conversationId: "sg_\(g.groupId)", update: ConversationUpdate(groupAtType: 0))
        XCTAssertEqual(cleared.groupAtType, 0)
        XCTAssertGreaterThan(cleared.unreadCount, 0, "still unread")
        // Her tablet had @all too; the clear reaches it through the server's record.
        let tabletCleared = try await tabletChat("the clear on the tablet", after: tabletSeen) { $0.groupAtType == 0 && $0.unreadCount > 0 }
        XCTAssertEqual(tabletCleared.groupAtType, 0)

        // bob becomes admin; a muted group silences carol but not bob.
        try await alice.client.setGroupMemberInfo(groupId: g.groupId, userId: "bob", update: GroupMemberUpdate(role: .admin))
        _ = try await carol.groups.wait("bob admin") { e -> GroupMember? in
            if case let .memberInfoChanged(m) = e, m.userId == "bob", m.role == .admin { return m }
            return nil
        }
        try await alice.client.changeGroupMute(groupId: g.groupId, isMute: true)
        _ = try await carol.groups.wait("group muted") { e -> GroupInfo? in
            if case let .groupInfoChanged(x) = e, x.status == 3 { return x }
            return nil
        }
        let mutedGroup = await code {
            _ = try await carol.client.sendMessage(message: try carol.client.createTextMessage(text: "?"), recvId: nil,
                                                   groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        }
        XCTAssertEqual(mutedGroup, 1403)
        let talk = try await bob.client.sendMessage(message: try bob.client.createTextMessage(text: "admins talk"), recvId: nil,
                                                    groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        try await alice.client.changeGroupMute(groupId: g.groupId, isMute: false)

        // carol's group nickname reaches the messages she sent; bob (admin) revokes one of them
        // and is named and ranked as a member; carol cannot revoke bob's.
        let chat = "sg_\(g.groupId)"
        let mine = try await carol.client.sendMessage(message: try carol.client.createTextMessage(text: "mine"), groupId: g.groupId)
        for (user, id) in [(alice, mine.clientMsgId), (carol, talk.clientMsgId)] {
            _ = try await user.messages.wait("the message") { e -> Bool? in
                if case let .newMessage(m) = e, m.clientMsgId == id { return true }
                return nil
            }
        }
        try await carol.client.setGroupMemberInfo(groupId: g.groupId, userId: "carol", update: GroupMemberUpdate(nickname: "C"))
        _ = try await alice.groups.wait("carol's nickname") { e -> Bool? in
            if case let .memberInfoChanged(m) = e, m.nickname == "C" { return true }
            return nil
        }
        let page = try await alice.client.getAdvancedHistoryMessageList(conversationId: chat, startClientMsgId: nil, count: 50)
        XCTAssertEqual(page.messages.first { $0.clientMsgId == mine.clientMsgId }?.senderNickname, "C")
        try await bob.client.revokeMessage(conversationId: chat, clientMsgId: mine.clientMsgId)
        let revoked = try await alice.messages.wait("the revoke") { e -> RevokedInfo? in
            if case let .revoked(r) = e { return r }
            return nil
        }
        XCTAssertEqual(revoked.revokerId, "bob")
        XCTAssertEqual(revoked.revokerRole, 60)
        XCTAssertEqual(revoked.revokerNickname, "bob nick")
        let notHers = await code { try await carol.client.revokeMessage(conversationId: chat, clientMsgId: talk.clientMsgId) }
        XCTAssertEqual(notHers, 1002)

        try await alice.client.transferGroupOwner(groupId: g.groupId, newOwnerUserId: "bob")
        _ = try await carol.groups.wait("bob owns it") { e -> GroupInfo? in
            if case let .groupInfoChanged(x) = e, x.ownerUserId == "bob" { return x }
            return nil
        }

        // carol is away while bob renames the group and alice quits; she catches up at login.
        try await carol.client.logout()
        try await bob.client.setGroupInfo(groupId: g.groupId, update: GroupInfoUpdate(groupName: "Renamed"))
        try await alice.client.quitGroup(groupId: g.groupId)
        try await carol.client.login(userId: "carol", token: try await server.token("carol", platform: 2))
        _ = try await carol.groups.wait("the new name") { e -> GroupInfo? in
            if case let .groupInfoChanged(x) = e, x.groupName == "Renamed" { return x }
            return nil
        }
        _ = try await carol.groups.wait("alice left") { e -> GroupMember? in
            if case let .memberDeleted(m) = e, m.userId == "alice" { return m }
            return nil
        }
        let members = try await carol.client.getGroupMemberList(groupId: g.groupId, filter: .all, offset: 0, count: 10)
        XCTAssertEqual(members.map(\.userId), ["bob", "carol"])

        let unknown = await code { try await carol.client.joinGroup(groupId: "nope", reqMsg: "", joinSource: 3, ex: "") }
        XCTAssertEqual(unknown, 1004)
    }

    /// A member away while several of their groups change catches up with all of them at login:
    /// a new name, a new member, being kicked from one, a new group (Rust:
    /// `an_offline_member_catches_up_at_login_in_one_batch`).
    func testAnOfflineMemberCatchesUpAcrossGroups() async throws {
        let server = try DevServer()
        let alice = try await GroupUser(server, "alice")
        let bob = try await GroupUser(server, "bob")
        var groups: [String] = []
        for name in ["one", "two", "three"] {
            groups.append(try await alice.client.createGroup(params: CreateGroupParams(groupName: name, memberUserIds: ["bob"])).groupId)
        }
        try await bob.groups.wait(count: 3, "three groups") { e in if case .joinedGroupAdded = e { return true }; return false }
        try await bob.client.logout()

        try await server.register("carol")
        try await alice.client.setGroupInfo(groupId: groups[0], update: GroupInfoUpdate(groupName: "ONE"))
        try await alice.client.inviteUserToGroup(groupId: groups[1], reason: "", userIds: ["carol"])
        try await alice.client.kickGroupMember(groupId: groups[2], reason: "", userIds: ["bob"])
        let four = try await alice.client.createGroup(params: CreateGroupParams(groupName: "four", memberUserIds: ["bob"])).groupId

        try await bob.client.login(userId: "bob", token: try await server.token("bob", platform: 2))
        _ = try await bob.groups.wait("renamed") { e -> Bool? in
            if case let .groupInfoChanged(x) = e, x.groupName == "ONE" { return true }
            return nil
        }
        _ = try await bob.groups.wait("carol joined") { e -> Bool? in
            if case let .memberAdded(m) = e, m.userId == "carol", m.groupId == groups[1] { return true }
            return nil
        }
        _ = try await bob.groups.wait("kicked meanwhile") { e -> Bool? in
            if case let .joinedGroupDeleted(x) = e, x.groupId == groups[2] { return true }
            return nil
        }
        _ = try await bob.groups.wait("the new group") { e -> Bool? in
            if case let .joinedGroupAdded(x) = e, x.groupId == four { return true }
            return nil
        }
        let joined = Set(try await bob.client.getJoinedGroupList().map(\.groupId))
        XCTAssertEqual(joined, Set([groups[0], groups[1], four]))
    }

    /// The joined groups by page, by ID and by search (as OpenIM's SQL LIKE: either case,
    /// wildcards literal); a group's owner and admins, named members, member search and which
    /// users are in it; a join application refused, with both sides' application lists and
    /// count (Rust: `group_lists_lookups_and_a_refused_application`).
    func testGroupListsLookupsAndARefusedApplication() async throws {
        let server = try DevServer()
        let alice = try await GroupUser(server, "alice")
        _ = try await GroupUser(server, "bob")
        _ = try await GroupUser(server, "carol")
        let dave = try await GroupUser(server, "dave")
        let hikers = try await alice.client.createGroup(
            params: CreateGroupParams(groupName: "Hikers", memberUserIds: ["bob", "carol"], adminUserIds: ["bob"])).groupId
        let readers = try await alice.client.createGroup(params: CreateGroupParams(groupName: "Readers", memberUserIds: ["bob"])).groupId
        for id in [hikers, readers] {
            _ = try await alice.groups.wait("\(id) listed") { e -> Bool? in
                if case let .joinedGroupAdded(g) = e, g.groupId == id { return true }
                return nil
            }
        }

        let first = try await alice.client.getJoinedGroupListPage(offset: 0, count: 1)
        XCTAssertEqual(first.map { $0.groupId }, [hikers])
        let second = try await alice.client.getJoinedGroupListPage(offset: 1, count: 5)
        XCTAssertEqual(second.map { $0.groupId }, [readers])
        let past = try await alice.client.getJoinedGroupListPage(offset: 2, count: 5)
        XCTAssertTrue(past.isEmpty)
        let negative = await code { _ = try await alice.client.getJoinedGroupListPage(offset: -1, count: 5) }
        XCTAssertEqual(negative, 10002)
        let specified = try await alice.client.getSpecifiedGroupsInfo(groupIds: [readers, "nope", hikers])
        XCTAssertEqual(Set(specified.map { $0.groupId }), [hikers, readers], "unknown left out")
        let byName = try await alice.client.searchGroups(params: SearchGroupsParams(keywords: ["read"], searchGroupId: false, searchGroupName: true))
        XCTAssertEqual(byName.map { $0.groupId }, [readers])
        let wild = try await alice.client.searchGroups(params: SearchGroupsParams(keywords: ["%", "_"]))
        XCTAssertTrue(wild.isEmpty, "wildcards are literal")
        let byId = try await alice.client.searchGroups(params: SearchGroupsParams(keywords: [hikers], searchGroupId: true, searchGroupName: false))
        XCTAssertEqual(byId.map { $0.groupId }, [hikers])

        let managers = try await alice.client.getGroupMemberOwnerAndAdmin(groupId: hikers)
        XCTAssertEqual(managers.map { $0.userId }, ["alice", "bob"])
        XCTAssertEqual(managers.map { $0.role }, [.owner, .admin])
        let named = try await alice.client.getSpecifiedGroupMembersInfo(groupId: hikers, userIds: ["carol", "nobody", "alice"])
        XCTAssertEqual(Set(named.map { $0.userId }), ["alice", "carol"])
        let found = try await alice.client.searchGroupMembers(params: SearchGroupMembersParams(groupId: hikers, keywords: ["CAR"], offset: 0, count: 10))
        XCTAssertEqual(found.map { $0.userId }, ["carol"])
        let inGroup = try await alice.client.getUsersInGroup(groupId: hikers, userIds: ["dave", "bob"])
        XCTAssertEqual(inGroup, ["bob"])

        // dave applies to Readers and is refused.
        try await dave.client.joinGroup(groupId: readers, reqMsg: "me too", joinSource: 3, ex: "")
        _ = try await alice.groups.wait("dave's application") { e -> Bool? in
            if case let .applicationAdded(a) = e, a.userId == "dave" { return true }
            return nil
        }
        let unhandled = try await alice.client.getGroupApplicationUnhandledCount(sinceMs: 0)
        XCTAssertEqual(unhandled, 1)
        let pending = try await alice.client.getGroupApplicationListAsRecipient(states: [.pending], offset: 0, count: 20)
        XCTAssertEqual(pending.map { "\($0.userId) \($0.groupId) \($0.reqMsg)" }, ["dave \(readers) me too"])
        let mine = try await dave.client.getGroupApplicationListAsApplicant(states: [], offset: 0, count: 20)
        XCTAssertEqual(mine.map { $0.groupId }, [readers])
        XCTAssertEqual(mine.map { $0.state }, [.pending])
        try await alice.client.refuseGroupApplication(groupId: readers, fromUserId: "dave", handleMsg: "full")
        let refused = try await dave.groups.wait("refused") { e -> GroupApplication? in
            if case let .applicationRejected(a) = e { return a }
            return nil
        }
        XCTAssertEqual(refused.handleMsg, "full")
        XCTAssertEqual(refused.state, .refused)
        let none = try await alice.client.getGroupApplicationUnhandledCount(sinceMs: 0)
        XCTAssertEqual(none, 0)
        let handled = try await alice.client.getGroupApplicationListAsRecipient(states: [.refused], offset: 0, count: 20)
        XCTAssertEqual(handled.map { $0.userId }, ["dave"])
        let again = await code { try await alice.client.refuseGroupApplication(groupId: readers, fromUserId: "dave", handleMsg: "") }
        XCTAssertEqual(again, 1206, "handled already")
        let joined = try await dave.client.isJoinGroup(groupId: readers)
        XCTAssertFalse(joined)
    }

    /// Wrong arguments are refused with 10002 before anything reaches the server; a group the
    /// user is not in has no local members (10400); the server's refusals come with its codes
    /// (Rust: `wrong_arguments_are_refused_before_the_network`).
    func testWrongArgumentsAreRefusedBeforeTheNetwork() async throws {
        let server = try DevServer()
        let alice = try await GroupUser(server, "alice")
        let c = alice.client
        let g = try await c.createGroup(params: CreateGroupParams(groupName: "G"))
        let refusals: [(String, () async throws -> Void)] = [
            ("an empty group ID", { try await c.joinGroup(groupId: "", reqMsg: "", joinSource: 3, ex: "") }),
            ("a join source of 9", { try await c.joinGroup(groupId: "x", reqMsg: "", joinSource: 9, ex: "") }),
            ("nobody to kick", { try await c.kickGroupMember(groupId: g.groupId, reason: "", userIds: []) }),
            ("a user invited twice", { try await c.inviteUserToGroup(groupId: g.groupId, reason: "", userIds: ["a", "a"]) }),
            ("a member made owner", { try await c.setGroupMemberInfo(groupId: g.groupId, userId: "alice", update: GroupMemberUpdate(role: .owner)) }),
            ("a blank group name", { try await c.setGroupInfo(groupId: g.groupId, update: GroupInfoUpdate(groupName: " ")) }),
            ("a group without a name", { _ = try await c.createGroup(params: CreateGroupParams(groupName: "")) }),
            ("the creator as a member", { _ = try await c.createGroup(params: CreateGroupParams(groupName: "x", memberUserIds: ["alice"])) }),
            ("a negative offset", { _ = try await c.getGroupMemberList(groupId: g.groupId, filter: .all, offset: -1, count: 5) }),
        ]
        for (what, call) in refusals {
            let refused = await code(call)
            XCTAssertEqual(refused, 10002, what)
        }
        let notIn = await code { _ = try await c.getGroupMemberList(groupId: "nope", filter: .all, offset: 0, count: 5) }
        XCTAssertEqual(notIn, 10400, "members of a group not joined")
        let unknownGroup = await code { try await c.joinGroup(groupId: "nope", reqMsg: "", joinSource: 3, ex: "") }
        XCTAssertEqual(unknownGroup, 1004)
        let unknownMember = await code {
            _ = try await c.createGroup(params: CreateGroupParams(groupName: "x", memberUserIds: ["ghost"], needVerification: .direct))
        }
        XCTAssertEqual(unknownMember, 1004)
        let joined = try await c.getJoinedGroupList()
        XCTAssertEqual(joined.map(\.groupId), [g.groupId])
    }

    /// A device offline while its user read a group chat elsewhere learns it at login: in a group
    /// the read mark reaches the user's devices only as a push, so the login's unread reconcile
    /// marks the messages it stored read (Rust: `an_offline_device_learns_what_was_read_in_a_group`).
    func testAnOfflineDeviceLearnsWhatWasReadInAGroup() async throws {
        let server = try DevServer()
        let alice = try await GroupUser(server, "alice")
        let bob = try await GroupUser(server, "bob")
        let g = try await alice.client.createGroup(params: CreateGroupParams(groupName: "Readers", memberUserIds: ["bob"]))
        _ = try await bob.groups.wait("the group") { e -> Bool? in
            if case .joinedGroupAdded = e { return true }
            return nil
        }
        for text in ["one", "two"] {
            _ = try await alice.client.sendMessage(message: try alice.client.createTextMessage(text: text), recvId: nil,
                                                   groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
            _ = try await bob.messages.wait("message \(text)") { e -> Bool? in
                if case let .newMessage(m) = e, case let .text(t) = m.content, t == text { return true }
                return nil
            }
        }
        let chat = "sg_\(g.groupId)"
        // Bob's tablet stores both unread (and the group's creation tip), then goes offline.
        let tablet = try await OnlineUser(server, "bob", platform: 1, register: false)
        func unread() async throws -> [Int] {
            let total = try await tablet.client.getTotalUnreadMsgCount()
            let page = try await tablet.client.getAdvancedHistoryMessageList(conversationId: chat, startClientMsgId: nil, count: 10)
            return [Int(total), page.messages.filter { !$0.isRead }.count]
        }
        var counts = try await unread()
        XCTAssertEqual(counts, [3, 3])
        try await tablet.client.logout()
        // His phone reads them.
        try await bob.client.markConversationMessageAsRead(conversationId: chat)
        try await tablet.client.login(userId: "bob", token: try await server.token("bob", platform: 1))
        try await tablet.conversations.wait(count: 2, "the second sync") { e in
            if case .syncFinish = e { return true }
            return false
        }
        counts = try await unread()
        XCTAssertEqual(counts, [0, 0])
    }

    /// A member's new nickname and face reach the groups where they show them (no group nickname
    /// of their own): the other members hear the change, their lists show it, and the member's
    /// messages there take the new name (Rust: `a_members_new_profile_reaches_the_groups`).
    func testAMembersNewProfileReachesTheGroups() async throws {
        let server = try DevServer()
        let alice = try await GroupUser(server, "alice")
        let bob = try await GroupUser(server, "bob")
        let g = try await alice.client.createGroup(params: CreateGroupParams(groupName: "Profiles", memberUserIds: ["bob"]))
        _ = try await bob.groups.wait("the group") { e -> Bool? in
            if case .joinedGroupAdded = e { return true }
            return nil
        }
        let sent = try await bob.client.sendMessage(message: try bob.client.createTextMessage(text: "from bob"), recvId: nil,
                                                    groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        _ = try await alice.messages.wait("bob's message") { e -> Bool? in
            if case let .newMessage(m) = e, m.clientMsgId == sent.clientMsgId { return true }
            return nil
        }
        _ = try await bob.client.setSelfInfo(update: UserInfoUpdate(nickname: "Robert", faceUrl: "https://example.com/b.png"))
        let changed = try await alice.groups.wait("bob's new profile") { e -> GroupMember? in
            if case let .memberInfoChanged(m) = e, m.userId == "bob", m.nickname == "Robert" { return m }
            return nil
        }
        XCTAssertEqual(changed.groupId, g.groupId)
        XCTAssertEqual(changed.faceUrl, "https://example.com/b.png")
        let listed = try await alice.client.getSpecifiedGroupMembersInfo(groupId: g.groupId, userIds: ["bob"])
        XCTAssertEqual(listed.first?.nickname, "Robert")
        let page = try await alice.client.getAdvancedHistoryMessageList(conversationId: "sg_\(g.groupId)", startClientMsgId: nil, count: 10)
        XCTAssertEqual(page.messages.first { $0.clientMsgId == sent.clientMsgId }?.senderNickname, "Robert")
    }

    /// What the group rules refuse, as Rust's `applications_invitations_and_departures` and
    /// `mutes_roles_ownership_and_dismissal` check them: an applicant is not in before approval, a
    /// refused one cannot talk (1203); an unmuted member talks again; a member sets no one else's
    /// nickname (1002); the owner does not quit (1002), a former owner does not dismiss (1002); a
    /// dismissed group reaches every member and takes no more messages (1204).
    func testRefusalsUnmuteOwnershipAndDismissal() async throws {
        let server = try DevServer()
        let alice = try await GroupUser(server, "alice")
        let bob = try await GroupUser(server, "bob")
        let carol = try await GroupUser(server, "carol")
        let erin = try await GroupUser(server, "erin")
        let g = try await alice.client.createGroup(params: CreateGroupParams(groupName: "Rules", memberUserIds: ["bob", "carol"]))
        _ = try await carol.groups.wait("the group") { e -> Bool? in
            if case .joinedGroupAdded = e { return true }
            return nil
        }
        let listed = try await carol.client.getGroupMemberList(groupId: g.groupId, filter: .all, offset: 0, count: 10)
        XCTAssertEqual(listed.count, 3)
        func send(_ who: GroupUser, _ text: String) async throws {
            _ = try await who.client.sendMessage(message: try who.client.createTextMessage(text: text), recvId: nil,
                                                 groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        }

        try await erin.client.joinGroup(groupId: g.groupId, reqMsg: "", joinSource: 3, ex: "")
        let pending = try await erin.client.isJoinGroup(groupId: g.groupId)
        XCTAssertFalse(pending, "waiting for approval")
        _ = try await alice.groups.wait("erin's application") { e -> Bool? in
            if case let .applicationAdded(a) = e, a.userId == "erin" { return true }
            return nil
        }
        try await alice.client.refuseGroupApplication(groupId: g.groupId, fromUserId: "erin", handleMsg: "no")
        _ = try await erin.groups.wait("refused") { e -> Bool? in
            if case .applicationRejected = e { return true }
            return nil
        }
        var refused = await code { try await send(erin, "hi?") }
        XCTAssertEqual(refused, 1203, "a refused applicant talks")

        try await alice.client.changeGroupMemberMute(groupId: g.groupId, userId: "carol", mutedSeconds: 600)
        _ = try await carol.groups.wait("muted") { e -> Bool? in
            if case let .memberInfoChanged(m) = e, m.userId == "carol", m.muteEndTime > 0 { return true }
            return nil
        }
        refused = await code { try await send(carol, "can I?") }
        XCTAssertEqual(refused, 1402, "a muted member talks")
        try await alice.client.changeGroupMemberMute(groupId: g.groupId, userId: "carol", mutedSeconds: 0)
        _ = try await carol.groups.wait("unmuted") { e -> Bool? in
            if case let .memberInfoChanged(m) = e, m.userId == "carol", m.muteEndTime == 0 { return true }
            return nil
        }
        try await send(carol, "yes")

        refused = await code { try await carol.client.setGroupMemberInfo(groupId: g.groupId, userId: "bob", update: GroupMemberUpdate(nickname: "B")) }
        XCTAssertEqual(refused, 1002, "carol renames bob")
        refused = await code { try await alice.client.quitGroup(groupId: g.groupId) }
        XCTAssertEqual(refused, 1002, "the owner quits")
        try await alice.client.transferGroupOwner(groupId: g.groupId, newOwnerUserId: "bob")
        _ = try await carol.groups.wait("bob owns it") { e -> Bool? in
            if case let .groupInfoChanged(x) = e, x.ownerUserId == "bob" { return true }
            return nil
        }
        let managers = try await carol.client.getGroupMemberOwnerAndAdmin(groupId: g.groupId)
        XCTAssertEqual(managers.map(\.userId), ["bob"])
        refused = await code { try await alice.client.dismissGroup(groupId: g.groupId) }
        XCTAssertEqual(refused, 1002, "the former owner dismisses")

        try await bob.client.dismissGroup(groupId: g.groupId)
        for device in [alice, carol] {
            let dismissed = try await device.groups.wait("dismissed") { e -> GroupInfo? in
                if case let .groupDismissed(x) = e { return x }
                return nil
            }
            XCTAssertEqual(dismissed.groupId, g.groupId)
            XCTAssertEqual(dismissed.status, 2)
        }
        _ = try await carol.groups.wait("status 2 stored") { e -> Bool? in
            if case let .groupInfoChanged(x) = e, x.status == 2 { return true }
            return nil
        }
        refused = await code { try await send(carol, "anyone?") }
        XCTAssertEqual(refused, 1204, "a dismissed group")
    }

    /// A group chat as Rust's `a_new_group_reaches_every_member_device_and_chat` checks it: named
    /// after the group, its messages of session type 3, the creation notice unread; a mention of
    /// all and of the member says so (3) until read, read state is each member's own; a new name
    /// renames the chat.
    func testAGroupChatCountsMentionsAndFollowsItsName() async throws {
        let server = try DevServer()
        let alice = try await GroupUser(server, "alice")
        let bob = try await GroupUser(server, "bob")
        let carol = try await GroupUser(server, "carol")
        let g = try await alice.client.createGroup(params: CreateGroupParams(groupName: "Hikers", memberUserIds: ["bob", "carol"]))
        _ = try await bob.groups.wait("the group") { e -> Bool? in
            if case .joinedGroupAdded = e { return true }
            return nil
        }
        _ = try await alice.client.sendMessage(message: try alice.client.createTextMessage(text: "hi all"), recvId: nil,
                                               groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        let got = try await bob.messages.wait("hi all") { e -> Message? in
            if case let .newMessage(m) = e, case .text("hi all") = m.content { return m }
            return nil
        }
        _ = try await carol.messages.wait("hi all on carol's device") { e -> Bool? in
            if case let .newMessage(m) = e, case .text("hi all") = m.content { return true }
            return nil
        }
        XCTAssertEqual([got.groupId, "\(got.sessionType)", got.conversationId], [g.groupId, "3", "sg_\(g.groupId)"])
        let chat = try await bob.client.getOneConversation(sessionType: .group, sourceId: g.groupId)
        XCTAssertEqual(chat.showName, "Hikers")
        XCTAssertEqual(chat.unreadCount, 2, "the creation notice counts as unread")

        let tag = carol.client.getAtAllTag()
        _ = try await carol.client.sendMessage(message: try carol.client.createTextAtMessage(text: "all of you", atUserIds: [tag, "bob"], atUsersInfo: [], quote: nil),
                                               recvId: nil, groupId: g.groupId, offlinePushInfo: nil, isOnlineOnly: false)
        _ = try await bob.messages.wait("the mention") { e -> Bool? in
            if case let .newMessage(m) = e, m.contentType == 106 { return true }
            return nil
        }
        var bobs = try await bob.client.getOneConversation(sessionType: .group, sourceId: g.groupId)
        XCTAssertEqual(bobs.groupAtType, 3, "@all and @me")
        try await bob.client.markConversationMessageAsRead(conversationId: "sg_\(g.groupId)")
        bobs = try await bob.client.getOneConversation(sessionType: .group, sourceId: g.groupId)
        XCTAssertEqual([bobs.unreadCount, bobs.groupAtType], [0, 0])
        let carols = try await carol.client.getOneConversation(sessionType: .group, sourceId: g.groupId)
        XCTAssertGreaterThan(carols.unreadCount, 0, "read state is each member's own")

        try await alice.client.setGroupInfo(groupId: g.groupId, update: GroupInfoUpdate(groupName: "Climbers"))
        _ = try await bob.groups.wait("the new name") { e -> Bool? in
            if case let .groupInfoChanged(x) = e, x.groupName == "Climbers" { return true }
            return nil
        }
        let deadline = Date().addingTimeInterval(15)
        while try await bob.client.getOneConversation(sessionType: .group, sourceId: g.groupId).showName != "Climbers" {
            guard Date() < deadline else { return XCTFail("the chat kept its old name") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }
}
