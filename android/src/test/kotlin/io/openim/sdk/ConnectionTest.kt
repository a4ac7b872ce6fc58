package io.openim.sdk

import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.Collections

private const val WAIT_MS = 15_000L

/** Runs [block] and returns the [T] it throws; fails when it throws nothing or something else. */
inline fun <reified T : Throwable> expectThrows(what: String = "", block: () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        throw AssertionError("expected ${T::class.simpleName} $what, got $e", e)
    }
    throw AssertionError("expected ${T::class.simpleName} $what, nothing was thrown")
}

/** Records connection events from a [ConnEventStream] and waits for them with a bound. */
class EventLog(client: OpenImClient) {
    private val stream = ConnEventStream()
    val events: MutableList<ConnEvent> = Collections.synchronizedList(mutableListOf())

    init {
        client.setConnListener(stream)
    }

    /** Reads events until [n] of them match [matches]; returns all read so far. */
    suspend fun waitFor(what: String, n: Int = 1, matches: (ConnEvent) -> Boolean): List<ConnEvent> {
        try {
            withTimeout(WAIT_MS) {
                while (events.count(matches) < n) events += stream.next()
            }
        } catch (e: kotlinx.coroutines.TimeoutCancellationException) {
            throw AssertionError("timed out waiting for $what; events: $events")
        }
        return events.toList()
    }

    /** Takes every event that has already arrived; returns all read so far. */
    fun drain(): List<ConnEvent> {
        while (true) events += stream.poll() ?: break
        return events.toList()
    }
}

/** A client of [userId] (registered already) on [platform], logged in and connected, with the
 *  log of its connection events. */
suspend fun DevServer.connected(userId: String, platform: Int = 2): Pair<OpenImClient, EventLog> {
    val client = OpenImClient(config(tempDir(), platform))
    val log = EventLog(client)
    client.login(userId, token(userId, platform))
    log.waitFor("$userId connected") { it == ConnEvent.ConnectSuccess }
    return client to log
}

/** Runs [block] with a closed gate for a listener to wait on, and opens it however [block] ends:
 *  a failed assertion must not leave the listener's thread waiting. */
inline fun <T> withGate(block: (java.util.concurrent.CountDownLatch) -> T): T {
    val gate = java.util.concurrent.CountDownLatch(1)
    try {
        return block(gate)
    } finally {
        gate.countDown()
    }
}

class ConnectionTest {
    @Test
    fun loginConnectsWithCallbacksInOrder(): Unit = runBlocking {
        DevServer().use { server ->
            server.register("alice")
            val token = server.token("alice")
            val client = OpenImClient(server.config(tempDir()))
            val log = EventLog(client)
            assertEquals(LoginStatus.LOGGED_OUT, client.loginStatus())

            client.login("alice", token)
            assertEquals(LoginStatus.LOGGED, client.loginStatus())
            assertEquals("alice", client.loginUserId())
            val events = log.waitFor("connect success") { it == ConnEvent.ConnectSuccess }
            assertEquals(listOf(ConnEvent.Connecting, ConnEvent.ConnectSuccess), events)
            assertEquals("alice nick", client.getSelfUserInfo().nickname)
            client.logout()
        }
    }

    @Test
    fun wrongTokenFailsWithoutReconnectLoop(): Unit = runBlocking {
        DevServer().use { server ->
            server.register("alice")
            val client = OpenImClient(server.config(tempDir()))
            val log = EventLog(client)
            client.login("alice", "not-a-jwt")
            val events = log.waitFor("token invalid") { it is ConnEvent.UserTokenInvalid }
            assertEquals(3, events.size, "$events")
            assertEquals(ConnEvent.Connecting, events[0])
            assertEquals(1503, (events[1] as ConnEvent.ConnectFailed).code)
            assertEquals(LoginStatus.LOGGED_OUT, client.loginStatus())
            // Longer than the first backoff: a reconnect loop would have shown another attempt.
            delay(2_500)
            val after = log.drain()
            assertEquals(1, after.count { it == ConnEvent.Connecting }, "$after")
            // Another user's token is refused too (1502), and the session ends the same way.
            server.register("bob")
            val other = OpenImClient(server.config(tempDir()))
            val otherLog = EventLog(other)
            other.login("alice", server.token("bob"))
            val refused = otherLog.waitFor("token invalid") { it is ConnEvent.UserTokenInvalid }
            assertEquals(1502, (refused[1] as ConnEvent.ConnectFailed).code)
            assertEquals(LoginStatus.LOGGED_OUT, other.loginStatus())
        }
    }

