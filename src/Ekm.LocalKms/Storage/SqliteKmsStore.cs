using System.Text.Json;
using System.Text.Json.Serialization;
using Ekm.LocalKms.Engine;
using Microsoft.Data.Sqlite;

namespace Ekm.LocalKms.Storage;

/// <summary>
/// A SQLite file with one JSON document per key, alias and grant, written through on every
/// change so the embedded host's keys survive a restart.
/// </summary>
public sealed class SqliteKmsStore : IKmsStore, IDisposable
{
    // Enum members by name, so a key state added to the model later does not renumber stored keys.
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Converters = { new JsonStringEnumConverter() } };
    private readonly SqliteConnection _connection;

    public SqliteKmsStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // One connection for the store's lifetime: unpooled, so disposing the store closes the file.
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS Keys (KeyId TEXT PRIMARY KEY, Document TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS Aliases (Account TEXT NOT NULL, Region TEXT NOT NULL, AliasName TEXT NOT NULL, Document TEXT NOT NULL,
                PRIMARY KEY (Account, Region, AliasName));
            CREATE TABLE IF NOT EXISTS Grants (GrantId TEXT PRIMARY KEY, Document TEXT NOT NULL);
            """);
    }

    public KmsSnapshot Load() => new(ReadAll<KmsKey>("Keys"), ReadAll<KmsAlias>("Aliases"), ReadAll<KmsGrant>("Grants"));

    public void SaveKey(KmsKey key) =>
        Execute("INSERT OR REPLACE INTO Keys (KeyId, Document) VALUES ($id, $doc)", ("$id", key.KeyId), ("$doc", JsonSerializer.Serialize(key, Json)));

    public void DeleteKey(string keyId) => Execute("DELETE FROM Keys WHERE KeyId = $id", ("$id", keyId));

    public void SaveAlias(KmsAlias entry) =>
        Execute("INSERT OR REPLACE INTO Aliases (Account, Region, AliasName, Document) VALUES ($a, $r, $n, $doc)",
            ("$a", entry.Account), ("$r", entry.Region), ("$n", entry.AliasName), ("$doc", JsonSerializer.Serialize(entry, Json)));

    public void DeleteAlias(KmsAlias entry) =>
        Execute("DELETE FROM Aliases WHERE Account = $a AND Region = $r AND AliasName = $n",
            ("$a", entry.Account), ("$r", entry.Region), ("$n", entry.AliasName));

    public void SaveGrant(KmsGrant grant) =>
        Execute("INSERT OR REPLACE INTO Grants (GrantId, Document) VALUES ($id, $doc)", ("$id", grant.GrantId), ("$doc", JsonSerializer.Serialize(grant, Json)));

    public void DeleteGrant(string grantId) => Execute("DELETE FROM Grants WHERE GrantId = $id", ("$id", grantId));

    public void Dispose() => _connection.Dispose();

    private List<T> ReadAll<T>(string table)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT Document FROM {table}";
        using var reader = command.ExecuteReader();
        var items = new List<T>();
        while (reader.Read())
        {
            items.Add(JsonSerializer.Deserialize<T>(reader.GetString(0), Json)!);
        }

        return items;
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
