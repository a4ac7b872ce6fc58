package io.openim.sdk

import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** A user logged in with a [FriendEventStream] and a [UserEventStream]. */
class FriendUser(val server: DevServer, val userId: String, platform: Int = 2, register: Boolean = true) {
    val online = OnlineUser(server, userId, register, platform)
    val client get() = online.client
    val friends = FriendEventStream()
    val user = UserEventStream()
    private val seenFriends = mutableListOf<FriendEvent>()
    private val seenUser = mutableListOf<UserEvent>()

    init {
        client.setFriendListener(friends)
        client.setUserListener(user)
    }

    suspend fun <T : Any> awaitFriend(what: String, pick: (FriendEvent) -> T?): T = try {
        withTimeout(15_000) {
            seenFriends.firstNotNullOfOrNull(pick) ?: run {
                var found: T? = null
                while (found == null) found = friends.next().also { seenFriends += it }.let(pick)
                found
            }
        }
    } catch (e: kotlinx.coroutines.TimeoutCancellationException) {
        throw AssertionError("timed out waiting for $what; got $seenFriends")
    }

    suspend fun <T : Any> awaitUser(what: String, pick: (UserEvent) -> T?): T = try {
        withTimeout(15_000) {
            seenUser.firstNotNullOfOrNull(pick) ?: run {
                var found: T? = null
                while (found == null) found = user.next().also { seenUser += it }.let(pick)
                found
            }
        }
    } catch (e: kotlinx.coroutines.TimeoutCancellationException) {
        throw AssertionError("timed out waiting for $what; got $seenUser")
    }
}

