// Receive throughput into a Kotlin AdvancedMsgListener across the FFI, beside a raw WebSocket
// client (java.net.http) receiving the same pushes in the same run. Run by
// scripts/bench-kotlin.sh; prints one line per figure.
import io.openim.sdk.*
import kotlinx.coroutines.flow.first
import java.io.ByteArrayInputStream
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.net.http.WebSocket
import java.nio.ByteBuffer
import java.nio.file.Files
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionStage
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLong
import java.util.zip.GZIPInputStream

private val http = HttpClient.newHttpClient()

private fun post(api: String, path: String, body: String, token: String?): String {
    val b = HttpRequest.newBuilder(URI.create(api + path)).header("operationID", "bench").POST(HttpRequest.BodyPublishers.ofString(body))
    if (token != null) b.header("token", token)
    val reply = http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body()
    check(reply.contains("\"errCode\":0,")) { "$path: $reply" }
    return reply
}

private fun field(json: String, key: String) = Regex("\"$key\":\"([^\"]*)\"").find(json)!!.groupValues[1]

/** Counts the messages in the push frames it receives (JSON envelope, gzip). */
private class RawCounter(total: Int) : WebSocket.Listener {
    val done = CountDownLatch(1)
    val got = AtomicInteger()
    val first = AtomicLong()
    val last = AtomicLong()
    private val want = total
    private var buf = java.io.ByteArrayOutputStream()
    override fun onBinary(ws: WebSocket, data: ByteBuffer, last: Boolean): CompletionStage<*>? {
        val bytes = ByteArray(data.remaining()); data.get(bytes); buf.write(bytes)
        if (last) {
            val text = GZIPInputStream(ByteArrayInputStream(buf.toByteArray())).readBytes().decodeToString()
            buf = java.io.ByteArrayOutputStream()
            if (text.contains("\"reqIdentifier\":2001")) {
                first.compareAndSet(0, System.nanoTime())
                this.last.set(System.nanoTime())
                if (got.incrementAndGet() >= want) done.countDown()
            }
        }
        ws.request(1)
        return null
    }
}

fun main() {
    val total = (System.getenv("BENCH_MESSAGES") ?: "5000").toInt()
    DevServer().use { server ->
        server.register("krcv")
        val senders = (0 until 8).map { "ks$it" }
        senders.forEach { server.register(it) }
        val admin = field(post(server.apiUrl, "/auth/get_admin_token", """{"secret":"openIM123","userID":"imAdmin"}""", null), "token")

        // The SDK, with a Kotlin listener counting new messages.
        val client = OpenImClient(server.config(Files.createTempDirectory("krcv").toString()))
        val sdkGot = AtomicInteger()
        val sdkFirst = AtomicLong()
        val sdkLast = AtomicLong()
        val sdkDone = CountDownLatch(1)
        fun arrived() {
            sdkFirst.compareAndSet(0, System.nanoTime())
            sdkLast.set(System.nanoTime())
            if (sdkGot.incrementAndGet() >= total) sdkDone.countDown()
        }
        val handle = client.addAdvancedMsgListener(object : AdvancedMsgListener {
            override fun onRecvNewMessage(message: Message) = arrived()
            override fun onRecvC2cReadReceipt(receipts: List<MessageReceipt>) {}
            override fun onNewRecvMessageRevoked(revoked: RevokedInfo) {}
            override fun onRecvOfflineNewMessage(message: Message) = arrived()
            override fun onMsgDeleted(message: Message) {}
            override fun onRecvOnlineOnlyMessage(message: Message) {}
        })
        kotlinx.coroutines.runBlocking {
            client.login("krcv", server.token("krcv"))
            kotlinx.coroutines.withTimeout(15_000) { client.connEvents().first { it == ConnEvent.ConnectSuccess } }
        }

        // The floor: the same user on another platform, a bare WebSocket.
        val raw = RawCounter(total)
        val rawToken = server.token("krcv", 1)
        http.newWebSocketBuilder().buildAsync(
            URI.create("${server.wsUrl}/?sendID=krcv&token=$rawToken&platformID=1&operationID=bench&compression=gzip&sdkType=js&isBackground=false"), raw,
        ).join()

        // 8 senders through the API, all at once.
        val pool = Executors.newFixedThreadPool(8)
        val next = AtomicInteger()
        val futures = senders.map { from ->
            CompletableFuture.runAsync({
                while (next.getAndIncrement() < total) {
                    post(server.apiUrl, "/msg/send_msg",
                        """{"sendID":"$from","recvID":"krcv","senderPlatformID":1,"content":{"content":"kotlin bench"},"contentType":101,"sessionType":1}""", admin)
                }
            }, pool)
        }
        futures.forEach { it.join() }
        pool.shutdown()
        check(sdkDone.await(120, TimeUnit.SECONDS)) { "the Kotlin listener got ${sdkGot.get()} of $total" }
        check(raw.done.await(120, TimeUnit.SECONDS)) { "the raw client got ${raw.got.get()} of $total" }
        fun rate(first: Long, last: Long) = total / ((last - first).coerceAtLeast(1) / 1e9)
        println("kotlin-bench: $total pushed messages into a Kotlin listener: %.0f msg/s; floor (raw WebSocket client, same pushes): %.0f msg/s"
            .format(rate(sdkFirst.get(), sdkLast.get()), rate(raw.first.get(), raw.last.get())))
        kotlinx.coroutines.runBlocking { client.logout() }
        handle.close()
        client.close()
    }
}
