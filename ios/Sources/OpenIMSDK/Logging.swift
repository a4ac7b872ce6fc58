import Foundation
#if canImport(os)
import os
#endif

/// The default `LogSink`: OSLog (subsystem `io.openim.sdk`) on Apple platforms, standard error
/// elsewhere. Install it with `OpenIMLog.useDefaultSink()`.
public final class PlatformLogSink: LogSink, @unchecked Sendable {
    #if canImport(os)
    private let logger = Logger(subsystem: "io.openim.sdk", category: "OpenIM")
    #endif

    public init() {}

    public func log(record: LogRecord) {
        let line = "\(record.target): \(record.message)"
        #if canImport(os)
        switch record.level {
        case .error, .off: logger.error("\(line, privacy: .public)")
        case .warn: logger.warning("\(line, privacy: .public)")
        case .info: logger.info("\(line, privacy: .public)")
        case .debug, .trace: logger.debug("\(line, privacy: .public)")
        }
        #else
        FileHandle.standardError.write(Data("\(record.level) \(line)\n".utf8))
        #endif
    }
}

/// Where the SDK's log goes (process-wide).
public enum OpenIMLog {
    /// Sends the log to `PlatformLogSink` from `level` up.
    public static func useDefaultSink(level: LogLevel = .warn) {
        setLogSink(sink: PlatformLogSink(), level: level)
    }

    /// Sends the log to `sink` from `level` up; `nil` goes back to standard error.
    public static func useSink(_ sink: LogSink?, level: LogLevel = .warn) {
        setLogSink(sink: sink, level: level)
    }
}
