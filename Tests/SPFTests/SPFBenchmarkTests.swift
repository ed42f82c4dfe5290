import DNSClient
import Foundation
import NIOCore
import NIOPosix
import SPF
import Testing

/// Evaluations per second for a realistic record with two includes, through the real stub resolver and the
/// in-process DNS server: cold (an empty cache per evaluation) and warm (one shared cache).
/// Run with `SPF_BENCHMARK=1`; it prints numbers and asserts only correctness.
@Suite("SPF throughput", .enabled(if: ProcessInfo.processInfo.environment["SPF_BENCHMARK"] != nil))
struct SPFBenchmarkTests {
    static let zone = InMemoryZone([
        "example.com": [.txt("v=spf1 include:_spf.provider-a.example include:_spf.provider-b.example mx -all")],
        "_spf.provider-a.example": [.txt("v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:a::/48 ~all")],
        "_spf.provider-b.example": [.txt("v=spf1 a:out.provider-b.example ip4:203.0.113.0/25 ?all")],
        "out.provider-b.example": [.ip("192.0.2.25"), .ip("192.0.2.26")],
    ])

    func run(_ count: Int, concurrency: Int, resolver: @escaping @Sendable () -> any DNSResolving) async -> Double {
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for _ in stride(from: worker, to: count, by: concurrency) {
                        let evaluator = SPFEvaluator(resolver: resolver())
                        let result = await evaluator.evaluate(
                            ip: IPAddress("192.0.2.26")!, mailFrom: "billing@example.com",
                            helo: "out.provider-b.example",
                            receiver: "mx.example.org")
                        precondition(result.code == .pass, "benchmark record must pass, got \(result.code)")
                    }
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(count) / seconds
    }

    @Test("cold and warm cache evaluations per second")
    func throughput() async throws {
        let server = try await TestDNSServer.start(Self.zone, group: MultiThreadedEventLoopGroup.singleton)
        let configuration = DNSResolverConfiguration(
            server: try DNSResolverConfiguration.serverAddress(server.hostPort), timeout: .seconds(2))
        let cold = await run(2_000, concurrency: 16) {
            DNSStubResolver(configuration: configuration, cache: DNSCache())
        }
        let shared = DNSStubResolver(configuration: configuration, cache: DNSCache())
        let warm = await run(50_000, concurrency: 16) { shared }
        let memory = await run(50_000, concurrency: 16) { Self.zone }
        print(
            "SPF evaluations/s (two includes + mx): cold cache \(Int(cold)), warm cache \(Int(warm)), in-memory zone \(Int(memory))"
        )
        await server.stop()
    }
}
