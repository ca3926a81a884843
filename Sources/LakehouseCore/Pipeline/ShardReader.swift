import AWSLite
import Logging
import PGLite

/// One shard reader of a ``Pipeline`` process, from its start to how it ended: it reads the
/// shard into bronze while its process holds the lease, saves each checkpoint only as the
/// lease's owner, records its run in `pipeline_run`, and tells ``ShardReaders`` how it ended.
struct ShardReader: Sendable {
    let shard: String
    let checkpoint: IngestCheckpoint?
    let run: Int64
    let stop: StopSignal
    let context: Context

    /// What every reader of a process shares.
    struct Context: Sendable {
        let configuration: Pipeline.Configuration
        let kinesis: KinesisClient
        let s3: S3Client
        let logger: Logger
        /// The coordination connection: the readers' saves and run records go through it.
        let connection: HealingConnection
        let readers: ShardReaders
        /// Raised after each bronze object a reader writes.
        let bronzeWritten: WakeSignal

        func history() async throws -> RunHistory {
            RunHistory(connection: try await connection.current(), worker: configuration.worker)
        }

        func checkpoints() async throws -> CheckpointStore {
            CheckpointStore(connection: try await connection.current())
        }
    }

    /// Loads the shard's checkpoint, opens its run and registers it with ``ShardReaders``; the
    /// reader is then ready for ``read()``.
    ///
    /// - Throws: ``PGError`` when the checkpoint or the run record cannot be reached.
    static func prepare(_ shard: String, context: Context) async throws -> ShardReader {
        let checkpoint = try await context.checkpoints().load(stream: context.configuration.ingest.stream)[shard]
        let run = try await context.history().start(.ingest, subject: shard)
        let reader = ShardReader(shard: shard, checkpoint: checkpoint, run: run, stop: StopSignal(), context: context)
        context.readers.started(shard, stop: reader.stop, run: run)
        context.logger.info(
            "shard reader started",
            metadata: ["kinesis.shard": "\(shard)", "resume": "\(checkpoint?.sequenceNumber ?? "start")"])
        return reader
    }

    /// Reads until the shard ends, the lease is lost, the reader is stopped or it fails; never
    /// throws: how it ended goes to ``ShardReaders`` and the run record.
    func read() async {
        let worker = context.configuration.worker
        let (shard, readers, context) = (shard, context.readers, context)
        do {
            // Its saves go through `save` below; the job's own store is not used.
            let ingest = IngestJob(
                kinesis: context.kinesis, s3: context.s3, checkpoints: try await context.checkpoints(),
                configuration: context.configuration.ingest, logger: context.logger)
            let outcome = try await ingest.readShard(
                shard, after: checkpoint, stop: stop,
                save: { checkpoint in
                    guard try await context.checkpoints().save(checkpoint, leaseOwner: worker) else {
                        throw LakehouseError(
                            code: .leaseLost, message: "the lease on \(shard) is no longer \(worker)'s")
                    }
                },
                onFlush: { checkpoint in
                    readers.flushed(shard, records: checkpoint.records)
                    context.bronzeWritten.raise()
                },
                onRead: { read in readers.read(shard, millisBehindLatest: read.millisBehindLatest) })
            try? await context.history().finish(run, rowsIn: outcome.records, rowsOut: outcome.objects)
            readers.ended(shard, outcome.ended ? .ended : .stopped)
        } catch let error as LakehouseError where error.code == .leaseLost {
            await finish(error: "lease lost: \(error.message)")
            readers.ended(shard, .leaseLost)
        } catch {
            context.logger.error("shard reader failed", metadata: ["kinesis.shard": "\(shard)", "error": "\(error)"])
            let progressed = (readers.running[shard]?.objects ?? 0) > 0
            PipelineMetrics.failed(.ingest)
            await finish(error: "\(error)")
            readers.ended(shard, .failed("\(error)", progressed: progressed))
        }
    }

    /// Closes the run of a reader that did not end well, with what it had written.
    private func finish(error: String) async {
        let counts = context.readers.running[shard]
        try? await context.history().finish(
            run, rowsIn: counts?.records ?? 0, rowsOut: counts?.objects ?? 0, error: error)
    }
}
