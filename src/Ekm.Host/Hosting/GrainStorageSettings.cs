using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ekm.Host.Hosting;

/// <summary>
/// The ADO.NET invariant and connection string of the grain store: <c>Orleans:GrainStorage:ekm</c>
/// when it is configured (cluster mode), otherwise the SQLite file in the data directory or
/// <c>ConnectionStrings:EkmStorage</c>.
/// </summary>
internal sealed class GrainStorageSettings
{
    public GrainStorageSettings(IConfiguration configuration, HostPaths paths)
    {
        ByOrleansConfiguration = ClusterProviders.IsConfigured(configuration, ClusterProviders.GrainStorage);
        if (ByOrleansConfiguration)
        {
            Invariant = configuration[ClusterProviders.GrainStorage + ":Invariant"] ?? "";
            ConnectionString = ClusterProviders.ConnectionString(configuration, ClusterProviders.GrainStorage) ?? "";
            return;
        }

        Invariant = ClusterProviders.SqliteInvariant;
        var configured = configuration.GetConnectionString(ClusterProviders.ConnectionName);
        ConnectionString = string.IsNullOrWhiteSpace(configured)
            ? new SqliteConnectionStringBuilder { DataSource = paths.SqliteDatabase, Pooling = true }.ToString()
            : configured;
    }

    /// <summary>Orleans registers the provider from its own section; the host registers the SQLite default otherwise.</summary>
    public bool ByOrleansConfiguration { get; }

    public string Invariant { get; }

    public string ConnectionString { get; }

    public bool IsSqlite => Invariant == ClusterProviders.SqliteInvariant;

    public DbProviderFactory Factory => IsSqlite ? SqliteFactory.Instance : NpgsqlFactory.Instance;

    /// <summary>Where the data lives, for the start-up banner: never the password.</summary>
    public string Describe()
    {
        if (IsSqlite)
        {
            return $"SQLite {new SqliteConnectionStringBuilder(ConnectionString).DataSource}";
        }

        var pg = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL {pg.Host}:{pg.Port}/{pg.Database}";
    }
}
