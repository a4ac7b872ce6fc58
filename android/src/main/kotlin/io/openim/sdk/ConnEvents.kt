package io.openim.sdk

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.receiveAsFlow

/** Aliases with OpenIM's capitalisation for the generated types. */
typealias OpenIMClient = OpenImClient
typealias OpenIMConfig = OpenImConfig
typealias OpenIMException = OpenImException

/** One [ConnListener] callback as a value. */
sealed interface ConnEvent {
    data object Connecting : ConnEvent
    data object ConnectSuccess : ConnEvent
    data class ConnectFailed(val code: Int, val msg: String) : ConnEvent
    data object KickedOffline : ConnEvent
    data object UserTokenExpired : ConnEvent
    data class UserTokenInvalid(val msg: String) : ConnEvent
}

/**
 * A [ConnListener] that turns callbacks into a [Flow]:
 *
 * ```
 * val conn = ConnEventStream()
 * client.setConnListener(conn)
 * scope.launch { conn.events.collect { event -> ... } }
 * ```
 *
 * Events are buffered without bound until collected, so none is lost before collection starts.
 */
class ConnEventStream : ConnListener {
    private val channel = Channel<ConnEvent>(Channel.UNLIMITED)

    /** The events, in order; collect it once. */
    val events: Flow<ConnEvent> = channel.receiveAsFlow()

    /** The next event (suspends until there is one). */
    suspend fun next(): ConnEvent = channel.receive()

    /** The next event if one is waiting, else `null`. */
    fun poll(): ConnEvent? = channel.tryReceive().getOrNull()

    override fun onConnecting() { channel.trySend(ConnEvent.Connecting) }
    override fun onConnectSuccess() { channel.trySend(ConnEvent.ConnectSuccess) }
    override fun onConnectFailed(code: Int, msg: String) { channel.trySend(ConnEvent.ConnectFailed(code, msg)) }
    override fun onKickedOffline() { channel.trySend(ConnEvent.KickedOffline) }
    override fun onUserTokenExpired() { channel.trySend(ConnEvent.UserTokenExpired) }
    override fun onUserTokenInvalid(msg: String) { channel.trySend(ConnEvent.UserTokenInvalid(msg)) }
}

/** OpenIM's numeric error code. */
val OpenImException.errorCode: Int
    get() = when (this) {
        is OpenImException.Network -> code
        is OpenImException.Timeout -> code
        is OpenImException.InvalidArgument -> code
        is OpenImException.NotLoggedIn -> code
        is OpenImException.LoginRepeat -> code
        is OpenImException.Token -> code
        is OpenImException.Server -> code
        is OpenImException.Protocol -> code
        is OpenImException.Database -> code
        is OpenImException.Internal -> code
    }