    /** A token past its lifetime is refused at connect with 1501, the app hears
     *  `onUserTokenExpired`, and the session ends without retrying (Rust:
     *  `expired_token_reports_expiry`). devserver's `--token-expire-secs` makes tokens short-lived;
     *  the wait below is the token's lifetime passing, which is the scenario. */
    @Test
    fun anExpiredTokenReportsExpiry(): Unit = runBlocking {
        DevServer(extraArgs = listOf("--token-expire-secs", "2")).use { server ->
            server.register("alice")
            val token = server.token("alice")
            val issued = System.nanoTime()
            val client = OpenImClient(server.config(tempDir()))
            val log = EventLog(client)
            delay(3_000 - (System.nanoTime() - issued) / 1_000_000)
            client.login("alice", token)
            val events = log.waitFor("token expired") { it == ConnEvent.UserTokenExpired }
            assertEquals(3, events.size, "$events")
            assertEquals(ConnEvent.Connecting, events[0])
            assertEquals(1501, (events[1] as ConnEvent.ConnectFailed).code)
            assertEquals(LoginStatus.LOGGED_OUT, client.loginStatus())
        }
    }

    @Test
    fun secondLoginOnTheSamePlatformKicksTheFirst(): Unit = runBlocking {
        DevServer().use { server ->
            server.register("alice")
            val (first, firstLog) = server.connected("alice")
            val (second, _) = server.connected("alice")

            val events = firstLog.waitFor("kicked") { it == ConnEvent.KickedOffline }
            assertEquals(listOf(ConnEvent.Connecting, ConnEvent.ConnectSuccess, ConnEvent.KickedOffline), events)
            assertEquals(LoginStatus.LOGGED_OUT, first.loginStatus())
            assertEquals(LoginStatus.LOGGED, second.loginStatus())
        }
    }

    /** Another platform is left alone by a same-platform login, and the kicked token is dead:
     *  logging in with it again is refused as kicked (1506) (Rust:
     *  `same_platform_login_kicks_the_older_one`). */
    @Test
    fun aKickedTokenIsDeadAndOtherPlatformsStay(): Unit = runBlocking {
        DevServer().use { server ->
            server.register("alice")
            val first = OpenImClient(server.config(tempDir()))
            val firstLog = EventLog(first)
            val firstToken = server.token("alice")
            first.login("alice", firstToken)
            firstLog.waitFor("first connected") { it == ConnEvent.ConnectSuccess }
            val (ios, iosLog) = server.connected("alice", platform = 1)

            val second = OpenImClient(server.config(tempDir()))
            second.login("alice", server.token("alice"))
            firstLog.waitFor("kicked") { it == ConnEvent.KickedOffline }
            assertEquals(LoginStatus.LOGGED, ios.loginStatus())
            assertEquals(listOf(ConnEvent.Connecting, ConnEvent.ConnectSuccess), iosLog.drain(), "the other platform is not disturbed")

            first.login("alice", firstToken)
            val again = firstLog.waitFor("kicked again", n = 2) { it == ConnEvent.KickedOffline }
            assertEquals(listOf(ConnEvent.Connecting, ConnEvent.KickedOffline), listOf(again[3], again.last()))
            assertEquals(1506, (again[4] as ConnEvent.ConnectFailed).code)
            assertEquals(LoginStatus.LOGGED, second.loginStatus())
        }
    }

