// An app built against the shipped AAR only (classes.jar and the jars its POM names), with the
// README's quick start (Readme.kt, extracted from README.md) compiled in. Run by
// scripts/test-kotlin-app.sh against a devserver child process; prints one line per check and
// "kotlin-app: N passed, M failed" last.


import io.openim.sdk.*
import kotlinx.coroutines.*
import kotlinx.coroutines.flow.*
import java.nio.file.Files

private var passed = 0
private var failed = 0

private fun check(name: String, ok: Boolean, detail: () -> String = { "" }) {
    if (ok) passed++ else failed++
    println("${if (ok) "ok" else "FAILED"}: $name ${if (ok) "" else detail()}")
}

private fun text(e: MessageEvent.NewMessage) = (e.message.content as? MessageContent.Text)?.text

fun main() {
    try {
        runBlocking { scenario() }
    } catch (e: Throwable) {
        e.printStackTrace()
        failed++
    }
    println("app: $passed passed, $failed failed")
    kotlin.system.exitProcess(if (failed == 0) 0 else 1)
}

private suspend fun scenario() = coroutineScope {
    DevServer().use { server ->
        server.register("alice"); server.register("bob")
        val bob = OpenIMClient(server.config(Files.createTempDirectory("bob").toString()))
        bob.login("bob", server.token("bob"))
        withTimeout(15_000) { bob.connEvents().first { it == ConnEvent.ConnectSuccess } }
        check("login", bob.loginStatus() == LoginStatus.LOGGED && bob.loginStatus().value == 3)

        // Two collectors of the same flow, each with its own registration.
        val collectors = (1..2).map {
            async(start = CoroutineStart.UNDISPATCHED) {
                bob.messageEvents().filterIsInstance<MessageEvent.NewMessage>().take(3).toList()
            }
        }
        yield() // each collection registers its listener on this event loop: let them run

        // The README's quick start, as alice: login, send "hi", read the chat back, logout.
        val aliceDir = Files.createTempDirectory("alice").toString()
        val history = withTimeout(15_000) {
            quickStart(server.apiUrl, server.wsUrl, aliceDir, "alice", server.token("alice"), "bob")
        }
        check("the README's quick start sends and reads back", history.mapNotNull { (it.content as? MessageContent.Text)?.text } == listOf("hi")) {
            history.toString()
        }

        val alice = OpenIMClient(server.config(aliceDir))
        alice.login("alice", server.token("alice"))
        for (t in listOf("two", "three")) alice.sendMessage(alice.createTextMessage(t), recvId = "bob")
        val seen = collectors.map { withTimeout(15_000) { it.await() }.map(::text) }
        for ((i, got) in seen.withIndex()) check("collector ${i + 1} receives every message", got == listOf("hi", "two", "three")) { got.toString() }
        val page = bob.getAdvancedHistoryMessageList(bob.getOneConversation(SessionType.SINGLE, "alice").conversationId, count = 2)
        check("default arguments and paging", page.messages.size == 2 && !page.isEnd)

        // Typed errors with OpenIM's codes.
        val refused = runCatching { alice.sendMessage(alice.createTextMessage("x"), recvId = "nobody-here") }.exceptionOrNull()
        check("typed error", refused is OpenIMException && refused.errorCode > 0) { refused.toString() }

        // The README's photo send: made from a file, uploaded when sent.
        val photo = Files.createTempFile("photo", ".jpg").toFile().apply { writeBytes(ByteArray(2048) { it.toByte() }) }
        val sentPhoto = withTimeout(15_000) { sendPhoto(alice, photo.path, 64, 48, "bob") }
        val image = sentPhoto.content as? MessageContent.Image
        check("the README's photo send uploads and sends", sentPhoto.status == MessageStatus.SEND_SUCCESS && image?.source?.url?.isNotEmpty() == true) {
            sentPhoto.toString()
        }
        // Cancelling the coroutine of an upload (a file of three parts) stops it: uploaded again,
        // it does not find the whole object on the server already.
        val movie = Files.createTempFile("movie", ".mp4").toFile().apply { writeBytes(ByteArray(11 * 1024 * 1024) { (it * 31 % 251).toByte() }) }
        // The first part reported, the listener holds the upload until the coroutine is gone.
        val reported = CompletableDeferred<Unit>()
        val gone = java.util.concurrent.CountDownLatch(1)
        val upload = async(Dispatchers.IO) {
            alice.uploadFile(movie.path, progress = object : UploadProgressListener {
                override fun onProgress(uploaded: Long, total: Long) {
                    reported.complete(Unit)
                    gone.await(10, java.util.concurrent.TimeUnit.SECONDS)
                }
            })
        }
        withTimeout(15_000) { reported.await() }
        upload.cancelAndJoin()
        gone.countDown()
        val progress = java.util.Collections.synchronizedList(mutableListOf<Long>())
        val url = withTimeout(30_000) {
            alice.uploadFile(movie.path, progress = object : UploadProgressListener {
                override fun onProgress(uploaded: Long, total: Long) { progress += uploaded }
            })
        }
        check("an upload whose coroutine is cancelled stops", url.endsWith(movie.name) && progress.toList() != listOf(movie.length())) { progress.toString() }
        // A token stops one before it starts.
        val token = CancellationToken().apply { cancel() }
        val stopped = runCatching { alice.uploadFile(movie.path, cancel = token) }.exceptionOrNull()
        check("a cancelled token stops an upload", stopped is OpenImException.Cancelled && stopped.errorCode == 10003) { stopped.toString() }
        // Search results opened by ID across chats, and a support flow: the app's log file sent
        // to its managers (ex and progress left to their defaults).
        val withBob = alice.getOneConversation(SessionType.SINGLE, "bob").conversationId
        val found = alice.findMessageListInConversations(listOf(ConversationArgs(withBob, listOf(sentPhoto.clientMsgId))))
        check("messages found by ID across chats", found.totalCount == 1 && found.items.single().messages.single().clientMsgId == sentPhoto.clientMsgId) {
            found.toString()
        }
        val log = Files.createTempFile("app", ".log").toFile().apply { writeText("login ok\n") }
        alice.uploadLogs(listOf(log.path))
        check("the app's log reaches its managers", server.searchLogs("alice").contains(log.path)) { server.searchLogs("alice") }
        alice.logout(); bob.logout()
        alice.close(); bob.close()
    }
}
