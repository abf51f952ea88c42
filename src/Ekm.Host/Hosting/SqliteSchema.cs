using Microsoft.Data.Sqlite;

namespace Ekm.Host.Hosting;

/// <summary>
/// Applies <c>deploy/sql/sqlite/*.sql</c> (embedded in this assembly) in name order. Every script
/// is idempotent, so this runs on every start: a new file gets the schema, an existing one is
/// brought up to date, nothing is dropped.
/// </summary>
internal static class SqliteSchema
{
    private const string ResourcePrefix = "sql/sqlite/";

    public static IReadOnlyList<string> ScriptNames { get; } = typeof(SqliteSchema).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (Path.GetDirectoryName(Path.GetFullPath(dataSource)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var name in ScriptNames)
        {
            await using var stream = typeof(SqliteSchema).Assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            await using var command = connection.CreateCommand();
            command.CommandText = await reader.ReadToEndAsync(cancellationToken);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
