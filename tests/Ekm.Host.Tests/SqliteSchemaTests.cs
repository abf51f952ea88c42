using Ekm.Host.Hosting;
using Microsoft.Data.Sqlite;

namespace Ekm.Host.Tests;

public sealed class SqliteSchemaTests
{
    [Fact]
    public async Task Apply_Twice_IsIdempotentAndKeepsRows()
    {
        using var data = new TempDirectory();
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "nested", "ekm.db") }.ToString();

        await SqliteSchema.ApplyAsync(cs, CancellationToken.None);
        await using (var connection = new SqliteConnection(cs))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, ServiceId, ModifiedOn, Version) VALUES (1, 0, 0, 2, 's', 'svc', 'now', 1)";
            await insert.ExecuteNonQueryAsync();
        }

        await SqliteSchema.ApplyAsync(cs, CancellationToken.None);

        await using var check = new SqliteConnection(cs);
        await check.OpenAsync();
        Assert.Equal(1L, await ScalarAsync(check, "SELECT COUNT(*) FROM OrleansStorage"));
        Assert.Equal(4L, await ScalarAsync(check, "SELECT COUNT(*) FROM OrleansQuery WHERE QueryKey IN ('WriteToStorageKey','ReadFromStorageKey','ClearStorageKey','DeleteStorageKey')"));
        Assert.Equal("wal", await ScalarAsync(check, "PRAGMA journal_mode"));
    }

    [Fact]
    public void Scripts_AreEmbeddedInOrder()
    {
        Assert.Equal(["sql/sqlite/01-main.sql", "sql/sqlite/02-persistence.sql"], SqliteSchema.ScriptNames);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
