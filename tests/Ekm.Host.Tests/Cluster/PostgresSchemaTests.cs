using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Ekm.Host.Hosting;
using Ekm.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;
using Orleans.Storage;
using GenericHost = Microsoft.Extensions.Hosting.Host;

namespace Ekm.Host.Tests.Cluster;

/// <summary>
/// deploy/sql/postgresql against the real Orleans ADO.NET providers: a plain silo (not Ekm.Host)
/// with ADO.NET clustering, grain storage and reminders on a database of its own per test.
/// </summary>
[Collection("postgres")]
public sealed partial class PostgresSchemaTests(PostgresServer server)
{
    private const string Invariant = "Npgsql";
    private const string ClusterId = "ekm-pg-test";
    private const string ServiceId = "ekm-pg-test";

    // Without defaults: the test output folder holds Ekm.Host's appsettings.json, whose "Orleans"
    // section UseOrleans would read; these hosts take nothing from files or the environment.
    private static readonly HostApplicationBuilderSettings Isolated = new() { DisableDefaults = true };

    private static readonly IServiceProvider EmptyServices = new ServiceCollection().BuildServiceProvider();

    // Every key the three providers of Orleans 10.4 look up; CleanupDefunctSiloEntryKey is optional.
    private static readonly string[] ClusteringKeys =
    [
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "DeleteMembershipTableEntriesKey",
        "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey",
        "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
    ];

    private static readonly string[] PersistenceKeys =
        ["ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey"];

    private static readonly string[] ReminderKeys =
    [
        "DeleteReminderRowKey", "DeleteReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "ReadReminderRowKey", "ReadReminderRowsKey", "UpsertReminderRowKey",
    ];

