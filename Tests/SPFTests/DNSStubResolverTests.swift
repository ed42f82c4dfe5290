import DNSClient
import NIOCore
import NIOPosix
import SPF
import Testing

@Suite("DNS stub resolver against an in-process server")
struct DNSStubResolverTests {
    static let zone = InMemoryZone([
        "example.com": [.ip("192.0.2.1"), .txt("v=spf1 ip4:192.0.2.0/24 -all")],
        "big.example.com": (0..<40).map {
            .txt("v=spf2 padding record number \($0) " + String(repeating: "x", count: 40))
        },
        "empty.example.com": [.ip("192.0.2.9")],
    ])

    func withServer(
        _ behaviour: TestDNSServer.Behaviour = .answer, timeout: TimeAmount = .seconds(2), attempts: Int = 2,
        cache: DNSCache? = DNSCache(),
        _ body: (DNSStubResolver, TestDNSServer) async throws -> Void
    ) async throws {
        let server = try await TestDNSServer.start(
            Self.zone, behaviour: behaviour, group: MultiThreadedEventLoopGroup.singleton)
        let configuration = DNSResolverConfiguration(
            server: try DNSResolverConfiguration.serverAddress(server.hostPort), timeout: timeout, attempts: attempts)
        let resolver = DNSStubResolver(configuration: configuration, cache: cache)
        do {
            try await body(resolver, server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("an A record comes back over UDP and the second lookup is served from the cache")
    func answerAndCache() async throws {
        try await withServer { resolver, server in
            #expect(await resolver.lookup(DNSName("example.com")!, .a) == .records([.ip("192.0.2.1")]))
            #expect(await resolver.lookup(DNSName("EXAMPLE.com")!, .a) == .records([.ip("192.0.2.1")]))
            #expect(server.udpQueries == 1)
        }
    }

    @Test("RFC 2308: NXDOMAIN and no-data are told apart and cached")
    func negativeAnswers() async throws {
        try await withServer { resolver, server in
            #expect(await resolver.lookup(DNSName("absent.example.com")!, .a) == .nameError)
            #expect(await resolver.lookup(DNSName("absent.example.com")!, .a) == .nameError)
            #expect(await resolver.lookup(DNSName("empty.example.com")!, .txt) == .noData)
            #expect(await resolver.lookup(DNSName("empty.example.com")!, .txt) == .noData)
            #expect(server.udpQueries == 2)
        }
    }

    @Test("RFC 7766 5: a truncated UDP answer is retried over TCP")
    func truncationFallsBackToTCP() async throws {
        try await withServer(.truncateOverUDP) { resolver, server in
            let result = await resolver.lookup(DNSName("big.example.com")!, .txt)
            guard case .records(let records) = result else {
                Issue.record("expected records, got \(result)")
                return
            }
            #expect(records.count == 40)
            #expect(server.udpQueries == 1)
            #expect(server.tcpQueries == 1)
        }
    }

    @Test("a server that never answers times out within the configured time")
    func silentServer() async throws {
        try await withServer(.silent, timeout: .milliseconds(200), attempts: 2) { resolver, server in
            let start = ContinuousClock.now
            #expect(await resolver.lookup(DNSName("example.com")!, .a) == .failure(.timeout))
            // Two attempts of 200 ms; the bound only tells a timeout from a hang, with room for a
            // busy 2-core machine (3 s flaked while the whole suite ran in parallel).
            #expect(ContinuousClock.now - start < .seconds(15))
            #expect(server.udpQueries == 2)
        }
    }

    @Test("a server answering garbage is a failure, not a crash")
    func garbage() async throws {
        try await withServer(.garbage, timeout: .milliseconds(300), attempts: 1) { resolver, _ in
            guard case .failure = await resolver.lookup(DNSName("example.com")!, .a) else {
                Issue.record("garbage must be a failure")
                return
            }
        }
    }

    @Test("SPF end to end: pass through the real resolver, temperror from a silent server")
    func spfEndToEnd() async throws {
        try await withServer { resolver, _ in
            let result = await SPFEvaluator(resolver: resolver).evaluate(
                ip: IPAddress("192.0.2.77")!, mailFrom: "a@example.com", helo: "h.example.com", receiver: "mx.test")
            #expect(result.code == .pass)
        }
        try await withServer(.silent, timeout: .milliseconds(150), attempts: 2) { resolver, _ in
            let start = ContinuousClock.now
            let result = await SPFEvaluator(resolver: resolver).evaluate(
                ip: IPAddress("192.0.2.77")!, mailFrom: "a@example.com", helo: "h.example.com", receiver: "mx.test")
            #expect(result.code == .temperror)
            // Two attempts of 200 ms; the bound only tells a timeout from a hang, with room for a
            // busy 2-core machine (3 s flaked while the whole suite ran in parallel).
            #expect(ContinuousClock.now - start < .seconds(15))
        }
    }

    @Test("1,000 evaluations in parallel on one event loop leave a timer on that loop firing")
    func parallelEvaluationsKeepTheLoopFree() async throws {
        let loopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await TestDNSServer.start(Self.zone, group: MultiThreadedEventLoopGroup.singleton)
        // Retries recover datagrams a loaded machine drops (1,000 queries in flight overflow a UDP
        // socket buffer); the test is about the loop staying free, not about loss.
        let configuration = DNSResolverConfiguration(
            server: try DNSResolverConfiguration.serverAddress(server.hostPort), timeout: .seconds(5), attempts: 5)
        // No cache: every evaluation really goes through the loop.
        let resolver = DNSStubResolver(configuration: configuration, eventLoopGroup: loopGroup, cache: nil)
        let evaluator = SPFEvaluator(resolver: resolver)
        let loop = loopGroup.next()
        let timer = loop.scheduleTask(in: .milliseconds(20)) { NIODeadline.now() }
        let results = await withTaskGroup(of: SPFResult.Code.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    await evaluator.evaluate(
                        ip: IPAddress("192.0.2.\(index % 250)")!, mailFrom: "a@example.com", helo: "h.example.com",
                        receiver: "mx.test"
                    ).code
                }
            }
            var codes: [SPFResult.Code] = []
            for await code in group { codes.append(code) }
            return codes
        }
        let fired = try await timer.futureResult.get()
        #expect(fired > NIODeadline.uptimeNanoseconds(0))
        #expect(results.count == 1000)
        #expect(results.allSatisfy { $0 == .pass })
        await server.stop()
        try await loopGroup.shutdownGracefully()
    }

    @Test("resolver settings: HOST:PORT and resolv.conf are parsed strictly")
    func configuration() throws {
        #expect(try DNSResolverConfiguration.serverAddress("127.0.0.1:5353").port == 5353)
        #expect(try DNSResolverConfiguration.serverAddress("[::1]:53").port == 53)
        for bad in ["127.0.0.1", "127.0.0.1:0", "127.0.0.1:99999", "dns.example:53", "::1:53", "[::1]"] {
            #expect(throws: DNSConfigurationError.self, "\(bad)") { try DNSResolverConfiguration.serverAddress(bad) }
        }
        let text =
            "# comment\nsearch example.com\nnameserver fe80::1%eth0\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n"
        #expect(DNSResolverConfiguration.systemServer(resolvConf: text)?.port == 53)
        #expect(DNSResolverConfiguration.systemServer(resolvConf: text)?.ipAddress == "192.0.2.53")
    }
}
