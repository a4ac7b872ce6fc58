package io.openim.sdk

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
