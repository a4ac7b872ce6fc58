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

            // A group message reaches the members; the chat is named after the group.
            alice.client.sendMessage(alice.client.createTextMessage("hi group"), null, group.groupId, null, false)
            val got = bob.online.await("the group message") { (it as? MessageEvent.NewMessage)?.takeIf { e -> e.message.contentType == 101 } }
            assertEquals(group.groupId, got.message.groupId)
            assertEquals("Kotlin club", bob.client.getOneConversation(3, group.groupId).showName)

            // dave applies, bob (admin) hears of it, alice accepts.
            dave.client.joinGroup(group.groupId, "let me in", 3, "")
            val app = bob.await("dave's application") { (it as? GroupEvent.ApplicationAdded)?.application }
            assertEquals("dave", app.userId)
            alice.client.acceptGroupApplication(group.groupId, "dave", "welcome")
            dave.await("dave in") { (it as? GroupEvent.JoinedGroupAdded)?.group }
            carol.await("dave joined") { (it as? GroupEvent.MemberAdded)?.member?.takeIf { m -> m.userId == "dave" } }
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
}
