namespace Ekm.Problems;

/// <summary>
/// Stable problem <c>type</c> values (RFC 9457). They are part of the public contract: clients,
/// the CLI and job failure reasons match on them, so a slug is never renamed.
/// </summary>
public static class ProblemSlugs
{
    public const string InvalidTenantId = "invalid-tenant-id";
    public const string InvalidRequestBody = "invalid-request-body";
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not-found";
    public const string InternalError = "internal-error";
    public const string ServiceUnavailable = "service-unavailable";
    public const string EkmNotActivated = "ekm-not-activated";
    public const string EkmIrreversible = "ekm-irreversible";
}
