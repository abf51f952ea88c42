namespace Ekm.Host.Hosting;

/// <summary>Options under <c>Orleans</c>: cluster identity, silo endpoints and grain storage.</summary>
public sealed class OrleansHostOptions
{
    public const string Section = "Orleans";

    public const string SqliteInvariant = "System.Data.SQLite";

    /// <summary>The connection string name under <c>ConnectionStrings</c> for grain storage.</summary>
    public const string StorageConnectionName = "EkmStorage";

    public string ClusterId { get; set; } = "ekm-dev";

    /// <summary>Part of every stored grain row's key: changing it hides existing state.</summary>
    public string ServiceId { get; set; } = "ekm";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public StorageOptions Storage { get; set; } = new();

    public sealed class StorageOptions
    {
        /// <summary>ADO.NET invariant; <c>System.Data.SQLite</c> loads Microsoft.Data.Sqlite.</summary>
        public string Invariant { get; set; } = SqliteInvariant;
    }
}
