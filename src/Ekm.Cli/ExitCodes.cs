using Ekm.Problems;

namespace Ekm.Cli;

/// <summary>
/// Exit codes by problem family (docs/cli.md has the table). The family comes from the problem's
/// HTTP status and slug, never from its message, so scripts can branch on it across versions.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Unexpected = 1;
    public const int Usage = 2;
    public const int BadInput = 3;
    public const int NotFoundOrDenied = 4;
    public const int RefusedByState = 5;
    public const int KmsRefused = 6;
    public const int Unavailable = 7;
    public const int JobFailed = 8;
    public const int JobCancelled = 9;
    public const int DemoStepFailed = 10;
    public const int Interrupted = 130;

    /// <summary>
    /// The slug decides where it names a family of its own: <c>key-revoked</c> is answered with 409
    /// (the tenant is in the revoked state) but it is KMS that refused, so it goes with the other
    /// KMS verdicts. Everything else follows the status.
    /// </summary>
    public static int ForProblem(int status, string? slug) => slug switch
    {
        ProblemSlugs.KeyRevoked or ProblemSlugs.KeyNotFound or ProblemSlugs.KeyAccessDenied or ProblemSlugs.KeyDisabled
            or ProblemSlugs.KeyPendingDeletion or ProblemSlugs.WrongKeySpec or ProblemSlugs.WrongKeyUsage => KmsRefused,
        ProblemSlugs.KmsUnavailable or ProblemSlugs.ServiceUnavailable or ProblemSlugs.TooManyRequests => Unavailable,
        ProblemSlugs.Unauthenticated or ProblemSlugs.Forbidden or ProblemSlugs.NotFound => NotFoundOrDenied,
        ProblemSlugs.EkmNotActivated or ProblemSlugs.EkmIrreversible or ProblemSlugs.EkmAlreadyEnabled or ProblemSlugs.EkmNotEnabled
            or ProblemSlugs.OldKeyUnavailable or ProblemSlugs.NothingToRestore => RefusedByState,
        ProblemSlugs.InternalError => Unexpected,
        _ => status switch
        {
            401 or 403 or 404 => NotFoundOrDenied,
            409 => RefusedByState,
            422 => KmsRefused,
            429 or 502 or 503 or 504 => Unavailable,
            >= 400 and < 500 => BadInput,
            _ => Unexpected,
        },
    };
}