class FriendTest {
    @Test
    fun applyAcceptRemarkDeleteAndBlock(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = FriendUser(server, "alice")
            val aliceTablet = FriendUser(server, "alice", platform = 9, register = false)
            val bob = FriendUser(server, "bob")
            // Bob writes before they are friends; alice's laptop stores the chat, then goes away.
            val aliceLaptop = FriendUser(server, "alice", platform = 3, register = false)
            bob.client.sendMessage(bob.client.createTextMessage("before we are friends"), "alice", null, null, false)
            aliceLaptop.online.awaitText("before we are friends")
            aliceLaptop.client.logout()

            bob.client.addFriend("alice", "hi from kotlin", "")
            for (device in listOf(alice, aliceTablet)) {
                val app = device.awaitFriend("the application") { (it as? FriendEvent.ApplicationAdded)?.application }
                assertEquals("bob", app.fromUserId)
                assertEquals(ApplicationState.PENDING, app.state)
            }
            alice.client.acceptFriendApplication("bob", "welcome")
            for ((device, friend) in listOf(alice to "bob", aliceTablet to "bob", bob to "alice")) {
                val added = device.awaitFriend("on_friend_added") { (it as? FriendEvent.FriendAdded)?.friend }
                assertEquals(friend, added.friendUserId)
            }
            assertEquals(listOf("bob"), alice.client.getFriendList(false).map { it.friendUserId })

            alice.client.setFriendRemark("bob", "Bobby")
            val changed = aliceTablet.awaitFriend("the remark") { (it as? FriendEvent.FriendInfoChanged)?.friend?.takeIf { f -> f.remark == "Bobby" } }
            assertEquals("bob", changed.friendUserId)
            // Back, the laptop learns of the friend in one sync; the chat it kept takes the remark.
            aliceLaptop.client.login("alice", server.token("alice", 3))
            aliceLaptop.awaitFriend("bob on the laptop") { (it as? FriendEvent.FriendAdded)?.friend?.takeIf { f -> f.remark == "Bobby" } }
            assertEquals("Bobby", aliceLaptop.client.getOneConversation(SessionType.SINGLE, "bob").showName)
            // A new device's first login pulls bob's message: the chat shows the remark, not
            // the sender nickname the pulled message carries.
            bob.client.sendMessage(bob.client.createTextMessage("hey"), "alice", null, null, false)
            val aliceDesktop = FriendUser(server, "alice", platform = 7, register = false)
            val chat = aliceDesktop.client.getOneConversation(SessionType.SINGLE, "bob")
            assertEquals("Bobby", chat.showName)
            assertEquals("bob nick", chat.latestMsg?.senderNickname)

            alice.client.addBlack("bob", "")
            aliceTablet.awaitFriend("on_black_added") { (it as? FriendEvent.BlackAdded)?.black }
            val refused = expectThrows<OpenImException>("blocked") {
                runBlocking { bob.client.sendMessage(bob.client.createTextMessage("let me in"), "alice", null, null, false) }
            }
            assertEquals(1302, refused.errorCode)
            alice.client.removeBlack("bob")
            aliceTablet.awaitFriend("on_black_deleted") { (it as? FriendEvent.BlackDeleted)?.black?.takeIf { b -> b.blockUserId == "bob" } }
            bob.client.sendMessage(bob.client.createTextMessage("unblocked"), "alice", null, null, false)

            alice.client.deleteFriend("bob")
            aliceTablet.awaitFriend("on_friend_deleted") { (it as? FriendEvent.FriendDeleted)?.friend }
            assertTrue(alice.client.getFriendList(false).isEmpty())
            assertEquals(listOf("alice"), bob.client.getFriendList(false).map { it.friendUserId }, "one-way")
            val check = bob.client.checkFriend(listOf("alice")).single()
            assertTrue(check.inMyFriends && !check.inTheirFriends, "$check")

            val self = expectThrows<OpenImException>("adding oneself") { runBlocking { alice.client.addFriend("alice", "", "") } }
            assertEquals(1301, self.errorCode)
        }
    }

    @Test
    fun aProfileChangeReachesTheOtherDevice(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = FriendUser(server, "alice")
            val aliceTablet = FriendUser(server, "alice", platform = 9, register = false)
            val bob = FriendUser(server, "bob")
            bob.client.addFriend("alice", "hi", "")
            alice.awaitFriend("the application") { (it as? FriendEvent.ApplicationAdded)?.application }
            alice.client.acceptFriendApplication("bob", "ok")
            bob.awaitFriend("on_friend_added") { (it as? FriendEvent.FriendAdded)?.friend }
            val hi = alice.client.sendMessage(alice.client.createTextMessage("hi"), "bob", null, null, false)
            assertEquals("alice nick", hi.senderNickname)
            bob.online.awaitText("hi")
            aliceTablet.online.awaitText("hi")

            alice.client.setSelfInfo(UserInfoUpdate(nickname = "Alice K."))
            val updated = aliceTablet.awaitUser("on_self_info_updated") { (it as? UserEvent.SelfInfoUpdated)?.info }
            assertEquals("Alice K.", updated.nickname)
            // Messages already stored show the new name: on the friend's side (and in the chat's
            // latest message), and the user's own on each of her devices.
            bob.awaitFriend("the friend's new name") { (it as? FriendEvent.FriendInfoChanged)?.friend?.takeIf { f -> f.nickname == "Alice K." } }
            val chat = singleConversation("alice", "bob")
            // (The chat also holds the friendship notification alice's acceptance sent.)
            suspend fun names(device: FriendUser): Set<String> {
                val messages = device.client.getAdvancedHistoryMessageList(chat, null, 10).messages
                assertTrue(messages.any { it.clientMsgId == hi.clientMsgId }, "$messages")
                return messages.map { it.senderNickname }.toSet()
            }
            assertEquals(setOf("Alice K."), names(bob))
            assertEquals("Alice K.", bob.client.getOneConversation(SessionType.SINGLE, "alice").latestMsg?.senderNickname)
            alice.awaitUser("her own on_self_info_updated") { (it as? UserEvent.SelfInfoUpdated)?.info }
            for (device in listOf(alice, aliceTablet)) {
                assertEquals(setOf("Alice K."), names(device))
            }
        }
    }

    /** Presence: alice follows bob, hears him come online (with his platform) and go, across a
     *  reconnect of her own; unfollowed, he is gone from her list. getUserStatus (OpenIM's
     *  GetUserStatus) answers and follows, as OpenIM's core does. */
    @Test
    fun presenceOfFollowedUsers(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = FriendUser(server, "alice")
            server.register("bob")
            val before = alice.client.subscribeUsersStatus(listOf("bob")).single()
            assertEquals("bob" to 0, before.userId to before.status)
            val bob = OnlineUser(server, "bob", register = false)
            val online = alice.awaitUser("bob online") { (it as? UserEvent.StatusChanged)?.status?.takeIf { s -> s.status == 1 } }
            assertEquals(listOf(2), online.platformIds)
            assertEquals(1, alice.client.getSubscribeUsersStatus().single().status)
            bob.client.logout()
            val offline = alice.awaitUser("bob offline") { (it as? UserEvent.StatusChanged)?.status?.takeIf { s -> s.status == 0 } }
            alice.client.unsubscribeUsersStatus(listOf("bob"))
            assertTrue(alice.client.getSubscribeUsersStatus().isEmpty())

            val bobPad = OnlineUser(server, "bob", register = false, platform = 9)
            val now = alice.client.getUserStatus(listOf("bob")).single()
            assertEquals(Triple("bob", 1, listOf(9)), Triple(now.userId, now.status, now.platformIds))
            assertEquals(1, alice.client.getSubscribeUsersStatus().size, "followed")
            bobPad.client.logout()
            alice.awaitUser("bob offline again") { (it as? UserEvent.StatusChanged)?.status?.takeIf { s -> s.status == 0 && s !== offline } }
            val empty = expectThrows<OpenImException>("no user IDs") { runBlocking { alice.client.getUserStatus(emptyList()) } }
            assertEquals(10002, empty.errorCode)
        }
    }

    /** Makes [a] and [b] friends ([a] applies, [b] accepts) and waits until both know. */
    private suspend fun befriend(a: FriendUser, b: FriendUser) {
        a.client.addFriend(b.userId, "", "")
        b.awaitFriend("${a.userId}'s application") { (it as? FriendEvent.ApplicationAdded)?.application?.takeIf { x -> x.fromUserId == a.userId } }
        b.client.acceptFriendApplication(a.userId, "")
        a.awaitFriend("${b.userId} added") { (it as? FriendEvent.FriendAdded)?.friend?.takeIf { f -> f.friendUserId == b.userId } }
        b.awaitFriend("${a.userId} added") { (it as? FriendEvent.FriendAdded)?.friend?.takeIf { f -> f.friendUserId == a.userId } }
    }

    /** The application lists and count, friendship checks, pins, ex, pages, search and the
     *  friends named; profiles by ID; a refusal and OpenIM's codes for wrong requests; the
     *  blacklist; the global receive option (Rust: `an_application_accepted…`,
     *  `remarks_pins_and_search`, `wrong_requests_carry_openims_codes`, `a_blocked_sender…`). */
    @Test
    fun friendListsApplicationsAndRefusals(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = FriendUser(server, "alice")
            val bob = FriendUser(server, "bob")
            val carol = FriendUser(server, "carol")
            val code = { block: suspend () -> Unit -> expectThrows<OpenImException> { runBlocking { block() } }.errorCode }

            assertEquals(1004, code { alice.client.acceptFriendApplication("bob", "") }, "no application")
            bob.client.addFriend("alice", "let's talk", "")
            alice.awaitFriend("the application") { (it as? FriendEvent.ApplicationAdded)?.application }
            assertEquals(listOf("bob"), alice.client.getFriendApplicationListAsRecipient(listOf(ApplicationState.PENDING), 0, 20).map { it.fromUserId })
            assertEquals(1, alice.client.getFriendApplicationUnhandledCount(0))
            assertEquals(listOf("alice"), bob.client.getFriendApplicationListAsApplicant(0, 20).map { it.toUserId })
            alice.client.refuseFriendApplication("bob", "no")
            val refused = bob.awaitFriend("the refusal") { (it as? FriendEvent.ApplicationRejected)?.application }
            assertEquals(Pair("no", ApplicationState.REFUSED), Pair(refused.handleMsg, refused.state))
            assertEquals(0, alice.client.getFriendApplicationUnhandledCount(0))
            assertEquals(1305, code { alice.client.refuseFriendApplication("bob", "") }, "refused already")
            assertEquals(1001, code { alice.client.acceptFriendApplication("bob", "") }, "handled already")
            assertEquals(1004, code { alice.client.addFriend("nobody", "", "") })
            assertEquals(10002, code { alice.client.addFriend("", "", "") })
            assertEquals(1004, code { alice.client.setFriendRemark("bob", "x") }, "not a friend")
            assertEquals(10002, code { alice.client.checkFriend(emptyList()) })
            assertEquals(10002, code { alice.client.getFriendApplicationListAsRecipient(emptyList(), -1, 10) })

            befriend(bob, alice)
            befriend(carol, alice)
            assertEquals(1304, code { bob.client.addFriend("alice", "", "") }, "friends already")
            val check = alice.client.checkFriend(listOf("bob", "nobody"))
            assertEquals(listOf(true, false), check.map { it.isFriend && it.inMyFriends && it.inTheirFriends })
            // A list with one who is no friend is refused whole, before anything is sent (Rust:
            // `wrong_requests_carry_openims_codes`).
            assertEquals(1004, code { alice.client.pinFriends(listOf("bob", "nobody"), true) })
            assertFalse(alice.client.getSpecifiedFriendsInfo(listOf("bob"), false).single().isPinned, "nothing was sent")
            alice.client.setFriendRemark("bob", "Bobby")
            alice.client.pinFriends(listOf("carol"), true)
            alice.client.setFriendsEx(listOf("bob", "carol"), "x")
            val list = alice.client.getFriendList(false)
            assertEquals(listOf("carol", "bob"), list.map { it.friendUserId }, "pinned first")
            assertTrue(list.all { it.ex == "x" })
            assertEquals(listOf("bob"), alice.client.getFriendListPage(1, 1, false).map { it.friendUserId })
            val found = alice.client.searchFriends(SearchFriendsParams(listOf("bby"), searchUserId = false, searchNickname = false, searchRemark = true))
            assertEquals(listOf(Pair("bob", 1)), found.map { Pair(it.friend.friendUserId, it.relationship) })
            assertEquals(listOf("carol", "bob"), alice.client.getSpecifiedFriendsInfo(listOf("carol", "bob"), false).map { it.friendUserId }, "in the order asked")
            assertEquals(10002, code { alice.client.pinFriends(listOf("bob", "bob"), true) })

            val users = alice.client.getUsersInfo(listOf("carol", "nobody", "bob"))
            assertEquals(listOf(Pair("carol", "carol nick"), Pair("bob", "bob nick")), users.map { Pair(it.userId, it.nickname) }, "in the order asked, unknown left out")
            assertEquals(10002, code { alice.client.getUsersInfo(emptyList()) })

            alice.client.addBlack("carol", "spam")
            assertEquals(listOf(Pair("carol", "spam")), alice.client.getBlackList().map { Pair(it.blockUserId, it.ex) })
            assertEquals(listOf(false), alice.client.checkFriend(listOf("carol")).map { it.isFriend }, "blocked")
            assertEquals(listOf("bob"), alice.client.getSpecifiedFriendsInfo(listOf("carol", "bob"), true).map { it.friendUserId }, "blocked filtered")
            alice.client.removeBlack("carol")
            assertTrue(alice.client.getBlackList().isEmpty())

            alice.client.setGlobalRecvMessageOpt(2)
            assertEquals(2, alice.client.getSelfUserInfo().globalRecvMsgOpt)
        }
    }

    /** With devserver's `--friend-verify` (OpenIM's friend verification), a stranger's message
     *  is refused with 1303, and goes through once they are friends
     *  (Rust: `friendship_can_be_required_to_send`). */
    @Test
    fun friendshipCanBeRequiredToSend(): Unit = runBlocking {
        DevServer(extraArgs = listOf("--friend-verify")).use { server ->
            val alice = FriendUser(server, "alice")
            val bob = FriendUser(server, "bob")
            val stranger = expectThrows<OpenImException>("a stranger's message") {
                bob.client.sendMessage(bob.client.createTextMessage("stranger"), "alice", null, null, false)
            }
            assertEquals(1303, stranger.errorCode)
            befriend(bob, alice)
            bob.client.sendMessage(bob.client.createTextMessage("friend"), "alice", null, null, false)
            alice.online.awaitText("friend")
        }
    }
}
