import AWSLite

extension SilverJob {
    /// Where a long-running silver lists bronze between full listings: in each (day, shard)
    /// prefix, after the last key it found settled (processed, or in a batch it planned). Keys of
    /// a shard grow with its sequence numbers, so a batch lists what is new, not the whole day;
    /// the full listings ``Pipeline`` still makes now and then catch anything else (a rewritten
    /// object, a backlog of older days).
    package struct BronzeCursors: Sendable, Hashable {
        /// Prefix (`sales_data/year=…/day=…/<shard>-`) → the last settled key in it.
        package var after: [String: String] = [:]

        package init() {}

        /// The prefix of `shard`'s objects of the day `dayPrefix` (a ``BronzeBatch/dayPrefix(micros:)``).
        package static func prefix(day dayPrefix: String, shard: String) -> String { dayPrefix + shard + "-" }
    }

    /// One batch at most of the unprocessed objects after `cursors` in `prefixes`, or the batch
    /// already planned after a crash; moves `cursors` past what is settled.
    ///
    /// - Throws: what ``runOnce(stop:progress:)`` throws.
    package func runOnce(
        prefixes: [String], cursors: inout BronzeCursors,
        progress: @Sendable (Int64, SilverStore.BatchCounts) -> Void = { _, _ in }
    ) async throws -> Report {
        var report = Report()
        var tables = Tables()
        if let plan = try await nextPlan(prefixes: prefixes, cursors: &cursors),
            let counts = try await process(plan, tables: &tables)
        {
            report.add(batch: counts)
            progress(plan.number, counts)
        }
        return report
    }

    /// The plan of the next batch: the one already written for it, else a new one of the
    /// unprocessed objects listed after `cursors` in `prefixes`.
    func nextPlan(prefixes: [String], cursors: inout BronzeCursors) async throws -> Plan? {
        let number = try await store.lastBatchNumber() + 1
        if let existing = try await readPlan(number) { return existing }
        var listed: [(prefix: String, keys: [String])] = []
        var candidates: [S3ObjectSummary] = []
        var processed: Set<String> = []
        for prefix in prefixes {
            var keys: [String] = []
            for try await page in s3.listObjectsV2(
                bucket: configuration.bronzeBucket, prefix: prefix, startAfter: cursors.after[prefix])
            {
                let done = try await store.processed(page.objects.map(\.key))
                processed.formUnion(done.keys)
                candidates += page.objects.filter { done[$0.key] == nil }
                keys += page.objects.map(\.key)
            }
            listed.append((prefix, keys))
        }
        let chosen = batches(of: candidates).first ?? []
        var plan: Plan?
        if !chosen.isEmpty {
            let ours = Plan(number: number, objects: chosen)
            // Another process may have planned this batch first: then do what it planned.
            plan = try await write(ours) ? ours : try await readPlan(number)
        }
        // Settled: processed, or in the plan this batch follows. Each prefix's cursor moves over
        // its settled keys, in order, up to the first that is not.
        let planned = Set(plan?.objects.map(\.key) ?? [])
        for (prefix, keys) in listed {
            for key in keys {
                guard processed.contains(key) || planned.contains(key) else { break }
                cursors.after[prefix] = key
            }
        }
        return plan
    }
}
