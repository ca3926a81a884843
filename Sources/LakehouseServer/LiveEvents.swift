import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

/// `GET /events`: the Overview's headline figures as Server-Sent Events (`event: overview`, a
/// JSON object of display strings keyed as the page's `data-live` attributes), every 5 seconds
/// for 5 minutes; then the stream ends and the browser's `EventSource` opens the next (after
/// the `retry` the stream names). A server shutting down ends its streams at once. At most
/// ``ServerConfiguration/maximumStreams`` are open at a time; beyond that, 503.
enum LiveEvents {
    /// The figures sent, as the Overview shows them.
    static func figures(_ report: OverviewReport) -> [String: String] {
        let alerts = report.openAlerts.reduce(0) { $0 + $1.count }
        return [
            "freshness": report.freshnessSeconds.map(DashboardPages.age) ?? "no event yet",
            "newest": report.newestGoldEvent.map { DashboardPages.time($0) } ?? "—",
            "pending": "\(report.silverBatchesPending)",
            "alerts": "\(alerts)",
            "availability": report.availability.map { String(format: "%.1f %%", $0 * 100) } ?? "—",
            "minute": "\(report.eventsPerMinute.last ?? 0)",
        ]
    }

    /// One event: `event: overview` and the figures as one line of JSON.
    static func event(_ figures: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return "event: overview\ndata: \(String(decoding: try encoder.encode(figures), as: UTF8.self))\n\n"
    }

    /// The streaming response, or a 503 when too many streams are open.
    static func response(streams: InFlightCount, overview: OverviewCache) throws -> Response {
        guard let slot = StreamSlot(streams) else {
            throw HTTPError(.serviceUnavailable, message: "too many live streams are open: reload the page later")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // The slot is given back when the body is done with, written or not (a HEAD request's,
        // or a dropped connection's, is never written).
        let body = ResponseBody { writer in
            defer { slot.release() }
            try await writer.write(ByteBuffer(string: "retry: 5000\n\n"))
            let end = ContinuousClock.now + .seconds(300)
            var tick = 0
            while ContinuousClock.now < end, !Task.isShuttingDownGracefully, !Task.isCancelled {
                if tick % 5 == 0, let report = try? await overview.report() {
                    try await writer.write(ByteBuffer(string: try event(figures(report))))
                } else {
                    // A comment line each second, which EventSource ignores: a client that left
                    // is found (the write fails) and its place freed within a second.
                    try await writer.write(ByteBuffer(string: ":\n\n"))
                }
                tick += 1
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `/assets/live.js`: subscribes to `/events` and sets each `[data-live]` element's text.
    /// Pages work without it; it only keeps the figures current.
    static let script = """
        "use strict";
        if (window.EventSource) {
          const source = new EventSource("/events");
          source.addEventListener("overview", (event) => {
            const figures = JSON.parse(event.data);
            for (const element of document.querySelectorAll("[data-live]")) {
              const value = figures[element.dataset.live];
              if (typeof value === "string") { element.textContent = value; }
            }
            document.documentElement.dataset.liveUpdated = new Date().toISOString();
          });
        }

        """
}

/// One live stream's place in ``InFlightCount``: taken when made, given back once, by
/// ``release()`` or when the last reference goes.
final class StreamSlot: Sendable {
    private let count: InFlightCount
    private let released = Atomic<Bool>(false)

    init?(_ count: InFlightCount) {
        guard count.enter() else { return nil }
        self.count = count
    }

    func release() {
        if !released.exchange(true, ordering: .acquiringAndReleasing) { count.leave() }
    }

    deinit { release() }
}
