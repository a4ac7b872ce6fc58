package io.openim.sdk

import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** A logged-in user with its message and conversation event streams. */
class OnlineUser(server: DevServer, val userId: String, register: Boolean = true, platform: Int = 2) {
    val dataDir = tempDir()
    val client = OpenImClient(server.config(dataDir, platform))
    val messages = MessageEventStream()
    val conversations = ConversationEventStream()
    private val seenMessages = mutableListOf<MessageEvent>()

    init {
        if (register) server.register(userId)
        client.setAdvancedMsgListener(messages)
        client.setConversationListener(conversations)
        runBlocking {
            client.login(userId, server.token(userId, platform))
            withTimeout(15_000) {
                while (conversations.next() !is ConversationEvent.SyncFinish) Unit
            }
        }
    }

    /** Reads message events until one matches [matches]. */
    suspend fun <T : MessageEvent> await(what: String, matches: (MessageEvent) -> T?): T = try {
        withTimeout(15_000) {
            seenMessages.firstNotNullOfOrNull(matches) ?: run {
                var found: T? = null
                while (found == null) {
                    val e = messages.next()
                    seenMessages += e
                    found = matches(e)
                }
                found
            }
        }
    } catch (e: kotlinx.coroutines.TimeoutCancellationException) {
        throw AssertionError("timed out waiting for $what; got $seenMessages")
    }

    suspend fun awaitText(text: String): Message = await("message '$text'") { e ->
        (e as? MessageEvent.NewMessage)?.message?.takeIf { (it.content as? MessageContent.Text)?.text == text }?.let { e }
    }.message

    suspend fun sendText(to: String, text: String): Message =
        client.sendMessage(client.createTextMessage(text), to, null, null, false)
}

fun singleConversation(a: String, b: String) = if (a < b) "si_${a}_$b" else "si_${b}_$a"

/** devserver's upload part size (5 MiB). */
private const val PART = 5L * 1024 * 1024
/** The size of a file of three of devserver's parts. */
private const val THREE_PARTS = 11 * 1024 * 1024

/** Writes [name] in [dir]: three of devserver's parts, the content varied by [salt]. */
private fun writeThreeParts(dir: String, name: String, salt: Int): Pair<java.io.File, ByteArray> {
    val file = java.io.File(dir, name)
    val bytes = ByteArray(THREE_PARTS) { ((it * 31 + salt) % 251).toByte() }
    file.writeBytes(bytes)
    return file to bytes
}

/** The bytes devserver serves at [url]. */
private fun served(url: String): ByteArray = java.net.http.HttpClient.newHttpClient().send(
    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
    java.net.http.HttpResponse.BodyHandlers.ofByteArray(),
).body()

/** The bytes each progress call of an upload reports; at the first call, [atFirst] runs. */
private class SeenProgress(private val atFirst: () -> Unit = {}) : UploadProgressListener {
    val seen = java.util.Collections.synchronizedList(mutableListOf<Long>())
    override fun onProgress(uploaded: Long, total: Long) {
        if (seen.isEmpty()) atFirst()
        seen += uploaded
    }
}

