namespace Ekm.Jobs;

/// <summary>The protected products (DESIGN §6).</summary>
public enum Product
{
    Microsoft365,
    GoogleWorkspace,
    EntraId,
}

/// <summary>The workflows of DESIGN §6; every one but <see cref="LegalHoldDownload"/> is gated by the tenant's key.</summary>
public enum JobKind
{
    OrgDiscovery,
    UserDiscovery,
    WorkloadConfiguration,
    Backup,
    Restore,
    Download,

    /// <summary>Legal hold (WebDAV) download: the documented exemption, not gated by the key.</summary>
    LegalHoldDownload,
}

public enum JobState
{
    /// <summary>Not started: what a job grain is before its start (the default, so it stays first).</summary>
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>
/// What to run: the workflow (<see cref="Kind"/> plus <see cref="Variant"/>, e.g. Download + "mbox"),
/// for which product, optionally limited to some containers (mailboxes, sites, drives...).
/// </summary>
[GenerateSerializer, Immutable, Alias("Ekm.Jobs.JobSpec")]
public sealed record JobSpec(
    [property: Id(0)] JobKind Kind,
    [property: Id(1)] Product Product,
    [property: Id(2)] string Variant)
{
    [Id(3)]
    public IReadOnlyList<string> Containers { get; init; } = [];

    /// <summary>Restores only: write back over the live data (true) or to a separate copy (false).</summary>
    [Id(4)]
    public bool InPlace { get; init; }

    /// <summary>Who or what started it: a user, "scheduler", "bulk:&lt;id&gt;".</summary>
    [Id(5)]
    public string StartedBy { get; init; } = "";
}

/// <summary>A job's progress and outcome; <see cref="FailureSlug"/> is the same problem slug the API uses.</summary>
[GenerateSerializer, Immutable, Alias("Ekm.Jobs.JobStatus")]
public sealed record JobStatus(
    [property: Id(0)] string JobId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] JobSpec Spec,
    [property: Id(3)] JobState State)
{
    [Id(4)]
    public int OperationsDone { get; init; }

    [Id(5)]
    public int OperationsTotal { get; init; }

    [Id(6)]
    public long BytesDone { get; init; }

    [Id(7)]
    public long BytesTotal { get; init; }

    [Id(8)]
    public string? FailureSlug { get; init; }

    [Id(9)]
    public string? FailureDetail { get; init; }

    [Id(10)]
    public DateTimeOffset CreatedAt { get; init; }

    [Id(11)]
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Files the job produced (restore copies, downloads), relative to the data directory.</summary>
    [Id(12)]
    public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>PST URL downloads: an expiring link, added by the gateway when the status is read.</summary>
    [Id(13)]
    public string? DownloadUrl { get; init; }
}
