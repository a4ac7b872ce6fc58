import Foundation
import XCTest

@testable import OpenIMSDK

final class ConnectionTests: XCTestCase {
    func testLoginConnectsWithCallbacksInOrder() async throws {
        let server = try DevServer()
        try await server.register("alice")
        let token = try await server.token("alice")
        let client = try OpenIMClient(config: server.config(dataDir: tempDir()))
        let log = record(client)
        XCTAssertEqual(client.loginStatus(), .loggedOut)

        try await client.login(userId: "alice", token: token)
        XCTAssertEqual(client.loginStatus(), .logged)
        XCTAssertEqual(client.loginUserId(), "alice")
        let events = await log.wait("connect success", isSuccess)
        XCTAssertEqual(events, [.connecting, .connectSuccess])

        let me = try await client.getSelfUserInfo()
        XCTAssertEqual(me.nickname, "alice nick")
    }

    func testWrongTokenFailsWithoutReconnectLoop() async throws {
        let server = try DevServer()
        try await server.register("alice")
        let client = try OpenIMClient(config: server.config(dataDir: tempDir()))
        let log = record(client)
        try await client.login(userId: "alice", token: "not-a-jwt")
        let events = await log.wait("token invalid", isTokenInvalid)
        XCTAssertEqual(events.count, 3)
        XCTAssertEqual(events.first, .connecting)
        XCTAssertEqual(events[1], .connectFailed(code: 1503, msg: events[1].failedMessage))
        XCTAssertEqual(client.loginStatus(), .loggedOut)
        // Longer than the first backoff: a reconnect loop would have shown another attempt.
        try await Task.sleep(nanoseconds: 2_500_000_000)
        XCTAssertEqual(log.count(isConnecting), 1, "\(log.events)")
        // Another user's token is refused too (1502), and the session ends the same way.
        try await server.register("bob")
        let other = try OpenIMClient(config: server.config(dataDir: tempDir()))
        let otherLog = record(other)
        try await other.login(userId: "alice", token: try await server.token("bob"))
        let refused = await otherLog.wait("token invalid", isTokenInvalid)
        XCTAssertEqual(refused[1], .connectFailed(code: 1502, msg: refused[1].failedMessage))
        XCTAssertEqual(other.loginStatus(), .loggedOut)
    }

    /// A token past its lifetime is refused at connect with 1501, the app hears
    /// `onUserTokenExpired`, and the session ends without retrying (Rust:
    /// `expired_token_reports_expiry`). devserver's `--token-expire-secs` makes tokens short-lived;
    /// the wait below is the token's lifetime passing, which is the scenario.
    func testAnExpiredTokenReportsExpiry() async throws {
        let server = try DevServer(extraArgs: ["--token-expire-secs", "2"])
        try await server.register("alice")
        let token = try await server.token("alice")
        let issued = Date()
        let client = try OpenIMClient(config: server.config(dataDir: tempDir()))
        let log = record(client)
        let left = 3 - Date().timeIntervalSince(issued)
        if left > 0 { try await Task.sleep(nanoseconds: UInt64(left * 1_000_000_000)) }
        try await client.login(userId: "alice", token: token)
        let events = await log.wait("token expired") { $0 == .userTokenExpired }
        XCTAssertEqual(events.count, 3, "\(events)")
        XCTAssertEqual(events.first, .connecting)
        if events.count == 3 { XCTAssertEqual(events[1], .connectFailed(code: 1501, msg: events[1].failedMessage)) }
        XCTAssertEqual(client.loginStatus(), .loggedOut)
    }

    func testSecondLoginOnTheSamePlatformKicksTheFirst() async throws {
        let server = try DevServer()
        try await server.register("alice")
        let (first, firstLog) = try await server.connected("alice")
        let (second, _) = try await server.connected("alice")

        let events = await firstLog.wait("kicked", isKicked)
        XCTAssertEqual(events, [.connecting, .connectSuccess, .kickedOffline])
        XCTAssertEqual(first.loginStatus(), .loggedOut)
        XCTAssertEqual(second.loginStatus(), .logged)
    }