    [PostgresFact]
    public async Task Scripts_AppliedTwice_HoldEveryQueryKeyTheProvidersNeed()
    {
        var cs = await server.CreateDatabaseAsync("schema_twice", applySchema: false);

        await PostgresServer.ApplySchemaAsync(cs);
        await PostgresServer.ApplySchemaAsync(cs);

        Assert.Equal(
            ["01-main.sql", "02-clustering.sql", "03-persistence.sql", "04-reminders.sql"],
            PostgresServer.SchemaScripts.Select(Path.GetFileName));
        var stored = await QueryAsync(cs, "SELECT QueryKey FROM OrleansQuery", r => r.GetString(0));
        Assert.Equal(
            ClusteringKeys.Concat(PersistenceKeys).Concat(ReminderKeys).Order(StringComparer.Ordinal),
            stored.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Reads the keys the provider assemblies demand (their internal DbStoredQueries, the storage
    /// provider's initialization query), so an Orleans upgrade that adds one fails here first.
    /// </summary>
    [Fact]
    public void ExpectedKeys_CoverWhatTheProviderAssembliesDemand()
    {
        static string[] Required(Type anchor, string storedQueries) =>
            anchor.Assembly.GetType(storedQueries, throwOnError: true)!
                .GetProperties(BindingFlags.Instance | BindingFlags.NonPublic)
                .Select(p => p.Name)
                .Order(StringComparer.Ordinal)
                .ToArray();

        Assert.Equal(
            ClusteringKeys.Where(k => k != "CleanupDefunctSiloEntryKey").Order(StringComparer.Ordinal),
            Required(typeof(AdoNetClusteringTable), "Orleans.Clustering.AdoNet.Storage.DbStoredQueries"));
        Assert.Equal(
            ReminderKeys.Order(StringComparer.Ordinal),
            Required(typeof(AdoNetReminderTableOptions), "Orleans.Reminders.AdoNet.Storage.DbStoredQueries"));
        Assert.Equal(
            PersistenceKeys.Order(StringComparer.Ordinal),
            QuotedKey().Matches(AdoNetGrainStorage.DefaultInitializationQuery).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
    }

    [PostgresFact]
    public async Task Silo_RestartedOnSameDatabase_KeepsStateReminderAndMembership()
    {
        var cs = await server.CreateDatabaseAsync("silo_restart");

        int firstPort;
        using (var first = await StartSiloAsync(cs))
        {
            firstPort = first.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint.Port;
            await first.Services.GetRequiredService<IGrainFactory>().GetGrain<IPostgresProbeGrain>("kept").SaveAsync("written before the restart");
            await first.StopAsync();
        }

        using var second = await StartSiloAsync(cs);
        var secondPort = second.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint.Port;

        // Through a client that finds the gateway in the membership table (GatewaysQueryKey).
        using (var client = await StartClientAsync(cs))
        {
            var grain = client.Services.GetRequiredService<IClusterClient>().GetGrain<IPostgresProbeGrain>("kept");
            Assert.Equal("written before the restart", await grain.ReadAsync());
            Assert.True(await grain.HasReminderAsync());
            await client.StopAsync();
        }

        var reminders = await QueryAsync(cs, "SELECT GrainId, ReminderName FROM OrleansRemindersTable", r => (r.GetString(0), r.GetString(1)));
        Assert.Equal([("postgresprobe/kept", PostgresProbeGrain.ReminderName)], reminders);

        const string Members = "SELECT Port, Status FROM OrleansMembershipTable ORDER BY StartTime";
        Assert.Equal(
            [(firstPort, (int)SiloStatus.Dead), (secondPort, (int)SiloStatus.Active)],
            await QueryAsync(cs, Members, r => (r.GetInt32(0), r.GetInt32(1))));

        // Clean-up of defunct silos removes the dead entry only (CleanupDefunctSiloEntryKey), also when
        // its suspect list is an empty string, as an update with no votes stores it: the provider
        // reads that back as no list and passes NULL to the delete.
        Assert.Equal(1, await ExecuteAsync(cs, "UPDATE OrleansMembershipTable SET SuspectTimes = '' WHERE Status = 6"));
        await second.Services.GetRequiredService<IMembershipTable>().CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(
            [(secondPort, (int)SiloStatus.Active)],
            await QueryAsync(cs, Members, r => (r.GetInt32(0), r.GetInt32(1))));

        await second.StopAsync();
    }

    [PostgresFact]
    public async Task MembershipTable_StaleTableVersion_RefusesInsertAndUpdate()
    {
        var cs = await server.CreateDatabaseAsync("membership_table");
        var cluster = Options.Create(new ClusterOptions { ClusterId = ClusterId, ServiceId = ServiceId });
        var table = new AdoNetClusteringTable(
            EmptyServices, cluster,
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = Invariant, ConnectionString = cs }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true); // the version row exists: no error

        var initial = await table.ReadAllAsync();
        Assert.Empty(initial.Members);
        var startTime = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var entry = new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, 11111, 1),
            SiloName = "silo-a",
            HostName = "host-a",
            Status = SiloStatus.Joining,
            ProxyPort = 30000,
            StartTime = startTime,
            IAmAliveTime = startTime,
        };
        var rival = new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, 11112, 1),
            SiloName = "silo-b",
            HostName = "host-b",
            Status = SiloStatus.Joining,
            ProxyPort = 30001,
            StartTime = startTime,
            IAmAliveTime = startTime,
        };
        Assert.True(await table.InsertRowAsync(entry, initial.Version.Next()));
        Assert.False(await table.InsertRowAsync(rival, initial.Version.Next())); // the version it read is gone

        var read = await table.ReadRowAsync(entry.SiloAddress);
        var (stored, etag) = Assert.Single(read.Members);
        Assert.Equal(
            (entry.SiloAddress, "silo-a", "host-a", SiloStatus.Joining, 30000, startTime, startTime),
            (stored.SiloAddress, stored.SiloName, stored.HostName, stored.Status, stored.ProxyPort, stored.StartTime, stored.IAmAliveTime));
        Assert.Empty((await table.ReadRowAsync(rival.SiloAddress)).Members);

