package io.openim.sdk

/**
 * The default [LogSink]: Android's Logcat (tag `OpenIM`) when running on Android, standard error
 * otherwise. Install it with [OpenImLog.useDefaultSink].
 */
class PlatformLogSink : LogSink {
    private val logcat: java.lang.reflect.Method? = runCatching {
        Class.forName("android.util.Log").getMethod("println", Int::class.javaPrimitiveType, String::class.java, String::class.java)
    }.getOrNull()

    override fun log(record: LogRecord) {
        val line = "${record.target}: ${record.message}"
        val method = logcat
        if (method != null) {
            // android.util.Log priorities: VERBOSE 2, DEBUG 3, INFO 4, WARN 5, ERROR 6.
            val priority = when (record.level) {
                LogLevel.TRACE -> 2
                LogLevel.DEBUG -> 3
                LogLevel.INFO -> 4
                LogLevel.WARN -> 5
                LogLevel.ERROR, LogLevel.OFF -> 6
            }
            method.invoke(null, priority, "OpenIM", line)
        } else {
            System.err.println("${record.level} $line")
        }
    }
}

/** Where the SDK's log goes (process-wide). */
object OpenImLog {
    /** Sends the log to [PlatformLogSink] from [level] up. */
    fun useDefaultSink(level: LogLevel = LogLevel.WARN) = setLogSink(PlatformLogSink(), level)

    /** Sends the log to [sink] from [level] up; `null` goes back to standard error. */
    fun useSink(sink: LogSink?, level: LogLevel = LogLevel.WARN) = setLogSink(sink, level)
}
