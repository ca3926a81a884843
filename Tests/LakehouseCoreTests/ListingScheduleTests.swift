import Foundation
import Testing

@testable import LakehouseCore

@Suite("Pipeline.ListingSchedule: silver lists all of bronze at the start, every 5 minutes and through a backlog")
struct ListingScheduleTests {
    static let today = ISO8601DateFormatter().date(from: "2026-03-01T10:00:00Z")!

    @Test("the floor is the day before, UTC, across a month's end")
    func floor() {
        #expect(Pipeline.ListingSchedule.floor(Self.today) == "sales_data/year=2026/month=02/day=28/")
        // Listing after the floor lists that day's objects and later days'.
        let floor = Pipeline.ListingSchedule.floor(Self.today)
        #expect("sales_data/year=2026/month=02/day=28/shardId-000000000000-1-2.jsonl" > floor)
        #expect("sales_data/year=2026/month=02/day=27/shardId-000000000000-1-2.jsonl" < floor)
    }

    @Test("full at the start, then from the floor, full again after 5 minutes or while a backlog lasts")
    func schedule() {
        let clock = ContinuousClock()
        let start = clock.now
        var schedule = Pipeline.ListingSchedule()
        #expect(schedule.next(now: start, today: Self.today) == nil)
        schedule.lastFull = start
        #expect(schedule.next(now: start + .seconds(10), today: Self.today) == "sales_data/year=2026/month=02/day=28/")
        #expect(schedule.next(now: start + .seconds(300), today: Self.today) == nil)
        schedule.backlog = true
        #expect(schedule.next(now: start + .seconds(10), today: Self.today) == nil)
    }
}
