using System.IO.Compression;
using Amazon.KeyManagementService.Model;
using Ekm.Grains.Jobs.Data;
using Ekm.Jobs;
using Ekm.Keys;
using Ekm.LocalKms.Faults;
using Ekm.LocalKms.Hosting;
using Ekm.Problems;

namespace Ekm.Grains.Tests;

/// <summary>Jobs as sessions of admitted operations over the real data path (DESIGN §3, §4, §6).</summary>
public sealed class JobTests : IDisposable
{
    private readonly TestDatabase _database = new();

    private string Root => Path.GetDirectoryName(_database.Path)!;

    [Fact]
    public async Task Backup_ThenRestoreAsCopy_ByteIdenticalToTheSource()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "job-copy";
        await EnabledAsync(c, Tenant);

        var backup = await RunAsync(c, Tenant, new JobSpec(JobKind.Backup, Product.Microsoft365, "manual"));
        Assert.Equal(JobState.Succeeded, backup.State);
        Assert.Equal(backup.OperationsTotal, backup.OperationsDone);
        Assert.Equal(backup.BytesTotal, backup.BytesDone);

        var restore = await RunAsync(c, Tenant, new JobSpec(JobKind.Restore, Product.Microsoft365, "restore"));
        Assert.Equal(JobState.Succeeded, restore.State);
        var restored = 0;
        foreach (var container in SyntheticSource.Containers(Tenant, Product.Microsoft365))
        {
            foreach (var item in SyntheticSource.Items(Tenant, Product.Microsoft365, container.Id))
            {
                var copy = Path.Combine(Root, "exports", Tenant, restore.JobId, container.Id, item.ItemId);
                Assert.Equal(SyntheticSource.Content(Tenant, Product.Microsoft365, item), await File.ReadAllBytesAsync(copy));
                restored++;
            }
        }

