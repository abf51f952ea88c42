using Ekm.Grains;

namespace Ekm.Host.Hosting;

/// <summary>
/// Cluster mode is configuration only: Orleans' own provider sections switch the host from its
/// embedded defaults (localhost clustering, SQLite grain storage, in-memory reminders) to ADO.NET
/// providers on PostgreSQL. Orleans registers the configured providers itself; the host adds a
/// default only where a section is absent, and checks the sections before anything starts.
/// </summary>
internal static class ClusterProviders
{
    public const string Clustering = "Orleans:Clustering";
    public const string Reminders = "Orleans:Reminders";
    public const string GrainStorage = "Orleans:GrainStorage:" + StorageNames.GrainStorage;

    public const string AdoNet = "AdoNet";
    public const string PostgresInvariant = "Npgsql";
    public const string SqliteInvariant = "System.Data.SQLite";

    /// <summary>The connection string name the embedded SQLite store and the documented cluster settings use.</summary>
    public const string ConnectionName = "EkmStorage";

    public static bool IsConfigured(IConfiguration configuration, string section) => configuration.GetSection(section).Exists();

    /// <summary>A provider section's <c>ConnectionString</c>, else the one its <c>ConnectionName</c> names.</summary>
    public static string? ConnectionString(IConfiguration configuration, string section)
    {
        var s = configuration.GetSection(section);
        return s["ConnectionString"] is { Length: > 0 } direct ? direct
            : s["ConnectionName"] is { Length: > 0 } name ? configuration.GetConnectionString(name)
            : null;
    }

    public static IEnumerable<string> Problems(IConfiguration configuration)
    {
        string[] sections = [Clustering, Reminders, GrainStorage];
        foreach (var section in sections.Where(s => IsConfigured(configuration, s)))
        {
            var s = configuration.GetSection(section);
            if (!string.Equals(s["ProviderType"], AdoNet, StringComparison.Ordinal))
            {
                yield return $"{section}:ProviderType is '{s["ProviderType"]}': Ekm.Orleans supports '{AdoNet}' (with {section}:Invariant={PostgresInvariant}).";
            }

            string[] invariants = section == GrainStorage ? [PostgresInvariant, SqliteInvariant] : [PostgresInvariant];
            if (!invariants.Contains(s["Invariant"], StringComparer.Ordinal))
            {
                yield return $"{section}:Invariant is '{s["Invariant"]}': use {string.Join(" or ", invariants.Select(i => $"'{i}'"))}.";
            }

            if (string.IsNullOrWhiteSpace(ConnectionString(configuration, section)))
            {
                yield return $"{section} has no connection string: set {section}:ConnectionName={ConnectionName} and ConnectionStrings:{ConnectionName}, or {section}:ConnectionString.";
            }
        }

        if (IsConfigured(configuration, Clustering)
            && (!IsConfigured(configuration, Reminders) || !IsConfigured(configuration, GrainStorage)
                || configuration[GrainStorage + ":Invariant"] == SqliteInvariant))
        {
            yield return $"{Clustering} is set, so silos share a cluster: they must also share reminders and grain state. Configure {Reminders} and {GrainStorage} with ProviderType {AdoNet} on PostgreSQL too (see the README's Cluster mode).";
        }
    }
}
