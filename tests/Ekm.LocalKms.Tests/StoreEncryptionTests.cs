using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Ekm.LocalKms.Engine;
using Ekm.LocalKms.Hosting;
using Ekm.Testing;
using Ekm.LocalKms.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Ekm.LocalKms.Tests;

/// <summary>
/// The local KMS data file at rest: every row sealed under the store key, so a copy of the file
/// alone gives away no key material, policy or document; the wrong key, a moved row or a plain row
/// stops the start without touching the file; files of the earlier plain format are sealed on
/// their first load. Every test works in a folder of its own.
/// </summary>
public sealed class StoreEncryptionTests : IDisposable
{
    private const string CustomerA = LocalKmsAccounts.CustomerAAccountId;
    private const string Description = "store-encryption-description-marker";

    // What a plain row of the earlier format looked like; a sealed file must show none of it.
    private static readonly string[] PlainMarkers =
    [
        Description, "kms:EncryptionContext:tenant", "2012-10-17", "Statement", "\"Material\"", "\"Policy\"",
        "\"KeyUsage\"", "\"GranteePrincipal\"", "\"TargetKeyId\"", "\"Operations\"",
    ];

    // The earlier version's serializer settings, to write a database as it did.
    private static readonly JsonSerializerOptions PlainJson = new() { Converters = { new JsonStringEnumConverter() } };

    private readonly string _folder = Directory.CreateTempSubdirectory("ekm-localkms-sealed-").FullName;

    [Fact]
    public async Task DataFile_KeysPoliciesAliasesGrants_HoldsNoKeyMaterialPolicyOrJson()
    {
        var dataFile = Path.Combine(_folder, "kms.db");
        byte[][] whileRunning;
        await using (var server = await StartAsync(dataFile))
        {
            using var customer = LocalKmsFixture.ClientFor(server, CustomerA);
            await PopulateAsync(customer);
            whileRunning = [await File.ReadAllBytesAsync(dataFile), await File.ReadAllBytesAsync(dataFile + "-wal")];
        }

        var material = MaterialOf(dataFile);
        Assert.NotEmpty(material);
        foreach (var bytes in whileRunning.Append(await File.ReadAllBytesAsync(dataFile)))
        {
            AssertNoPlaintext(bytes, material);
        }

        Assert.All(await RowsAsync(dataFile), row =>
        {
            Assert.Equal("blob", row.StoredAs);
            Assert.Equal(1, row.Document[0]);
        });
    }

