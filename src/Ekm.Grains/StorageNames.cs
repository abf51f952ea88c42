namespace Ekm.Grains;

/// <summary>Names of the Orleans grain storage providers and state entries the grains use.</summary>
public static class StorageNames
{
    /// <summary>The grain storage provider every Ekm grain persists to.</summary>
    public const string GrainStorage = "ekm";

    /// <summary>
    /// ADO.NET rows are keyed by state name and grain key, not by grain class: every grain class
    /// needs a state name of its own or two classes sharing a key overwrite each other.
    /// </summary>
    public const string KeyState = "ekm-key";

    public const string AuditState = "ekm-audit";

    public const string TenantDirectory = "ekm-tenant-directory";

    public const string JobState = "ekm-job";

    public const string ScheduleState = "ekm-schedule";

    public const string TenantJobs = "ekm-tenant-jobs";
}