        entry.Status = SiloStatus.Active;
        entry.SuspectTimes = [Tuple.Create(rival.SiloAddress, startTime)];
        Assert.False(await table.UpdateRowAsync(entry, etag, initial.Version.Next()));
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next()));

        entry.IAmAliveTime = startTime.AddMinutes(1);
        await table.UpdateIAmAliveAsync(entry); // heartbeats leave the table version alone
        var all = await table.ReadAllAsync();
        Assert.Equal(read.Version.Version + 1, all.Version.Version);
        var (updated, _) = Assert.Single(all.Members);
        Assert.Equal(
            (SiloStatus.Active, startTime.AddMinutes(1), rival.SiloAddress),
            (updated.Status, updated.IAmAliveTime, Assert.Single(updated.SuspectTimes ?? []).Item1));

        var gateways = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance, EmptyServices,
            Options.Create(new AdoNetClusteringClientOptions { Invariant = Invariant, ConnectionString = cs }),
            Options.Create(new GatewayOptions()), cluster);
        await gateways.InitializeGatewayListProviderAsync();
        Assert.Equal([SiloAddress.New(IPAddress.Loopback, 30000, 1).ToGatewayUri()], await gateways.GetGatewaysAsync());

        await table.DeleteMembershipTableEntriesAsync(ClusterId);
        Assert.Equal(
            [(0L, 0L)],
            await QueryAsync(
                cs,
                "SELECT (SELECT COUNT(*) FROM OrleansMembershipTable), (SELECT COUNT(*) FROM OrleansMembershipVersionTable)",
                r => (r.GetInt64(0), r.GetInt64(1))));
    }

    [PostgresFact]
    public async Task GrainStorage_VersionsAndNullExtensions_FollowTheOptimisticConcurrencyContract()
    {
        var cs = await server.CreateDatabaseAsync("grain_storage");
        using var silo = await StartSiloAsync(cs);
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(PostgresProbeGrain.StorageName);
        var type = GrainType.Create("probe-storage");
        var key = Guid.NewGuid();
        var noExtension = GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(key)); // GrainIdExtensionString NULL
        var withExtension = GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(key, "x"));

        var probe = new PostgresProbeState { Text = "one" };
        var state = new GrainState<PostgresProbeState>(probe);
        await storage.WriteStateAsync("probe", noExtension, state);
        Assert.Equal("1", state.ETag);
        probe.Text = "two";
        await storage.WriteStateAsync("probe", noExtension, state); // the update must match the NULL extension
        Assert.Equal("2", state.ETag);

        var read = new GrainState<PostgresProbeState>();
        await storage.ReadStateAsync("probe", noExtension, read);
        Assert.Equal(("two", "2", true), (read.State?.Text, read.ETag, read.RecordExists));

        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("probe", noExtension, new GrainState<PostgresProbeState>(new PostgresProbeState { Text = "stale" }, "1")));
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("probe", noExtension, new GrainState<PostgresProbeState>(new PostgresProbeState { Text = "second first write" })));

        var other = new GrainState<PostgresProbeState>(new PostgresProbeState { Text = "other key" });
        await storage.WriteStateAsync("probe", withExtension, other);
        Assert.Equal("1", other.ETag);

        await storage.ClearStateAsync("probe", noExtension, state);
        Assert.Equal(("3", false), (state.ETag, state.RecordExists));
        var cleared = new GrainState<PostgresProbeState>();
        await storage.ReadStateAsync("probe", noExtension, cleared);
        Assert.Equal((null, "3", false), (cleared.State?.Text, cleared.ETag, cleared.RecordExists));
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("probe", noExtension, new GrainState<PostgresProbeState>(new PostgresProbeState { Text = "stale" }, "2")));

        var untouched = new GrainState<PostgresProbeState>();
        await storage.ReadStateAsync("probe", withExtension, untouched);
        Assert.Equal(("other key", "1"), (untouched.State?.Text, untouched.ETag));

        await silo.StopAsync();
    }

    [PostgresFact]
    public async Task GrainWrite_AfterAnotherWriterMovedTheVersion_FailsWithInconsistentState()
    {
        var cs = await server.CreateDatabaseAsync("grain_stale");
        using var silo = await StartSiloAsync(cs);
        var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IPostgresProbeGrain>("contended");
        await grain.SaveAsync("mine");

        // Another writer (a second activation somewhere) got there first.
        Assert.Equal(1, await ExecuteAsync(cs, "UPDATE OrleansStorage SET Version = Version + 1"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.SaveAsync("lost"));
        var stored = new GrainState<PostgresProbeState>();
        await silo.Services.GetRequiredKeyedService<IGrainStorage>(PostgresProbeGrain.StorageName).ReadStateAsync(PostgresProbeGrain.StateName, grain.GetGrainId(), stored);
        Assert.Equal(("mine", "2"), (stored.State?.Text, stored.ETag));

        await silo.StopAsync();
    }

    [PostgresFact]
    public async Task ReminderTable_RowsRangesAndVersions_FollowTheContract()
    {
        var cs = await server.CreateDatabaseAsync("reminder_table");
        using var silo = await StartSiloAsync(cs);
        var table = silo.Services.GetRequiredService<IReminderTable>();

        // Ring hashes are uints the provider stores as ints: take one on each side of zero.
        var grains = Enumerable.Range(0, 64).Select(i => GrainId.Create("probe-reminders", $"g{i}")).ToArray();
        var negative = grains.First(g => (int)g.GetUniformHashCode() < 0);
        var positive = grains.First(g => (int)g.GetUniformHashCode() > 0);
        var startAt = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var month = TimeSpan.FromDays(30); // past int.MaxValue milliseconds: bound as bigint

        var etag = await table.UpsertRow(new ReminderEntry { GrainId = negative, ReminderName = "a", StartAt = startAt, Period = month });
        await table.UpsertRow(new ReminderEntry { GrainId = positive, ReminderName = "b", StartAt = startAt, Period = TimeSpan.FromMinutes(1) });
        var updated = await table.UpsertRow(new ReminderEntry { GrainId = negative, ReminderName = "a", StartAt = startAt, Period = month });
        Assert.NotEqual(etag, updated);

        var row = await table.ReadRow(negative, "a");
        Assert.NotNull(row);
        Assert.Equal((negative, "a", startAt, month, updated), (row.GrainId, row.ReminderName, row.StartAt, row.Period, row.ETag));
        Assert.Null(await table.ReadRow(negative, "missing"));
        Assert.Equal(["a"], (await table.ReadRows(negative)).Reminders.Select(r => r.ReminderName));

        foreach (var (grain, name, otherName) in new[] { (negative, "a", "b"), (positive, "b", "a") })
        {
            var hash = grain.GetUniformHashCode();
            Assert.Equal([name], (await table.ReadRows(hash - 1, hash)).Reminders.Select(r => r.ReminderName)); // (begin, end]
            Assert.Empty((await table.ReadRows(hash, hash + 1)).Reminders);
            Assert.Equal([otherName], (await table.ReadRows(hash, hash - 1)).Reminders.Select(r => r.ReminderName)); // wraps
        }

        Assert.False(await table.RemoveRow(negative, "a", etag!));
        Assert.True(await table.RemoveRow(negative, "a", updated!));
        Assert.Null(await table.ReadRow(negative, "a"));

        await table.TestOnlyClearTable(); // DeleteReminderRowsKey: every row of the service
        Assert.Empty((await table.ReadRows(0, 0)).Reminders); // 0..0 wraps: the whole ring

        await silo.StopAsync();
    }

    private static async Task<IHost> StartSiloAsync(string connectionString)
    {
        var ports = HostPorts.Free();
        var builder = GenericHost.CreateApplicationBuilder(Isolated);
        builder.UseOrleans(silo => silo
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ServiceId))
            .ConfigureEndpoints(IPAddress.Loopback, ports.Silo, ports.OrleansGateway)
            .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (Invariant, connectionString))
            .AddAdoNetGrainStorage(PostgresProbeGrain.StorageName, o => (o.Invariant, o.ConnectionString) = (Invariant, connectionString))
            .UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (Invariant, connectionString)));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<IHost> StartClientAsync(string connectionString)
    {
        var builder = GenericHost.CreateApplicationBuilder(Isolated);
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ServiceId))
            .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (Invariant, connectionString)));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<List<T>> QueryAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static async Task<int> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex("'([A-Za-z0-9]+)'")]
    private static partial Regex QuotedKey();
}

