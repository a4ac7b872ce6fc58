package io.openim.sdk

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

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
 * A [ConnListener] that turns callbacks into a [kotlinx.coroutines.flow.Flow]:
 *
 * ```
 * val conn = ConnEventStream()
 * client.setConnListener(conn)
 * scope.launch { conn.events.collect { event -> ... } }
 * ```
 */
class ConnEventStream : EventStream<ConnEvent>(), ConnListener {
    override fun onConnecting() = emit(ConnEvent.Connecting)
    override fun onConnectSuccess() = emit(ConnEvent.ConnectSuccess)
    override fun onConnectFailed(code: Int, msg: String) = emit(ConnEvent.ConnectFailed(code, msg))
    override fun onKickedOffline() = emit(ConnEvent.KickedOffline)
    override fun onUserTokenExpired() = emit(ConnEvent.UserTokenExpired)
    override fun onUserTokenInvalid(msg: String) = emit(ConnEvent.UserTokenInvalid(msg))
}

/**
 * Connection events as a cold [Flow]: each collection registers its own listener, which first
 * hears the current state (when logged in), then every change (see [messageEvents]).
 */
fun OpenImClient.connEvents(): Flow<ConnEvent> = callbackFlow {
    val listener = object : ConnListener {
        override fun onConnecting() { trySendBlocking(ConnEvent.Connecting) }
        override fun onConnectSuccess() { trySendBlocking(ConnEvent.ConnectSuccess) }
        override fun onConnectFailed(code: Int, msg: String) { trySendBlocking(ConnEvent.ConnectFailed(code, msg)) }
        override fun onKickedOffline() { trySendBlocking(ConnEvent.KickedOffline) }
        override fun onUserTokenExpired() { trySendBlocking(ConnEvent.UserTokenExpired) }
        override fun onUserTokenInvalid(msg: String) { trySendBlocking(ConnEvent.UserTokenInvalid(msg)) }
    }
    val handle = addConnListener(listener)
    awaitClose { handle.cancel() }
}.buffer(EVENT_BUFFER)

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
        is OpenImException.Cancelled -> code
    }
