package io.openim.sdk

import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.util.UUID
import java.util.concurrent.TimeUnit

/** An `openim-devserver` child process (path from `OPENIM_DEVSERVER`), plus its admin API. */
class DevServer(
    api: String = "127.0.0.1:0",
    ws: String = "127.0.0.1:0",
    data: String? = null,
    extraArgs: List<String> = emptyList(),
) : AutoCloseable {
    private val process: Process
    val apiUrl: String
    val wsUrl: String
    private val http = HttpClient.newHttpClient()
    private var adminToken: String? = null

    init {
        val bin = System.getenv("OPENIM_DEVSERVER") ?: error("OPENIM_DEVSERVER is not set")
        val args = mutableListOf(bin, "--api", api, "--ws", ws, "--log", "warn")
        if (data != null) args += listOf("--data", data)
        args += extraArgs
        process = ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val line = process.inputStream.bufferedReader().readLine() ?: error("devserver exited")
        fun field(key: String) = line.split(" ").first { it.startsWith("$key=") }.substringAfter("=")
        apiUrl = field("api")
        wsUrl = field("ws")
    }

    val apiAddr: String get() = apiUrl.removePrefix("http://")
    val wsAddr: String get() = wsUrl.removePrefix("ws://")

    fun config(dataDir: String, platform: Int = 2) =
        OpenImConfig(platform = platform, apiAddr = apiUrl, wsAddr = wsUrl, dataDir = dataDir, logLevel = LogLevel.WARN)

    /** Stops the server and waits until it has exited and released its ports. */
    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
    }

    private fun post(path: String, body: String, token: String?): String {
        val request = HttpRequest.newBuilder(URI.create(apiUrl + path))
            .header("operationID", "kotlin-" + UUID.randomUUID())
            .apply { if (token != null) header("token", token) }
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build()
        val reply = http.send(request, HttpResponse.BodyHandlers.ofString()).body()
        check(reply.contains("\"errCode\":0,")) { "$path: $reply" }
        return reply
    }

    private fun stringField(json: String, key: String): String =
        Regex("\"$key\":\"([^\"]*)\"").find(json)?.groupValues?.get(1) ?: error("no $key in $json")

    private fun admin(): String = adminToken ?: stringField(
        post("/auth/get_admin_token", """{"secret":"openIM123","userID":"imAdmin"}""", null), "token",
    ).also { adminToken = it }

    fun register(userId: String) {
        post("/user/user_register", """{"users":[{"userID":"$userId","nickname":"$userId nick"}]}""", admin())
    }

    /** A custom business notification (2001) from the app's server; `key` and `data` as plain text. */
    fun sendBusinessNotification(sendUserId: String, key: String, data: String, recvUserId: String = "", recvGroupId: String = "") {
        post(
            "/msg/send_business_notification",
            """{"sendUserID":"$sendUserId","recvUserID":"$recvUserId","recvGroupID":"$recvGroupId","key":"$key","data":"$data"}""",
            admin(),
        )
    }

    /** A notification account (`appMangerLevel` 3) made by the app's manager. */
    fun addNotificationAccount(userId: String, nickname: String, faceUrl: String) {
        post("/user/add_notification_account", """{"userID":"$userId","nickName":"$nickname","faceURL":"$faceUrl","appMangerLevel":3}""", admin())
    }

    /** An OA notification (1400) from the account [accountId] to [userId], with a picture, as
     *  the app's server sends it (`/msg/send_msg`). */
    fun sendOaNotification(accountId: String, userId: String, text: String) {
        post(
            "/msg/send_msg",
            """{"sendID":"$accountId","recvID":"$userId","senderPlatformID":1,"contentType":1400,"sessionType":4,
               "content":{"notificationName":"Ops","notificationType":2,"text":"$text","url":"http://ops/notes","mixType":1,
               "pictureElem":{"sourcePicture":{"type":"image/png","url":"http://ops/p.png","width":64,"height":32},
                              "bigPicture":{"type":"image/png","url":"http://ops/p.png","width":64,"height":32},
                              "snapshotPicture":{"type":"image/png","url":"http://ops/s.png","width":16,"height":8}},"ex":"x"}}""",
            admin(),
        )
    }

    /** `/msg/get_conversations_has_read_and_max_seq` of [userId]'s [conversationId], asked by
     *  the app's manager: the reply's JSON. */
    fun hasReadAndMaxSeq(userId: String, conversationId: String): String =
        post("/msg/get_conversations_has_read_and_max_seq", """{"userID":"$userId","conversationIDs":["$conversationId"]}""", admin())

    /** Client settings for `userId` (everyone's for ""), as the app's manager sets them. */
    fun setClientConfig(userId: String, key: String, value: String) {
        post("/user/set_user_client_config", """{"userID":"$userId","configs":{"$key":"$value"}}""", admin())
    }

    /** The uploaded logs of users whose ID contains `keyword`, as the app's manager finds them:
     *  the reply's JSON. */
    fun searchLogs(keyword: String): String =
        post("/third/logs/search", """{"keyword":"$keyword","pagination":{"pageNumber":1,"showNumber":10}}""", admin())

    /** Logs `userId` out on `platform` as the app's manager does (`/auth/force_logout`). */
    fun forceLogout(userId: String, platform: Int = 2) {
        post("/auth/force_logout", """{"userID":"$userId","platformID":$platform}""", admin())
    }

    fun token(userId: String, platform: Int = 2): String =
        stringField(post("/auth/get_user_token", """{"userID":"$userId","platformID":$platform}""", admin()), "token")
}

fun tempDir(): String = Files.createTempDirectory("openim-kotlin").toString()

fun File.deleteQuietly() = runCatching { deleteRecursively() }
