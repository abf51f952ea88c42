using Ekm.Jobs;
using Ekm.Problems;

namespace Ekm.Grains.Jobs;

/// <summary>The workflows of DESIGN §6: which variants each job kind has.</summary>
public static class JobCatalog
{
    public static readonly IReadOnlyDictionary<JobKind, IReadOnlyList<string>> Variants = new Dictionary<JobKind, IReadOnlyList<string>>
    {
        [JobKind.OrgDiscovery] = ["sharepoint", "teams", "groups", "publicfolder", "teamdrive"],
        [JobKind.UserDiscovery] = ["azure-ad-mapping", "google-mapping", "azure-ad-sync", "google-user-sync"],
        [JobKind.WorkloadConfiguration] = ["teams", "groups", "sharepoint", "teamdrive", "publicfolder"],
        [JobKind.Backup] = ["scheduled", "manual", "bulk"],
        [JobKind.Restore] = ["restore", "mds", "user-portal", "user-client"],
        [JobKind.Download] = ["restore", "mds", "pst", "mbox", "pst-url", "user-portal", "user-client"],
        [JobKind.LegalHoldDownload] = ["webdav"],
    };

    public static void Validate(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!Variants.TryGetValue(spec.Kind, out var variants) || !variants.Contains(spec.Variant))
        {
            throw new EkmProblemException(ProblemSlugs.InvalidJobSpec,
                $"'{spec.Variant}' is not a {spec.Kind} workflow. Choose one of: {string.Join(", ", Variants.GetValueOrDefault(spec.Kind) ?? [])}.");
        }

        // Container ids become folder names in the stores: refused here, before anything is recorded.
        if (spec.Containers.Any(c => c is null || !Data.DataPaths.IsSegment(c)))
        {
            throw new EkmProblemException(ProblemSlugs.InvalidJobSpec,
                "Each container is an id such as mailbox-1-a1b2c3: 1 to 63 characters a-z, 0-9 and '-', starting with a letter or digit.");
        }
    }
}
