/// LakehouseCore holds the domain of the supermarket stock lakehouse and its jobs.
///
/// This release provides the configuration every job and example executable shares
/// (``LakehouseConfiguration``), read from flags, the environment and an optional `.env` file.
public enum LakehouseCore {
    /// The version of LakehouseCore, following semantic versioning.
    ///
    /// See the LakehouseCore section of CHANGELOG.md for what each version changed.
    public static let version = "0.2.0"
}