    /** The app's manager logs the user out (`/auth/force_logout`): the client hears
     *  `onKickedOffline` and its session ends (Rust: `admin_force_logout_kicks_the_client`). */
    @Test
    fun anAdminForceLogoutKicksTheClient(): Unit = runBlocking {
        DevServer().use { server ->
            server.register("alice")
            val (client, log) = server.connected("alice")
            server.forceLogout("alice")
            val events = log.waitFor("kicked") { it == ConnEvent.KickedOffline }
            assertEquals(listOf(ConnEvent.Connecting, ConnEvent.ConnectSuccess, ConnEvent.KickedOffline), events)
            assertEquals(LoginStatus.LOGGED_OUT, client.loginStatus())
            // The session is over: calls that need it are refused as not logged in.
            val e = expectThrows<OpenImException.NotLoggedIn> { client.getSelfUserInfo() }
            assertEquals(10009, e.errorCode)
        }
    }

    /** A newer token for the same platform makes the server treat this one as kicked, while
     *  the open connection stays up: the next REST call is refused with 1506 (or the background
     *  profile sync hit it first: 10009), and the client ends its session with `onKickedOffline`
     *  (Rust: `rest_token_error_ends_the_session`). */
    @Test
    fun aRestTokenErrorEndsTheSession(): Unit = runBlocking {
        DevServer().use { server ->
            server.register("alice")
            val (client, log) = server.connected("alice")
            server.token("alice")
            val e = expectThrows<OpenImException> { client.getUsersInfo(listOf("alice")) }
            assertTrue(e.errorCode in listOf(1506, 10009), "$e")
            log.waitFor("kicked") { it == ConnEvent.KickedOffline }
            assertEquals(LoginStatus.LOGGED_OUT, client.loginStatus())
        }
    }

    /** A connection listener that blocks its thread holds up neither the connection nor the
     *  calls; once it returns, it hears every event in order (Rust:
     *  `a_blocked_listener_does_not_stall_the_engine`). */
    @Test
    fun aBlockedConnectionListenerDoesNotStallTheEngine(): Unit = runBlocking {
        DevServer().use { server ->
            server.register("bob")
            val watcher = OpenImClient(server.config(tempDir()))
            val client = OpenImClient(server.config(tempDir()))
            withGate { gate ->
                val seen = Collections.synchronizedList(mutableListOf<String>())
                client.setConnListener(object : ConnListener {
                    override fun onConnecting() { gate.await(WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS); seen += "connecting" }
                    override fun onConnectSuccess() { seen += "success" }
                    override fun onConnectFailed(code: Int, msg: String) { seen += "failed" }
                    override fun onKickedOffline() {}
                    override fun onUserTokenExpired() {}
                    override fun onUserTokenInvalid(msg: String) {}
                })
                client.login("bob", server.token("bob"))
                // The engine connects and serves calls while the listener's thread is stuck.
                assertEquals("bob", client.getSelfUserInfo().userId)
                server.register("alice")
                watcher.login("alice", server.token("alice"))
                watcher.subscribeUsersStatus(listOf("bob"))
                withTimeout(WAIT_MS) {
                    while (watcher.getUserStatus(listOf("bob")).single().platformIds.isEmpty()) delay(20)
                }
                assertEquals(emptyList<String>(), seen.toList())
                gate.countDown()
                withTimeout(WAIT_MS) { while ("success" !in seen) delay(20) }
                assertEquals(listOf("connecting", "success"), seen.toList(), "events keep their order")
                assertEquals(LoginStatus.LOGGED, client.loginStatus())
                watcher.logout()
                client.logout()
            }
        }
    }

    /** A user ID never names a file as it is: its database file's name is escaped, and nothing
     *  is written outside the data folder (Rust: `user_ids_are_sanitised_before_naming_files`). */
    @Test
    fun userIdsAreSanitisedBeforeNamingFiles(): Unit = runBlocking {
        DevServer().use { server ->
            val evil = "../../etc/evil user"
            server.register(evil)
            val root = java.io.File(tempDir())
            val data = java.io.File(root, "data")
            val client = OpenImClient(server.config(data.path))
            val log = EventLog(client)
            client.login(evil, server.token(evil))
            log.waitFor("connected") { it == ConnEvent.ConnectSuccess }
            val files = data.list()!!.toList()
            assertTrue("OpenIM_v3_%2E%2E%2F%2E%2E%2Fetc%2Fevil%20user.db" in files, "$files")
            assertEquals(listOf("data"), root.list()!!.toList(), "nothing outside the data folder")
            client.logout()
            root.deleteQuietly()
        }
    }