class MessagingTest {
    @Test
    fun sendAndReceiveThroughTheListener(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val sent = alice.sendText("bob", "hello from kotlin")
            assertEquals(MessageStatus.SEND_SUCCESS, sent.status)
            assertEquals(1L, sent.seq)
            val got = bob.awaitText("hello from kotlin")
            assertEquals(sent.clientMsgId, got.clientMsgId)
            assertEquals("alice", got.sendId)
            val reply = bob.sendText("alice", "hi kotlin")
            assertEquals(2L, reply.seq)
            alice.awaitText("hi kotlin")
        }
    }

    /** A send made right after `login`, before `onConnectSuccess`, waits for the connection
     *  (as OpenIM's core queues it) instead of failing with 10000. */
    @Test
    fun aSendRightAfterLoginWaitsForTheConnection(): Unit = runBlocking {
        DevServer().use { server ->
            val bob = OnlineUser(server, "bob")
            server.register("alice")
            val alice = OpenImClient(server.config(tempDir(), 2))
            alice.login("alice", server.token("alice", 2))
            val sent = alice.sendMessage(alice.createTextMessage("straight after login"), "bob", null, null, false)
            assertEquals(MessageStatus.SEND_SUCCESS, sent.status)
            assertEquals(1L, sent.seq)
            bob.awaitText("straight after login")
            alice.logout()
        }
    }

    @Test
    fun historyConversationListAndUnread(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            for (i in 1..3) alice.sendText("bob", "m$i")
            bob.awaitText("m3")
            val list = bob.client.getAllConversationList()
            assertEquals(1, list.size)
            assertEquals(singleConversation("alice", "bob"), list[0].conversationId)
            assertEquals(3, list[0].unreadCount)
            assertEquals("alice nick", list[0].showName)
            assertEquals(3, bob.client.getTotalUnreadMsgCount())
            val page = bob.client.getAdvancedHistoryMessageList(list[0].conversationId, null, 10)
            assertEquals(listOf("m1", "m2", "m3"), page.messages.map { (it.content as MessageContent.Text).text })
            assertTrue(page.isEnd)
            // A conversation not stored here (a group chat before its first message): nothing, at its end.
            val unknown = bob.client.getAdvancedHistoryMessageList("sg_nothing_yet", null, 20)
            assertTrue(unknown.messages.isEmpty() && unknown.isEnd)
            // Alice's second device, first login: her own messages are pulled, sent, never unread.
            val tablet = OnlineUser(server, "alice", register = false, platform = 1)
            val own = tablet.client.getAdvancedHistoryMessageList(list[0].conversationId, null, 10).messages
            assertEquals(listOf("m1", "m2", "m3"), own.map { (it.content as MessageContent.Text).text })
            assertTrue(own.all { it.status == MessageStatus.SEND_SUCCESS && it.sendId == "alice" }, "$own")
            val chats = tablet.client.getAllConversationList()
            assertEquals(listOf(0), chats.map { it.unreadCount })
            assertEquals(own.last().clientMsgId, chats[0].latestMsg?.clientMsgId)
        }
    }

    /** Messages sent while the recipient was never logged in arrive with its first sync: the
     *  chat with its unread count and latest message at once, the rest of the history from the
     *  server when asked (Rust: `an_offline_recipient_gets_everything_at_next_login`). */
    @Test
    fun anOfflineRecipientGetsEverythingAtNextLogin(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            server.register("bob")
            val texts = (1..5).map { "while you were away $it" }
            for (text in texts) alice.sendText("bob", text)
            val bob = OnlineUser(server, "bob", register = false)
            val list = bob.client.getAllConversationList()
            assertEquals(1, list.size)
            assertEquals(5, list[0].unreadCount)
            assertEquals(texts.last(), (list[0].latestMsg?.content as? MessageContent.Text)?.text)
            assertEquals(5, bob.client.getTotalUnreadMsgCount())
            val page = bob.client.getAdvancedHistoryMessageList(list[0].conversationId, null, 20)
            assertEquals(texts, page.messages.map { (it.content as MessageContent.Text).text })
            assertTrue(page.isEnd)
        }
    }

    /** The recipient's receive options, as OpenIM's server applies them: "receive nothing" in
     *  the chat (1) or globally refuses the message with 1001 and nothing arrives; "receive
     *  without notification" (2) delivers it (Rust:
     *  `the_recipients_receive_options_decide_whether_a_message_is_sent`). */
    @Test
    fun theRecipientsReceiveOptionsDecideWhetherAMessageIsSent(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            alice.sendText("bob", "hello")
            bob.awaitText("hello")
            val chat = singleConversation("alice", "bob")
            suspend fun refused(text: String) {
                val e = expectThrows<OpenImException>("'$text' sent") { alice.sendText("bob", text) }
                assertEquals(1001, e.errorCode, text)
            }
            bob.client.setConversation(chat, ConversationUpdate(recvMsgOpt = 1))
            refused("muted chat")
            bob.client.setConversation(chat, ConversationUpdate(recvMsgOpt = 2))
            alice.sendText("bob", "quiet chat")
            bob.client.setConversation(chat, ConversationUpdate(recvMsgOpt = 0))
            bob.client.setGlobalRecvMessageOpt(1)
            refused("nothing at all")
            bob.client.setGlobalRecvMessageOpt(0)
            alice.sendText("bob", "back")
            bob.awaitText("back")
            val texts = bob.client.getAdvancedHistoryMessageList(chat, null, 10).messages.map { (it.content as MessageContent.Text).text }
            assertEquals(listOf("hello", "quiet chat", "back"), texts)
        }
    }

    /** History pages backwards across messages missed while logged out (the server fills the
     *  hole), then forwards from the oldest; a start message in a conversation not stored here
     *  is refused (Rust: `history_pages_across_a_hole`). */
    @Test
    fun historyPagesAcrossAHole(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            for (i in 1..10) alice.sendText("bob", "h$i")
            bob.awaitText("h10")
            val unknown = expectThrows<OpenImException>("a start message in an unknown conversation") {
                bob.client.getAdvancedHistoryMessageList("sg_nothing_yet", "x", 20)
            }
            assertEquals(10002, unknown.errorCode)
            bob.client.logout()
            for (i in 11..50) alice.sendText("bob", "h$i")
            bob.client.login("bob", server.token("bob"))
            withTimeout(15_000) { while (bob.conversations.next() !is ConversationEvent.SyncFinish) Unit }
            val chat = singleConversation("alice", "bob")
            val pages = mutableListOf<List<Long>>()
            var start: String? = null
            while (true) {
                val page = bob.client.getAdvancedHistoryMessageList(chat, start, 20)
                pages += page.messages.map { it.seq }
                if (page.isEnd) break
                start = page.messages.first().clientMsgId
            }
            assertEquals(listOf((31L..50L).toList(), (11L..30L).toList(), (1L..10L).toList()), pages)
            val oldest = bob.client.getAdvancedHistoryMessageList(chat, null, 50).messages.first()
            val newer = bob.client.getAdvancedHistoryMessageListReverse(chat, oldest.clientMsgId, 20)
            assertEquals((2L..21L).toList(), newer.messages.map { it.seq })
            assertFalse(newer.isEnd)
        }
    }

    /** Online-only messages (`isOnlineOnly`) reach an online recipient through
     *  `onRecvOnlineOnlyMessage` and are stored nowhere: no seq, no conversation on either side
     *  (Rust: `typing_and_online_only_messages_are_not_stored`). */
    @Test
    fun onlineOnlyMessagesAreNotStored(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val sent = alice.client.sendMessage(alice.client.createTextMessage("ephemeral"), "bob", null, null, true)
            assertEquals(0L, sent.seq)
            assertEquals(MessageStatus.SEND_SUCCESS, sent.status)
            val got = bob.await("the online-only message") { it as? MessageEvent.OnlineOnlyMessage }.message
            assertEquals("ephemeral", (got.content as MessageContent.Text).text)
            assertTrue(bob.client.getAllConversationList().isEmpty(), "nothing stored, no conversation")
            assertTrue(alice.client.getAllConversationList().isEmpty())
        }
    }

    /** Custom business notifications from the app's server reach the listener, to a user and
     *  to a group, in order; they are not messages; a cancelled handle hears nothing more. */
    @Test
    fun customBusinessNotificationsReachTheListener(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val stream = BusinessNotificationStream()
            val handle = bob.client.addCustomBusinessListener(stream)
            val g = alice.client.createGroup(CreateGroupParams(groupName = "Biz", memberUserIds = listOf("bob")))
            server.sendBusinessNotification("alice", "order.paid", "7", recvUserId = "bob")
            server.sendBusinessNotification("alice", "group.event", "8", recvGroupId = g.groupId)
            val heard = withTimeout(15_000) { listOf(stream.next(), stream.next()) }
            assertEquals(listOf(BusinessNotification("order.paid", "7"), BusinessNotification("group.event", "8")), heard)
            assertTrue(bob.client.getAllConversationList().none { it.conversationId == singleConversation("alice", "bob") })
            handle.cancel()
            server.sendBusinessNotification("alice", "after", "9", recvUserId = "bob")
            alice.sendText("bob", "after the notification")
            bob.awaitText("after the notification")
            assertEquals(null, stream.poll())
        }
    }

    /** Marking every conversation read at once (receipts to the senders), deleting a
     *  conversation with its messages (off the list until its next message), conversation IDs
     *  without the network, and the push settings with their argument checks. */
    @Test
    fun markEverythingReadDeleteAConversationAndPushSettings(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val carol = OnlineUser(server, "carol")
            val bob = OnlineUser(server, "bob")
            val withAlice = bob.client.getConversationIdBySessionType(SessionType.SINGLE, "alice")
            assertEquals(singleConversation("alice", "bob"), withAlice)
            assertEquals("sg_g1", bob.client.getConversationIdBySessionType(SessionType.GROUP, "g1"))
            val a1 = alice.sendText("bob", "a1")
            val c1 = carol.sendText("bob", "c1")
            val a1b = alice.sendText("bob", "a1b")
            bob.awaitText("a1b")
            bob.awaitText("c1")
            assertEquals(3, bob.client.getTotalUnreadMsgCount())
            val withCarol = singleConversation("bob", "carol")
            assertEquals(listOf(withCarol), bob.client.searchConversation("carol").map { it.conversationId })
            assertEquals(1, bob.client.searchConversation("CAROL").size, "letters in either case")
            assertTrue(bob.client.searchConversation("%").isEmpty(), "LIKE's wildcards are plain characters")
            assertEquals(10002, expectThrows<OpenImException>("an empty keyword") { bob.client.searchConversation("") }.errorCode)
            assertEquals(10002, expectThrows<OpenImException>("no peer") { bob.client.getConversationIdBySessionType(SessionType.SINGLE, "") }.errorCode)
            assertTrue(bob.client.findMessageListInConversations(listOf()).items.isEmpty())
            val found = bob.client.findMessageList(withAlice, listOf("unknown", a1.clientMsgId))
            assertEquals(listOf(a1.clientMsgId), found.map { it.clientMsgId })
            // Across conversations (OpenIM's shape): an item per stored conversation in the order
            // asked, newest first, a conversation named twice looked up once, unknown ones left out.
            val across = bob.client.findMessageListInConversations(listOf(
                ConversationArgs(withCarol, listOf(c1.clientMsgId, "unknown")),
                ConversationArgs("si_bob_nobody", listOf("x")),
                ConversationArgs(withAlice, listOf(a1.clientMsgId)),
                ConversationArgs(withAlice, listOf(a1b.clientMsgId)),
            ))
            assertEquals(3, across.totalCount)
            assertEquals(listOf(withCarol, withAlice), across.items.map { it.conversationId })
            assertEquals(listOf(1, 2), across.items.map { it.messageCount })
            assertEquals(listOf(a1b.clientMsgId, a1.clientMsgId), across.items[1].messages.map { it.clientMsgId })
            assertEquals(bob.client.getOneConversation(SessionType.SINGLE, "carol").showName, across.items[0].showName)
            val empty = expectThrows<OpenImException>("an empty conversation ID") {
                runBlocking { bob.client.findMessageListInConversations(listOf(ConversationArgs("", listOf("x")))) }
            }
            assertEquals(10002, empty.errorCode)

            bob.client.markAllConversationMessageAsRead()
            assertEquals(0, bob.client.getTotalUnreadMsgCount())
            for (sender in listOf(alice, carol)) sender.await("the receipt") { it as? MessageEvent.ReadReceipts }

            bob.client.deleteConversationAndDeleteAllMsg(withAlice)
            assertEquals(listOf(singleConversation("bob", "carol")), bob.client.getAllConversationList().map { it.conversationId })
            assertTrue(bob.client.getAdvancedHistoryMessageList(withAlice, null, 10).messages.isEmpty())
            alice.sendText("bob", "a2")
            bob.awaitText("a2")
            val page = bob.client.getAdvancedHistoryMessageList(withAlice, null, 10).messages
            assertEquals(listOf("a2"), page.map { (it.content as MessageContent.Text).text })

            bob.client.updateFcmToken("fcm-token", 3600)
            assertEquals(10002, expectThrows<OpenImException>("an empty FCM token") { bob.client.updateFcmToken("", 3600) }.errorCode)
            bob.client.setAppBadge(4)
            val badBadge = expectThrows<OpenImException>("a negative badge") { runBlocking { bob.client.setAppBadge(-1) } }
            assertEquals(10002, badBadge.errorCode)
        }
    }

    /** OpenIM's `UploadLogs` for log files the app kept: each is uploaded (progress over all
     *  of them) and recorded for the app's managers with the caller's `ex`; a missing file
     *  records nothing; with `line`, only the newest file's last lines go. */
    @Test
    fun logsUploadForTheAppsManagers(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val dir = tempDir()
            val first = java.io.File(dir, "app.log").apply { writeText("login failed: 1501\n".repeat(100)) }
            val second = java.io.File(dir, "app.1.log").apply { writeText("older lines\n") }
            val missing = expectThrows<OpenImException>("a missing file") {
                runBlocking { alice.client.uploadLogs(listOf(first.path, "$dir/nope"), 0u, "", null) }
            }
            assertEquals(10002, missing.errorCode)
            assertTrue(server.searchLogs("alice").contains("\"total\":0"), "a refused upload records nothing")

            val progress = SeenProgress()
            alice.client.uploadLogs(listOf(first.path, second.path), ex = "crash at login", progress = progress)
            val total = first.length() + second.length()
            assertEquals(listOf(first.length(), total), progress.seen.toList())
            val found = server.searchLogs("ali")
            assertTrue(found.contains("\"total\":2"), found)
            for (expected in listOf("\"userID\":\"alice\"", "\"ex\":\"crash at login\"", "\"systemType\":\"openim-sdk-rs\"", "\"platform\":\"Android\"")) {
                assertEquals(2, Regex(Regex.escape(expected)).findAll(found).count(), "$expected in $found")
            }
            val urls = Regex("\"url\":\"([^\"]*)\"").findAll(found).map { it.groupValues[1] }.toList()
            assertEquals(2, urls.size, found)
            val http = java.net.http.HttpClient.newHttpClient()
            val served = urls.map { url ->
                assertTrue(url.contains("/object/alice/sdk_log_alice_openim-sdk-rs_Android_${sdkVersion()}_"), url)
                http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()
            }.toSet()
            assertEquals(setOf(first.readText(), second.readText()), served)

            // With `line`: only the last lines of the last file named (the newest).
            val newest = java.io.File(dir, "today.log").apply { writeText((1..50).joinToString("") { "line $it\n" }) }
            alice.client.uploadLogs(listOf(second.path, newest.path), 3u, "tail")
            val withTail = server.searchLogs("alice")
            assertTrue(withTail.contains("\"total\":3"), withTail)
            val tailUrl = Regex("\"url\":\"([^\"]*today\\.log)\"").find(withTail)?.groupValues?.get(1) ?: error(withTail)
            val tail = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(tailUrl)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()
            assertEquals("line 48\nline 49\nline 50\n", tail)

            // The same file again, changed: a new object; the first record still serves what it
            // was (Rust: `logs_upload_for_the_apps_managers`).
            val before = first.readText()
            val appLogUrls = { json: String -> Regex("\"url\":\"([^\"]*_app\\.log)\"").findAll(json).map { it.groupValues[1] }.toSet() }
            val firstUrls = appLogUrls(withTail)
            assertEquals(1, firstUrls.size, withTail)
            first.writeText("a new day\n")
            alice.client.uploadLogs(listOf(first.path))
            val again = server.searchLogs("alice")
            assertTrue(again.contains("\"total\":4"), again)
            val newUrls = appLogUrls(again) - firstUrls
            assertEquals(1, newUrls.size, again)
            fun text(url: String) = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()
            assertEquals(before, text(firstUrls.single()))
            assertEquals("a new day\n", text(newUrls.single()))
        }
    }

    /** A file uploads to devserver's object storage with progress, its URL serves the same
     *  bytes, and a missing file is refused before the network. */
    @Test
    fun aFileUploadsAndComesBackByUrl(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val file = java.io.File(tempDir(), "photo.png")
            val bytes = ByteArray(300_000) { (it * 31 % 251).toByte() }
            file.writeBytes(bytes)
            val seen = java.util.Collections.synchronizedList(mutableListOf<Pair<Long, Long>>())
            val progress = object : UploadProgressListener {
                override fun onProgress(uploaded: Long, total: Long) { seen += uploaded to total }
            }
            val url = alice.client.uploadFile(file.path, null, null, progress)
            assertTrue(url.endsWith("/object/alice/photo.png"), url)
            assertEquals(listOf(bytes.size.toLong() to bytes.size.toLong()), seen.toList())
            val served = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray(),
            )
            assertEquals("image/png", served.headers().firstValue("content-type").orElse(""))
            assertTrue(bytes.contentEquals(served.body()), "the served object differs")
            val missing = expectThrows<OpenImException>("a missing file") {
                runBlocking { alice.client.uploadFile(file.path + ".nope", null, null, null) }
            }
            assertEquals(10002, missing.errorCode)
        }
    }

    /** An upload cut off goes on from its last part: the app's file changes while the upload
     *  reads its third part (the upload fails), then is back as it was; the next upload sends
     *  only that part, its progress starting after the two on the server, and the object is the
     *  file; also after the app restarted (a new client on the same database). devserver
     *  restarted (it forgets uploads under way), a cut-off upload starts over. Rust:
     *  `an_upload_cut_off_goes_on_from_its_last_part`. */
    @Test
    fun aCutOffUploadGoesOnFromItsLastPart(): Unit = runBlocking {
        val dir = tempDir()
        val data = "$dir/server.db"
        val size = THREE_PARTS
        val part = PART
        fun write(name: String, salt: Int) = writeThreeParts(dir, name, salt)
        /** Progress whose first call changes the file's last byte. */
        fun changesTheFile(file: java.io.File, bytes: ByteArray) =
            SeenProgress { file.writeBytes(bytes.copyOf().also { it[size - 1] = (it[size - 1] + 1).toByte() }) }

        val first = DevServer(data = data)
        val alice = try {
            val alice = OnlineUser(first, "alice")
            val (movie, movieBytes) = write("movie.mp4", 1)
            val cut = expectThrows<OpenImException.InvalidArgument>("a file changed under the upload") {
                runBlocking { alice.client.uploadFile(movie.path, null, null, changesTheFile(movie, movieBytes)) }
            }
            assertEquals(10002, cut.code)
            movie.writeBytes(movieBytes)
            val progress = SeenProgress()
            val url = alice.client.uploadFile(movie.path, null, null, progress)
            assertEquals(listOf(2 * part, size.toLong()), progress.seen.toList(), "resumed after the two parts on the server")
            assertTrue(movieBytes.contentEquals(served(url)), "the object is the file")

            // Cut off, then the app restarts (a new client on the same database): it goes on.
            val (clip, clipBytes) = write("clip.mp4", 3)
            expectThrows<OpenImException.InvalidArgument>("a file changed under the upload") {
                runBlocking { alice.client.uploadFile(clip.path, null, null, changesTheFile(clip, clipBytes)) }
            }
            clip.writeBytes(clipBytes)
            alice.client.logout()
            val restarted = OpenImClient(first.config(alice.dataDir))
            restarted.login("alice", first.token("alice"))
            val resumed = SeenProgress()
            val clipUrl = restarted.uploadFile(clip.path, null, null, resumed)
            assertEquals(listOf(2 * part, size.toLong()), resumed.seen.toList(), "resumed after the app's restart")
            assertTrue(clipBytes.contentEquals(served(clipUrl)), "the object is the file")
            restarted.logout()
            alice.client.login("alice", first.token("alice"))

            // Cut off again, with another file, before devserver restarts.
            val (song, songBytes) = write("song.m4a", 2)
            expectThrows<OpenImException.InvalidArgument>("a file changed under the upload") {
                runBlocking { alice.client.uploadFile(song.path, null, null, changesTheFile(song, songBytes)) }
            }
            song.writeBytes(songBytes)
            alice
        } finally {
            first.close()
        }
        DevServer(api = first.apiAddr, ws = first.wsAddr, data = data).use {
            val progress = SeenProgress()
            val url = alice.client.uploadFile("$dir/song.m4a", null, null, progress)
            assertEquals(listOf(part, 2 * part, size.toLong()), progress.seen.toList(), "started over")
            assertTrue(java.io.File("$dir/song.m4a").readBytes().contentEquals(served(url)), "the object is the file")
            alice.client.logout()
        }
    }

    /** An upload is stopped by the app: uploadFile with its CancellationToken, by cancelling
     *  the calling coroutine, or a message's upload with cancelSendingMessage. The call fails
     *  with Cancelled (10003) and no part goes after the cancel: the next upload of the same
     *  content goes on from the part on the server. The message stays failed until sent again. */
    @Test
    fun anUploadCancelledStopsAtOnceAndGoesOnLater(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val dir = tempDir()
            val size = THREE_PARTS
            val part = PART
            fun write(name: String, salt: Int) = writeThreeParts(dir, name, salt)
            val resumed = listOf(part, 2 * part, size.toLong())

            // With its token, after the first part.
            val (movie, movieBytes) = write("movie.mp4", 1)
            val token = CancellationToken()
            val stopper = SeenProgress { token.cancel() }
            val stopped = expectThrows<OpenImException.Cancelled>("an upload cancelled") {
                runBlocking { alice.client.uploadFile(movie.path, progress = stopper, cancel = token) }
            }
            assertEquals(10003, stopped.code)
            assertEquals(listOf(part), stopper.seen.toList(), "nothing after the cancel")
            assertTrue(token.isCancelled())
            expectThrows<OpenImException.Cancelled>("a cancelled token") {
                runBlocking { alice.client.uploadFile(movie.path, cancel = token) }
            }
            val again = SeenProgress()
            val url = alice.client.uploadFile(movie.path, progress = again)
            assertEquals(resumed, again.seen.toList(), "on from the part on the server")
            assertTrue(movieBytes.contentEquals(served(url)), "the object is the file")

            // The calling coroutine cancelled while the first part is reported (the listener
            // holds the upload until the coroutine is gone).
            val (song, songBytes) = write("song.m4a", 2)
            val reported = kotlinx.coroutines.CompletableDeferred<Unit>()
            val gone = java.util.concurrent.CountDownLatch(1)
            val holding = SeenProgress { reported.complete(Unit); gone.await(10, java.util.concurrent.TimeUnit.SECONDS) }
            val job = launch(kotlinx.coroutines.Dispatchers.IO) { alice.client.uploadFile(song.path, progress = holding) }
            reported.await()
            job.cancelAndJoin()
            gone.countDown()
            val after = SeenProgress()
            val songUrl = alice.client.uploadFile(song.path, progress = after)
            assertEquals(resumed, after.seen.toList(), "the cancelled upload stopped after its first part")
            assertEquals(listOf(part), holding.seen.toList())
            assertTrue(songBytes.contentEquals(served(songUrl)), "the object is the file")

            // A message's upload, by its client ID.
            val (clip, clipBytes) = write("clip.mp4", 3)
            val m = alice.client.createVideoMessageFromFullPath(clip.path, "mp4", 30, null, 0, 0)
            assertFalse(alice.client.cancelSendingMessage(m.clientMsgId), "not being sent yet")
            var cancelled: Boolean? = null
            val messageStopper = SeenProgress { cancelled = alice.client.cancelSendingMessage(m.clientMsgId) }
            val sendStopped = expectThrows<OpenImException.Cancelled>("a message's upload cancelled") {
                runBlocking { alice.client.sendMessage(m, "bob", progress = messageStopper) }
            }
            assertEquals(10003, sendStopped.code)
            assertEquals(true, cancelled, "an upload was under way")
            assertEquals(listOf(part), messageStopper.seen.toList())
            val stored = alice.client.findMessageList(singleConversation("alice", "bob"), listOf(m.clientMsgId))
            assertEquals(MessageStatus.SEND_FAILED, stored.single().status)
            assertFalse(alice.client.cancelSendingMessage(m.clientMsgId), "its send has ended")
            val sendAgain = SeenProgress()
            val sent = alice.client.sendMessage(m, "bob", progress = sendAgain)
            assertEquals(MessageStatus.SEND_SUCCESS, sent.status)
            assertEquals(resumed, sendAgain.seen.toList())
            val got = bob.await("the video") { (it as? MessageEvent.NewMessage)?.takeIf { e -> e.message.clientMsgId == m.clientMsgId } }
            assertTrue(clipBytes.contentEquals(served((got.message.content as MessageContent.Video).videoUrl)), "the object is the file")
        }
    }

    /** A picture made from a local file uploads when sent (progress heard): its URLs fill the
     *  content, the snapshot asks for 640 x 640, and the recipient gets no local path. A file
     *  gone at send time leaves the message failed; back again, the same message goes. */
    @Test
    fun messagesMadeFromFilesUploadThemWhenSent(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val photo = java.io.File(tempDir(), "photo.jpg")
            photo.writeBytes(ByteArray(3000) { (it * 7 % 253).toByte() })
            val m = alice.client.createImageMessageFromFullPath(photo.path, 800, 600)
            val seen = java.util.Collections.synchronizedList(mutableListOf<Pair<Long, Long>>())
            val progress = object : UploadProgressListener {
                override fun onProgress(uploaded: Long, total: Long) { seen += uploaded to total }
            }
            val sent = alice.client.sendMessage(m, "bob", progress = progress)
            assertEquals(MessageStatus.SEND_SUCCESS, sent.status)
            assertEquals(listOf(3000L to 3000L), seen.toList())
            val image = sent.content as MessageContent.Image
            assertEquals(photo.path, image.sourcePath)
            val source = image.source!!
            assertTrue(source.url.endsWith("/object/alice/msg_picture_${m.clientMsgId}.jpg"), source.url)
            assertEquals(listOf(800, 600), listOf(source.width, source.height))
            assertEquals(source, image.big)
            assertEquals("${source.url}?height=640&type=image&width=640", image.snapshot!!.url)
            val got = bob.await("the picture") { (it as? MessageEvent.NewMessage)?.takeIf { e -> e.message.clientMsgId == m.clientMsgId } }
            val received = got.message.content as MessageContent.Image
            assertEquals("", received.sourcePath, "the local path stays on the sender's device")
            assertEquals(source.url, received.source!!.url)

            // A voice message: its file uploaded, its size and type read here, its duration the app's.
            val voice = java.io.File(tempDir(), "voice.m4a")
            voice.writeBytes(ByteArray(1500) { (it % 61).toByte() })
            val sound = alice.client.createSoundMessageFromFullPath(voice.path, 7)
            val soundSent = alice.client.sendMessage(sound, "bob").content as MessageContent.Sound
            assertTrue(soundSent.sourceUrl.endsWith("/object/alice/msg_voice_${sound.clientMsgId}.m4a"), soundSent.sourceUrl)
            assertEquals(listOf(1500L, 7L), listOf(soundSent.dataSize, soundSent.duration))
            assertEquals("m4a", soundSent.soundType)
            val badDuration = expectThrows<OpenImException>("a negative duration") { alice.client.createSoundMessageFromFullPath(voice.path, -3) }
            assertEquals(10002, badDuration.errorCode)

            val report = java.io.File(tempDir(), "report.pdf")
            report.writeBytes(ByteArray(2500) { (it % 97).toByte() })
            // Made from a file, a message keeps a copy beside the database until it is sent.
            fun copies(id: String) = java.io.File(alice.dataDir, "OpenIM_v3_alice_files").listFiles()!!.filter { it.name.startsWith(id) }
            val file = alice.client.createFileMessageFromFullPath(report.path)
            assertEquals(1, copies(file.clientMsgId).size)
            report.delete()
            copies(file.clientMsgId).forEach { it.delete() }
            val failed = expectThrows<OpenImException>("a file gone at send time") {
                runBlocking { alice.client.sendMessage(file, "bob") }
            }
            assertEquals(10002, failed.errorCode)
            val stored = alice.client.findMessageList(singleConversation("alice", "bob"), listOf(file.clientMsgId))
            assertEquals(MessageStatus.SEND_FAILED, stored.single().status)
            report.writeBytes(ByteArray(2500) { (it % 97).toByte() })
            val resent = alice.client.sendMessage(file, "bob")
            val fileContent = resent.content as MessageContent.File
            assertEquals("report.pdf", fileContent.fileName)
            assertTrue(fileContent.sourceUrl.endsWith("/object/alice/msg_file_${file.clientMsgId}/report.pdf"), fileContent.sourceUrl)

            // Uploaded, then refused (a user the server does not know yet): sent again once the
            // user exists, it keeps the stored URL and needs the file no more.
            val retried = java.io.File(tempDir(), "retried.jpg")
            retried.writeBytes(ByteArray(800) { (it % 89).toByte() })
            val toDave = alice.client.createImageMessageFromFullPath(retried.path, 5, 5)
            val refused = expectThrows<OpenImException>("an unknown recipient") {
                runBlocking { alice.client.sendMessage(toDave, "dave") }
            }
            assertEquals(1101, refused.errorCode)
            val firstUrl = (alice.client.findMessageList(singleConversation("alice", "dave"), listOf(toDave.clientMsgId))
                .single().content as MessageContent.Image).source!!.url
            assertTrue(firstUrl.isNotEmpty(), "uploaded before the send failed")
            retried.delete()
            copies(toDave.clientMsgId).forEach { it.delete() }
            server.register("dave")
            val toDaveAgain = alice.client.sendMessage(toDave, "dave")
            assertEquals(firstUrl, (toDaveAgain.content as MessageContent.Image).source!!.url)

            // The app's file gone when the message is sent: its copy goes, then the copy is removed.
            val temp = java.io.File(tempDir(), "temp.jpg")
            temp.writeBytes(ByteArray(1300) { (it % 83).toByte() })
            val fromTemp = alice.client.createImageMessageFromFullPath(temp.path, 10, 10)
            temp.delete()
            assertEquals(MessageStatus.SEND_SUCCESS, alice.client.sendMessage(fromTemp, "bob").status)
            assertTrue(copies(fromTemp.clientMsgId).isEmpty(), "the copy goes once the message is sent")

            val missing = expectThrows<OpenImException>("a missing file") {
                runBlocking { alice.client.createImageMessageFromFullPath(photo.path + ".nope", 1, 1) }
            }
            assertEquals(10002, missing.errorCode)
        }
    }

    /** Deleting every message on this device keeps the conversations listed and read while the
     *  server keeps the messages; deleting them on the server too leaves a new device nothing.
     *  A message of this device only is stored as sent and never sent. */
    @Test
    fun deleteAllMessagesAndMessagesOfThisDeviceOnly(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            bob.sendText("alice", "b1")
            bob.sendText("alice", "b2")
            alice.awaitText("b2")
            val withBob = singleConversation("alice", "bob")
            alice.client.deleteAllMsgFromLocal()
            assertTrue(alice.client.getAdvancedHistoryMessageList(withBob, null, 10).messages.isEmpty())
            assertEquals(listOf(withBob), alice.client.getAllConversationList().map { it.conversationId })
            assertEquals(0, alice.client.getTotalUnreadMsgCount())
            val tablet = OnlineUser(server, "alice", register = false, platform = 1)
            assertEquals(2, tablet.client.getAdvancedHistoryMessageList(withBob, null, 10).messages.size)
            assertEquals(0, tablet.client.getTotalUnreadMsgCount())
            // A new device holds only the newest message; cleared there, history brings back
            // nothing from the hole below it.
            val desk = OnlineUser(server, "alice", register = false, platform = 3)
            desk.client.deleteAllMsgFromLocal()
            assertTrue(desk.client.getAdvancedHistoryMessageList(withBob, null, 10).messages.isEmpty())

            alice.client.deleteAllMsgFromLocalAndSvr()
            val web = OnlineUser(server, "alice", register = false, platform = 5)
            assertTrue(web.client.getAdvancedHistoryMessageList(withBob, null, 10).messages.isEmpty())

            val tip = alice.client.createTextMessage("you muted bob")
            val stored = alice.client.insertSingleMessageToLocalStorage(tip, "bob", "alice")
            assertEquals(MessageStatus.SEND_SUCCESS, stored.status)
            assertEquals(0L, stored.seq)
            val page = alice.client.getAdvancedHistoryMessageList(withBob, null, 10).messages
            assertEquals(listOf("you muted bob"), page.map { (it.content as MessageContent.Text).text })
            alice.sendText("bob", "real")
            val next = bob.await("alice's message") { (it as? MessageEvent.NewMessage)?.takeIf { e -> e.message.sendId == "alice" } }
            assertEquals("real", (next.message.content as MessageContent.Text).text)
            val wrong = expectThrows<OpenImException>("neither side is the user") {
                runBlocking { alice.client.insertSingleMessageToLocalStorage(tip, "bob", "carol") }
            }
            assertEquals(10002, wrong.errorCode)
        }
    }

    /** Copies of files kept for messages go at login once a day old, unless their message is
     *  still unsent (failed, to be sent again); a young file stays. */
    @Test
    fun oldCopiesGoAtLoginUnlessTheirMessageIsUnsent(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            fun file(name: String) = java.io.File(tempDir(), name).apply { writeText(name) }.path
            val abandoned = alice.client.createFileMessageFromFullPath(file("abandoned.txt"))
            val failed = alice.client.createFileMessageFromFullPath(file("failed.txt"))
            val refused = expectThrows<OpenImException>("an unknown recipient") {
                runBlocking { alice.client.sendMessage(failed, "erin") }
            }
            assertEquals(1101, refused.errorCode)
            val filesDir = java.io.File(alice.dataDir, "OpenIM_v3_alice_files")
            val twoDaysAgo = System.currentTimeMillis() - 2 * 24 * 3600 * 1000L
            filesDir.listFiles()!!.forEach { assertTrue(it.setLastModified(twoDaysAgo)) }
            java.io.File(filesDir, "young.jpg").writeText("young")
            alice.client.logout()
            alice.client.login("alice", server.token("alice", 2))
            val expected = listOf("${failed.clientMsgId}.txt", "young.jpg").sorted()
            withTimeout(15_000) {
                while (filesDir.list()!!.sorted() != expected) kotlinx.coroutines.delay(20)
            }
            assertTrue(filesDir.list()!!.none { it.startsWith(abandoned.clientMsgId) })
        }
    }

    /** Who is typing: a "yes" starts a state the other side hears and can ask for, a "no" ends
     *  it, a state not renewed ends by itself after about 10 s, every member of a group hears it;
     *  a conversation this device does not have is refused (Rust:
     *  `who_is_typing_starts_ends_and_expires`). */
    @Test
    fun whoIsTypingStartsEndsAndExpires(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val carol = OnlineUser(server, "carol")
            alice.sendText("bob", "hi")
            bob.awaitText("hi")
            suspend fun awaitTyping(who: OnlineUser = bob): InputStatusChange = withTimeout(15_000) {
                var found: InputStatusChange? = null
                while (found == null) found = (who.conversations.next() as? ConversationEvent.InputStatus)?.change
                found!!
            }
            val withBob = singleConversation("alice", "bob")
            alice.client.changeInputStates(withBob, true)
            val started = awaitTyping()
            assertEquals(listOf(withBob, "alice"), listOf(started.conversationId, started.userId))
            assertEquals(listOf(2), started.platformIds)
            assertEquals(listOf(2), bob.client.getInputStates(withBob, "alice"))
            alice.client.changeInputStates(withBob, false)
            assertEquals(emptyList<Int>(), awaitTyping().platformIds)
            assertEquals(emptyList<Int>(), bob.client.getInputStates(withBob, "alice"))
            val unknown = expectThrows<OpenImException>("an unknown conversation") {
                runBlocking { alice.client.changeInputStates("si_nobody_x", true) }
            }
            assertEquals(10002, unknown.errorCode)

            // Not renewed, a state ends by itself.
            alice.client.changeInputStates(withBob, true)
            assertEquals(listOf(2), awaitTyping().platformIds)
            val since = System.nanoTime()
            assertEquals(emptyList<Int>(), awaitTyping().platformIds, "expired")
            val waited = (System.nanoTime() - since) / 1_000_000
            assertTrue(waited >= 9_000, "ended after $waited ms")
            assertEquals(emptyList<Int>(), bob.client.getInputStates(withBob, "alice"))

            // In a group, every member hears it.
            val g = alice.client.createGroup(CreateGroupParams(groupName = "Typists", memberUserIds = listOf("bob", "carol")))
            bob.await("the group's notice") { (it as? MessageEvent.NewMessage)?.takeIf { e -> e.message.groupId == g.groupId } }
            val inGroup = "sg_${g.groupId}"
            bob.client.changeInputStates(inGroup, true)
            for (who in listOf(alice, carol)) {
                val change = awaitTyping(who)
                assertEquals(listOf(inGroup, "bob"), listOf(change.conversationId, change.userId))
            }
        }
    }

    /** Deleted unread messages leave the unread count: here (deleted locally or on the server)
     *  and, for the one deleted on the server, on the user's other device. */
    @Test
    fun deletingUnreadMessagesLowersTheUnreadCount(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val sent = (1..3).map { alice.sendText("bob", "m$it") }
            bob.awaitText("m3")
            val conversation = singleConversation("alice", "bob")
            val tablet = OnlineUser(server, "bob", register = false, platform = 1)
            assertEquals(3, tablet.client.getAdvancedHistoryMessageList(conversation, null, 10).messages.size)
            assertEquals(3, tablet.client.getTotalUnreadMsgCount())
            bob.client.deleteMessageFromLocalStorage(conversation, sent[0].clientMsgId)
            bob.client.deleteMessage(conversation, sent[2].clientMsgId)
            assertEquals(1, bob.client.getTotalUnreadMsgCount())
            assertEquals(1, bob.client.getOneConversation(SessionType.SINGLE, "alice").unreadCount)
            val gone = tablet.await("the deletion") { it as? MessageEvent.Deleted }
            assertEquals(sent[2].clientMsgId, gone.message.clientMsgId)
            assertEquals(2, tablet.client.getTotalUnreadMsgCount())
            val left = tablet.client.getAdvancedHistoryMessageList(conversation, null, 10).messages
            assertEquals(listOf("m1", "m2"), left.map { (it.content as MessageContent.Text).text })
            // The deleting device reports both, in order; its chat falls back to the message left.
            val reported = listOf(bob.await("the first deletion") { it as? MessageEvent.Deleted }.message.clientMsgId) +
                bob.await("the second deletion") { (it as? MessageEvent.Deleted)?.takeIf { d -> d.message.clientMsgId != sent[0].clientMsgId } }.message.clientMsgId
            assertEquals(listOf(sent[0].clientMsgId, sent[2].clientMsgId), reported)
            assertEquals(sent[1].clientMsgId, bob.client.getOneConversation(SessionType.SINGLE, "alice").latestMsg?.clientMsgId)
            // The sender keeps all three; a new device of bob's misses only the one deleted on the server.
            assertEquals(3, alice.client.getAdvancedHistoryMessageList(conversation, null, 10).messages.size)
            val fresh = OnlineUser(server, "bob", register = false, platform = 3)
            val paged = fresh.client.getAdvancedHistoryMessageList(conversation, null, 10).messages
            assertEquals(listOf("m1", "m2"), paged.map { (it.content as MessageContent.Text).text })
        }
    }

    @Test
    fun theConversationListOrdersPinsThenLatestActivity(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val carol = OnlineUser(server, "carol")
            val bob = OnlineUser(server, "bob")
            val first = alice.sendText("bob", "first")
            bob.awaitText("first")
            // Carol's message must be later on the server's clock (send times are milliseconds).
            var n = 0
            var later = carol.sendText("bob", "later 0")
            while (later.sendTime <= first.sendTime) later = carol.sendText("bob", "later ${++n}")
            bob.awaitText("later $n")
            val withAlice = singleConversation("alice", "bob")
            val withCarol = singleConversation("bob", "carol")
            suspend fun order(offset: Int, count: Int) = bob.client.getConversationListSplit(offset, count).map { it.conversationId }
            assertEquals(listOf(withCarol, withAlice), order(0, 10))
            // A draft is newer than carol's message.
            bob.client.setConversationDraft(withAlice, "typing…")
            assertEquals(listOf(withAlice, withCarol), order(0, 10))
            // A pin beats it.
            bob.client.setConversation(withCarol, ConversationUpdate(isPinned = true))
            assertEquals(listOf(withCarol, withAlice), order(0, 10))
            assertEquals(listOf(withCarol), order(0, 1))
            assertEquals(listOf(withAlice), order(1, 1))
            assertEquals(emptyList<String>(), order(2, 1))
            // The draft is stored with its time.
            val drafted = bob.client.getMultipleConversation(listOf(withAlice)).single()
            assertEquals("typing…", drafted.draftText)
            assertTrue(drafted.draftTextTime > 0)
            // Muting carol's chat ("receive without notification") takes it out of the total unread count.
            assertEquals(1 + (n + 1), bob.client.getTotalUnreadMsgCount())
            bob.client.setConversation(withCarol, ConversationUpdate(recvMsgOpt = 2))
            assertEquals(1, bob.client.getTotalUnreadMsgCount())
            // All hidden at once, until their next message.
            bob.client.hideAllConversations()
            assertEquals(emptyList<String>(), order(0, 10))
            alice.sendText("bob", "still there?")
            bob.awaitText("still there?")
            assertEquals(listOf(withAlice), order(0, 10))
        }
    }

    @Test
    fun readReceiptReachesTheSender(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val sent = alice.sendText("bob", "read me")
            bob.awaitText("read me")
            // Bob's tablet stores it unread, then goes offline.
            val tablet = OnlineUser(server, "bob", register = false, platform = 1)
            assertEquals(1, tablet.client.getTotalUnreadMsgCount())
            tablet.client.logout()
            val chat = singleConversation("alice", "bob")
            bob.client.markConversationMessageAsRead(chat)
            assertEquals(0, bob.client.getTotalUnreadMsgCount())
            val receipt = alice.await("read receipt") { it as? MessageEvent.ReadReceipts }
            assertEquals("bob", receipt.receipts[0].userId)
            assertEquals(listOf(sent.clientMsgId), receipt.receipts[0].msgIdList)
            assertTrue(alice.client.getAdvancedHistoryMessageList(chat, null, 10).messages.all { it.isRead }, "the sender's copy is read")
            // Back, the tablet learns it was read.
            tablet.client.login("bob", server.token("bob", 1))
            withTimeout(15_000) { while (tablet.conversations.next() !is ConversationEvent.SyncFinish) Unit }
            assertEquals(0, tablet.client.getTotalUnreadMsgCount())
            assertTrue(tablet.client.getAdvancedHistoryMessageList(chat, null, 10).messages.all { it.isRead })
        }
    }

    /** OpenIM's `MarkMessagesAsReadByMsgID`: bob marks the second of alice's three messages read;
     *  alice's receipt names it alone; bob's read mark rises to it (the first is read too, the
     *  third is left unread). */
    @Test
    fun messagesMarkedReadById(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val sent = listOf("one", "two", "three").map { alice.sendText("bob", it) }
            bob.awaitText("three")
            val conversation = singleConversation("alice", "bob")
            bob.client.markMessagesAsReadByMsgId(conversation, listOf(sent[1].clientMsgId))
            val receipt = alice.await("read receipt") { it as? MessageEvent.ReadReceipts }
            assertEquals(listOf(sent[1].clientMsgId), receipt.receipts.single().msgIdList)
            assertEquals(1, bob.client.getTotalUnreadMsgCount())
            val page = bob.client.getAdvancedHistoryMessageList(conversation, null, 10).messages
            assertEquals(listOf(true, true, false), page.map { it.isRead })
            val empty = expectThrows<OpenImException.InvalidArgument>("no IDs") {
                runBlocking { bob.client.markMessagesAsReadByMsgId(conversation, emptyList()) }
            }
            assertEquals(10002, empty.code)
        }
    }

    @Test
    fun revokeReachesTheRecipient(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val keep = alice.sendText("bob", "keep me")
            val sent = alice.sendText("bob", "oops")
            val received = bob.awaitText("oops")
            val reply = bob.client.sendMessage(bob.client.createQuoteMessage("what?", received), "alice", null, null, false)
            val conversation = singleConversation("alice", "bob")
            alice.client.revokeMessage(conversation, sent.clientMsgId)
            // Both sides hear it, with who revoked it, and page it as revoked (2101).
            for (side in listOf(bob, alice)) {
                val revoked = side.await("revoke") { it as? MessageEvent.Revoked }.revoked
                assertEquals(listOf(sent.clientMsgId, "alice", "alice nick", "alice"),
                    listOf(revoked.clientMsgId, revoked.revokerId, revoked.revokerNickname, revoked.sourceMessageSendId))
                assertEquals(2L, revoked.seq)
                val page = side.client.getAdvancedHistoryMessageList(conversation, null, 10).messages
                assertEquals("keep me", (page[0].content as MessageContent.Text).text)
                assertTrue(page[1].content is MessageContent.Revoked, "${page[1].content}")
                assertEquals(2101, page[1].contentType)
            }
            // The reply that quoted it now quotes a revoked message.
            val quote = bob.client.getAdvancedHistoryMessageList(conversation, null, 10).messages.first { it.clientMsgId == reply.clientMsgId }
            assertTrue((quote.content as MessageContent.Quote).quoted?.content is MessageContent.Revoked, "${quote.content}")
            // A second revoke, and a revoke of the peer's message, are refused.
            val again = expectThrows<OpenImException>("a second revoke") { alice.client.revokeMessage(conversation, sent.clientMsgId) }
            assertEquals(1404, again.errorCode)
            val notMine = expectThrows<OpenImException>("the peer's message") { bob.client.revokeMessage(conversation, keep.clientMsgId) }
            assertEquals(1002, notMine.errorCode)
            // A new device pages it as revoked, from the server.
            val tablet = OnlineUser(server, "bob", register = false, platform = 1)
            val fresh = tablet.client.getAdvancedHistoryMessageList(conversation, null, 10).messages
            assertEquals(3, fresh.size)
            assertTrue(fresh[1].content is MessageContent.Revoked, "${fresh[1].content}")
        }
    }

    /** A message sent twice at once goes out once; a message the app built itself is sent
     *  once too, and its repeat refused (10204). */
    @Test
    fun aMessageSentTwiceAtOnceGoesOutOnce(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val m = alice.client.createTextMessage("twice")
            val attempts = List(2) { async { runCatching { alice.client.sendMessage(m, "bob", null, null, false) } } }.map { it.await() }
            val sent = attempts.mapNotNull { it.getOrNull() }
            assertEquals(1, sent.size, "one send must win: $attempts")
            assertEquals(1L, sent[0].seq)
            val refused = attempts.firstNotNullOf { it.exceptionOrNull() }
            assertEquals(10204, (refused as OpenImException.InvalidArgument).code)

            val built = alice.client.createTextMessage("built by the app").copy(clientMsgId = "app-built-id")
            assertEquals(2L, alice.client.sendMessage(built, "bob", null, null, false).seq)
            val again = expectThrows<OpenImException.InvalidArgument> { alice.client.sendMessage(built, "bob", null, null, false) }
            assertEquals(10204, again.code)
            // Had the server stored "twice" twice, the next message would have seq 3.
            assertEquals(1L, bob.awaitText("twice").seq)
            assertEquals(2L, bob.awaitText("built by the app").seq)
        }
    }

    /** A send the server refuses, or made while the gateway is down (after waiting 3 s for it),
     *  fails with its code and leaves the message failed; back online the same message goes out,
     *  once. */
    @Test
    fun aFailedMessageCanBeSentAgain(): Unit = runBlocking {
        val dir = tempDir()
        val data = "$dir/server.db"
        val first = DevServer(data = data)
        val (alice, bob, log) = try {
            val alice = OnlineUser(first, "alice")
            val bob = OnlineUser(first, "bob")
            // A recipient the server does not know: refused (1101).
            val unknown = expectThrows<OpenImException>("to nobody") {
                runBlocking { alice.client.sendMessage(alice.client.createTextMessage("to nobody"), "nobody", null, null, false) }
            }
            assertEquals(1101, unknown.errorCode)
            Triple(alice, bob, EventLog(alice.client))
        } finally {
            first.close()
        }
        val conversation = singleConversation("alice", "bob")
        val send = { m: Message -> runBlocking { alice.client.sendMessage(m, "bob", null, null, false) } }

        // While the gateway is down a send fails (10000, once it waited 3 s for a connection) and
        // the message stays, failed.
        log.waitFor("reconnecting") { it == ConnEvent.Connecting }
        val m = alice.client.createTextMessage("retry me")
        val down = expectThrows<OpenImException>("while down") { send(m) }
        assertEquals(10000, down.errorCode)
        val failed = alice.client.getAllConversationList().single { it.conversationId == conversation }.latestMsg
        assertEquals(m.clientMsgId to MessageStatus.SEND_FAILED, failed?.clientMsgId to failed?.status)

        // Back online, the same message goes out; only a failed message may go again (10204).
        DevServer(api = first.apiAddr, ws = first.wsAddr, data = data).use {
            log.waitFor("connected again", 2) { it == ConnEvent.ConnectSuccess }
            val sent = send(m)
            assertEquals(Triple(m.clientMsgId, MessageStatus.SEND_SUCCESS, 1L), Triple(sent.clientMsgId, sent.status, sent.seq))
            assertEquals(m.clientMsgId, bob.awaitText("retry me").clientMsgId)
            val again = expectThrows<OpenImException.InvalidArgument>("a repeat") { send(m) }
            assertEquals(10204, again.code)
            alice.client.logout()
            bob.client.logout()
        }
    }

    @Test
    fun wrongSendArgumentsAreTypedErrors(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            expectThrows<OpenImException.InvalidArgument> { alice.client.createTextMessage("") }
            val m = alice.client.createTextMessage("x")
            val both = expectThrows<OpenImException.InvalidArgument> { alice.client.sendMessage(m, "bob", "g1", null, false) }
            assertEquals(10002, both.code)
            expectThrows<OpenImException.InvalidArgument> { alice.client.sendMessage(m, null, null, null, false) }
            expectThrows<OpenImException.InvalidArgument> { alice.client.sendMessage(m, "", null, null, false) }
            expectThrows<OpenImException.InvalidArgument>("a longitude of 200") { alice.client.createLocationMessage("", 200.0, 0.0) }
            // Nothing was stored by the refused sends.
            assertTrue(alice.client.getAllConversationList().isEmpty())
        }
    }

    /** Every kind of message the SDK makes reaches the peer as it was made (quotes, mentions,
     *  location, card, face, media by URL, a merge, a forward, rich text, custom), and a
     *  forward is a new message with the original's content
     *  (Rust: `rich_content_round_trips_between_clients`). */
    @Test
    fun richContentRoundTripsBetweenClients(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val original = alice.sendText("bob", "original")
            bob.awaitText("original")
            val c = alice.client
            val picture = PictureInfo("u1", "png", 1234, 640, 480, "https://cdn.example/p.png")
            val made = listOf(
                c.createQuoteMessage("quoting", original),
                c.createTextAtMessage("@bob look", listOf("bob"), emptyList(), null),
                c.createLocationMessage("here", 13.4, 52.5),
                c.createCardMessage(CardInfo("carol", "Carol", "", "")),
                c.createFaceMessage(7, "smile"),
                c.createImageMessageByUrl("", picture, picture, picture),
                c.createSoundMessageByUrl("https://cdn.example/s.m4a", "", "", 10, 3),
                c.createVideoMessageByUrl("https://cdn.example/v.mp4", "mp4", 99, 5, "https://cdn.example/v.jpg", 1, 2),
                c.createFileMessageByUrl("https://cdn.example/f.pdf", "f.pdf", 77, "pdf"),
                c.createMergerMessage(listOf(original), "chat history", listOf("alice: original")),
                c.createForwardMessage(original),
                c.createAdvancedTextMessage("bold", emptyList()),
                c.createAdvancedQuoteMessage("see https://openim.io", original, listOf(MessageEntity("url", 4, 17, "https://openim.io", ""))),
                c.createCustomMessage("{\"k\":1}", "ext", "desc"),
            )
            for (m in made) c.sendMessage(m, "bob", null, null, false)
            val got = made.map { sent ->
                bob.await("the message ${sent.clientMsgId}") { e -> (e as? MessageEvent.NewMessage)?.takeIf { it.message.clientMsgId == sent.clientMsgId } }.message
            }
            for ((sent, received) in made.zip(got)) {
                assertEquals(sent.contentType, received.contentType)
                val (a, b) = sent.content to received.content
                when {
                    a is MessageContent.Quote && b is MessageContent.Quote -> {
                        assertEquals(Pair(a.text, a.entities), Pair(b.text, b.entities))
                        assertEquals(a.quoted?.clientMsgId, b.quoted?.clientMsgId)
                        assertEquals(a.quoted?.content, b.quoted?.content)
                    }
                    a is MessageContent.Merger && b is MessageContent.Merger -> {
                        assertEquals(a.title, b.title)
                        assertEquals(a.messages[0].content, b.messages[0].content)
                    }
                    else -> assertEquals(a, b)
                }
            }
            val forwarded = got[10]
            assertTrue(forwarded.clientMsgId != original.clientMsgId)
            assertEquals(original.content, forwarded.content)
        }
    }

    /** Local search: keywords in any case across conversations (one item each), by sender and
     *  type, wildcards literal, all keywords, a time window (one beyond what milliseconds hold is
     *  refused), pages (Rust: `searching_local_messages`). */
    @Test
    fun searchingLocalMessages(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val carol = OnlineUser(server, "carol")
            alice.sendText("bob", "lunch at noon?")
            carol.sendText("bob", "LUNCH tomorrow")
            alice.sendText("bob", "the 50% discount_code")
            val custom = alice.client.sendMessage(alice.client.createCustomMessage("{\"k\":1}", "", "a custom lunch"), "bob", null, null, false)
            bob.await("the custom message") { e -> (e as? MessageEvent.NewMessage)?.takeIf { it.message.clientMsgId == custom.clientMsgId } }
            bob.awaitText("LUNCH tomorrow")
            fun search(keywords: List<String>, senders: List<String> = emptyList(), types: List<Int> = emptyList()) =
                SearchParams(keywords = keywords, senderIds = senders, contentTypes = types, pageIndex = 1, count = 10)
            val lunch = bob.client.searchLocalMessages(search(listOf("lunch")))
            assertEquals(3, lunch.totalCount)
            assertEquals(2, lunch.items.size, "grouped by conversation")
            val fromAlice = bob.client.searchLocalMessages(search(listOf("lunch"), listOf("alice"), listOf(101)))
            assertEquals(1, fromAlice.totalCount)
            assertEquals("lunch at noon?", (fromAlice.items[0].messages[0].content as MessageContent.Text).text)
            assertEquals("alice nick", fromAlice.items[0].showName)
            assertEquals(1, bob.client.searchLocalMessages(search(listOf("50%"))).totalCount)
            assertEquals(0, bob.client.searchLocalMessages(search(listOf("0_d"))).totalCount, "wildcards are literal")
            assertEquals(1, bob.client.searchLocalMessages(search(listOf("lunch", "noon")).copy(matchAllKeywords = true)).totalCount)
            assertEquals(0, bob.client.searchLocalMessages(search(emptyList(), types = listOf(101)).copy(searchTimePosition = 1)).totalCount, "nothing before 1970")
            val tooFar = expectThrows<OpenImException>("a window past milliseconds") {
                runBlocking { bob.client.searchLocalMessages(search(emptyList(), types = listOf(101)).copy(searchTimePeriod = Long.MAX_VALUE)) }
            }
            assertEquals(10002, tooFar.errorCode)
            val page = bob.client.searchLocalMessages(search(emptyList(), listOf("alice", "carol")).copy(count = 2, pageIndex = 2))
            assertEquals(Pair(4, 2), Pair(page.totalCount, page.items.sumOf { it.messages.size }))
            val nothing = expectThrows<OpenImException>("no criteria") { runBlocking { bob.client.searchLocalMessages(search(emptyList())) } }
            assertEquals(10002, nothing.errorCode)
            // Keywords SQLite could not match (over 10 000 bytes, or more than 100) are wrong arguments.
            val tooLong = expectThrows<OpenImException>("a keyword too long") { bob.client.searchLocalMessages(search(listOf("a".repeat(10_001)))) }
            assertEquals(10002, tooLong.errorCode)
            val tooLongName = expectThrows<OpenImException>("a conversation keyword too long") { bob.client.searchConversation("a".repeat(10_001)) }
            assertEquals(10002, tooLongName.errorCode)
        }
    }

    /** Housekeeping of a chat: history forwards from a message, a message's local ex (this
     *  device's own), typing heard, messages in the background arrive as offline ones, a hidden
     *  chat comes back with its next message, clearing empties it (the sender keeps hers), a
     *  note stored in a group chat without sending, then custom business notifications through
     *  `setCustomBusinessListener` (Rust: `chat_housekeeping`). */
    @Test
    fun chatHousekeeping(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            val heard = kotlinx.coroutines.channels.Channel<BusinessNotification>(kotlinx.coroutines.channels.Channel.UNLIMITED)
            bob.client.setCustomBusinessListener(object : CustomBusinessListener {
                override fun onRecvCustomBusinessMessage(notification: BusinessNotification) {
                    heard.trySend(notification)
                }
            })
            val conv = singleConversation("alice", "bob")
            for (t in listOf("m1", "m2", "m3")) alice.sendText("bob", t)
            bob.awaitText("m3")
            fun texts(page: HistoryPage) = page.messages.map { (it.content as MessageContent.Text).text }
            val all = bob.client.getAdvancedHistoryMessageList(conv, null, 20)
            assertEquals(listOf("m1", "m2", "m3"), texts(all))
            assertEquals(listOf("m2", "m3"), texts(bob.client.getAdvancedHistoryMessageListReverse(conv, all.messages[0].clientMsgId, 20)))
            bob.client.setMessageLocalEx(conv, all.messages[0].clientMsgId, "pinned here")
            assertEquals("pinned here", bob.client.getAdvancedHistoryMessageList(conv, null, 20).messages[0].localEx)
            assertEquals("", alice.client.getAdvancedHistoryMessageList(conv, null, 20).messages[0].localEx, "this device's own")

            alice.client.typingStatusUpdate("bob", "typing...")
            val typing = withTimeout(15_000) {
                var found: InputStatusChange? = null
                while (found == null) found = (bob.conversations.next() as? ConversationEvent.InputStatus)?.change
                found!!
            }
            assertEquals(listOf(conv, "alice"), listOf(typing.conversationId, typing.userId))

            bob.client.setAppBackgroundStatus(true)
            alice.sendText("bob", "while backgrounded")
            bob.await("an offline message") { e -> (e as? MessageEvent.OfflineNewMessage)?.takeIf { (it.message.content as? MessageContent.Text)?.text == "while backgrounded" } }
            bob.client.setAppBackgroundStatus(false)
            alice.sendText("bob", "in front")
            bob.awaitText("in front")

            bob.client.hideConversation(conv)
            assertTrue(bob.client.getAllConversationList().none { it.conversationId == conv })
            alice.sendText("bob", "back")
            bob.awaitText("back")
            assertTrue(bob.client.getAllConversationList().any { it.conversationId == conv }, "listed again")
            bob.client.clearConversationAndDeleteAllMsg(conv)
            assertTrue(bob.client.getAdvancedHistoryMessageList(conv, null, 20).messages.isEmpty())
            assertEquals(6, alice.client.getAdvancedHistoryMessageList(conv, null, 20).messages.size, "the sender keeps hers (typing is not stored)")

            val group = alice.client.createGroup(CreateGroupParams(groupName = "Team", memberUserIds = listOf("bob")))
            server.sendBusinessNotification("alice", "order.paid", "id 1", recvUserId = "bob")
            val paid = withTimeout(15_000) { heard.receive() }
            assertEquals(Pair("order.paid", "id 1"), Pair(paid.key, paid.data))
            val note = alice.client.insertGroupMessageToLocalStorage(alice.client.createTextMessage("group rules updated"), group.groupId, "alice")
            assertEquals(group.groupId, note.groupId)
            val page = alice.client.getAdvancedHistoryMessageList("sg_${group.groupId}", null, 20).messages
            assertEquals(note.clientMsgId, page.last().clientMsgId)
            val unknown = expectThrows<OpenImException>("an unknown group") {
                runBlocking { alice.client.insertGroupMessageToLocalStorage(alice.client.createTextMessage("x"), "no-such-group", "alice") }
            }
            assertEquals(10002, unknown.errorCode)
            // bob's client is used to the end: a client the app no longer holds is closed when
            // the JVM collects it (its session ends), which would cut it off mid-test.
            assertEquals(LoginStatus.LOGGED, bob.client.loginStatus())
        }
    }

    /** A message over the gateway's 51 200-byte frame limit is refused (10002) before anything
     *  is stored, on the same connection; then 30 messages take seqs 1..30 in order, live and
     *  in history (Rust: `an_oversize_message_is_refused…`, `many_messages_keep_seq_order`). */
    @Test
    fun anOversizeMessageIsRefusedAndManyKeepSeqOrder(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val bob = OnlineUser(server, "bob")
            // Random letters: frames are gzip-compressed, so the text must not compress.
            val rng = kotlin.random.Random(7)
            val big = (0 until 120_000).map { 'a' + rng.nextInt(26) }.joinToString("")
            val tooBig = expectThrows<OpenImException.InvalidArgument>("an oversize message") {
                alice.client.sendMessage(alice.client.createTextMessage(big), "bob", null, null, false)
            }
            assertEquals(10002, tooBig.code)
            assertTrue(tooBig.msg.contains("51200"), tooBig.msg)
            assertTrue(alice.client.getAllConversationList().isEmpty(), "nothing stored")
            for (i in 1..30) assertEquals(i.toLong(), alice.sendText("bob", "m$i").seq)
            for (i in 1..30) assertEquals(i.toLong(), bob.awaitText("m$i").seq)
            val page = bob.client.getAdvancedHistoryMessageList(singleConversation("alice", "bob"), null, 30)
            assertEquals((1..30).map { it.toLong() }, page.messages.map { it.seq })
            assertTrue(page.isEnd)
        }
    }
}