        Assert.True(restored > 10);
    }

    [Fact]
    public async Task RestoreInPlace_AfterTheLiveDataWasDamaged_PutsTheOriginalBytesBack()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "job-in-place";
        await EnabledAsync(c, Tenant);
        await RunAsync(c, Tenant, new JobSpec(JobKind.Backup, Product.GoogleWorkspace, "manual"));
        var container = SyntheticSource.Containers(Tenant, Product.GoogleWorkspace)[0];
        var item = SyntheticSource.Items(Tenant, Product.GoogleWorkspace, container.Id)[0];
        var live = new LiveStore(Path.Combine(Root, "live"));
        await live.WriteAsync(Tenant, container.Id, item.ItemId, "ransomware was here"u8.ToArray());

        var restore = await RunAsync(c, Tenant, new JobSpec(JobKind.Restore, Product.GoogleWorkspace, "user-portal") { InPlace = true, Containers = [container.Id] });

        Assert.Equal(JobState.Succeeded, restore.State);
        Assert.Equal(SyntheticSource.Content(Tenant, Product.GoogleWorkspace, item), await live.ReadAsync(Tenant, container.Id, item.ItemId));
    }

    [Theory]
    [InlineData("restore", ".zip")]
    [InlineData("mbox", ".mbox")]
    [InlineData("pst", ".eml.zip")]
    public async Task Download_ProducesARealFilePerContainer(string variant, string extension)
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        var tenant = "job-download-" + variant;
        await EnabledAsync(c, tenant);
        await RunAsync(c, tenant, new JobSpec(JobKind.Backup, Product.Microsoft365, "manual"));
        var mailbox = SyntheticSource.Containers(tenant, Product.Microsoft365).First(x => x.Kind == "mailbox");

        var download = await RunAsync(c, tenant, new JobSpec(JobKind.Download, Product.Microsoft365, variant) { Containers = [mailbox.Id] });

        Assert.Equal(JobState.Succeeded, download.State);
        var file = Path.Combine(Root, Assert.Single(download.Outputs));
        Assert.EndsWith(extension, file, StringComparison.Ordinal);
        Assert.True(new FileInfo(file).Length > 0);
        if (extension == ".zip")
        {
            await using var zip = await ZipFile.OpenReadAsync(file);
            Assert.Equal(SyntheticSource.Items(tenant, Product.Microsoft365, mailbox.Id).Count, zip.Entries.Count);
        }
    }

    [Fact]
    public async Task Backup_OfManyItemsInFewOperations_MakesAtMostOneKmsCallPerOperationPlusOne()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "job-kms-calls";
        var key = await EnabledAsync(c, Tenant);
        c.Kms.Counters.Reset();

        var backup = await RunAsync(c, Tenant, new JobSpec(JobKind.Backup, Product.Microsoft365, "manual"));

        var items = SyntheticSource.Containers(Tenant, Product.Microsoft365).Sum(x => SyntheticSource.Items(Tenant, Product.Microsoft365, x.Id).Count);
        Assert.True(items > 3 * backup.OperationsTotal, $"{items} items in {backup.OperationsTotal} operations");
        // Every KMS call of the job, on any key: one admission per operation, plus the tenant's legal hold key (vendor key).
        Assert.InRange(c.Kms.Counters.Count(), 1, backup.OperationsTotal + 1);
        Assert.Equal(backup.OperationsTotal, c.Kms.Counters.Count("Decrypt", key));
    }

    [Fact]
    public async Task LegalHoldDownload_AfterTheKeyIsRevoked_StillWorks_WhileOtherDownloadsFail()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "job-legal-hold";
        var key = await EnabledAsync(c, Tenant);
        await RunAsync(c, Tenant, new JobSpec(JobKind.Backup, Product.Microsoft365, "manual"));
        var mailbox = SyntheticSource.Containers(Tenant, Product.Microsoft365).First(x => x.Kind == "mailbox");
        using (var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId))
        {
            await customer.DisableKeyAsync(new DisableKeyRequest { KeyId = key });
        }

        var gated = await RunAsync(c, Tenant, new JobSpec(JobKind.Download, Product.Microsoft365, "mbox") { Containers = [mailbox.Id] });
        var legalHold = await RunAsync(c, Tenant, new JobSpec(JobKind.LegalHoldDownload, Product.Microsoft365, "webdav") { Containers = [mailbox.Id] });

        Assert.Equal((JobState.Failed, ProblemSlugs.KeyRevoked), (gated.State, gated.FailureSlug));
        Assert.Equal(JobState.Succeeded, legalHold.State);
        var mbox = await File.ReadAllTextAsync(Path.Combine(Root, Assert.Single(legalHold.Outputs)));
        var first = System.Text.Encoding.UTF8.GetString(SyntheticSource.Content(Tenant, Product.Microsoft365, SyntheticSource.Items(Tenant, Product.Microsoft365, mailbox.Id)[0]));
        var messageId = first.Split('\n').First(l => l.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(messageId, mbox, StringComparison.Ordinal);
    }

    public static TheoryData<string> RevocationKinds() => ["disable", "schedule-deletion", "policy-deny", "grant-revoke"];

    /// <summary>
    /// The second operation's admission is held in the local KMS after KMS has answered it; the
    /// customer revokes meanwhile. That operation was admitted by a call made after its request
    /// arrived, so it finishes; the third is refused; new jobs are refused; after the customer
    /// restores access the next job succeeds, and what was backed up restores intact.
    /// </summary>
    [Theory]
    [MemberData(nameof(RevocationKinds))]
    public async Task Revocation_DuringASession_RunningOperationFinishesEveryLaterOneFails(string kind)
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        var tenant = "job-revoke-" + kind;
        string key;
        string? grantId = null;
        if (kind == "grant-revoke")
        {
            (key, grantId) = await CustomerKeys.CreateGrantedKeyAsync(c, tenant);
            await CustomerKeys.EnableEkmAsync(c, tenant, key);
        }
        else
        {
            key = await EnabledAsync(c, tenant);
        }

        var all = SyntheticSource.Containers(tenant, Product.Microsoft365);
        var mailbox = all.First(x => x.Kind == "mailbox").Id;
        var containers = all.Select(x => x.Id).Where(id => id != mailbox).Take(2).Prepend(mailbox).ToList();
        var admissions = 0;
        var secondHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        c.Kms.Faults.Add(new FaultRule
        {
            Operation = "Decrypt",
            KeyId = key,
            Latency = TimeSpan.FromSeconds(2),
            OnMatch = () =>
            {
                if (Interlocked.Increment(ref admissions) == 2)
                {
                    secondHeld.TrySetResult();
                }
            },
        });

        var job = c.Grains.GetGrain<IJobGrain>(Guid.NewGuid().ToString("N"));
        await job.StartAsync(tenant, new JobSpec(JobKind.Backup, Product.Microsoft365, "manual") { Containers = containers });
        await secondHeld.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await RevokeAsync(c, key, kind, grantId);
        c.Kms.Faults.Clear();
        var outcome = (await job.WhenFinishedAsync())!;

        Assert.Equal((JobState.Failed, ProblemSlugs.KeyRevoked, 2), (outcome.State, outcome.FailureSlug, outcome.OperationsDone));
        var later = await RunAsync(c, tenant, new JobSpec(JobKind.Backup, Product.Microsoft365, "manual"));
        Assert.Equal((JobState.Failed, ProblemSlugs.KeyRevoked, 0), (later.State, later.FailureSlug, later.OperationsDone));
        var legalHold = await RunAsync(c, tenant, new JobSpec(JobKind.LegalHoldDownload, Product.Microsoft365, "webdav") { Containers = [mailbox] });
        Assert.Equal(JobState.Succeeded, legalHold.State);

        await RestoreAsync(c, key, kind, tenant);
        c.Time.Advance(TimeSpan.FromSeconds(5));
        var restore = await RunAsync(c, tenant, new JobSpec(JobKind.Restore, Product.Microsoft365, "restore") { Containers = containers.Take(2).ToList() });
        Assert.Equal(JobState.Succeeded, restore.State);
        var firstItem = SyntheticSource.Items(tenant, Product.Microsoft365, containers[1])[0];
        Assert.Equal(SyntheticSource.Content(tenant, Product.Microsoft365, firstItem),
            await File.ReadAllBytesAsync(Path.Combine(Root, "exports", tenant, restore.JobId, containers[1], firstItem.ItemId)));
    }

    [Theory]
    [InlineData("throttling")]
    [InlineData("internal-error")]
    [InlineData("latency")]
    public async Task Backup_KmsFailingThroughout_FailsKmsUnavailableAndTheNextJobSucceeds(string fault)
    {
        // The service's KMS client gives up on an attempt after 1 s here; the latency fault holds answers 2 s.
        await using var c = await SqliteCluster.StartAsync(_database.Path, kmsTimeout: TimeSpan.FromSeconds(1));
        var tenant = "job-" + fault;
        var key = await EnabledAsync(c, tenant);
        c.Kms.Faults.Add(fault switch
        {
            "throttling" => new FaultRule { Operation = "Decrypt", KeyId = key, ThrottleRate = 1 },
            "internal-error" => new FaultRule { Operation = "Decrypt", KeyId = key, InternalErrorRate = 1 },
            _ => new FaultRule { Operation = "Decrypt", KeyId = key, Latency = TimeSpan.FromSeconds(2) },
        });

        var failed = await RunAsync(c, tenant, new JobSpec(JobKind.Backup, Product.EntraId, "scheduled"));
        Assert.Equal((JobState.Failed, ProblemSlugs.KmsUnavailable), (failed.State, failed.FailureSlug));
        Assert.NotEqual(KeyHealthStatus.Revoked, (await c.Grains.GetGrain<IKeyGrain>(tenant).GetStatusAsync()).Health.Status);

        c.Kms.Faults.Clear();
        Assert.Equal(JobState.Succeeded, (await RunAsync(c, tenant, new JobSpec(JobKind.Backup, Product.EntraId, "scheduled"))).State);
    }

    [Fact]
    public async Task Restore_WithNothingBackedUp_RefusedAndTheJobStaysUnstarted()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "job-nothing";
        await EnabledAsync(c, Tenant);
        var job = c.Grains.GetGrain<IJobGrain>(Guid.NewGuid().ToString("N"));

        var refusal = await Assert.ThrowsAsync<EkmProblemException>(() => job.StartAsync(Tenant, new JobSpec(JobKind.Restore, Product.Microsoft365, "restore")));

        Assert.Equal(ProblemSlugs.NothingToRestore, refusal.Slug);
        Assert.Null(await job.GetStatusAsync());
        await job.StartAsync(Tenant, new JobSpec(JobKind.Backup, Product.EntraId, "manual"));
        Assert.Equal(JobState.Succeeded, (await job.WhenFinishedAsync())!.State);
    }

    [Fact]
    public async Task Cancel_WhileAnOperationIsAdmitted_ThatOneFinishesAndNoOtherStarts()
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        const string Tenant = "job-cancel";
        var key = await EnabledAsync(c, Tenant);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        c.Kms.Faults.Add(new FaultRule { Operation = "Decrypt", KeyId = key, Latency = TimeSpan.FromSeconds(1), OnMatch = () => held.TrySetResult() });
        var job = c.Grains.GetGrain<IJobGrain>(Guid.NewGuid().ToString("N"));
        await job.StartAsync(Tenant, new JobSpec(JobKind.Backup, Product.Microsoft365, "manual"));
        await held.Task.WaitAsync(TimeSpan.FromSeconds(60));

        await job.CancelAsync();
        c.Kms.Faults.Clear();
        var outcome = (await job.WhenFinishedAsync())!;

        Assert.Equal((JobState.Cancelled, 1), (outcome.State, outcome.OperationsDone));
        Assert.True(outcome.OperationsTotal > 1);
    }

    [Theory]
    [InlineData(JobKind.OrgDiscovery, "sharepoint")]
    [InlineData(JobKind.UserDiscovery, "azure-ad-sync")]
    [InlineData(JobKind.WorkloadConfiguration, "teams")]
    public async Task DiscoveryAndConfiguration_AreGatedOperationsToo(JobKind kind, string variant)
    {
        await using var c = await SqliteCluster.StartAsync(_database.Path);
        var tenant = "job-" + variant;
        var key = await EnabledAsync(c, tenant);
        Assert.Equal(JobState.Succeeded, (await RunAsync(c, tenant, new JobSpec(kind, Product.Microsoft365, variant))).State);

        using (var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId))
        {
            await customer.DisableKeyAsync(new DisableKeyRequest { KeyId = key });
        }

        var refused = await RunAsync(c, tenant, new JobSpec(kind, Product.Microsoft365, variant));
        Assert.Equal((JobState.Failed, ProblemSlugs.KeyRevoked), (refused.State, refused.FailureSlug));
    }

    public void Dispose() => _database.Dispose();

    private static async Task<string> EnabledAsync(SqliteCluster c, string tenant)
    {
        var key = await CustomerKeys.CreateCustomerKeyAsync(c, tenant);
        await CustomerKeys.EnableEkmAsync(c, tenant, key);
        return key;
    }

    /// <summary>Starts a job and waits for its end (a grain signal, no polling).</summary>
    internal static async Task<JobStatus> RunAsync(SqliteCluster c, string tenant, JobSpec spec)
    {
        var job = c.Grains.GetGrain<IJobGrain>(Guid.NewGuid().ToString("N"));
        await job.StartAsync(tenant, spec);
        return (await job.WhenFinishedAsync())!;
    }

    private static async Task RevokeAsync(SqliteCluster c, string key, string kind, string? grantId)
    {
        using var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId);
        switch (kind)
        {
            case "disable":
                await customer.DisableKeyAsync(new DisableKeyRequest { KeyId = key });
                break;
            case "schedule-deletion":
                await customer.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key, PendingWindowInDays = 7 });
                break;
            case "grant-revoke":
                await customer.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key, GrantId = grantId });
                break;
            default:
                await CustomerKeys.PutPolicyAsync(c, key, CustomerKeys.PolicyWithoutVendor());
                break;
        }
    }

    private static async Task RestoreAsync(SqliteCluster c, string key, string kind, string tenant)
    {
        using var customer = c.ClientFor(LocalKmsAccounts.CustomerAAccountId);
        switch (kind)
        {
            case "disable":
                await customer.EnableKeyAsync(new EnableKeyRequest { KeyId = key });
                break;
            case "schedule-deletion":
                await customer.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key });
                await customer.EnableKeyAsync(new EnableKeyRequest { KeyId = key });
                break;
            case "grant-revoke":
                await CustomerKeys.GrantVendorAsync(c, key, tenant);
                break;
            default:
                await CustomerKeys.PutPolicyAsync(c, key, CustomerKeys.PolicyWithVendor(tenant));
                break;
        }
    }
}