    /** Login arguments are checked before anything starts: an empty or blank user ID or token
     *  is refused with 10002, the client stays logged out and never connects
     *  (Rust: `login_arguments_are_checked`). */
    @Test
    fun loginArgumentsAreChecked(): Unit = runBlocking {
        DevServer().use { server ->
            val client = OpenImClient(server.config(tempDir()))
            val log = EventLog(client)
            for ((user, token) in listOf("" to "t", "alice" to "", "  " to "t")) {
                val refused = expectThrows<OpenImException.InvalidArgument>("login('$user', '$token')") { client.login(user, token) }
                assertEquals(10002, refused.code)
            }
            assertEquals(LoginStatus.LOGGED_OUT, client.loginStatus())
            assertTrue(log.drain().isEmpty(), "no connection attempt")
        }
    }

    @Test
    fun logoutAndTypedErrors(): Unit = runBlocking {
        DevServer().use { server ->
            server.register("alice")
            val token = server.token("alice")
            val client = OpenImClient(server.config(tempDir()))
            val log = EventLog(client)
            val notLoggedIn = expectThrows<OpenImException.NotLoggedIn> { client.getSelfUserInfo() }
            assertEquals(10009, notLoggedIn.errorCode)
            expectThrows<OpenImException.NotLoggedIn>("getUsersInfo before login") { client.getUsersInfo(listOf("x")) }
            expectThrows<OpenImException.NotLoggedIn>("logout before login") { client.logout() }

            client.login("alice", token)
            log.waitFor("connected") { it == ConnEvent.ConnectSuccess }
            val repeat = expectThrows<OpenImException.LoginRepeat> { client.login("alice", token) }
            assertEquals(10102, repeat.code)

            client.logout()
            assertEquals(LoginStatus.LOGGED_OUT, client.loginStatus())
            assertNull(client.loginUserId())
        }
    }

    @Test
    fun invalidConfigIsRefused() {
        val dir = tempDir()
        val good = OpenImConfig(2, "http://127.0.0.1:1", "ws://127.0.0.1:1", dir, LogLevel.WARN)
        OpenImClient(good).close()
        for (bad in listOf(
            good.copy(platform = 0),
            good.copy(platform = 10),
            good.copy(platform = -3),
            good.copy(apiAddr = "127.0.0.1:1"),
            good.copy(apiAddr = "ws://127.0.0.1:1"),
            good.copy(wsAddr = "http://127.0.0.1:1"),
            good.copy(wsAddr = ""),
            good.copy(dataDir = ""),
        )) {
            val e = expectThrows<OpenImException.InvalidArgument>("$bad") { OpenImClient(bad) }
            assertEquals(10002, e.code)
        }
    }

    @Test
    fun reconnectsAfterDevserverRestart(): Unit = runBlocking {
        val dir = tempDir()
        val data = "$dir/server.db"
        val first = DevServer(data = data)
        first.register("alice")
        val token = first.token("alice")
        val client = OpenImClient(first.config("$dir/client"))
        val log = EventLog(client)
        client.login("alice", token)
        log.waitFor("connected") { it == ConnEvent.ConnectSuccess }

        first.close()
        log.waitFor("reconnecting", 2) { it == ConnEvent.Connecting }
        DevServer(api = first.apiAddr, ws = first.wsAddr, data = data).use {
            val events = log.waitFor("connected again", 2) { it == ConnEvent.ConnectSuccess }
            assertEquals(listOf(ConnEvent.Connecting, ConnEvent.ConnectSuccess, ConnEvent.Connecting), events.take(3))
            assertEquals(ConnEvent.ConnectSuccess, events.last())
            assertEquals(LoginStatus.LOGGED, client.loginStatus())
            client.logout()
        }
    }

