using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;
using Ekm.Grains.Keys;
using Ekm.Keys;
using Ekm.LocalKms.Hosting;
using Ekm.Problems;

namespace Ekm.Grains.Tests;

/// <summary>The tenant's hash-chained audit log: what it lists, and that an edit of the stored log shows.</summary>
public sealed class AuditTests : IDisposable
{
    private readonly TestDatabase _database = new();

    /// <summary>What someone with write access to the database does to the stored log.</summary>
    public enum Tampering
    {
        /// <summary>The control: the row as the service wrote it.</summary>
        None,

        /// <summary>Pins the enabling on someone else, leaving every hash as it was.</summary>
        EditActor,

        /// <summary>Removes the first entry, as if support had never activated EKM.</summary>
        DropOldestEntry,
    }

    [Fact]
    public async Task GetAudit_ActivateEnableRevoke_NewestFirstChainedWithWhoDidWhat()
    {
        const string Tenant = "audited";
        await using var cluster = await SqliteCluster.StartAsync(_database.Path);
        var keyArn = await CustomerKeys.CreateCustomerKeyAsync(cluster, Tenant);
        await CustomerKeys.EnableEkmAsync(cluster, Tenant, keyArn);
        using (var customer = cluster.ClientFor(LocalKmsAccounts.CustomerAAccountId))
        {
            await customer.DisableKeyAsync(new DisableKeyRequest { KeyId = keyArn });
        }

        await cluster.Grains.GetGrain<IKeyGrain>(Tenant).CheckHealthAsync("noc-operator");
        var audit = await cluster.Grains.GetGrain<IKeyGrain>(Tenant).GetAuditAsync();

        Assert.True(audit.ChainValid);
        Assert.Equal([3L, 2L, 1L], audit.Entries.Select(e => e.Sequence));
        Assert.Equal(
            [
                (KeyEventKind.Revoked, "noc-operator", keyArn, ProblemSlugs.KeyDisabled),
                (KeyEventKind.EkmEnabled, "admin", keyArn, "terms v1 accepted"),
                (KeyEventKind.AvailabilityChanged, "support", null, "activated"),
            ],
            audit.Entries.Select(e => (e.Event.Kind, e.Event.Actor, e.Event.KeyArn, e.Event.Detail)));
        Assert.All(audit.Entries, e => Assert.Equal(Tenant, e.Event.TenantId));
        Assert.Equal(AuditChain.Genesis, audit.Entries[^1].PreviousHash);
        for (var i = 0; i < audit.Entries.Count - 1; i++)
        {
            Assert.Equal(audit.Entries[i + 1].Hash, audit.Entries[i].PreviousHash);
        }
    }

    [Theory]
    [InlineData(Tampering.None, true)]
    [InlineData(Tampering.EditActor, false)]
    [InlineData(Tampering.DropOldestEntry, false)]
    public async Task GetAudit_StoredLogReadAfterRestart_ChainValidOnlyIfUntouched(Tampering tampering, bool valid)
    {
        const string Tenant = "tamper-target";
        await using var kms = await LocalKmsServer.StartAsync(new LocalKmsOptions { Port = 0 });
        await using (var cluster = await SqliteCluster.StartAsync(_database.Path, kms: kms))
        {
            await CustomerKeys.EnableEkmAsync(cluster, Tenant, await CustomerKeys.CreateCustomerKeyAsync(cluster, Tenant));
            Assert.True((await cluster.Grains.GetGrain<IKeyGrain>(Tenant).GetAuditAsync()).ChainValid);
        }

        var stored = await StoredState.ReadAsync(_database.Path, StorageNames.AuditState, Tenant);
        Tamper(stored["Entries"]!["$values"]!.AsArray(), tampering);
        await StoredState.WriteAsync(_database.Path, StorageNames.AuditState, Tenant, stored);

        await using var restarted = await SqliteCluster.StartAsync(_database.Path, kms: kms);
        var audit = await restarted.Grains.GetGrain<IKeyGrain>(Tenant).GetAuditAsync();

        Assert.Equal(valid, audit.ChainValid);
        Assert.Equal(tampering == Tampering.EditActor, audit.Entries.Any(e => e.Event.Actor == "mallory"));
        Assert.Equal(tampering == Tampering.DropOldestEntry ? 1 : 2, audit.Entries.Count);
    }

    [Fact]
    public void AuditChain_TextMovedAcrossAFieldBoundary_HashDiffers()
    {
        var at = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
        var original = new KeyEvent("t", KeyEventKind.KeyValidated, at, "alice\nkey-1", "key-2", 1, null);
        var shifted = original with { Actor = "alice", KeyArn = "key-1\nkey-2" };

        Assert.NotEqual(AuditChain.Append([], original).Hash, AuditChain.Append([], shifted).Hash);
    }

    [Fact]
    public void AuditChain_AnotherTenantsIntactLog_NotValidForThisTenant()
    {
        var at = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
        List<AuditEntry> entries = [];
        entries.Add(AuditChain.Append(entries, new KeyEvent("other", KeyEventKind.AvailabilityChanged, at, "support", null, 0, "activated")));
        entries.Add(AuditChain.Append(entries, new KeyEvent("other", KeyEventKind.EkmEnabled, at, "admin", "arn", 1, null)));

        Assert.True(AuditChain.Verify("other", entries));
        Assert.False(AuditChain.Verify("mine", entries));
    }

    public void Dispose() => _database.Dispose();

    private static void Tamper(JsonArray entries, Tampering tampering)
    {
        switch (tampering)
        {
            case Tampering.EditActor:
                entries.Single(e => e!["Event"]!["Actor"]!.GetValue<string>() == "admin")!["Event"]!["Actor"] = "mallory";
                break;
            case Tampering.DropOldestEntry:
                entries.RemoveAt(0);
                break;
        }
    }
}
