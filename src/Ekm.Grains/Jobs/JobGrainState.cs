using Ekm.Jobs;

namespace Ekm.Grains.Jobs;

/// <summary>A job's durable state: its plan and how far it got, so a silo crash resumes at the next operation.</summary>
[GenerateSerializer, Alias("Ekm.Grains.Jobs.JobGrainState")]
public sealed class JobGrainState
{
    [Id(0)]
    public string? TenantId { get; set; }

    [Id(1)]
    public JobSpec? Spec { get; set; }

    [Id(2)]
    public JobState State { get; set; }

    /// <summary>The session's operations, one per container, in order.</summary>
    [Id(3)]
    public List<string> Plan { get; set; } = [];

    [Id(4)]
    public List<string> Done { get; set; } = [];

    [Id(5)]
    public long BytesDone { get; set; }

    [Id(6)]
    public long BytesTotal { get; set; }

    [Id(7)]
    public string? FailureSlug { get; set; }

    [Id(8)]
    public string? FailureDetail { get; set; }

    [Id(9)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(10)]
    public DateTimeOffset? FinishedAt { get; set; }

    [Id(11)]
    public List<string> Outputs { get; set; } = [];

    [Id(12)]
    public bool CancelRequested { get; set; }
}

/// <summary>Where jobs keep data: the backup store, the live (customer) data and exports, under the data directory.</summary>
public sealed class JobStorageOptions
{
    public string Root { get; set; } = "data";

    public string Backups => Path.Combine(Root, "backups");

    public string Live => Path.Combine(Root, "live");

    public string Exports => Path.Combine(Root, "exports");

    /// <summary>Legal hold copies of mailboxes, under the vendor-protected legal hold key.</summary>
    public string LegalHold => Path.Combine(Root, "legalhold");
}