/// <summary>A grain with ADO.NET-persisted state and a reminder, for the PostgreSQL tests only.</summary>
[Alias("Ekm.Host.Tests.Cluster.IPostgresProbeGrain")]
public interface IPostgresProbeGrain : IGrainWithStringKey
{
    /// <summary>Stores <paramref name="text"/> and registers the grain's reminder.</summary>
    [Alias("SaveAsync")]
    Task SaveAsync(string text);

    /// <summary>The stored text.</summary>
    [Alias("ReadAsync")]
    Task<string?> ReadAsync();

    /// <summary>Whether the reminder service knows the grain's reminder.</summary>
    [Alias("HasReminderAsync")]
    Task<bool> HasReminderAsync();
}

[GenerateSerializer, Alias("Ekm.Host.Tests.Cluster.PostgresProbeState")]
public sealed class PostgresProbeState
{
    [Id(0)]
    public string? Text { get; set; }
}

public sealed class PostgresProbeGrain(
    [PersistentState(PostgresProbeGrain.StateName, PostgresProbeGrain.StorageName)] IPersistentState<PostgresProbeState> state)
    : Grain, IPostgresProbeGrain, IRemindable
{
    public const string StorageName = "pg";
    public const string StateName = "probe";
    public const string ReminderName = "probe";

    public async Task SaveAsync(string text)
    {
        state.State.Text = text;
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromHours(1), TimeSpan.FromHours(1));
    }

    public Task<string?> ReadAsync() => Task.FromResult(state.State.Text);

    public async Task<bool> HasReminderAsync() => await this.GetReminder(ReminderName) is not null;

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
