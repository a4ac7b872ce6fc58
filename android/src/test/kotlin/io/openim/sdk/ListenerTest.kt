package io.openim.sdk

import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/** A message listener that records texts, after running [before] on each message. */
class TextListener(private val before: (Message) -> Unit = {}) : AdvancedMsgListener {
    val texts: MutableList<String> = Collections.synchronizedList(mutableListOf())
    private val arrived = java.util.concurrent.Semaphore(0)

    override fun onRecvNewMessage(message: Message) {
        before(message)
        texts += (message.content as MessageContent.Text).text
        arrived.release()
    }

    /** Waits (bounded) until [n] messages have arrived. */
    fun await(n: Int) {
        while (texts.size < n) {
            if (!arrived.tryAcquire(15, TimeUnit.SECONDS)) throw AssertionError("got only $texts, wanted $n")
        }
    }

    override fun onRecvC2cReadReceipt(receipts: List<MessageReceipt>) {}
    override fun onNewRecvMessageRevoked(revoked: RevokedInfo) {}
    override fun onRecvOfflineNewMessage(message: Message) {}
    override fun onMsgDeleted(message: Message) {}
    override fun onRecvOnlineOnlyMessage(message: Message) {}
}

class ListenerTest {
    @Test
    fun twoListenersBothReceiveAndACancelledOneNothingMore(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val first = TextListener()
            val second = TextListener()
            val firstHandle = bob.client.addAdvancedMsgListener(first)
            val secondHandle = bob.client.addAdvancedMsgListener(second)
            alice.sendText("bob", "one")
            first.await(1)
            second.await(1)
            firstHandle.cancel()
            assertTrue(firstHandle.isCancelled())
            alice.sendText("bob", "two")
            alice.sendText("bob", "three")
            second.await(3)
            bob.awaitText("three")
            assertEquals(listOf("one"), first.texts.toList())
            assertEquals(listOf("one", "two", "three"), second.texts.toList())
            secondHandle.close()
        }
    }

    @Test
    fun twoFlowCollectorsEachSeeEveryMessage(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val collectors = (1..2).map {
                async(start = CoroutineStart.UNDISPATCHED) {
                    bob.client.messageEvents().filterIsInstance<MessageEvent.NewMessage>().take(3).toList()
                }
            }
            // Each collection registers its listener in a coroutine of this event loop: let them run.
            yield()
            val probe = TextListener()
            bob.client.addAdvancedMsgListener(probe).use {
                for (i in 1..3) alice.sendText("bob", "f$i")
                probe.await(3)
            }
            for (c in collectors) {
                val got = withTimeout(15_000) { c.await() }
                assertEquals(listOf("f1", "f2", "f3"), got.map { (it.message.content as MessageContent.Text).text })
            }
        }
    }

    @Test
    fun aConnectionListenerAddedLaterHearsTheCurrentStateFirst(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val state = withTimeout(15_000) { alice.client.connEvents().first() }
            assertEquals(ConnEvent.ConnectSuccess, state)
            alice.client.logout()
            val late = ConnEventStream()
            alice.client.addConnListener(late).use { assertNull(late.poll()) }
        }
    }

    @Test
    fun aThrowingAndABlockingListenerDoNotStallTheOthers(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val thrown = AtomicInteger()
            val throwerCalled = CountDownLatch(5)
            val thrower = TextListener { thrown.incrementAndGet(); throwerCalled.countDown(); throw IllegalStateException("listener bug") }
            withGate { gate ->
                val blocker = TextListener { gate.await() }
                val h1 = bob.client.addAdvancedMsgListener(thrower)
                val h2 = bob.client.addAdvancedMsgListener(blocker)
                for (i in 1..5) alice.sendText("bob", "m$i")
                bob.awaitText("m5")
                assertTrue(blocker.texts.isEmpty())
                gate.countDown()
                blocker.await(5)
                assertEquals((1..5).map { "m$it" }, blocker.texts.toList())
                // The throwing listener runs on its own thread: wait (bounded) until it has seen all five.
                assertTrue(throwerCalled.await(15, TimeUnit.SECONDS), "the throwing listener was called ${thrown.get()} times")
                assertEquals(5, thrown.get())
                assertEquals(5, bob.client.getAllConversationList()[0].unreadCount)
                h1.close()
                h2.close()
            }
        }
    }

    @Test
    fun theLogGoesToTheHostSink(): Unit = runBlocking {
        DevServer().use { server ->
            server.register("alice")
            val client = OpenImClient(server.config(tempDir()))
            val records = java.util.concurrent.LinkedBlockingQueue<LogRecord>()
            OpenImLog.useSink(object : LogSink {
                override fun log(record: LogRecord) { records.put(record) }
            }, LogLevel.INFO)
            client.login("alice", server.token("alice"))
            var login: LogRecord? = null
            while (login == null) {
                val r = records.poll(15, TimeUnit.SECONDS) ?: throw AssertionError("no login record")
                if (r.message.startsWith("logged in")) login = r
            }
            assertEquals(LogLevel.INFO, login.level)
            assertEquals("openim_sdk::engine", login.target)
            assertTrue(login.message.contains("user=alice"), login.message)
            // The shipped sink (stderr off Android) takes over without trouble.
            OpenImLog.useDefaultSink(LogLevel.WARN)
            client.logout()
            OpenImLog.useSink(null)
        }
    }

    /** A listener too slow for its queue (1 024 events) makes the engine wait for it: more
     *  messages arrive while it is blocked than its queue holds, and once it goes on it gets
     *  every one, each sender's in order (Rust:
     *  `a_listener_too_slow_for_its_queue_slows_delivery_but_loses_nothing`). */
    @Test
    fun aListenerTooSlowForItsQueueSlowsDeliveryButLosesNothing(): Unit = runBlocking {
        DevServer().use { server ->
            val senders = listOf(OnlineUser(server, "s1"), OnlineUser(server, "s2"))
            // Bob with the slow listener alone: a stream nobody reads (as OnlineUser's would be
            // here) makes the engine wait for it just the same.
            server.register("bob")
            val bob = OpenImClient(server.config(tempDir()))
            withGate { gate ->
                val slow = TextListener { gate.await(60, TimeUnit.SECONDS) }
                val handle = bob.addAdvancedMsgListener(slow)
                val log = EventLog(bob)
                bob.login("bob", server.token("bob"))
                log.waitFor("connected") { it == ConnEvent.ConnectSuccess }
                val perSender = 600
                senders.map { s ->
                    async { for (i in 0 until perSender) s.sendText("bob", "${s.userId}-$i") }
                }.forEach { it.await() }
                assertTrue(slow.texts.isEmpty())
                gate.countDown()
                slow.await(senders.size * perSender)
                for (s in senders) {
                    val mine = slow.texts.toList().filter { it.startsWith("${s.userId}-") }
                    assertEquals((0 until perSender).map { "${s.userId}-$it" }, mine, "lost or reordered")
                }
                assertEquals(senders.size * perSender, slow.texts.size)
                assertEquals(senders.size * perSender, bob.getTotalUnreadMsgCount())
                handle.close()
            }
        }
    }

    /** `addUserListener`, `addFriendListener` and `addGroupListener` hear their events while
     *  their handles live and nothing once they are cancelled, while the listeners set with
     *  `set…Listener` go on hearing (Rust: `added_user_and_group_listeners_hear_until_their_handles_drop`). */
    @Test
    fun addedUserFriendAndGroupListenersHearUntilTheirHandlesAreCancelled(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val (users, friends, groups) = Triple(UserEventStream(), FriendEventStream(), GroupEventStream())
            val handles = listOf(alice.client.addUserListener(users), alice.client.addFriendListener(friends), alice.client.addGroupListener(groups))
            val (setUsers, setFriends, setGroups) = Triple(UserEventStream(), FriendEventStream(), GroupEventStream())
            alice.client.setUserListener(setUsers)
            alice.client.setFriendListener(setFriends)
            alice.client.setGroupListener(setGroups)
            suspend fun <E : Any, T : Any> EventStream<E>.await(what: String, pick: (E) -> T?): T = try {
                withTimeout(15_000) {
                    var found: T? = null
                    while (found == null) found = pick(next())
                    found
                }
            } catch (e: kotlinx.coroutines.TimeoutCancellationException) {
                throw AssertionError("timed out waiting for $what")
            }

            alice.client.setSelfInfo(UserInfoUpdate(nickname = "A2"))
            users.await("the added user listener") { (it as? UserEvent.SelfInfoUpdated)?.info?.takeIf { u -> u.nickname == "A2" } }
            bob.client.addFriend("alice", "hi", "")
            friends.await("the added friend listener") { (it as? FriendEvent.ApplicationAdded)?.application?.takeIf { a -> a.fromUserId == "bob" } }
            val g = alice.client.createGroup(CreateGroupParams(groupName = "G", memberUserIds = listOf("bob")))
            groups.await("the added group listener") { (it as? GroupEvent.JoinedGroupAdded)?.group?.takeIf { x -> x.groupId == g.groupId } }

            handles.forEach { it.cancel() }
            alice.client.setSelfInfo(UserInfoUpdate(nickname = "A3"))
            alice.client.setGroupInfo(g.groupId, GroupInfoUpdate(groupName = "G2"))
            alice.client.refuseFriendApplication("bob", "no")
            setUsers.await("the set user listener") { (it as? UserEvent.SelfInfoUpdated)?.info?.takeIf { u -> u.nickname == "A3" } }
            setGroups.await("the set group listener") { (it as? GroupEvent.GroupInfoChanged)?.group?.takeIf { x -> x.groupName == "G2" } }
            setFriends.await("the set friend listener") { it as? FriendEvent.ApplicationRejected }
            // The set listeners heard all three: the added ones would have been called by now.
            val after = generateSequence { users.poll() }.filter { it is UserEvent.SelfInfoUpdated && it.info.nickname == "A3" }.toList() +
                generateSequence { groups.poll() }.filter { it is GroupEvent.GroupInfoChanged && it.group.groupName == "G2" }.toList() +
                generateSequence { friends.poll() }.filter { it is FriendEvent.ApplicationRejected }.toList()
            assertEquals(emptyList<Any>(), after, "nothing after the handles were cancelled")
        }
    }
}
