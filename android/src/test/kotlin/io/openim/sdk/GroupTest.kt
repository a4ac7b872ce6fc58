package io.openim.sdk

import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** A user logged in with a [GroupEventStream]. */
class GroupUser(val server: DevServer, val userId: String, platform: Int = 2, register: Boolean = true) {
    val online = OnlineUser(server, userId, register, platform)
    val client get() = online.client
    val groups = GroupEventStream()
    private val seen = mutableListOf<GroupEvent>()

    init {
        client.setGroupListener(groups)
    }

    suspend fun <T : Any> await(what: String, pick: (GroupEvent) -> T?): T = try {
        withTimeout(15_000) {
            seen.firstNotNullOfOrNull(pick) ?: run {
                var found: T? = null
                while (found == null) found = groups.next().also { seen += it }.let(pick)
                found
            }
        }
    } catch (e: kotlinx.coroutines.TimeoutCancellationException) {
        throw AssertionError("timed out waiting for $what; got $seen")
    }
}

class GroupTest {
    /** Mention marks on devices that were away: a mark cleared on the phone while the tablet
     *  was logged out stays cleared there when it comes back, and a new device takes the
     *  server's mark, the chat unread on both. Rust: `mention_marks_reach_devices_that_were_away`. */
    @Test
    fun mentionMarksReachDevicesThatWereAway(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = GroupUser(server, "bob")
            val tablet = OnlineUser(server, "alice", register = false, platform = 9)
            val g = bob.client.createGroup(CreateGroupParams(groupName = "Away", memberUserIds = listOf("alice")))
            val sg = "sg_${g.groupId}"
            awaitConversation(tablet.conversations) { it.conversationId == sg }
            tablet.client.logout()

            // bob mentions everyone; alice's phone clears the mark without reading.
            bob.client.sendMessage(bob.client.createTextAtMessage("all", listOf(bob.client.getAtAllTag()), listOf(), null), null, g.groupId, null, false)
            alice.await("@all") { (it as? MessageEvent.NewMessage)?.takeIf { e -> e.message.contentType == 106 } }
            val phone = alice.client.getOneConversation(SessionType.GROUP, g.groupId)
            assertTrue(phone.groupAtType == 2 && phone.unreadCount > 0, "$phone")
            alice.client.setConversation(sg, ConversationUpdate(groupAtType = 0))

            // The tablet comes back: no mark, the message unread.
            tablet.client.login("alice", server.token("alice", 9))
            withTimeout(15_000) { while (tablet.conversations.next() !is ConversationEvent.SyncFinish) Unit }
            val back = tablet.client.getOneConversation(SessionType.GROUP, g.groupId)
            assertEquals(0 to phone.unreadCount, back.groupAtType to back.unreadCount)

            // bob mentions alice; a new device of hers takes the server's mark.
            bob.client.sendMessage(bob.client.createTextAtMessage("you", listOf("alice"), listOf(), null), null, g.groupId, null, false)
            val fresh = OnlineUser(server, "alice", register = false, platform = 4)
            val newDevice = fresh.client.getOneConversation(SessionType.GROUP, g.groupId)
            assertEquals(1 to phone.unreadCount + 1, newDevice.groupAtType to newDevice.unreadCount)
        }
    }

    @Test
    fun createApplyKickMuteAndDismiss(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = GroupUser(server, "alice")
            val aliceTablet = GroupUser(server, "alice", platform = 9, register = false)
            val bob = GroupUser(server, "bob")
            val carol = GroupUser(server, "carol")
            val dave = GroupUser(server, "dave")

            val group = alice.client.createGroup(
                CreateGroupParams(groupName = "Kotlin club", memberUserIds = listOf("bob", "carol"), adminUserIds = listOf("bob")),
            )
            assertEquals(3, group.memberCount)
            for (device in listOf(alice, aliceTablet, bob, carol)) {
                val added = device.await("on_joined_group_added") { (it as? GroupEvent.JoinedGroupAdded)?.group }
                assertEquals(group.groupId, added.groupId)
            }
            val members = carol.client.getGroupMemberList(group.groupId, GroupMemberFilter.ALL, 0, 50)
            assertEquals(listOf("alice", "bob", "carol"), members.map { it.userId })
            assertEquals(listOf(GroupRole.OWNER, GroupRole.ADMIN, GroupRole.MEMBER), members.map { it.role })
            // Pages of the list, whole and filtered.
            suspend fun page(filter: GroupMemberFilter, offset: Int, count: Int) =
                carol.client.getGroupMemberList(group.groupId, filter, offset, count).map { it.userId }
            assertEquals(listOf("bob"), page(GroupMemberFilter.ALL, 1, 1))
            assertEquals(emptyList<String>(), page(GroupMemberFilter.ALL, 3, 5))
            assertEquals(listOf("bob", "carol"), page(GroupMemberFilter.ADMINS_AND_MEMBERS, 0, 5))
            assertEquals(listOf("bob"), page(GroupMemberFilter.OWNER_AND_ADMINS, 1, 5))

            // A group message reaches the members; the chat is named after the group.
            alice.client.sendMessage(alice.client.createTextMessage("hi group"), null, group.groupId, null, false)
            val got = bob.online.await("the group message") { (it as? MessageEvent.NewMessage)?.takeIf { e -> e.message.contentType == 101 } }
            assertEquals(group.groupId, got.message.groupId)
            assertEquals("Kotlin club", bob.client.getOneConversation(SessionType.GROUP, group.groupId).showName)

            // dave applies, bob (admin) hears of it, alice accepts.
            dave.client.joinGroup(group.groupId, "let me in", 3, "")
            val app = bob.await("dave's application") { (it as? GroupEvent.ApplicationAdded)?.application }
            assertEquals("dave", app.userId)
            alice.client.acceptGroupApplication(group.groupId, "dave", "welcome")
            dave.await("dave in") { (it as? GroupEvent.JoinedGroupAdded)?.group }
            carol.await("dave joined") { (it as? GroupEvent.MemberAdded)?.member?.takeIf { m -> m.userId == "dave" } }
            // Who joined when (OpenIM's GetGroupMemberListByJoinTimeFilter): newest first, an end
            // of 0 is now, carol left out; from dave's join time on, dave alone.
            val byJoin = carol.client.getGroupMemberListByJoinTimeFilter(group.groupId, 0, 10, 0, 0, listOf("carol"))
            assertEquals(setOf("alice", "bob", "dave"), byJoin.map { it.userId }.toSet())
            assertEquals(byJoin.map { it.joinTime }.sortedDescending(), byJoin.map { it.joinTime }, "newest first")
            val daveJoined = byJoin.single { it.userId == "dave" }.joinTime
            val fromDave = carol.client.getGroupMemberListByJoinTimeFilter(group.groupId, 0, 10, daveJoined, 0, emptyList())
            assertEquals(listOf("dave"), fromDave.map { it.userId })
            val handled = expectThrows<OpenImException>("handled twice") {
                runBlocking { alice.client.acceptGroupApplication(group.groupId, "dave", "") }
            }
            assertEquals(1206, handled.errorCode)

            // Muted carol can not talk.
            alice.client.changeGroupMemberMute(group.groupId, "carol", 600u)
            carol.await("muted") { (it as? GroupEvent.MemberInfoChanged)?.member?.takeIf { m -> m.muteEndTime > 0 } }
            val muted = expectThrows<OpenImException>("muted") {
                runBlocking { carol.client.sendMessage(carol.client.createTextMessage("?"), null, group.groupId, null, false) }
            }
            assertEquals(1402, muted.errorCode)

            // dave is kicked.
            alice.client.kickGroupMember(group.groupId, "bye", listOf("dave"))
            dave.await("kicked") { (it as? GroupEvent.JoinedGroupDeleted)?.group }
            assertFalse(dave.client.isJoinGroup(group.groupId))

            alice.client.dismissGroup(group.groupId)
            val dismissed = carol.await("dismissed") { (it as? GroupEvent.GroupDismissed)?.group }
            assertEquals(2, dismissed.status)
            assertTrue(carol.client.getJoinedGroupList().isNotEmpty(), "a dismissed group stays listed")

            val bad = expectThrows<OpenImException.InvalidArgument>("a wrong join source") {
                runBlocking { dave.client.joinGroup(group.groupId, "", 9, "") }
            }
            assertEquals(10002, bad.errorCode)
        }
    }

    @Test
    fun inviteMentionRolesMuteTransferAndCatchUp(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = GroupUser(server, "alice")
            val bob = GroupUser(server, "bob")
            val carol = GroupUser(server, "carol")
            val g = alice.client.createGroup(CreateGroupParams(groupName = "K2", memberUserIds = listOf("bob")))
            bob.await("in the group") { (it as? GroupEvent.JoinedGroupAdded)?.group }

            alice.client.inviteUserToGroup(g.groupId, "join us", listOf("carol"))
            carol.await("invited in") { (it as? GroupEvent.JoinedGroupAdded)?.group }
            bob.await("carol joined") { (it as? GroupEvent.MemberAdded)?.member?.takeIf { m -> m.userId == "carol" } }
            val existing = expectThrows<OpenImException>("inviting a member") {
                runBlocking { alice.client.inviteUserToGroup(g.groupId, "", listOf("bob")) }
            }
            assertEquals(1001, existing.errorCode)
            val notAdmin = expectThrows<OpenImException>("a member kicks") {
                runBlocking { bob.client.kickGroupMember(g.groupId, "", listOf("carol")) }
            }
            assertEquals(1002, notAdmin.errorCode)

            // alice's tablet, to see her clear below.
            val aliceTablet = OnlineUser(server, "alice", register = false, platform = 9)
            suspend fun tabletMark(matches: (Conversation) -> Boolean) =
                awaitConversation(aliceTablet.conversations) { it.conversationId == "sg_${g.groupId}" && matches(it) }

            // carol mentions bob: only bob's chat says @me.
            carol.client.sendMessage(carol.client.createTextAtMessage("hey", listOf("bob"), listOf(), null), null, g.groupId, null, false)
            bob.online.await("the mention") { (it as? MessageEvent.NewMessage)?.takeIf { e -> e.message.contentType == 106 } }
            alice.online.await("the mention") { (it as? MessageEvent.NewMessage)?.takeIf { e -> e.message.contentType == 106 } }
            assertEquals(1, bob.client.getOneConversation(SessionType.GROUP, g.groupId).groupAtType)
            assertEquals(0, alice.client.getOneConversation(SessionType.GROUP, g.groupId).groupAtType)
            // carol mentions everyone (the tag from getAtAllTag): alice's chat says @all.
            assertEquals("AtAllTag", carol.client.getAtAllTag())
            carol.client.sendMessage(carol.client.createTextAtMessage("all", listOf(carol.client.getAtAllTag()), listOf(), null), null, g.groupId, null, false)
            alice.online.await("the mention of all") {
                (it as? MessageEvent.NewMessage)?.takeIf { e -> (e.message.content as? MessageContent.AtText)?.text == "all" }
            }
            assertEquals(2, alice.client.getOneConversation(SessionType.GROUP, g.groupId).groupAtType)
            // alice clears it without reading the chat (here and on the server, which marks
            // mentioned records for OpenIM's official clients) (Rust:
            // `a_new_group_reaches_every_member_device_and_chat`).
            tabletMark { it.groupAtType == 2 } // @all on the tablet
            val badMark = expectThrows<OpenImException>("a mark of 5") {
                runBlocking { alice.client.setConversation("sg_${g.groupId}", ConversationUpdate(groupAtType = 5)) }
            }
            assertEquals(10002, badMark.errorCode)
            val cleared = alice.client.setConversation("sg_${g.groupId}", ConversationUpdate(groupAtType = 0))
            assertEquals(0, cleared.groupAtType)
            assertTrue(cleared.unreadCount > 0, "still unread")
            // Her tablet had @all too; the clear reaches it through the server's record.
            tabletMark { it.groupAtType == 0 && it.unreadCount > 0 } // the clear on the tablet

            // bob becomes admin; a muted group silences carol but not bob.
            alice.client.setGroupMemberInfo(g.groupId, "bob", GroupMemberUpdate(role = GroupRole.ADMIN))
            carol.await("bob admin") { (it as? GroupEvent.MemberInfoChanged)?.member?.takeIf { m -> m.userId == "bob" && m.role == GroupRole.ADMIN } }
            alice.client.changeGroupMute(g.groupId, true)
            carol.await("group muted") { (it as? GroupEvent.GroupInfoChanged)?.group?.takeIf { x -> x.status == 3 } }
            val mutedGroup = expectThrows<OpenImException>("a muted group") {
                runBlocking { carol.client.sendMessage(carol.client.createTextMessage("?"), null, g.groupId, null, false) }
            }
            assertEquals(1403, mutedGroup.errorCode)
            val talk = bob.client.sendMessage(bob.client.createTextMessage("admins talk"), null, g.groupId, null, false)
            alice.client.changeGroupMute(g.groupId, false)

            // carol's group nickname reaches the messages she sent; bob (admin) revokes one of
            // them and is named and ranked as a member; carol cannot revoke bob's.
            val chat = "sg_${g.groupId}"
            val mine = carol.client.sendMessage(carol.client.createTextMessage("mine"), null, g.groupId, null, false)
            alice.online.awaitText("mine")
            carol.client.setGroupMemberInfo(g.groupId, "carol", GroupMemberUpdate(nickname = "C"))
            alice.await("carol's nickname") { (it as? GroupEvent.MemberInfoChanged)?.member?.takeIf { m -> m.nickname == "C" } }
            val stored = alice.client.getAdvancedHistoryMessageList(chat, null, 50).messages.first { it.clientMsgId == mine.clientMsgId }
            assertEquals("C", stored.senderNickname)
            bob.client.revokeMessage(chat, mine.clientMsgId)
            val revoked = alice.online.await("the revoke") { it as? MessageEvent.Revoked }.revoked
            assertEquals(listOf("bob", "60", "bob nick"), listOf(revoked.revokerId, revoked.revokerRole.toString(), revoked.revokerNickname))
            carol.online.awaitText("admins talk")
            val notHers = expectThrows<OpenImException>("a member revokes another's message") {
                runBlocking { carol.client.revokeMessage(chat, talk.clientMsgId) }
            }
            assertEquals(1002, notHers.errorCode)

            alice.client.transferGroupOwner(g.groupId, "bob")
            carol.await("bob owns it") { (it as? GroupEvent.GroupInfoChanged)?.group?.takeIf { x -> x.ownerUserId == "bob" } }

            // carol is away while bob renames the group and alice quits; she catches up at login.
            carol.client.logout()
            bob.client.setGroupInfo(g.groupId, GroupInfoUpdate(groupName = "Renamed"))
            alice.client.quitGroup(g.groupId)
            carol.client.login("carol", server.token("carol"))
            carol.await("the new name") { (it as? GroupEvent.GroupInfoChanged)?.group?.takeIf { x -> x.groupName == "Renamed" } }
            carol.await("alice left") { (it as? GroupEvent.MemberDeleted)?.member?.takeIf { m -> m.userId == "alice" } }
            assertEquals(listOf("bob", "carol"), carol.client.getGroupMemberList(g.groupId, GroupMemberFilter.ALL, 0, 10).map { it.userId })

            val unknown = expectThrows<OpenImException>("an unknown group") { runBlocking { carol.client.joinGroup("nope", "", 3, "") } }
            assertEquals(1004, unknown.errorCode)
        }
    }

    /** A member away while several of their groups change catches up with all of them at
     *  login: a new name, a new member, being kicked from one, a new group (Rust:
     *  `an_offline_member_catches_up_at_login_in_one_batch`). */
    @Test
    fun anOfflineMemberCatchesUpAcrossGroups(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = GroupUser(server, "alice")
            val bob = GroupUser(server, "bob")
            val groups = listOf("one", "two", "three").map { name ->
                alice.client.createGroup(CreateGroupParams(groupName = name, memberUserIds = listOf("bob"))).groupId
            }
            for (g in groups) bob.await("group $g") { (it as? GroupEvent.JoinedGroupAdded)?.group?.takeIf { x -> x.groupId == g } }
            bob.client.logout()

            server.register("carol")
            alice.client.setGroupInfo(groups[0], GroupInfoUpdate(groupName = "ONE"))
            alice.client.inviteUserToGroup(groups[1], "", listOf("carol"))
            alice.client.kickGroupMember(groups[2], "", listOf("bob"))
            val four = alice.client.createGroup(CreateGroupParams(groupName = "four", memberUserIds = listOf("bob"))).groupId

            bob.client.login("bob", server.token("bob"))
            bob.await("renamed") { (it as? GroupEvent.GroupInfoChanged)?.group?.takeIf { x -> x.groupName == "ONE" } }
            bob.await("carol joined") { (it as? GroupEvent.MemberAdded)?.member?.takeIf { m -> m.userId == "carol" && m.groupId == groups[1] } }
            bob.await("kicked meanwhile") { (it as? GroupEvent.JoinedGroupDeleted)?.group?.takeIf { x -> x.groupId == groups[2] } }
            bob.await("the new group") { (it as? GroupEvent.JoinedGroupAdded)?.group?.takeIf { x -> x.groupId == four } }
            val joined = bob.client.getJoinedGroupList().map { it.groupId }.toSet()
            assertEquals(setOf(groups[0], groups[1], four), joined)
        }
    }

    /** The joined groups by page, by ID and by search (as OpenIM's SQL LIKE: either case,
     *  wildcards literal); a group's owner and admins, named members, member search and which
     *  users are in it; a join application refused, with both sides' application lists and
     *  count (Rust: `group_lists_lookups_and_a_refused_application`). */
    @Test
    fun groupListsLookupsAndARefusedApplication(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = GroupUser(server, "alice")
            GroupUser(server, "bob")
            GroupUser(server, "carol")
            val dave = GroupUser(server, "dave")
            val code = { block: suspend () -> Unit -> expectThrows<OpenImException> { runBlocking { block() } }.errorCode }
            val hikers = alice.client.createGroup(CreateGroupParams(groupName = "Hikers", memberUserIds = listOf("bob", "carol"), adminUserIds = listOf("bob"))).groupId
            alice.await("Hikers listed") { (it as? GroupEvent.JoinedGroupAdded)?.group?.takeIf { g -> g.groupId == hikers } }
            val readers = alice.client.createGroup(CreateGroupParams(groupName = "Readers", memberUserIds = listOf("bob"))).groupId
            alice.await("Readers listed") { (it as? GroupEvent.JoinedGroupAdded)?.group?.takeIf { g -> g.groupId == readers } }

            assertEquals(listOf(hikers), alice.client.getJoinedGroupListPage(0, 1).map { it.groupId })
            assertEquals(listOf(readers), alice.client.getJoinedGroupListPage(1, 5).map { it.groupId })
            assertTrue(alice.client.getJoinedGroupListPage(2, 5).isEmpty())
            assertEquals(10002, code { alice.client.getJoinedGroupListPage(-1, 5) })
            assertEquals(setOf(hikers, readers), alice.client.getSpecifiedGroupsInfo(listOf(readers, "nope", hikers)).map { it.groupId }.toSet(), "unknown left out")
            assertEquals(listOf(readers), alice.client.searchGroups(SearchGroupsParams(listOf("read"), searchGroupId = false, searchGroupName = true)).map { it.groupId })
            assertTrue(alice.client.searchGroups(SearchGroupsParams(listOf("%", "_"))).isEmpty(), "wildcards are literal")
            assertEquals(listOf(hikers), alice.client.searchGroups(SearchGroupsParams(listOf(hikers), searchGroupId = true, searchGroupName = false)).map { it.groupId })

            val managers = alice.client.getGroupMemberOwnerAndAdmin(hikers)
            assertEquals(listOf(Pair("alice", GroupRole.OWNER), Pair("bob", GroupRole.ADMIN)), managers.map { Pair(it.userId, it.role) })
            assertEquals(setOf("alice", "carol"), alice.client.getSpecifiedGroupMembersInfo(hikers, listOf("carol", "nobody", "alice")).map { it.userId }.toSet())
            val found = alice.client.searchGroupMembers(SearchGroupMembersParams(groupId = hikers, keywords = listOf("CAR"), offset = 0, count = 10))
            assertEquals(listOf("carol"), found.map { it.userId })
            assertEquals(listOf("bob"), alice.client.getUsersInGroup(hikers, listOf("dave", "bob")))

            // dave applies to Readers and is refused.
            dave.client.joinGroup(readers, "me too", 3, "")
            alice.await("dave's application") { (it as? GroupEvent.ApplicationAdded)?.application?.takeIf { a -> a.userId == "dave" } }
            assertEquals(1, alice.client.getGroupApplicationUnhandledCount(0))
            val pending = alice.client.getGroupApplicationListAsRecipient(listOf(ApplicationState.PENDING), 0, 20)
            assertEquals(listOf(Triple("dave", readers, "me too")), pending.map { Triple(it.userId, it.groupId, it.reqMsg) })
            val mine = dave.client.getGroupApplicationListAsApplicant(emptyList(), 0, 20)
            assertEquals(listOf(Pair(readers, ApplicationState.PENDING)), mine.map { Pair(it.groupId, it.state) })
            alice.client.refuseGroupApplication(readers, "dave", "full")
            val refused = dave.await("refused") { (it as? GroupEvent.ApplicationRejected)?.application }
            assertEquals(Pair("full", ApplicationState.REFUSED), Pair(refused.handleMsg, refused.state))
            assertEquals(0, alice.client.getGroupApplicationUnhandledCount(0))
            assertEquals(listOf("dave"), alice.client.getGroupApplicationListAsRecipient(listOf(ApplicationState.REFUSED), 0, 20).map { it.userId })
            assertEquals(1206, code { alice.client.refuseGroupApplication(readers, "dave", "") }, "handled already")
            assertFalse(dave.client.isJoinGroup(readers))
        }
    }

    /** Wrong arguments are refused with 10002 before anything reaches the server; a group the
     *  user is not in has no local members (10400); the server's refusals come with its codes
     *  (Rust: `wrong_arguments_are_refused_before_the_network`). */
    @Test
    fun wrongArgumentsAreRefusedBeforeTheNetwork(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = GroupUser(server, "alice")
            val g = alice.client.createGroup(CreateGroupParams(groupName = "G"))
            val c = alice.client
            suspend fun refused(what: String, call: suspend () -> Unit) {
                val e = expectThrows<OpenImException.InvalidArgument>(what) { call() }
                assertEquals(10002, e.errorCode, what)
            }
            refused("an empty group ID") { c.joinGroup("", "", 3, "") }
            refused("a join source of 9") { c.joinGroup("x", "", 9, "") }
            refused("nobody to kick") { c.kickGroupMember(g.groupId, "", listOf()) }
            refused("a user invited twice") { c.inviteUserToGroup(g.groupId, "", listOf("a", "a")) }
            refused("a member made owner") { c.setGroupMemberInfo(g.groupId, "alice", GroupMemberUpdate(role = GroupRole.OWNER)) }
            refused("a blank group name") { c.setGroupInfo(g.groupId, GroupInfoUpdate(groupName = " ")) }
            refused("a group without a name") { c.createGroup(CreateGroupParams(groupName = "")) }
            refused("the creator as a member") { c.createGroup(CreateGroupParams(groupName = "x", memberUserIds = listOf("alice"))) }
            refused("a negative offset") { c.getGroupMemberList(g.groupId, GroupMemberFilter.ALL, -1, 5) }
            val notIn = expectThrows<OpenImException>("members of a group not joined") {
                c.getGroupMemberList("nope", GroupMemberFilter.ALL, 0, 5)
            }
            assertEquals(10400, notIn.errorCode)
            val unknownGroup = expectThrows<OpenImException>("an unknown group") { c.joinGroup("nope", "", 3, "") }
            assertEquals(1004, unknownGroup.errorCode)
            val unknownMember = expectThrows<OpenImException>("an unknown member") {
                c.createGroup(CreateGroupParams(groupName = "x", memberUserIds = listOf("ghost"), needVerification = GroupVerification.DIRECT))
            }
            assertEquals(1004, unknownMember.errorCode)
            assertEquals(listOf(g.groupId), c.getJoinedGroupList().map { it.groupId })
        }
    }

    /** A device offline while its user read a group chat elsewhere learns it at login: in a
     *  group the read mark reaches the user's devices only as a push, so the login's unread
     *  reconcile marks the messages it stored read (Rust:
     *  `an_offline_device_learns_what_was_read_in_a_group`). */
    @Test
    fun anOfflineDeviceLearnsWhatWasReadInAGroup(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = GroupUser(server, "alice")
            val bob = GroupUser(server, "bob")
            val g = alice.client.createGroup(CreateGroupParams(groupName = "Readers", memberUserIds = listOf("bob")))
            bob.await("the group") { (it as? GroupEvent.JoinedGroupAdded)?.group }
            for (text in listOf("one", "two")) {
                alice.client.sendMessage(alice.client.createTextMessage(text), null, g.groupId, null, false)
                bob.online.awaitText(text)
            }
            val chat = "sg_${g.groupId}"
            // Bob's tablet stores both unread (and the group's creation tip), then goes offline.
            val tablet = OnlineUser(server, "bob", register = false, platform = 1)
            suspend fun unread(client: OpenImClient) =
                client.getTotalUnreadMsgCount() to client.getAdvancedHistoryMessageList(chat, null, 10).messages.count { !it.isRead }
            assertEquals(3 to 3, unread(tablet.client))
            tablet.client.logout()
            // His phone reads them.
            bob.client.markConversationMessageAsRead(chat)
            tablet.client.login("bob", server.token("bob", 1))
            withTimeout(15_000) { while (tablet.conversations.next() !is ConversationEvent.SyncFinish) Unit }
            assertEquals(0 to 0, unread(tablet.client))
        }
    }

    /** A member's new nickname and face reach the groups where they show them (no group
     *  nickname of their own): the other members hear the change, their lists show it, and the
     *  member's messages there take the new name (Rust: `a_members_new_profile_reaches_the_groups`). */
    @Test
    fun aMembersNewProfileReachesTheGroups(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = GroupUser(server, "alice")
            val bob = GroupUser(server, "bob")
            val g = alice.client.createGroup(CreateGroupParams(groupName = "Profiles", memberUserIds = listOf("bob")))
            bob.await("the group") { (it as? GroupEvent.JoinedGroupAdded)?.group }
            val sent = bob.client.sendMessage(bob.client.createTextMessage("from bob"), null, g.groupId, null, false)
            alice.online.awaitText("from bob")
            bob.client.setSelfInfo(UserInfoUpdate(nickname = "Robert", faceUrl = "https://example.com/b.png"))
            val changed = alice.await("bob's new profile") {
                (it as? GroupEvent.MemberInfoChanged)?.member?.takeIf { m -> m.userId == "bob" && m.nickname == "Robert" }
            }
            assertEquals(listOf(g.groupId, "https://example.com/b.png"), listOf(changed.groupId, changed.faceUrl))
            assertEquals("Robert", alice.client.getSpecifiedGroupMembersInfo(g.groupId, listOf("bob")).single().nickname)
            val stored = alice.client.getAdvancedHistoryMessageList("sg_${g.groupId}", null, 10).messages.first { it.clientMsgId == sent.clientMsgId }
            assertEquals("Robert", stored.senderNickname)
        }
    }

    /** What the group rules refuse, as Rust's `applications_invitations_and_departures` and
     *  `mutes_roles_ownership_and_dismissal` check them: an applicant is not in before approval,
     *  a refused one cannot talk (1203); an unmuted member talks again; a member sets no one
     *  else's nickname (1002); the owner does not quit (1002), a former owner does not dismiss
     *  (1002); a dismissed group reaches every member and takes no more messages (1204). */
    @Test
    fun refusalsUnmuteOwnershipAndDismissal(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = GroupUser(server, "alice")
            val bob = GroupUser(server, "bob")
            val carol = GroupUser(server, "carol")
            val erin = GroupUser(server, "erin")
            val g = alice.client.createGroup(CreateGroupParams(groupName = "Rules", memberUserIds = listOf("bob", "carol")))
            carol.await("the group") { (it as? GroupEvent.JoinedGroupAdded)?.group }
            assertEquals(3, carol.client.getGroupMemberList(g.groupId, GroupMemberFilter.ALL, 0, 10).size)
            suspend fun send(who: GroupUser, text: String) =
                who.client.sendMessage(who.client.createTextMessage(text), null, g.groupId, null, false)
            suspend fun refused(what: String, call: suspend () -> Unit): Int =
                expectThrows<OpenImException>(what) { call() }.errorCode

            erin.client.joinGroup(g.groupId, "", 3, "")
            assertFalse(erin.client.isJoinGroup(g.groupId), "waiting for approval")
            alice.await("erin's application") { (it as? GroupEvent.ApplicationAdded)?.application?.takeIf { a -> a.userId == "erin" } }
            alice.client.refuseGroupApplication(g.groupId, "erin", "no")
            erin.await("refused") { (it as? GroupEvent.ApplicationRejected)?.application }
            assertEquals(1203, refused("a refused applicant talks") { send(erin, "hi?") })

            alice.client.changeGroupMemberMute(g.groupId, "carol", 600u)
            carol.await("muted") { (it as? GroupEvent.MemberInfoChanged)?.member?.takeIf { m -> m.userId == "carol" && m.muteEndTime > 0 } }
            assertEquals(1402, refused("a muted member talks") { send(carol, "can I?") })
            alice.client.changeGroupMemberMute(g.groupId, "carol", 0u)
            carol.await("unmuted") { (it as? GroupEvent.MemberInfoChanged)?.member?.takeIf { m -> m.userId == "carol" && m.muteEndTime == 0L } }
            send(carol, "yes")

            assertEquals(1002, refused("carol renames bob") { carol.client.setGroupMemberInfo(g.groupId, "bob", GroupMemberUpdate(nickname = "B")) })
            assertEquals(1002, refused("the owner quits") { alice.client.quitGroup(g.groupId) })
            alice.client.transferGroupOwner(g.groupId, "bob")
            carol.await("bob owns it") { (it as? GroupEvent.GroupInfoChanged)?.group?.takeIf { x -> x.ownerUserId == "bob" } }
            assertEquals(listOf("bob"), carol.client.getGroupMemberOwnerAndAdmin(g.groupId).map { it.userId })
            assertEquals(1002, refused("the former owner dismisses") { alice.client.dismissGroup(g.groupId) })

            bob.client.dismissGroup(g.groupId)
            for (device in listOf(alice, carol)) {
                val dismissed = device.await("dismissed") { (it as? GroupEvent.GroupDismissed)?.group }
                assertEquals(listOf(g.groupId, "2"), listOf(dismissed.groupId, dismissed.status.toString()))
            }
            carol.await("status 2 stored") { (it as? GroupEvent.GroupInfoChanged)?.group?.takeIf { x -> x.status == 2 } }
            assertEquals(1204, refused("a dismissed group") { send(carol, "anyone?") })
        }
    }

    /** A group chat as Rust's `a_new_group_reaches_every_member_device_and_chat` checks it: named
     *  after the group, its messages of session type 3, the creation notice unread; a mention of
     *  all and of the member says so (3) until read, read state is each member's own; a new name
     *  renames the chat. */
    @Test
    fun aGroupChatCountsMentionsAndFollowsItsName(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = GroupUser(server, "alice")
            val bob = GroupUser(server, "bob")
            val carol = GroupUser(server, "carol")
            val g = alice.client.createGroup(CreateGroupParams(groupName = "Hikers", memberUserIds = listOf("bob", "carol")))
            bob.await("the group") { (it as? GroupEvent.JoinedGroupAdded)?.group }
            alice.client.sendMessage(alice.client.createTextMessage("hi all"), null, g.groupId, null, false)
            val got = bob.online.awaitText("hi all")
            carol.online.awaitText("hi all")
            assertEquals(listOf(g.groupId, "3", "sg_${g.groupId}"), listOf(got.groupId, got.sessionType.toString(), got.conversationId))
            val chat = bob.client.getOneConversation(SessionType.GROUP, g.groupId)
            assertEquals("Hikers" to 2, chat.showName to chat.unreadCount, "the creation notice counts as unread")

            val tag = carol.client.getAtAllTag()
            carol.client.sendMessage(carol.client.createTextAtMessage("all of you", listOf(tag, "bob"), listOf(), null), null, g.groupId, null, false)
            bob.online.await("the mention") { (it as? MessageEvent.NewMessage)?.takeIf { e -> e.message.contentType == 106 } }
            assertEquals(3, bob.client.getOneConversation(SessionType.GROUP, g.groupId).groupAtType, "@all and @me")
            bob.client.markConversationMessageAsRead("sg_${g.groupId}")
            val read = bob.client.getOneConversation(SessionType.GROUP, g.groupId)
            assertEquals(0 to 0, read.unreadCount to read.groupAtType)
            assertTrue(carol.client.getOneConversation(SessionType.GROUP, g.groupId).unreadCount > 0, "read state is each member's own")

            alice.client.setGroupInfo(g.groupId, GroupInfoUpdate(groupName = "Climbers"))
            bob.await("the new name") { (it as? GroupEvent.GroupInfoChanged)?.group?.takeIf { x -> x.groupName == "Climbers" } }
            withTimeout(15_000) {
                while (true) {
                    val e = bob.online.conversations.next()
                    if (e is ConversationEvent.Changed && e.conversations.any { it.showName == "Climbers" }) break
                }
            }
            assertEquals("Climbers", bob.client.getOneConversation(SessionType.GROUP, g.groupId).showName)
        }
    }
}