    [Fact]
    public async Task Restart_WithSameKeyFile_DecryptsEarlierCiphertext()
    {
        var dataFile = Path.Combine(_folder, "kms.db");
        var (blob, keyArn) = await EncryptOnNewServerAsync(dataFile);

        var keyFile = dataFile + ".key";
        Assert.Equal(32, Convert.FromBase64String(await File.ReadAllTextAsync(keyFile)).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        await using var after = await StartAsync(dataFile);
        using var customer = LocalKmsFixture.ClientFor(after, CustomerA);
        Assert.Equal(("sealed at rest", keyArn), await customer.DecryptTextAsync(blob, KmsCalls.Tenant("contoso")));
    }

    [Fact]
    public async Task Restart_WithSameStoreKeySetting_DecryptsEarlierCiphertextAndWritesNoKeyFile()
    {
        var dataFile = Path.Combine(_folder, "kms.db");
        var storeKey = NewStoreKey();
        var (blob, keyArn) = await EncryptOnNewServerAsync(dataFile, storeKey);

        await using var after = await StartAsync(dataFile, storeKey);
        using var customer = LocalKmsFixture.ClientFor(after, CustomerA);
        Assert.Equal(("sealed at rest", keyArn), await customer.DecryptTextAsync(blob, KmsCalls.Tenant("contoso")));
        Assert.False(File.Exists(dataFile + ".key"));
    }

    [Fact]
    public async Task Restart_WithDifferentStoreKey_FailsNamingTheFileAndLeavesRowsIntact()
    {
        var dataFile = Path.Combine(_folder, "kms.db");
        var storeKey = NewStoreKey();
        var otherKey = NewStoreKey();
        var (blob, keyArn) = await EncryptOnNewServerAsync(dataFile, storeKey);
        var rows = await RowsAsync(dataFile);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync(dataFile, otherKey));

        Assert.Contains(dataFile, error.Message, StringComparison.Ordinal);
        Assert.Contains("another store key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(storeKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(otherKey, error.Message, StringComparison.Ordinal);
        Assert.Equal(rows, await RowsAsync(dataFile));
        await using var after = await StartAsync(dataFile, storeKey);
        using var customer = LocalKmsFixture.ClientFor(after, CustomerA);
        Assert.Equal(("sealed at rest", keyArn), await customer.DecryptTextAsync(blob, KmsCalls.Tenant("contoso")));
    }

    [Fact]
    public async Task Restart_KeyFileLost_FailsNamingTheKeyFileAndCreatesNoNewOne()
    {
        var dataFile = Path.Combine(_folder, "kms.db");
        await EncryptOnNewServerAsync(dataFile);
        var rows = await RowsAsync(dataFile);
        File.Delete(dataFile + ".key");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync(dataFile));

        Assert.Contains($"key file {dataFile}.key is missing", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dataFile + ".key"));
        Assert.Equal(rows, await RowsAsync(dataFile));
    }

    [Fact]
    public async Task Restart_KeyFileReplaced_FailsNamingTheKeyFile()
    {
        var dataFile = Path.Combine(_folder, "kms.db");
        await EncryptOnNewServerAsync(dataFile);
        var rows = await RowsAsync(dataFile);
        await File.WriteAllTextAsync(dataFile + ".key", NewStoreKey());

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync(dataFile));

        Assert.Contains($"the key file {dataFile}.key", error.Message, StringComparison.Ordinal);
        Assert.Contains("another store key", error.Message, StringComparison.Ordinal);
        Assert.Equal(rows, await RowsAsync(dataFile));
    }

    [Fact]
    public async Task Restart_RowSwappedIntoAnotherKeysPlace_IsRefused()
    {
        var dataFile = Path.Combine(_folder, "kms.db");
        string first, second;
        await using (var server = await StartAsync(dataFile))
        {
            using var customer = LocalKmsFixture.ClientFor(server, CustomerA);
            first = (await customer.NewKeyAsync()).KeyId;
            second = (await customer.NewKeyAsync()).KeyId;
        }

        // The attacker's move: the first key's row now carries the second key's sealed document.
        await ExecuteAsync(dataFile, "UPDATE Keys SET Document = (SELECT Document FROM Keys WHERE KeyId = $second) WHERE KeyId = $first",
            ("$first", first), ("$second", second));
        var rows = await RowsAsync(dataFile);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync(dataFile));

        Assert.Contains($"Row '{first}' of table Keys", error.Message, StringComparison.Ordinal);
        Assert.Contains("failed its integrity check", error.Message, StringComparison.Ordinal);
        Assert.Equal(rows, await RowsAsync(dataFile));
    }

    [Fact]
    public async Task Restart_PlainRowWrittenIntoSealedFile_IsRefused()
    {
        // Once sealed, a file never takes plain JSON again: otherwise anyone able to write the file could plant a key.
        var dataFile = Path.Combine(_folder, "kms.db");
        await EncryptOnNewServerAsync(dataFile);
        var planted = new KmsKey
        {
            KeyId = Guid.NewGuid().ToString(),
            Account = CustomerA,
            Region = LocalKmsFixture.Region,
            Partition = "aws",
            CreationDate = DateTimeOffset.UtcNow,
            KeyUsage = KeyUsages.EncryptDecrypt,
            KeySpec = KeySpecs.SymmetricDefault,
            Policy = KeyPolicies.Document(KeyPolicies.Owner(CustomerA)),
            Material = [new byte[32]],
        };
        await ExecuteAsync(dataFile, "INSERT INTO Keys (KeyId, Document) VALUES ($id, $doc)",
            ("$id", planted.KeyId), ("$doc", JsonSerializer.Serialize(planted, PlainJson)));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync(dataFile));

        Assert.Contains($"Row '{planted.KeyId}' of table Keys", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_PlainJsonFileOfEarlierVersion_IsSealedInPlaceAndKeepsWorking()
    {
        // A file as the earlier version wrote it: the same documents as plain JSON text.
        var source = Path.Combine(_folder, "source.db");
        var (blob, keyArn) = await EncryptOnNewServerAsync(source, alias: "alias/migrated");
        KmsSnapshot snapshot;
        using (var store = new SqliteKmsStore(source))
        {
            snapshot = store.Load();
        }

        var dataFile = Path.Combine(_folder, "plain.db");
        await WritePlainFileAsync(dataFile, snapshot);
        var material = snapshot.Keys.SelectMany(k => k.Material).ToList();
        Assert.Contains(Convert.ToBase64String(material[0]), Encoding.UTF8.GetString(await File.ReadAllBytesAsync(dataFile)), StringComparison.Ordinal);

        await using (var server = await StartAsync(dataFile))
        {
            AssertNoPlaintext(await File.ReadAllBytesAsync(dataFile), material);
            AssertNoPlaintext(await File.ReadAllBytesAsync(dataFile + "-wal"), material);
            using var customer = LocalKmsFixture.ClientFor(server, CustomerA);
            using var vendor = LocalKmsFixture.ClientFor(server, LocalKmsAccounts.VendorAccountId);
            Assert.Equal(("sealed at rest", keyArn), await customer.DecryptTextAsync(blob, KmsCalls.Tenant("contoso")));
            Assert.Equal(("sealed at rest", keyArn), await vendor.DecryptTextAsync(blob, KmsCalls.Tenant("contoso")));
            Assert.Equal(keyArn, (await customer.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/migrated" })).KeyMetadata.Arn);
            Assert.Single((await customer.ListGrantsAsync(new ListGrantsRequest { KeyId = keyArn })).Grants);
        }

        AssertNoPlaintext(await File.ReadAllBytesAsync(dataFile), material);
        Assert.All(await RowsAsync(dataFile), row => Assert.Equal("blob", row.StoredAs));
        Assert.True(File.Exists(dataFile + ".key"));
        await using var again = await StartAsync(dataFile);
        using var customerAgain = LocalKmsFixture.ClientFor(again, CustomerA);
        Assert.Equal(("sealed at rest", keyArn), await customerAgain.DecryptTextAsync(blob, KmsCalls.Tenant("contoso")));
    }

    [Theory]
    [InlineData("not base64 at all!", "LocalKms:StoreKey is not base64")]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==", "LocalKms:StoreKey is 16 bytes, not 32")]
    public async Task Start_BadStoreKey_FailsWithTheSettingNamedAndNoFileWritten(string storeKey, string expected)
    {
        var dataFile = Path.Combine(_folder, "kms.db");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(dataFile, storeKey));

        Assert.StartsWith(expected, Assert.Single(error.Failures), StringComparison.Ordinal);
        Assert.DoesNotContain(storeKey, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    public async Task Standalone_BadStoreKeyAndBadPort_ReportsBothAndExits()
    {
        using var process = StartStandalone(new() { ["LocalKms__StoreKey"] = "c2hvcnQ=" }, "--port", "70000");
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var error = await process.StandardError.ReadToEndAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--port 70000", error, StringComparison.Ordinal);
        Assert.Contains("LocalKms:StoreKey is 5 bytes, not 32", error, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQ=", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Standalone_OnlyDefaults_StartsWithAnOwnerOnlyKeyFileBesideItsData()
    {
        var port = HostPorts.FreePort();
        using var process = StartStandalone([], "--port", port.ToString(CultureInfo.InvariantCulture));
        var banner = new StringBuilder();
        while (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
        {
            banner.AppendLine(line);
            if (line.StartsWith("Press Ctrl+C", StringComparison.Ordinal))
            {
                break;
            }
        }

        var access = LocalKmsAccounts.Defaults().Single(a => a.AccountId == CustomerA).AccessKeys[0];
        using (var kms = LocalKmsFixture.Client(new Uri($"http://127.0.0.1:{port}/"), access.AccessKeyId, access.SecretAccessKey))
        {
            await kms.NewKeyAsync();
        }

        using (var stop = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await stop.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var keyFile = Path.Combine(_folder, "data", "localkms.db.key");
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("sealed with the key file " + keyFile, banner.ToString(), StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(await File.ReadAllTextAsync(keyFile)).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        Assert.All(await RowsAsync(Path.Combine(_folder, "data", "localkms.db")), row => Assert.Equal("blob", row.StoredAs));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Task<LocalKmsServer> StartAsync(string dataFile, string? storeKey = null) =>
        LocalKmsServer.StartAsync(new LocalKmsOptions { Port = 0, DataFile = dataFile, StoreKey = storeKey });

    private static string NewStoreKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A key with a policy, an alias and a grant, and a ciphertext under it; the server is stopped again.</summary>
    private static async Task<(MemoryStream Blob, string KeyArn)> EncryptOnNewServerAsync(string dataFile, string? storeKey = null, string? alias = null)
    {
        await using var server = await StartAsync(dataFile, storeKey);
        using var customer = LocalKmsFixture.ClientFor(server, CustomerA);
        var key = await PopulateAsync(customer, alias);
        return (await customer.EncryptTextAsync(key.KeyId, "sealed at rest", KmsCalls.Tenant("contoso")), key.Arn);
    }

    private static async Task<KeyMetadata> PopulateAsync(IAmazonKeyManagementService customer, string? alias = null)
    {
        var key = (await customer.CreateKeyAsync(new CreateKeyRequest
        {
            Description = Description,
            Policy = KeyPolicies.OwnerAndVendorForContoso(CustomerA),
        })).KeyMetadata;
        await customer.CreateAliasAsync(new CreateAliasRequest { AliasName = alias ?? "alias/sealed", TargetKeyId = key.KeyId });
        await customer.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId,
            GranteePrincipal = KeyPolicies.VendorRoot,
            Operations = [GrantOperation.Decrypt],
        });
        return key;
    }

    /// <summary>The KMS keys' backing material, read back through the store with its key file.</summary>
    private static List<byte[]> MaterialOf(string dataFile)
    {
        using var store = new SqliteKmsStore(dataFile);
        return [.. store.Load().Keys.SelectMany(k => k.Material)];
    }

    private static void AssertNoPlaintext(byte[] file, IEnumerable<byte[]> material)
    {
        foreach (var secret in material)
        {
            Assert.Equal(32, secret.Length);
            Assert.False(file.AsSpan().IndexOf(secret) >= 0, "raw key material in the file");
            foreach (var text in new[] { Convert.ToBase64String(secret), Convert.ToHexString(secret), Convert.ToHexStringLower(secret) })
            {
                Assert.False(file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0, "encoded key material in the file");
            }
        }

        foreach (var marker in PlainMarkers)
        {
            Assert.False(file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)) >= 0, $"'{marker}' readable in the file");
        }
    }

    /// <summary>Every stored row as the file holds it: table, primary key, SQLite storage class and bytes.</summary>
    private static async Task<List<Row>> RowsAsync(string dataFile)
    {
        await using var connection = await OpenAsync(dataFile);
        var rows = new List<Row>();
        foreach (var (table, key) in new[] { ("Keys", "KeyId"), ("Aliases", "Account || '/' || Region || '/' || AliasName"), ("Grants", "GrantId") })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {key}, typeof(Document), CAST(Document AS BLOB) FROM {table} ORDER BY 1";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(new Row(table, reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2)));
            }
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    private static async Task ExecuteAsync(string dataFile, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(dataFile);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    /// <summary>The schema and rows of the earlier version: one plain JSON text per key, alias and grant.</summary>
    private static async Task WritePlainFileAsync(string dataFile, KmsSnapshot snapshot)
    {
        await using var connection = await OpenAsync(dataFile);
        await using (var schema = connection.CreateCommand())
        {
            schema.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE Keys (KeyId TEXT PRIMARY KEY, Document TEXT NOT NULL);
                CREATE TABLE Aliases (Account TEXT NOT NULL, Region TEXT NOT NULL, AliasName TEXT NOT NULL, Document TEXT NOT NULL,
                    PRIMARY KEY (Account, Region, AliasName));
                CREATE TABLE Grants (GrantId TEXT PRIMARY KEY, Document TEXT NOT NULL);
                """;
            await schema.ExecuteNonQueryAsync();
        }

        var inserts = snapshot.Keys.Select(k => ("INSERT INTO Keys VALUES ($k0, $doc)", new[] { k.KeyId }, JsonSerializer.Serialize(k, PlainJson)))
            .Concat(snapshot.Aliases.Select(a => ("INSERT INTO Aliases VALUES ($k0, $k1, $k2, $doc)", new[] { a.Account, a.Region, a.AliasName }, JsonSerializer.Serialize(a, PlainJson))))
            .Concat(snapshot.Grants.Select(g => ("INSERT INTO Grants VALUES ($k0, $doc)", new[] { g.GrantId }, JsonSerializer.Serialize(g, PlainJson))));
        foreach (var (sql, key, document) in inserts)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = sql;
            for (var i = 0; i < key.Length; i++)
            {
                insert.Parameters.AddWithValue($"$k{i}", key[i]);
            }

            insert.Parameters.AddWithValue("$doc", document);
            await insert.ExecuteNonQueryAsync();
        }
    }

    private static async Task<SqliteConnection> OpenAsync(string dataFile)
    {
        // Unpooled, so the file is closed again when the test lets go of it.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dataFile, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The standalone program in this test's folder, so its default data folder lands there.</summary>
    private Process StartStandalone(Dictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ekm.LocalKms.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return Process.Start(info)!;
    }


    private sealed record Row(string Table, string Key, string StoredAs, byte[] Document)
    {
        public bool Equals(Row? other) =>
            other is not null && (Table, Key, StoredAs) == (other.Table, other.Key, other.StoredAs) && Document.AsSpan().SequenceEqual(other.Document);

        public override int GetHashCode() => HashCode.Combine(Table, Key, StoredAs);
    }
}
