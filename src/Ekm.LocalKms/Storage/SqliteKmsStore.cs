using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ekm.LocalKms.Engine;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ekm.LocalKms.Storage;

/// <summary>
/// A SQLite file with one document per key, alias and grant, written through on every change so
/// the embedded host's keys survive a restart. Every document is sealed (<see cref="StoreSealer"/>)
/// under the store key — the configured one, or the key file beside the database — so the file
/// holds no readable key material, policy or JSON.
/// </summary>
/// <remarks>
/// Databases written before sealing hold plain JSON text where sealed documents are BLOBs (SQLite
/// keeps each value's own type): such a database is sealed in place on its first load. A database
/// that has been sealed once never accepts a plain row again, so writing plain JSON into it is
/// refused like any other tampering. A database that the store key does not open fails to load
/// and is left as it is.
/// </remarks>
public sealed class SqliteKmsStore : IKmsStore, IDisposable
{
    private const string KeyCheckName = "KeyCheck";

    // Enum members by name, so a key state added to the model later does not renumber stored keys.
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Converters = { new JsonStringEnumConverter() } };
    private static readonly Table Keys = new("Keys", ["KeyId"]);
    private static readonly Table Aliases = new("Aliases", ["Account", "Region", "AliasName"]);
    private static readonly Table Grants = new("Grants", ["GrantId"]);
    private static readonly Table StoreInfo = new("StoreInfo", ["Name"]);
    private static readonly byte[] KeyCheckDocument = "ekm-localkms-store-key-check"u8.ToArray();

    private readonly SqliteConnection _connection;
    private readonly StoreSealer _sealer = null!;
    private readonly ILogger _logger;
    private readonly string _path;
    private readonly bool _sealedBefore;

    /// <summary>Opens (or creates) the database and checks that the store key opens it.</summary>
    /// <param name="path">The SQLite file.</param>
    /// <param name="storeKey">The 32-byte store key; null uses the key file beside the database, created if the database holds nothing sealed yet.</param>
    /// <param name="logger">Where key file creation and the one-time migration are reported.</param>
    /// <exception cref="InvalidDataException">The key file is missing or is not a key, or the key is not the one the database was sealed with.</exception>
    public SqliteKmsStore(string path, byte[]? storeKey = null, ILogger? logger = null)
    {
        _path = Path.GetFullPath(path);
        _logger = logger ?? NullLogger.Instance;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        // One connection for the store's lifetime: unpooled, so disposing the store closes the file.
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        try
        {
            _connection.Open();
            // Older databases declared Document TEXT; the declared type does not matter, each value keeps its own.
            // secure_delete zeroes the space a replaced or deleted row leaves, so old bytes do not linger in free pages.
            Execute("""
                PRAGMA journal_mode = WAL;
                PRAGMA secure_delete = ON;
                CREATE TABLE IF NOT EXISTS Keys (KeyId TEXT PRIMARY KEY, Document BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS Aliases (Account TEXT NOT NULL, Region TEXT NOT NULL, AliasName TEXT NOT NULL, Document BLOB NOT NULL,
                    PRIMARY KEY (Account, Region, AliasName));
                CREATE TABLE IF NOT EXISTS Grants (GrantId TEXT PRIMARY KEY, Document BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS StoreInfo (Name TEXT PRIMARY KEY, Document BLOB NOT NULL);
                """);
            var keyCheck = ReadKeyCheck();
            _sealedBefore = keyCheck is not null || HasSealedRows();
            string source;
            if (storeKey is null)
            {
                var keyFile = StoreKeyFile.PathFor(_path);
                source = "the key file " + keyFile;
                storeKey = StoreKeyFile.TryRead(keyFile) ?? (_sealedBefore
                    ? throw new InvalidDataException(
                        $"The local KMS database {_path} is encrypted, but its key file {keyFile} is missing: restore that file, or set the StoreKey setting to the key the database was encrypted with. The database was not changed.")
                    : CreateKeyFile(keyFile));
            }
            else
            {
                source = "the configured store key (StoreKey setting)";
            }

            _sealer = new StoreSealer(storeKey);
            if (keyCheck is not null && _sealer.TryOpen(StoreInfo.Name, [KeyCheckName], keyCheck) is null)
            {
                throw new InvalidDataException(
                    $"The local KMS database {_path} cannot be opened with {source}: it was encrypted under another store key. Restore the key it was written with (its original key file, or the StoreKey setting it ran with). The database was not changed.");
            }
        }
        catch
        {
            _sealer?.Dispose();
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>Reads every row; on the first load of a database written before sealing, seals its rows in place.</summary>
    /// <exception cref="InvalidDataException">A row fails its integrity check; nothing is changed.</exception>
    public KmsSnapshot Load()
    {
        var plain = new List<(Table Table, string[] RowKey, byte[] Document)>();
        var snapshot = new KmsSnapshot(ReadAll<KmsKey>(Keys, plain), ReadAll<KmsAlias>(Aliases, plain), ReadAll<KmsGrant>(Grants, plain));
        if (ReadKeyCheck() is null)
        {
            // One transaction: the database is either still entirely plain or entirely sealed with its key check.
            using (var transaction = _connection.BeginTransaction())
            {
                foreach (var (table, rowKey, document) in plain)
                {
                    Write(table, rowKey, document);
                }

                Write(StoreInfo, [KeyCheckName], KeyCheckDocument);
                transaction.Commit();
            }

            if (plain.Count > 0)
            {
                // Rewrite the file and empty the write-ahead log, so no page of the plain rows survives anywhere.
                Execute("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);");
                LocalKmsStoreLog.PlainRowsSealed(_logger, plain.Count, _path);
            }
        }

        foreach (var (_, _, document) in plain)
        {
            CryptographicOperations.ZeroMemory(document);
        }

        return snapshot;
    }

    public void SaveKey(KmsKey key) => Save(Keys, [key.KeyId], key);

    public void DeleteKey(string keyId) => Execute("DELETE FROM Keys WHERE KeyId = $id", ("$id", keyId));

    public void SaveAlias(KmsAlias entry) => Save(Aliases, [entry.Account, entry.Region, entry.AliasName], entry);

    public void DeleteAlias(KmsAlias entry) =>
        Execute("DELETE FROM Aliases WHERE Account = $a AND Region = $r AND AliasName = $n",
            ("$a", entry.Account), ("$r", entry.Region), ("$n", entry.AliasName));

    public void SaveGrant(KmsGrant grant) => Save(Grants, [grant.GrantId], grant);

    public void DeleteGrant(string grantId) => Execute("DELETE FROM Grants WHERE GrantId = $id", ("$id", grantId));

    public void Dispose()
    {
        _sealer.Dispose();
        _connection.Dispose();
    }

    private byte[] CreateKeyFile(string keyFile)
    {
        var key = StoreKeyFile.Create(keyFile);
        LocalKmsStoreLog.KeyFileCreated(_logger, keyFile, _path);
        return key;
    }

    private void Save<T>(Table table, string[] rowKey, T document)
    {
        // The document holds key material: it lives in memory only as long as sealing takes.
        var json = JsonSerializer.SerializeToUtf8Bytes(document, Json);
        try
        {
            Write(table, rowKey, json);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }
    }

    private void Write(Table table, string[] rowKey, byte[] document)
    {
        var parameters = rowKey.Select((value, i) => ($"$k{i}", (object)value))
            .Append(("$doc", _sealer.Seal(table.Name, rowKey, document)))
            .ToArray();
        Execute($"INSERT OR REPLACE INTO {table.Name} ({string.Join(", ", table.KeyColumns)}, Document) VALUES ({string.Join(", ", parameters.Select(p => p.Item1))})",
            parameters);
    }

    private List<T> ReadAll<T>(Table table, List<(Table, string[], byte[])> plain)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", table.KeyColumns)}, typeof(Document), Document FROM {table.Name}";
        using var reader = command.ExecuteReader();
        var items = new List<T>();
        var columns = table.KeyColumns.Length;
        while (reader.Read())
        {
            var rowKey = Enumerable.Range(0, columns).Select(reader.GetString).ToArray();
            var storedAs = reader.GetString(columns);
            if (storedAs == "text" && !_sealedBefore)
            {
                // Kept until Load has sealed it in place, then zeroed there.
                var json = Encoding.UTF8.GetBytes(reader.GetString(columns + 1));
                items.Add(JsonSerializer.Deserialize<T>(json, Json)!);
                plain.Add((table, rowKey, json));
                continue;
            }

            var document = (storedAs == "blob" ? _sealer.TryOpen(table.Name, rowKey, reader.GetFieldValue<byte[]>(columns + 1)) : null)
                ?? throw Corrupt(table, rowKey);
            try
            {
                items.Add(JsonSerializer.Deserialize<T>(document, Json)!);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(document);
            }
        }

        return items;
    }

    private byte[]? ReadKeyCheck()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT Document FROM StoreInfo WHERE Name = $n AND typeof(Document) = 'blob'";
        command.Parameters.AddWithValue("$n", KeyCheckName);
        return command.ExecuteScalar() as byte[];
    }

    private bool HasSealedRows()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT " + string.Join(" OR ", new[] { Keys, Aliases, Grants }
            .Select(t => $"EXISTS (SELECT 1 FROM {t.Name} WHERE typeof(Document) = 'blob')"));
        return (long)command.ExecuteScalar()! != 0;
    }

    private InvalidDataException Corrupt(Table table, string[] rowKey) => new(
        $"Row '{string.Join("/", rowKey)}' of table {table.Name} in the local KMS database {_path} failed its integrity check: it was altered, copied from another row, or sealed under another store key. The database was not changed; restore it from a backup.");

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

    private sealed record Table(string Name, string[] KeyColumns);
}
