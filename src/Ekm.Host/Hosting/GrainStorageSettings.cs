using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Hosting;

/// <summary>
/// The ADO.NET invariant and connection string of the grain store: the configured connection
/// string when there is one, otherwise the SQLite file in the data directory.
/// </summary>
internal sealed class GrainStorageSettings
{
    public GrainStorageSettings(IOptions<OrleansHostOptions> options, IConfiguration configuration, HostPaths paths)
    {
        Invariant = options.Value.Storage.Invariant;
        var configured = configuration.GetConnectionString(OrleansHostOptions.StorageConnectionName);
        ConnectionString = string.IsNullOrWhiteSpace(configured)
            ? new SqliteConnectionStringBuilder { DataSource = paths.SqliteDatabase, Pooling = true }.ToString()
            : configured;
    }

    public string Invariant { get; }

    public string ConnectionString { get; }

    public bool IsSqlite => Invariant == OrleansHostOptions.SqliteInvariant;

    /// <summary>Where the data lives, for the start-up banner: never the password.</summary>
    public string Describe() => IsSqlite
        ? $"SQLite {new SqliteConnectionStringBuilder(ConnectionString).DataSource}"
        : Invariant;
}