    /// Another platform is left alone by a same-platform login, and the kicked token is dead:
    /// logging in with it again is refused as kicked (1506) (Rust:
    /// `same_platform_login_kicks_the_older_one`).
    func testAKickedTokenIsDeadAndOtherPlatformsStay() async throws {
        let server = try DevServer()
        try await server.register("alice")
        let first = try OpenIMClient(config: server.config(dataDir: tempDir()))
        let firstLog = record(first)
        let firstToken = try await server.token("alice")
        try await first.login(userId: "alice", token: firstToken)
        await firstLog.wait("first connected", isSuccess)
        let (ios, iosLog) = try await server.connected("alice", platform: 1)

        let second = try OpenIMClient(config: server.config(dataDir: tempDir()))
        try await second.login(userId: "alice", token: try await server.token("alice"))
        await firstLog.wait("kicked", isKicked)
        XCTAssertEqual(ios.loginStatus(), .logged)
        XCTAssertEqual(iosLog.events, [.connecting, .connectSuccess], "the other platform is not disturbed")

        try await first.login(userId: "alice", token: firstToken)
        let again = await firstLog.wait(for: 2, "kicked again", isKicked)
        XCTAssertEqual(again.count, 6, "\(again)")
        if again.count == 6 {
            XCTAssertEqual(again[3], .connecting)
            XCTAssertEqual(again[4], .connectFailed(code: 1506, msg: again[4].failedMessage))
        }
        XCTAssertEqual(second.loginStatus(), .logged)
    }

    /// The app's manager logs the user out (`/auth/force_logout`): the client hears
    /// `onKickedOffline` and its session ends (Rust: `admin_force_logout_kicks_the_client`).
    func testAnAdminForceLogoutKicksTheClient() async throws {
        let server = try DevServer()
        try await server.register("alice")
        let (client, log) = try await server.connected("alice")
        try await server.forceLogout("alice")
        let events = await log.wait("kicked", isKicked)
        XCTAssertEqual(events, [.connecting, .connectSuccess, .kickedOffline])
        XCTAssertEqual(client.loginStatus(), .loggedOut)
        // The session is over: calls that need it are refused as not logged in.
        let refused = await code { _ = try await client.getSelfUserInfo() }
        XCTAssertEqual(refused, 10009)
    }

    /// A newer token for the same platform makes the server treat this one as kicked, while the
    /// open connection stays up: the next REST call is refused with 1506 (or the background
    /// profile sync hit it first: 10009), and the client ends its session with `onKickedOffline`
    /// (Rust: `rest_token_error_ends_the_session`).
    func testARestTokenErrorEndsTheSession() async throws {
        let server = try DevServer()
        try await server.register("alice")
        let (client, log) = try await server.connected("alice")
        _ = try await server.token("alice")
        let refused = await code { _ = try await client.getUsersInfo(userIds: ["alice"]) }
        XCTAssertTrue([1506, 10009].contains(refused ?? 0), "\(String(describing: refused))")
        await log.wait("kicked", isKicked)
        XCTAssertEqual(client.loginStatus(), .loggedOut)
    }