    /** `networkStatusChanged` (OpenIM's `NetworkStatusChanged`): a live connection is made again
     *  at once; while devserver is down and the client waits out its backoff, the call makes it
     *  try again at once, so it connects before the backoff would have let it. Refused before
     *  login. */
    @Test
    fun aNetworkChangeReconnectsAtOnce(): Unit = runBlocking {
        val dir = tempDir()
        val data = "$dir/server.db"
        val first = DevServer(data = data)
        first.register("alice")
        val token = first.token("alice")
        val client = OpenImClient(first.config("$dir/client"))
        val log = EventLog(client)
        expectThrows<OpenImException.NotLoggedIn>("before login") { client.networkStatusChanged() }
        client.login("alice", token)
        log.waitFor("connected") { it == ConnEvent.ConnectSuccess }
        client.networkStatusChanged()
        val events = log.waitFor("connected again", 2) { it == ConnEvent.ConnectSuccess }
        assertEquals(listOf(ConnEvent.Connecting, ConnEvent.ConnectSuccess, ConnEvent.Connecting, ConnEvent.ConnectSuccess), events)

        // devserver down: attempts fail 1 s, 2 s, then 4 s apart.
        first.close()
        log.waitFor("three failed attempts", 3) { it is ConnEvent.ConnectFailed }
        // The next attempt would come 4 s after the third failure.
        DevServer(api = first.apiAddr, ws = first.wsAddr, data = data).use {
            val called = System.nanoTime()
            client.networkStatusChanged()
            log.waitFor("connected after the restart", 3) { it == ConnEvent.ConnectSuccess }
            val waited = (System.nanoTime() - called) / 1_000_000
            assertTrue(waited < 2_000, "connected $waited ms after the call: the backoff was waited out")
            assertEquals(3, log.drain().count { it is ConnEvent.ConnectFailed }, "no attempt failed after the call")
            client.logout()
        }
    }

    /** OpenIM's `GetUserClientConfig`: the settings devserver was started with reach the app as a
     *  map, and so do the manager's later ones (a user's own over everyone's); before login, 10009. */
    @Test
    fun theClientConfigComesFromTheServer(): Unit = runBlocking {
        DevServer(extraArgs = listOf("--client-config", "discoverPageURL=https://example.com/d", "--client-config", "allowSendMsgNotFriend=1")).use { server ->
            server.register("alice")
            val client = OpenImClient(server.config(tempDir()))
            expectThrows<OpenImException.NotLoggedIn>("before login") { runBlocking { client.getUserClientConfig() } }
            client.login("alice", server.token("alice"))
            assertEquals(mapOf("discoverPageURL" to "https://example.com/d", "allowSendMsgNotFriend" to "1"), client.getUserClientConfig())
            // Changed by the app's manager, for everyone and for alice alone (hers win): read anew.
            server.setClientConfig("", "allowSendMsgNotFriend", "0")
            server.setClientConfig("alice", "discoverPageURL", "https://example.com/alice")
            assertEquals(mapOf("discoverPageURL" to "https://example.com/alice", "allowSendMsgNotFriend" to "0"), client.getUserClientConfig())
            client.logout()
        }
        // A server without settings: an empty map.
        DevServer().use { plain ->
            plain.register("bob")
            val bob = OpenImClient(plain.config(tempDir()))
            bob.login("bob", plain.token("bob"))
            assertEquals(emptyMap<String, String>(), bob.getUserClientConfig())
            bob.logout()
        }
    }

    @Test
    fun aThrowingListenerDoesNotBreakTheEngine(): Unit = runBlocking {
        DevServer().use { server ->
            server.register("alice")
            val client = OpenImClient(server.config(tempDir()))
            val seen = Collections.synchronizedList(mutableListOf<String>())
            client.setConnListener(object : ConnListener {
                override fun onConnecting() { seen += "connecting"; throw IllegalStateException("app bug") }
                override fun onConnectSuccess() { seen += "success"; throw IllegalStateException("app bug") }
                override fun onConnectFailed(code: Int, msg: String) {}
                override fun onKickedOffline() {}
                override fun onUserTokenExpired() {}
                override fun onUserTokenInvalid(msg: String) {}
            })
            client.login("alice", server.token("alice"))
            withTimeout(WAIT_MS) { while ("success" !in seen) delay(20) }
            assertEquals(listOf("connecting", "success"), seen.toList())
            assertEquals("alice", client.getSelfUserInfo().userId)
            client.logout()
        }
    }
}
