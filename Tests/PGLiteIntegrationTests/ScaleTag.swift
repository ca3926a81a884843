import Testing

extension Tag {
    /// Crash, soak and scale tests: they run at a reduced size in `make test` that still
    /// exercises the failure path, and at full size in `make test-full` (`LAKEHOUSE_TEST_SCALE=full`).
    @Tag static var scale: Self
}