    /// A connection listener that blocks its thread holds up neither the connection nor the
    /// calls; once it returns, it hears every event in order (Rust:
    /// `a_blocked_listener_does_not_stall_the_engine`).
    func testABlockedConnectionListenerDoesNotStallTheEngine() async throws {
        let server = try DevServer()
        try await server.register("bob")
        try await server.register("alice")
        let watcher = try OpenIMClient(config: server.config(dataDir: tempDir()))
        let client = try OpenIMClient(config: server.config(dataDir: tempDir()))
        let gate = Gate()
        defer { gate.release() }  // a failed assertion must not leave the listener's thread stuck
        let blocked = BlockedConn(gate)
        client.setConnListener(listener: blocked)
        try await client.login(userId: "bob", token: try await server.token("bob"))
        // The engine connects and serves calls while the listener's thread is stuck.
        let me = try await client.getSelfUserInfo()
        XCTAssertEqual(me.userId, "bob")
        try await watcher.login(userId: "alice", token: try await server.token("alice"))
        _ = try await watcher.subscribeUsersStatus(userIds: ["bob"])
        let deadline = Date().addingTimeInterval(15)
        while try await watcher.getUserStatus(userIds: ["bob"]).first?.platformIds.isEmpty ?? true {
            guard Date() < deadline else { return XCTFail("bob never came online") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTAssertEqual(blocked.seen.events, [])
        gate.release()
        _ = try await blocked.seen.wait("the success event") { $0 == "success" ? true : nil }
        XCTAssertEqual(blocked.seen.events, ["connecting", "success"], "events keep their order")
        XCTAssertEqual(client.loginStatus(), .logged)
        try await watcher.logout()
        try await client.logout()
    }

    /// A user ID never names a file as it is: its database file's name is escaped, and nothing is
    /// written outside the data folder (Rust: `user_ids_are_sanitised_before_naming_files`).
    func testUserIdsAreSanitisedBeforeNamingFiles() async throws {
        let server = try DevServer()
        let evil = "../../etc/evil user"
        try await server.register(evil)
        let root = tempDir()
        let data = root + "/data"
        let client = try OpenIMClient(config: server.config(dataDir: data))
        let log = record(client)
        try await client.login(userId: evil, token: try await server.token(evil))
        await log.wait("connected", isSuccess)
        let files = try FileManager.default.contentsOfDirectory(atPath: data)
        XCTAssertTrue(files.contains("OpenIM_v3_%2E%2E%2F%2E%2E%2Fetc%2Fevil%20user.db"), "\(files)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root), ["data"], "nothing outside the data folder")
        try await client.logout()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Login arguments are checked before anything starts: an empty or blank user ID or token
    /// is refused with 10002, the client stays logged out and never connects
    /// (Rust: `login_arguments_are_checked`).
    func testLoginArgumentsAreChecked() async throws {
        let server = try DevServer()
        let client = try OpenIMClient(config: server.config(dataDir: tempDir()))
        let log = record(client)
        for (user, token) in [("", "t"), ("alice", ""), ("  ", "t")] {
            do {
                try await client.login(userId: user, token: token)
                XCTFail("login('\(user)', '\(token)') was taken")
            } catch let OpenIMError.InvalidArgument(code, _) {
                XCTAssertEqual(code, 10002)
            }
        }
        XCTAssertEqual(client.loginStatus(), .loggedOut)
        XCTAssertTrue(log.events.isEmpty, "no connection attempt: \(log.events)")
    }

    func testLogoutAndTypedErrors() async throws {
        let server = try DevServer()
        try await server.register("alice")
        let token = try await server.token("alice")
        let client = try OpenIMClient(config: server.config(dataDir: tempDir()))
        let log = record(client)

        do {
            _ = try await client.getSelfUserInfo()
            XCTFail("expected NotLoggedIn")
        } catch let error as OpenIMError {
            guard case .NotLoggedIn(code: 10009, _) = error else { return XCTFail("\(error)") }
        }
        let usersBefore = await code { _ = try await client.getUsersInfo(userIds: ["x"]) }
        XCTAssertEqual(usersBefore, 10009)
        let logoutBefore = await code { try await client.logout() }
        XCTAssertEqual(logoutBefore, 10009)
        try await client.login(userId: "alice", token: token)
        await log.wait("connected", isSuccess)
        do {
            try await client.login(userId: "alice", token: token)
            XCTFail("expected LoginRepeat")
        } catch let error as OpenIMError {
            XCTAssertEqual(error.code, 10102)
        }
        try await client.logout()
        XCTAssertEqual(client.loginStatus(), .loggedOut)
        XCTAssertNil(client.loginUserId())
    }

    func testInvalidConfigIsRefused() throws {
        let dir = tempDir()
        for config in [
            OpenIMConfig(platform: 0, apiAddr: "http://127.0.0.1:1", wsAddr: "ws://127.0.0.1:1", dataDir: dir, logLevel: .warn),
            OpenIMConfig(platform: 2, apiAddr: "127.0.0.1:1", wsAddr: "ws://127.0.0.1:1", dataDir: dir, logLevel: .warn),
            OpenIMConfig(platform: 2, apiAddr: "http://127.0.0.1:1", wsAddr: "http://127.0.0.1:1", dataDir: dir, logLevel: .warn),
            OpenIMConfig(platform: 2, apiAddr: "http://127.0.0.1:1", wsAddr: "ws://127.0.0.1:1", dataDir: "", logLevel: .warn),
            OpenIMConfig(platform: 10, apiAddr: "http://127.0.0.1:1", wsAddr: "ws://127.0.0.1:1", dataDir: dir, logLevel: .warn),
            OpenIMConfig(platform: -3, apiAddr: "http://127.0.0.1:1", wsAddr: "ws://127.0.0.1:1", dataDir: dir, logLevel: .warn),
            OpenIMConfig(platform: 2, apiAddr: "ws://127.0.0.1:1", wsAddr: "ws://127.0.0.1:1", dataDir: dir, logLevel: .warn),
            OpenIMConfig(platform: 2, apiAddr: "http://127.0.0.1:1", wsAddr: "", dataDir: dir, logLevel: .warn),
        ] {
            XCTAssertThrowsError(try OpenIMClient(config: config)) { error in
                guard case .InvalidArgument(code: 10002, _)? = error as? OpenIMError else { return XCTFail("\(error)") }
            }
        }
    }

    /// `networkStatusChanged` (OpenIM's `NetworkStatusChanged`): a live connection is made again
    /// at once; while devserver is down and the client waits out its backoff, the call makes it
    /// try again at once, so it connects before the backoff would have let it. Refused before
    /// login.
    func testANetworkChangeReconnectsAtOnce() async throws {
        let dir = tempDir()
        let data = dir + "/server.db"
        var server: DevServer? = try DevServer(data: data)
        try await server!.register("alice")
        let token = try await server!.token("alice")
        let (api, ws) = (server!.apiAddr, server!.wsAddr)
        let client = try OpenIMClient(config: server!.config(dataDir: dir + "/client"))
        let log = record(client)
        XCTAssertThrowsError(try client.networkStatusChanged()) { error in
            guard case .NotLoggedIn(code: 10009, _)? = error as? OpenIMError else { return XCTFail("\(error)") }
        }
        try await client.login(userId: "alice", token: token)
        await log.wait("connected", isSuccess)
        try client.networkStatusChanged()
        let events = await log.wait(for: 2, "connected again", isSuccess)
        XCTAssertEqual(events, [.connecting, .connectSuccess, .connecting, .connectSuccess])

        // devserver down: attempts fail 1 s, 2 s, then 4 s apart.
        await server!.stopAndWait()
        server = nil
        let isFailed = { (e: ConnEvent) -> Bool in if case .connectFailed = e { return true } else { return false } }
        await log.wait(for: 3, "three failed attempts", isFailed)
        // The next attempt would come 4 s after the third failure.
        let restarted = try DevServer(api: api, ws: ws, data: data)
        let called = Date()
        try client.networkStatusChanged()
        await log.wait(for: 3, "connected after the restart", isSuccess)
        let waited = Date().timeIntervalSince(called)
        XCTAssertLessThan(waited, 2, "connected \(waited) s after the call: the backoff was waited out")
        XCTAssertEqual(log.count(isFailed), 3, "no attempt failed after the call")
        try await client.logout()
        await restarted.stopAndWait()
    }

    /// OpenIM's `GetUserClientConfig`: the settings devserver was started with reach the app as a
    /// dictionary, and so do the manager's later ones (a user's own over everyone's); before
    /// login, 10009.
    func testTheClientConfigComesFromTheServer() async throws {
        let server = try DevServer(extraArgs: ["--client-config", "discoverPageURL=https://example.com/d", "--client-config", "allowSendMsgNotFriend=1"])
        try await server.register("alice")
        let client = try OpenIMClient(config: server.config(dataDir: tempDir()))
        do {
            _ = try await client.getUserClientConfig()
            XCTFail("expected NotLoggedIn")
        } catch let error as OpenIMError {
            guard case .NotLoggedIn(code: 10009, _) = error else { return XCTFail("\(error)") }
        }
        try await client.login(userId: "alice", token: try await server.token("alice"))
        let config = try await client.getUserClientConfig()
        XCTAssertEqual(config, ["discoverPageURL": "https://example.com/d", "allowSendMsgNotFriend": "1"])
        // Changed by the app's manager, for everyone and for alice alone (hers win): read anew.
        try await server.setClientConfig("", "allowSendMsgNotFriend", "0")
        try await server.setClientConfig("alice", "discoverPageURL", "https://example.com/alice")
        let changed = try await client.getUserClientConfig()
        XCTAssertEqual(changed, ["discoverPageURL": "https://example.com/alice", "allowSendMsgNotFriend": "0"])
        try await client.logout()
        // A server without settings: an empty map.
        let plain = try DevServer()
        try await plain.register("bob")
        let bob = try OpenIMClient(config: plain.config(dataDir: tempDir()))
        try await bob.login(userId: "bob", token: try await plain.token("bob"))
        let none = try await bob.getUserClientConfig()
        XCTAssertEqual(none, [:])
        try await bob.logout()
    }

    func testReconnectsAfterDevserverRestart() async throws {
        let dir = tempDir()
        let data = dir + "/server.db"
        var server: DevServer? = try DevServer(data: data)
        try await server!.register("alice")
        let token = try await server!.token("alice")
        let (api, ws) = (server!.apiAddr, server!.wsAddr)
        let client = try OpenIMClient(config: server!.config(dataDir: dir + "/client"))
        let log = record(client)
        try await client.login(userId: "alice", token: token)
        await log.wait("connected", isSuccess)

        await server!.stopAndWait()
        server = nil
        await log.wait(for: 2, "reconnecting", isConnecting)
        let restarted = try DevServer(api: api, ws: ws, data: data)
        let events = await log.wait(for: 2, "connected again", isSuccess)
        XCTAssertEqual(Array(events.prefix(3)), [.connecting, .connectSuccess, .connecting])
        XCTAssertEqual(events.last, .connectSuccess)
        XCTAssertEqual(client.loginStatus(), .logged)
        await restarted.stopAndWait()
    }
}

extension ConnEvent {
    var failedMessage: String {
        if case let .connectFailed(_, msg) = self { return msg }
        return ""
    }
}

/// A connection listener whose `onConnecting` waits at a gate.
final class BlockedConn: ConnListener, @unchecked Sendable {
    let gate: Gate
    let seen = Recorder<String>()
    init(_ gate: Gate) { self.gate = gate }
    func onConnecting() { gate.wait(); seen.append("connecting") }
    func onConnectSuccess() { seen.append("success") }
    func onConnectFailed(code: Int32, msg: String) { seen.append("failed") }
    func onKickedOffline() {}
    func onUserTokenExpired() {}
    func onUserTokenInvalid(msg: String) {}
}
