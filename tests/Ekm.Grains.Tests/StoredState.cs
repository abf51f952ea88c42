using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Ekm.Grains.Tests;

/// <summary>
/// A tenant's grain state as Orleans ADO.NET stored it in the SQLite file: one row per state name
/// (<c>GrainTypeString</c>) and grain key (<c>GrainIdExtensionString</c>), JSON in <c>PayloadBinary</c>.
/// Tests read it to see what a restart would see, and edit it to play an attacker with file access.
/// </summary>
internal static class StoredState
{
    public static async Task<JsonObject> ReadAsync(string databasePath, string stateName, string tenantId)
    {
        await using var connection = await OpenAsync(databasePath);
        await using var command = Command(connection, "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = $state AND GrainIdExtensionString = $key",
            stateName, tenantId);
        var payload = (byte[]?)await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"No stored {stateName} state for {tenantId}.");
        return JsonNode.Parse(payload)!.AsObject();
    }

    public static async Task WriteAsync(string databasePath, string stateName, string tenantId, JsonObject payload)
    {
        await using var connection = await OpenAsync(databasePath);
        await using var command = Command(connection, "UPDATE OrleansStorage SET PayloadBinary = $payload WHERE GrainTypeString = $state AND GrainIdExtensionString = $key",
            stateName, tenantId);
        command.Parameters.AddWithValue("$payload", Encoding.UTF8.GetBytes(payload.ToJsonString()));
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private static async Task<SqliteConnection> OpenAsync(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, string stateName, string tenantId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$key", tenantId);
        return command;
    }
}
